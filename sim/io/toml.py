"""Read a TOML file, with one line naming the file and what is wrong when it cannot be read."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sim.core.scenario import ScenarioError


def read_toml(path: Path, what: str = "scenario", error: type[Exception] = ScenarioError) -> dict[str, Any]:
    """A TOML file as a dict, or `error` with one line saying what is wrong with the file (`what` names the
    kind of file expected: scenario, duty-list, experiment)."""
    a_what = f"{'an' if what[0] in 'aeiou' else 'a'} {what} TOML file"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: file not found ({a_what} is expected)") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not {a_what}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text ({a_what} is expected)") from None
    except tomllib.TOMLDecodeError as err:
        raise error(f"{path}: not valid TOML: {err}") from None
    except RecursionError:  # tables or arrays nested hundreds deep: no scenario field needs more than two levels
        raise error(f"{path}: tables or arrays nested too deeply ({a_what} nests at most a few levels)") from None
    except PermissionError:
        raise error(f"{path}: cannot be read (permission denied)") from None
    except OSError as err:
        raise error(f"{path}: cannot be read ({err.strerror or err})") from None
