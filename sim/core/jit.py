"""Compiled loops for the hot mechanisms (numba). Each mechanism keeps its public function and docstring in
its own module; the compiled kernel sits beside it, decorated with `kernel`.

Exact by construction: a kernel is a plain sequential loop, compiled without fast-math, so LLVM neither
reorders its sums nor fuses a multiply and an add; a seed gives the same bits on any CPU. The machine code is
cached on disk next to the source (or, in a read-only install, in the user's cache directory, or wherever
NUMBA_CACHE_DIR points), so only the first run on a machine pays for compiling; with nowhere to write, each
process compiles afresh (about a second) and the results are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numba import njit


def kernel(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compile `fn` to a sequential loop (numpy error model: x / 0 is inf, as in the numpy code it replaces)."""
    try:
        return njit(cache=True, error_model="numpy")(fn)
    except RuntimeError:  # numba found no writable cache directory: compile in each process instead
        return njit(error_model="numpy")(fn)
