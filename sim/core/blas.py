"""BLAS on one thread wherever the model runs, and what BLAS it was (for the provenance of runs and sweeps).

The model itself makes no BLAS calls (every sum is a numpy reduction along an axis, in a fixed order), so its
results do not depend on the BLAS kernel or thread count. Pinning still matters: numpy and pandas around the
model may call BLAS, and BLAS threads on a machine already busy with one process per core only cost time.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from threadpoolctl import ThreadpoolController, threadpool_info


@cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def pin_blas() -> None:
    """Limit every BLAS library loaded in this process to one thread, for the life of the process (the CLI, the
    dashboard, pool and Dask workers). Libraries loaded later (scipy brings its own OpenBLAS, often imported
    after this call) and child processes read the thread variables, so those are set to one as well."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    _controller().limit(limits=1, user_api="blas")


def one_blas_thread() -> Any:
    """Context manager: BLAS on one thread while the block runs (one model run in a worker), then as before."""
    return _controller().limit(limits=1, user_api="blas")


def blas_info() -> list[dict[str, Any]]:
    """The BLAS libraries in this process: library, version, kernel (architecture) and thread count, from
    `threadpoolctl.threadpool_info()`."""
    keys = ("internal_api", "version", "architecture", "num_threads", "threading_layer", "filepath")
    return [{k: lib.get(k) for k in keys} for lib in threadpool_info() if lib.get("user_api") == "blas"]
