"""Provenance: how a folder of results was made, the same record for every command (run, compare, sweep, ...).

`collect()` is the one place that says what is recorded: the tool version, the git commit and whether the work
tree had uncommitted changes, start and end times, the machine, the Python, NumPy and other library versions,
the linear-algebra (BLAS) runtime, the command line, the seeds and the input files (path, SHA-256 and text).
Each command stores it under the key "provenance" of its `manifest.json`.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import socket
import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.core.blas import blas_info
from sim.io.safe_read import MAX_RECORDED_BYTES, read_capped

LIBRARIES = ("numpy", "pandas", "scipy", "mesa", "pyarrow", "matplotlib", "pydantic")
MAX_INPUT_CHARS = 200_000  # input files are small TOML; a larger one is hashed, not copied


def now() -> str:
    """The time now, UTC, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _git(*args: str) -> str | None:
    try:
        res = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10,
                             cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def git() -> dict[str, Any]:
    """Commit of the code that ran, and whether tracked files differed from it (None when not in a git tree)."""
    commit = _git("rev-parse", "HEAD")
    if not commit:
        return {"git_commit": None, "git_dirty": None}
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"git_commit": commit, "git_dirty": None if status is None else bool(status)}


def machine() -> dict[str, Any]:
    return {"host": socket.gethostname(), "platform": platform.platform(), "machine": platform.machine(),
            "processor": platform.processor(), "cpus": os.cpu_count()}


def libraries() -> dict[str, str | None]:
    """Versions of the libraries that shape the numbers."""
    out: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def blas() -> list[dict[str, Any]]:
    """The BLAS runtimes loaded in this process (threadpoolctl, via sim.core.blas): library, version, kernel,
    threads. The model makes no BLAS call, so its results do not depend on them; they are recorded all the same."""
    info = blas_info()
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    if coretype:
        for p in info:
            p["openblas_coretype"] = coretype
    return info


def input_file(path: str | Path) -> dict[str, Any]:
    """An input file as recorded: its path, SHA-256 and (if small) its text, so the folder describes itself."""
    try:  # through the safe reader: a special or huge file is recorded without a hash, never read unbounded
        raw = read_capped(Path(path), "input file", OSError, MAX_RECORDED_BYTES)
    except OSError:
        return {"path": str(path), "sha256": None, "text": None}
    text = raw.decode("utf-8", errors="replace") if len(raw) <= MAX_INPUT_CHARS else None
    return {"path": str(path), "sha256": hashlib.sha256(raw).hexdigest(), "text": text}


@functools.cache
def package_version() -> str:
    """The installed version of grassroots-sim (pyproject.toml), read from the package metadata."""
    try:
        return metadata.version("grassroots-sim")
    except metadata.PackageNotFoundError:  # run from a bare checkout without installing
        return "unknown"


def collect(command: str, argv: Sequence[str] | None = None, seeds: Iterable[int] = (),
            inputs: Iterable[str | Path] = (), started: str | None = None) -> dict[str, Any]:
    """The provenance record of one command; `finish(record)` adds the end time."""
    argv = list(sys.argv if argv is None else argv)
    return {
        "tool": "grassroots-sim", "version": package_version(), "command": command, **git(),
        "started": started or now(), "finished": None,
        "machine": machine(), "python": sys.version.split()[0], "numpy": libraries()["numpy"],
        "libraries": libraries(), "blas": blas(),
        "argv": argv, "command_line": " ".join(argv), "seeds": [int(s) for s in seeds],
        "inputs": [input_file(p) for p in inputs],
    }


def finish(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its end time set (now)."""
    record["finished"] = now()
    return record
