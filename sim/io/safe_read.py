"""The one way a file a user names is read: checked to be a regular file of bounded size before it is opened,
opened so that a named pipe can never block, and read with a cap.

Every path that comes from input (a scenario or experiment file on the command line, `extends`,
`duty_list_file`, targets and ensemble files, a dashboard upload's parent) is hostile until checked: a FIFO
would block `open()` forever, `/dev/zero` never ends, a directory is not a file, and a 100 MB "scenario" would
be read whole before the TOML parser refused it. `problem()` says in a few words what is wrong with a path (or
None), and `read_capped()` returns the bytes of a regular file no larger than its cap, or raises the caller's
error type with one line naming the path and what it is.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# Caps per kind of file. The largest shipped TOML input (scenarios/targets.toml) is 5.6 KB and a scenario has about
# a hundred fields; a hand-written scenario, experiment, targets or duty-list file is a few KB. 1 MB is 100 times
# that, and tomllib parses it in well under a second and a few tens of MB: enough for any honest file, small
# enough that a wrong or hostile file is refused before it costs memory or time.
MAX_TOML_BYTES = 1_000_000
# Files recorded in a run folder's provenance (their hash, and their text when short): the same bound as inputs.
MAX_RECORDED_BYTES = MAX_TOML_BYTES

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind(mode: int) -> str:
    """What a file of this mode is, in words ('a regular file', 'a directory', 'a named pipe (FIFO)', ...)."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def size_words(n: int) -> str:
    """A byte count for a message: '1 MB', '256 KB', '37 bytes'."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000} MB"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000} KB"
    return f"{n} bytes"


def _a(what: str) -> str:
    return f"{'an' if what[:1] in 'aeiou' else 'a'} {what}"


def _stat_problem(st: os.stat_result, what: str, cap: int) -> str | None:
    if not stat.S_ISREG(st.st_mode):
        return f"is {kind(st.st_mode)}, not {_a(what)}"
    if st.st_size > cap:
        return f"is {st.st_size} bytes; {_a(what)} is at most {size_words(cap)}"
    return None


def problem(path: str | Path, what: str = "scenario TOML file", cap: int = MAX_TOML_BYTES) -> str | None:
    """What is wrong with reading `path` as `what` (a few words, starting lower case), or None if it is a regular
    file of at most `cap` bytes. Symlinks are followed (the file they point to is checked)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "not found"
    except NotADirectoryError:
        return "not found (a folder on its path is a file)"
    except PermissionError:
        return "cannot be read (permission denied)"
    except (OSError, ValueError) as err:  # ValueError: a NUL in the path
        return f"cannot be read ({getattr(err, 'strerror', None) or err})"
    return _stat_problem(st, what, cap)


def check_named(where: str, key: str, name: str, path: Path, what: str = "scenario TOML file",
                error: type[Exception] = OSError, cap: int = MAX_TOML_BYTES) -> None:
    """Refuse a file named by field `key` of `where` unless it is a regular file of at most `cap` bytes: one line
    `WHERE: field 'KEY': file 'NAME' is a directory, not a scenario TOML file (looked for PATH)`."""
    why = problem(path, what, cap)
    if why is not None:
        raise error(f"{where}: field {key!r}: file {name!r} {why} (looked for {path})")


def _open(path: str | Path) -> int:
    """Open read-only without blocking (a FIFO swapped in after the check opens at once) and without taking a
    terminal as controlling terminal. One function, so a test can see every file the readers open."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(path, flags)


def read_capped(path: str | Path, what: str = "scenario TOML file", error: type[Exception] = OSError,
                cap: int = MAX_TOML_BYTES) -> bytes:
    """The bytes of `path`, a regular file of at most `cap` bytes; otherwise `error` with one line
    `PATH: what is wrong`. The size is checked before reading, the file is checked again once open (it may have
    been swapped), and at most cap + 1 bytes are ever read (a file that grows is refused, not read whole)."""
    why = problem(path, what, cap)
    if why is not None:
        raise error(f"{path}: file {why} ({_a(what)} is expected)" if why.startswith("not found") else f"{path}: {why}")
    try:
        fd = _open(path)
    except OSError as err:
        raise error(f"{path}: cannot be read ({err.strerror or err})") from None
    try:
        why = _stat_problem(os.fstat(fd), what, cap)
        if why is not None:
            raise error(f"{path}: {why}")
        chunks, got = [], 0
        while got <= cap:
            chunk = os.read(fd, min(1 << 16, cap + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as err:
        raise error(f"{path}: cannot be read ({err.strerror or err})") from None
    finally:
        os.close(fd)
    if got > cap:
        raise error(f"{path}: grew past {size_words(cap)} while being read; {_a(what)} is at most {size_words(cap)}")
    return b"".join(chunks)
