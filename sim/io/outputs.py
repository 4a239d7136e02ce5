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
    so its presence means the rest is there); on failure leave `out` as it was, with no staging folder left
    (an OSError of a full disk names `out`)."""
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        try:
            yield stage
        except OSError as err:
            raise with_path(err, out) from None
        names = sorted(p.name for p in stage.iterdir())
        if last in names:
            names.remove(last)
            names.append(last)
            (out / last).unlink(missing_ok=True)  # a rerun killed while moving must not look complete
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
MARKER = ".grassroots-output.json"  # written first into every folder a command claims: which command owns it
# folders written before the marker existed: the file each command wrote last, and the key naming the command
_LEGACY = (("manifest.json", "command"), ("sensitivity.json", "analysis"), ("calibration.json", "analysis"),
           ("attribution.json", "analysis"), ("compare.json", "analysis"))
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def _why(err: OSError) -> str:
    return {errno.EACCES: "permission denied", errno.EROFS: "read-only file system",
            errno.ENOSPC: "no space left on the device", errno.EPERM: "not permitted"}.get(
        err.errno, err.strerror or str(err))


def written_by(folder: Path) -> str | None:
    """The command that wrote `folder`, as its marker says (or, for a folder written before the marker, the
    command its manifest names: `command` of a run or compare manifest, `provenance.command` of a sweep's, the
    `analysis` of an exploration command's record); None when nothing says."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("command"), str):
            return data["command"]
    except (OSError, ValueError):
        pass
    for name, key in _LEGACY:
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        prov = data.get("provenance") if isinstance(data.get("provenance"), dict) else {}
        for who in (data.get(key), prov.get("command")):
            if isinstance(who, str) and who:
                return who
    return None


def _nearest_existing(path: Path) -> Path:
    parent = path
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def claim_output_dir(out: str | os.PathLike[str], command: str, arg: str = "--out",
                     min_free: int = MIN_FREE_BYTES) -> Path:
    """The one rule for output folders, checked by every command before it creates anything: `out` must be a
    folder that does not exist yet, an empty folder, or a folder the same `command` wrote (to resume or redo it:
    its marker, or its manifest, says so). It must be writable, on a disk with `min_free` bytes free. Anything
    else raises OutputError, one line naming the folder and why, and leaves the disk as it was (no folder, no
    file). On success the folder exists and holds the marker naming `command`; returns it."""
    text = os.fspath(out)
    if not text.strip():
        raise OutputError(f"{arg}: is empty (give a folder to write into, e.g. results/run1)")
    path = Path(text)
    parent = _nearest_existing(path)
    if parent.exists() and not parent.is_dir():
        what = "is a file" if parent == path else f"is under {parent}, which is a file"
        raise OutputError(f"{arg}: {path} {what}, not a folder")
    if path.is_dir():
        try:
            names = sorted(p.name for p in path.iterdir())
        except OSError as err:
            raise OutputError(f"{arg}: cannot read {path} ({_why(err)})") from None
        if names:
            who = written_by(path)
            if who is None:
                shown = ", ".join(n for n in names if n != MARKER)[:200]
                raise OutputError(f"{arg}: {path} holds files this command did not write ({shown}); choose an "
                                  "empty folder or remove them")
            if who != command:
                raise OutputError(f"{arg}: {path} was written by `{who}`, not `{command}`; choose an empty or new "
                                  "folder")
    try:
        usage = shutil.disk_usage(parent)
        free = usage.free if usage.total else min_free  # /proc, /sys: no blocks; writing there fails below
    except OSError:
        free = min_free
    if free < min_free:
        raise OutputError(f"{arg}: {path} has only {free // 2**20} MB free (at least {min_free // 2**20} MB "
                          "needed); free space or choose another disk")
    made = [p for p in (path, *path.parents) if not p.exists()][::-1]  # the folders this call creates, top down
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".tmp-write-check-{uuid.uuid4().hex}"
        with open(probe, "wb") as fh:
            fh.write(b"ok")
        probe.unlink()
        if not (path / MARKER).is_file():
            atomic_write_bytes(path / MARKER, (json.dumps({"tool": "grassroots-sim", "command": command}) +
                                               "\n").encode())
    except OSError as err:
        for p in reversed(made):  # a refused command creates nothing
            if p == path:
                shutil.rmtree(p, ignore_errors=True)
            else:
                _rmdir(p)
        raise OutputError(f"{arg}: cannot write into {path} ({_why(err)})") from None
    return path


def _rmdir(p: Path) -> None:
    try:
        p.rmdir()
    except OSError:
        pass


def check_output_file(out: str | os.PathLike[str], arg: str, ours: bytes) -> Path:
    """The file rule for commands that write one file (`report --out`, `check-targets --csv`): a new file, or one
    this command wrote (its first 4 kB hold `ours`); anything else raises OutputError and is left as it was."""
    path = Path(os.fspath(out))
    if path.is_dir():
        raise OutputError(f"{arg}: {path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise OutputError(f"{arg}: folder {path.parent} does not exist")
    if path.exists() or path.is_symlink():
        try:
            with open(path, "rb") as fh:
                head = fh.read(4096) if path.is_file() else b""
        except OSError:
            head = b""
        if ours not in head:
            raise OutputError(f"{arg}: {path} exists and was not written by this command; choose a new file name "
                              "or remove it")
    return path


def check_output_dir(out: str | os.PathLike[str], arg: str = "--out", min_free: int = MIN_FREE_BYTES,
                     command: str = "run") -> Path:
    """`claim_output_dir` for callers that do not name their command (kept for them; they claim as `run`)."""
    return claim_output_dir(out, command, arg, min_free)


def no_space(err: BaseException) -> bool:
    """Whether `err` says the disk (or the user's quota) is full; pyarrow's errors carry only the message."""
    return isinstance(err, OSError) and (err.errno in NO_SPACE or "No space left on device" in str(err))


def with_path(err: OSError, path: Path) -> OSError:
    """`err` naming `path` (a write that fails mid-file raises without a file name)."""
    if getattr(err, "filename", None):
        return err
    code = err.errno if err.errno is not None else (errno.ENOSPC if no_space(err) else errno.EIO)
    return OSError(code, os.strerror(code) if no_space(err) else (err.strerror or str(err)), str(path))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to a temporary name beside `path`, then move it into place; on any failure (a full disk)
    the temporary file is removed and the OSError names `path`."""
    path = Path(path)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)  # no fsync: os.replace is atomic against a killed process; see docs/sweeps.md
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise with_path(err, path) from None
        raise


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` for a writer (parquet, CSV) to fill; move it into place on success,
    remove it on failure (an OSError then names `path`)."""
    path = Path(path)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise with_path(err, path) from None
        raise


def overwrite_in_place(path: Path, data: bytes) -> None:
    """Rewrite an existing small file in its own blocks (no second copy on disk): the last resort for a
    manifest's final status when the disk is too full for a temporary copy."""
    with open(path, "r+b") as fh:
        fh.write(data)
        fh.truncate()
