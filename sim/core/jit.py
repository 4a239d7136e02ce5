"""Compiled loops for the hot mechanisms (numba). Each mechanism keeps its public function and docstring in
its own module; the compiled kernel sits beside it, decorated with `kernel`.

Exact by construction: a kernel is a plain sequential loop, compiled without fast-math, so LLVM neither
reorders its sums nor fuses a multiply and an add; a seed gives the same bits on any CPU. The machine code is
cached on disk in a folder named by a hash of the core's sources (`_cache_dir`: under GRASSROOTS_CACHE_DIR or
NUMBA_CACHE_DIR if set, e.g. a folder cluster workers share; else next to the sources, or, in a read-only
install, in the user's cache directory), so only the first run after a change pays for compiling, and says
so in one line on stderr; with nowhere to write, each process compiles afresh and the results are the same.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def _source_hash() -> str:
    """A hash of every core source file: names the cache folder (see `cache_dir`)."""
    core = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(core.rglob("*.py")):
        digest.update(path.relative_to(core).as_posix().encode())
        digest.update(path.read_bytes())
    return f"numba-{digest.hexdigest()[:16]}"


def _cache_dir() -> str:
    """Where numba keeps the machine code: a folder named by a hash of every core source file. numba checks
    only the kernel's own file when it reuses a cached kernel, and kernels here call kernels and read constants
    from other files (jit.py, levers.py); a new hash whenever any core file changes means no stale machine code
    ever runs. Under GRASSROOTS_CACHE_DIR (or NUMBA_CACHE_DIR) if set: a folder shared by cluster workers, where
    the hash keeps versions apart; else next to the sources if writable; else in the user's cache folder."""
    name = _source_hash()
    for var in ("GRASSROOTS_CACHE_DIR", "NUMBA_CACHE_DIR"):
        root = os.environ.get(var)
        if root:  # a child process inherits the folder already resolved here: not nested twice
            return root if Path(root).name == name else str(Path(root).expanduser() / name)
    core = Path(__file__).resolve().parent
    here = core / "__pycache__"
    if os.access(core, os.W_OK) and (not here.exists() or os.access(here, os.W_OK)):
        return str(here / name)
    return str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "grassroots-sim" / name)


CACHE_DIR = _cache_dir()
os.environ["NUMBA_CACHE_DIR"] = CACHE_DIR  # read by numba when it is first imported, just below; and by children


def cache_is_cold(folder: str = CACHE_DIR) -> bool:
    """True if `folder` holds no compiled kernel yet (no numba index file): this run will compile them."""
    return not any(f.endswith(".nbi") for _, _, files in os.walk(folder) for f in files)


COMPILE_SECONDS = 15  # CPU seconds to compile the default county's kernels on a 2020s laptop core (issue 18)
_NOTICE = "GRASSROOTS_COMPILE_NOTICE_SHOWN"


def _notice() -> None:
    """One line on stderr as the kernels are about to be compiled (cold cache), once per process tree."""
    if not os.environ.get(_NOTICE) and os.environ.get("NUMBA_DISABLE_JIT", "0") in ("", "0"):
        os.environ[_NOTICE] = "1"  # worker processes started from here stay quiet
        sys.stderr.write(f"grassroots: compiling the model's kernels for this machine (first run only, about "
                         f"{COMPILE_SECONDS} s; `grassroots warm-up` does it ahead)...\n")
        sys.stderr.flush()


try:
    from numba import config as _numba_config
    from numba import njit
except ImportError:  # pragma: no cover - numba is a dependency; without it the kernels run as plain Python
    njit = None
else:
    _numba_config.CACHE_DIR = CACHE_DIR  # also when numba was imported before this module
COLD_AT_IMPORT = njit is not None and cache_is_cold()  # before the first kernel below is compiled
if COLD_AT_IMPORT:
    _notice()


def kernel(fn: Callable[..., Any] | None = None, *, signatures: list[str] | None = None) -> Any:
    """Compile `fn` to a sequential loop (numpy error model: x / 0 is inf, as in the numpy code it replaces).
    Without numba (or with NUMBA_DISABLE_JIT=1) `fn` runs as plain Python on numpy scalars, slowly, with the
    same results: every kernel casts explicitly wherever float32 meets a Python float.

    `signatures` (numba's strings) compiles those versions when the module is imported, and only those: for a
    helper called from many kernels, each call then converts its arguments to one of them (an int literal to
    int64, say) instead of numba compiling the helper afresh for every argument type it meets."""
    if fn is None:
        return lambda f: kernel(f, signatures=signatures)
    if njit is None:
        return fn
    args = (signatures,) if signatures else ()
    try:
        return njit(*args, cache=True, error_model="numpy")(fn)
    except RuntimeError:  # numba found no writable cache directory: compile in each process instead
        return njit(*args, error_model="numpy")(fn)


