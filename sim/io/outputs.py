"""Writing results safely: files go to a temporary folder first and move into place only when complete."""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def json_safe(obj: Any) -> Any:
    """NaN and infinities become null (JSON has no NaN)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(json_safe(obj), indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


@contextmanager
def staged_dir(out: Path, last: str | None = None) -> Iterator[Path]:
    """Yield a staging folder beside `out`; on success move its files into `out` (the file named `last` last,
    so its presence means the rest is there); on failure leave `out` as it was."""
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        yield stage
        names = sorted(p.name for p in stage.iterdir())
        if last in names:
            names.remove(last)
            names.append(last)
        for name in names:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(stage / name, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


class OutputError(ValueError):
    """An output folder that cannot be written: one line naming the argument, the path and why."""


MIN_FREE_BYTES = 64 * 2**20  # refuse to start a run into a disk with less free space than this


def check_output_dir(out: str | os.PathLike[str], arg: str = "--out", min_free: int = MIN_FREE_BYTES) -> Path:
    """Check, before any run starts, that `out` can be created and written: not empty, not under a file, not a
    file, writable, with `min_free` bytes free. Creates the folder; returns it. Raises OutputError (one line)."""
    text = os.fspath(out)
    if not text.strip():
        raise OutputError(f"{arg}: is empty (give a folder to write into, e.g. results/run1)")
    path = Path(text)
    parent = path
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        what = "is a file" if parent == path else f"is under {parent}, which is a file"
        raise OutputError(f"{arg}: {path} {what}, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".tmp-write-check-{uuid.uuid4().hex}"
        with open(probe, "wb") as fh:
            fh.write(b"ok")
        probe.unlink()
    except OSError as err:
        why = {errno.EACCES: "permission denied", errno.EROFS: "read-only file system",
               errno.ENOSPC: "no space left on the device", errno.EPERM: "not permitted"}.get(err.errno, err.strerror or str(err))
        raise OutputError(f"{arg}: cannot write into {path} ({why})") from None
    try:
        free = shutil.disk_usage(path).free
    except OSError:
        free = min_free
    if free < min_free:
        raise OutputError(f"{arg}: {path} has only {free // 2**20} MB free (at least {min_free // 2**20} MB needed)")
    return path

