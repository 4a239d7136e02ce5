"""The execution engine under every batch command (`sweep`, `compare`, `sensitivity`, `calibrate`,
`attribute`, `check-targets`): tasks in, results out, on local worker processes or on Dask.

A `Task` is one run (scenario fields, seed, which time-series columns to keep); `execute` runs it anywhere and
returns a plain record (a failing model run is data: status `failed` with its error). `Backend` says where
tasks run and yields `(task, result)` as runs finish:

- local (`dask=None`): a process pool with a bounded number of runs in flight. A worker that dies (OOM killer,
  segfault) takes no results with it: the runs it may have held are run again one at a time, alone, and a run
  that kills its process MAX_WORKER_DEATHS times is recorded as failed; after MAX_POOL_RESTARTS broken pools
  the batch stops with a SweepError. Workers end with the main process, even after its SIGKILL (`_die_with`).
- Dask: `local` starts a LocalCluster, `slurm` a `dask_jobqueue.SLURMCluster` (configured by Dask's
  `jobqueue.slurm` settings), anything else is the address of a running scheduler. The backend is connected
  (the address answers, a worker is there) before the caller writes anything, and an address where nothing
  listens is refused at once with one line.

Storage (parts, tables, manifest, resume) is the caller's: `sweep.run_sweep` stores each result as it arrives;
`compare.run_many` keeps them in memory. Heavy libraries are imported inside functions, so the command line can
import this module to name its errors without loading the model.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

MAX_POOL_RESTARTS = 8  # times the local pool may break (a worker died) in one call before the batch stops
MAX_WORKER_DEATHS = 2  # a run whose worker dies this many times while it runs alone is recorded as failed
DASK_TIMEOUT = 60.0  # seconds to reach a Dask scheduler, and again to see its first worker
PROBE_TIMEOUT = 10.0  # at most this many seconds for the first TCP connection to a scheduler's address
CLUSTERS = ("local", "slurm")  # `--dask` values that start a cluster rather than name a scheduler

Runner = Callable[..., Any]


class SweepError(RuntimeError):
    """The batch stopped (workers keep dying, a cluster cannot be reached, the folder is in use); one line.
    Finished runs are kept in parts/: running the same command again resumes."""


@dataclass(frozen=True)
class Task:
    """One run to do: everything a worker needs (plain data, cheap to pickle)."""

    run_id: str
    point: int
    replicate: int
    seed: int
    fields: dict[str, Any]
    every: int
    columns: tuple[str, ...]


# --------------------------------------------------------------------------------------------------------------
# one run (in a worker)


def thin(ts: pd.DataFrame, every: int, columns: Iterable[str]) -> pa.Table:
    """The daily record cut to `columns`, as an Arrow table; with every > 1, k-day block means labelled by the
    block's first day (the last block may be shorter)."""
    import numpy as np
    import pyarrow as pa

    cols = list(columns)
    day = ts["day"].to_numpy().astype("int64")
    data = ts[cols].to_numpy(dtype="float64")
    if every > 1 and len(day):
        block = day // every
        starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
        counts = np.diff(np.r_[starts, len(day)])
        data = np.add.reduceat(data, starts, axis=0) / counts[:, None]
        day = block[starts] * every
    return pa.Table.from_arrays([pa.array(day), *(pa.array(data[:, i]) for i in range(len(cols)))],
                                names=["day", *cols])


def execute(task: Task, runner: Runner | None = None) -> dict[str, Any]:
    """Run one task and return its record (never raises for a failing model run: status 'failed' + error)."""
    from sim.core.blas import one_blas_thread

    if runner is None:
        from sim.io.run import run_scenario as runner
    t0 = time.perf_counter()
    try:
        with one_blas_thread():  # in this process, a pool worker or a Dask worker alike
            res = runner(task.fields, seed=task.seed)
        ts = thin(res.timeseries, task.every, task.columns)
        out = {"status": "ok", "error": "", "summary": dict(res.summary), "timeseries": ts}
    except Exception as err:  # noqa: BLE001 - a failing run is data, not a crash
        last = traceback.extract_tb(err.__traceback__)[-1:] if err.__traceback__ else []
        at = f" at {Path(last[0].filename).name}:{last[0].lineno}" if last else ""
        msg = f"{type(err).__name__}: {err}".replace("\n", " ")[:500] + at
        out = {"status": "failed", "error": msg, "summary": None, "timeseries": None}
    out["seconds"] = time.perf_counter() - t0
    out["run_id"] = task.run_id
    out["host"] = socket.gethostname()
    return out