PAIRWISE_BLOCK = 128  # numpy's PW_BLOCKSIZE
# the versions of `pairwise_sum`: float64 and float32, contiguous (rows) or strided (a column of a 2-d array)
_SUM_SIGNATURES = [f"{t}({t}[{layout}], int64, int64)" for t in ("float64", "float32") for layout in ("::1", ":")]


@kernel
def _pairwise_block(a: Any, lo: int, hi: int) -> Any:
    """numpy's sum of a run of at most PAIRWISE_BLOCK elements: under 8 one after the other; else eight running
    sums combined as a tree, and the rest added on. The indices are unsigned (`np.uint64`), which spares every
    load numba's check for a negative index: the same additions in the same order, twice as fast. A plain call
    (numba compiles it once per array type; LLVM inlines it where that pays)."""
    n = hi - lo
    if n < 8:
        if n <= 0:
            return np.zeros(1, a.dtype)[0]
        res = a[lo]
        for i in range(lo + 1, hi):
            res += a[i]
        return res
    one = np.uint64(1)
    i = np.uint64(lo)
    r0, r1, r2, r3 = a[i], a[i + one], a[i + np.uint64(2)], a[i + np.uint64(3)]
    r4, r5, r6, r7 = a[i + np.uint64(4)], a[i + np.uint64(5)], a[i + np.uint64(6)], a[i + np.uint64(7)]
    i += np.uint64(8)
    end = np.uint64(hi - n % 8)
    while i < end:
        r0 += a[i]
        r1 += a[i + one]
        r2 += a[i + np.uint64(2)]
        r3 += a[i + np.uint64(3)]
        r4 += a[i + np.uint64(4)]
        r5 += a[i + np.uint64(5)]
        r6 += a[i + np.uint64(6)]
        r7 += a[i + np.uint64(7)]
        i += np.uint64(8)
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    stop = np.uint64(hi)
    while i < stop:
        res += a[i]
        i += one
    return res


@kernel(signatures=_SUM_SIGNATURES)
def pairwise_sum(a: Any, lo: int, hi: int) -> Any:
    """Sum of the 1-d array a[lo:hi] in numpy's own order (its pairwise summation of a contiguous run, in the
    array's dtype), so that a compiled loop gives the bits of `a[lo:hi].sum()`: a run longer than
    PAIRWISE_BLOCK is split in two (the first part a multiple of 8 long), each summed so, and the two added.
    numpy then adds that to its identity, +0.0: a run of negative zeros sums to +0.0, here too.

    numba's on-disk cache does not keep recursive functions, so a long run is split with an explicit stack (a
    small allocation, only for runs over PAIRWISE_BLOCK). One function in four fixed versions
    (`_SUM_SIGNATURES`): the kernels that call it compile no copy of their own (issue 18: compile time)."""
    if hi - lo <= PAIRWISE_BLOCK:
        s = _pairwise_block(a, lo, hi)
        return abs(s) if s == 0 else s
    los, his, stage = np.empty(64, np.int64), np.empty(64, np.int64), np.zeros(64, np.int64)
    sums = np.empty(64, a.dtype)
    los[0], his[0] = lo, hi
    top, n_sums = 1, 0
    while top > 0:
        start, stop = los[top - 1], his[top - 1]
        n = stop - start
        if n <= PAIRWISE_BLOCK:
            sums[n_sums] = _pairwise_block(a, start, stop)
            n_sums += 1
            top -= 1
            continue
        half = n // 2
        half -= half % 8
        if stage[top - 1] == 0:  # first the left part
            stage[top - 1] = 1
            los[top], his[top], stage[top] = start, start + half, 0
            top += 1
        elif stage[top - 1] == 1:  # then the right part
            stage[top - 1] = 2
            los[top], his[top], stage[top] = start + half, stop, 0
            top += 1
        else:  # both done: left + right
            sums[n_sums - 2] = sums[n_sums - 2] + sums[n_sums - 1]
            n_sums -= 1
            top -= 1
    s = sums[0]
    return abs(s) if s == 0 else s


def total(a: np.ndarray) -> float:
    """`float(a.sum())` of a 1-d float array, bit for bit (`pairwise_sum`), without numpy's per-call cost: for
    the day's small county totals."""
    if a.dtype in (np.float64, np.float32) and a.ndim == 1 and a.flags.writeable:  # one of its versions
        return float(pairwise_sum(a, 0, len(a)))
    return float(a.sum())  # the same bits, by numpy itself


@kernel
def python_sum(a: Any, lo: int, hi: int) -> float:
    """`sum(a[lo:hi].tolist())` bit for bit, as Python >= 3.12 adds floats: from 0, one after the other, with
    Neumaier's compensation added at the end (CPython's `builtin_sum_impl`)."""
    if hi <= lo:
        return 0.0
    total = 0.0 + a[lo]
    c = 0.0
    for i in range(lo + 1, hi):
        x = a[i]
        t = total + x
        if abs(total) >= abs(x):
            c += (total - t) + x
        else:
            c += (x - t) + total
        total = t
    if c != 0.0 and np.isfinite(c):
        total += c
    return total
