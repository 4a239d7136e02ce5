"""Read a TOML file, with one line naming the file and what is wrong when it cannot be read.

The file goes through sim/io/safe_read.py: a regular file of at most 1 MB, checked before it is opened, so a
named pipe, a device, a directory or a huge file is refused at once with what it is."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sim.core.scenario import ScenarioError
from sim.io.safe_read import MAX_TOML_BYTES, read_capped


def read_toml_bytes(path: Path, what: str = "scenario", error: type[Exception] = ScenarioError,
                    cap: int = MAX_TOML_BYTES) -> tuple[dict[str, Any], bytes]:
    """A TOML file as a dict and the bytes it was parsed from (to hash), or `error` with one line."""
    a_what = f"{'an' if what[0] in 'aeiou' else 'a'} {what} TOML file"
    raw = read_capped(path, f"{what} TOML file", error, cap)
    try:
        return tomllib.loads(raw.decode("utf-8")), raw
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text ({a_what} is expected)") from None
    except tomllib.TOMLDecodeError as err:  # the parser's message gives a position, never the file's text
        raise error(f"{path}: not valid TOML: {err}") from None
    except RecursionError:  # tables or arrays nested hundreds deep: no scenario field needs more than two levels
        raise error(f"{path}: tables or arrays nested too deeply ({a_what} nests at most a few levels)") from None


def read_toml(path: Path, what: str = "scenario", error: type[Exception] = ScenarioError) -> dict[str, Any]:
    """A TOML file as a dict, or `error` with one line saying what is wrong with the file (`what` names the
    kind of file expected: scenario, duty-list, experiment)."""
    return read_toml_bytes(path, what, error)[0]