# --------------------------------------------------------------------------------------------------------------
# local worker processes


def _single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _start_time(pid: int) -> str | None:
    """The process's start time (Linux /proc), to tell it from a later process given the same pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else fields[19]  # a zombie has ended


def _alive(pid: int, started: str | None) -> bool:
    if started is not None:
        return _start_time(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _die_with(main_pid: int, main_started: str | None) -> None:
    """Make this worker process end when the sweep's main process ends, even by SIGKILL. A forkserver worker's
    parent is the forkserver, which only ends once every worker has (they hold its 'alive' pipe), so each worker
    watches the main process itself: a thread checks it twice a second; on Linux the parent-death signal also
    ends a forked worker at once. With the workers gone, the forkserver and the resource tracker end too."""
    if sys.platform.startswith("linux") and os.getppid() == main_pid:
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if not _alive(main_pid, main_started):  # it ended before the signal was armed
        os._exit(1)

    def watch() -> None:
        while _alive(main_pid, main_started):
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-main", daemon=True).start()


def _worker_init(main_pid: int, main_started: str | None) -> None:
    _die_with(main_pid, main_started)


def _alone(task: Task, runner: Runner | None, conn: Any, main: tuple[int, str | None]) -> None:
    """A run in a process of its own (to tell whether it is the run that kills its worker)."""
    _worker_init(*main)
    conn.send(execute(task, runner))
    conn.close()


def _signal_name(code: int | None) -> str:
    if code is None:
        return "unknown exit"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        oom = ": the out-of-memory killer sends it" if -code == signal.SIGKILL else ""
        return f"killed by {name}{oom}"
    return f"exit code {code}"


def _run_alone(task: Task, runner: Runner | None, ctx: Any) -> dict[str, Any]:
    """Run one task in a fresh process, up to MAX_WORKER_DEATHS times while the process dies; a run that kills
    every process it runs in is recorded as failed with the cause (the model's error is data, not a crash)."""
    codes = []
    for _ in range(MAX_WORKER_DEATHS):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_alone, args=(task, runner, send, _main()), daemon=True)
        proc.start()
        send.close()
        try:
            res = recv.recv()
        except EOFError:  # the process died before it sent a result
            res = None
        finally:
            recv.close()
            proc.join()
        if res is not None:
            return res
        codes.append(proc.exitcode)
    return {"status": "failed", "summary": None, "timeseries": None, "seconds": 0.0, "run_id": task.run_id,
            "host": socket.gethostname(),
            "error": f"WorkerDied: the worker process running this run died {len(codes) + 1} times, the last "
                     f"{len(codes)} with the run alone ({_signal_name(codes[-1])}; too little memory?)"}


def _main() -> tuple[int, str | None]:
    return os.getpid(), _start_time(os.getpid())


def _pool_context() -> Any:
    import multiprocessing as mp

    # fork starts workers at once with the model already imported; it is only safe while this process has no
    # other threads (a fork copies locks they hold: Arrow and Dask start some), else forkserver with the model
    # preloaded
    if _single_threaded() and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.core.run", "sim.exploration.engine"])
    return ctx


def _local_results(tasks: list[Task], workers: int, runner: Runner | None) -> Iterator[tuple[Task, dict[str, Any]]]:
    """Yield (task, result) as runs finish on a local process pool, with a bounded number in flight. Runs go to
    worker processes even with one worker, so a run that kills its process (out of memory, a segfault) cannot
    take the batch down: when a worker dies, the runs it may have held are run again one at a time, alone, and
    one that kills its process MAX_WORKER_DEATHS times is recorded as failed. After MAX_POOL_RESTARTS broken
    pools the batch stops with a SweepError (finished runs are kept)."""
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = _pool_context()
    window = 2 * workers
    queue = deque(tasks)
    suspects: deque[Task] = deque()
    restarts = 0
    while queue or suspects:
        while suspects:  # the runs that were in flight when a worker died, one at a time
            t = suspects.popleft()
            yield t, _run_alone(t, runner, ctx)
        if not queue:
            break
        running: dict[Any, Task] = {}
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                     initargs=_main()) as pool:
                while queue or running:
                    while queue and len(running) < window:
                        t = queue.popleft()
                        running[pool.submit(execute, t, runner)] = t
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        res = fut.result()  # BrokenProcessPool if a worker died (OOM killer, segfault)
                        yield running.pop(fut), res
        except BrokenProcessPool:
            restarts += 1
            if restarts > MAX_POOL_RESTARTS:
                raise SweepError(f"worker processes died {restarts} times (out of memory? see dmesg); "
                                 f"{len(queue) + len(running)} runs not done; finished runs are kept in parts/, "
                                 "run the same command again to resume (or with --workers 1)") from None
            suspects.extend(running.values())


# --------------------------------------------------------------------------------------------------------------
# Dask: a LocalCluster, a SLURM cluster, or a running scheduler


def check_dask(address: str) -> str | None:
    """Why `--dask ADDRESS` is not a form the engine takes (None when it is): `local`, `slurm`, or a scheduler
    address with a protocol such as tcp://host:8786."""
    if address == "slurm":
        import importlib.util

        if importlib.util.find_spec("dask_jobqueue") is None:
            return "'slurm' needs dask-jobqueue; install it with pip install 'grassroots-sim[slurm]'"
    if address in CLUSTERS or "://" in address:
        return None
    return f"must be 'local', 'slurm' or a scheduler address like tcp://host:8786, got {address!r}"


def probe(address: str, timeout: float = DASK_TIMEOUT) -> None:
    """Fail fast, before anything is written, when nothing can answer at a tcp:// or tls:// scheduler address:
    an unknown host or a refused connection ends at once, a silent one after min(timeout, PROBE_TIMEOUT) s.
    Raises SweepError (one line naming the address and what to do). Other forms are left to Dask."""
    from urllib.parse import urlsplit

    if address in CLUSTERS:
        return
    parts = urlsplit(address)
    if parts.scheme not in ("tcp", "tls"):
        return
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise SweepError(f"--dask {address}: not a scheduler address (expected {parts.scheme}://host:port, "
                         "e.g. tcp://10.0.0.5:8786)")
    wait = min(timeout, PROBE_TIMEOUT)
    try:
        with socket.create_connection((host, port), timeout=wait):
            pass
    except socket.gaierror:
        raise SweepError(f"--dask {address}: unknown host {host!r}; check the scheduler's address") from None
    except ConnectionRefusedError:
        raise SweepError(f"--dask {address}: connection refused, no scheduler listens there; start one "
                         f"(dask scheduler --port {port}) or check the address") from None
    except TimeoutError:
        raise SweepError(f"--dask {address}: cannot reach the scheduler within {wait:g} s (no answer); is it "
                         "running, and does a firewall let this machine reach it?") from None
    except OSError as err:
        why = err.strerror or type(err).__name__
        raise SweepError(f"--dask {address}: cannot reach the scheduler ({why}); is it running, and is the "
                         "address right?") from None


def start_cluster(kind: str, workers: int | None) -> Any:
    """Start a Dask cluster for `--dask local` (a LocalCluster: `workers` single-threaded worker processes, default
    one per core) or `--dask slurm` (a dask_jobqueue.SLURMCluster from Dask's `jobqueue.slurm` configuration,
    scaled to `workers` worker processes, default 1). Raises SweepError (one line) when it cannot."""
    if kind == "local":
        from distributed import LocalCluster

        return LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                            dashboard_address=None)
    if kind == "slurm":
        try:
            from dask_jobqueue import SLURMCluster
        except ImportError:
            raise SweepError("--dask slurm: needs dask-jobqueue; install it with pip install 'grassroots-sim[slurm]' "
                             "(or pip install dask-jobqueue)") from None
        try:
            cluster = SLURMCluster()
        except (ValueError, KeyError, TypeError) as err:  # cores= / memory= missing from the configuration
            msg = str(err).replace("\n", " ")[:300]
            raise SweepError(f"--dask slurm: cannot configure the SLURM cluster ({msg}); set jobqueue.slurm.cores "
                             "and .memory in ~/.config/dask/jobqueue.yaml or DASK_JOBQUEUE__SLURM__CORES / "
                             "DASK_JOBQUEUE__SLURM__MEMORY (docs/sweeps.md)") from None
        except (OSError, RuntimeError) as err:
            msg = str(err).replace("\n", " ")[:300]
            raise SweepError(f"--dask slurm: cannot start the SLURM cluster ({msg}); is sbatch on the PATH and "
                             "Slurm running (sinfo)?") from None
        cluster.scale(n=workers or 1)
        return cluster
    raise ValueError(f"not a cluster kind: {kind!r}")


class Backend:
    """Where a batch's tasks run: local worker processes (`dask=None`) or Dask (`local`, `slurm`, or a scheduler
    address). `open()` connects (Dask: the scheduler answers and has a worker, within `timeout` seconds) and is
    meant to be called before the caller writes anything; `results()` runs tasks; `close()` (or `with`) ends
    what open() started. One Backend can run several batches (a cluster is started once)."""

    def __init__(self, dask: str | None = None, workers: int | None = None, timeout: float = DASK_TIMEOUT) -> None:
        self.dask = dask
        self.workers = workers
        self.timeout = timeout
        self.client: Any = None
        self.cluster: Any = None

    @property
    def label(self) -> str:
        """`local:N` or `dask:ADDRESS`, for the manifest."""
        return f"dask:{self.dask}" if self.dask else f"local:{self.workers or os.cpu_count()}"

    def open(self) -> Backend:
        if self.dask is None or self.client is not None:
            return self
        import logging

        from distributed import Client

        if self.dask in CLUSTERS:
            self.cluster = start_cluster(self.dask, self.workers)
            self.client = Client(self.cluster)
        else:
            probe(self.dask, self.timeout)
            quiet = logging.getLogger("distributed")
            level, quiet.level = quiet.level, logging.CRITICAL  # the one-line error below says it all
            try:
                self.client = Client(self.dask, timeout=f"{self.timeout}s")
            except (OSError, TimeoutError) as err:
                raise SweepError(f"--dask {self.dask}: cannot reach the scheduler within {self.timeout:g} s "
                                 f"({type(err).__name__}); is it running, and is the address right?") from None
            finally:
                quiet.setLevel(level)
        try:
            self.client.wait_for_workers(1, timeout=self.timeout)
        except TimeoutError:
            what = ("no SLURM job has started a worker; is the queue busy (squeue)? raise --dask-timeout"
                    if self.dask == "slurm" else f"start some (dask worker {self.dask}) or check the cluster's jobs")
            self.close()
            raise SweepError(f"--dask {self.dask}: the scheduler has no workers after {self.timeout:g} s; "
                             f"{what}") from None
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def __enter__(self) -> Backend:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def results(self, tasks: list[Task], runner: Runner | None = None) -> Iterator[tuple[Task, dict[str, Any]]]:
        """Yield (task, result) for every task as runs finish (in no fixed order)."""
        if not tasks:
            return iter(())
        if self.dask is None:
            return _local_results(tasks, max(1, min(self.workers or os.cpu_count() or 1, len(tasks))), runner)
        self.open()
        return _dask_results(self.client, tasks, self.workers, runner)


def run_tasks(tasks: list[Task], *, workers: int | None = None, dask: str | None = None,
              runner: Runner | None = None, timeout: float = DASK_TIMEOUT) -> Iterator[tuple[Task, dict[str, Any]]]:
    """Yield (task, result) for every task on a backend opened for this call and closed after it."""
    with Backend(dask, workers, timeout) as backend:
        yield from backend.results(tasks, runner)


def _dask_results(client: Any, tasks: list[Task], workers: int | None,
                  runner: Runner | None) -> Iterator[tuple[Task, dict[str, Any]]]:
    """Yield (task, result) from a connected Dask client, with a bounded number of runs in flight. Runs on a lost
    worker are rescheduled by Dask; `retries` covers other worker-side crashes; a run that still fails is
    recorded as failed."""
    from distributed import as_completed

    n = max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))
    window = max(8, 4 * n)
    todo = iter(tasks)
    futures = {}

    def submit(t: Task) -> Any:
        fut = client.submit(execute, t, runner, key=f"run-{t.run_id}-{uuid.uuid4().hex[:8]}", pure=False, retries=2)
        futures[fut.key] = t
        return fut

    ac = as_completed([submit(t) for t in itertools.islice(todo, window)])
    for fut in ac:
        t = futures.pop(fut.key)
        try:
            res = fut.result()
        except Exception as err:  # noqa: BLE001 - e.g. KilledWorker after retries: record, go on
            res = {"status": "failed", "error": f"{type(err).__name__}: {err}"[:500], "summary": None,
                   "timeseries": None, "seconds": 0.0, "run_id": t.run_id}
        fut.release()
        yield t, res
        nxt = next(todo, None)
        if nxt is not None:
            ac.add(submit(nxt))
