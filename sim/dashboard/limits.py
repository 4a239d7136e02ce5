"""Bounds that keep one visitor of the dashboard from stalling a class (docs/dashboard.md, "Running a class").

Every number the page states ("Limits" line) lives here, so what the page says is what the server enforces:
the size of an uploaded file (checked in the browser before reading and again on the server before parsing),
the size of a county a page may build (cadres, cadre-days, households per village, departments), how many
sessions may run the model at once (a process-wide slot count; the projector's own session is never refused)
and the CPU time one run may use. No Solara here: app.py calls these and shows their one-line refusals.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAX_UPLOAD_BYTES = 256 * 1024  # a scenario file is a few kB; the shipped ones are under 4 kB
MAX_CADRES = 15_000  # about ten default counties (1,560 cadres each)
MAX_CADRE_DAYS = 6_000_000  # cadres x (warm-up + days), both runs side by side counted: ~2 min of CPU at most
MAX_HOUSEHOLDS = 2_000  # per village (the model allows 100,000; request volume grows with it)
MAX_DEPARTMENTS = 100
MAX_RUNNING = 3  # visitors' sessions running the model at once (play, step, rebuild); the projector is not counted
RUN_CPU_S = 120.0  # CPU seconds one run may use (from its build or reset to its end)
SLOT_WAIT_S = 5.0  # how long a step or a lever change waits for a free slot before saying "busy"


class LimitError(Exception):
    """A request the shared server refuses; `key` and `fmt` name the page's one-line message (texts.py)."""

    def __init__(self, key: str, **fmt: Any) -> None:
        super().__init__(key)
        self.key = key
        self.fmt = fmt


def stated() -> dict[str, Any]:
    """The limits as the page states them (texts.py 'limits')."""
    return {"kb": MAX_UPLOAD_BYTES // 1024, "n": MAX_RUNNING, "cadres": f"{MAX_CADRES:,}",
            "cadre_days": f"{MAX_CADRE_DAYS:,}", "cpu": int(RUN_CPU_S)}


def county_size(scenario: Any, runs: int = 1) -> tuple[int, int]:
    """(cadres, cadre-days) a scenario builds; `runs` = 2 when two runs go side by side."""
    s = scenario
    cadres = int(s.n_townships) * (int(s.township_cadres) + int(s.villages_per_township) * int(s.village_cadres))
    return cadres, cadres * (int(s.days) + int(s.warmup_days)) * runs


def check_size(scenario: Any, runs: int = 1, allowed: tuple[int, int] = (0, 0)) -> None:
    """Refuse a county too large for the shared server before anything is built. `allowed` raises the bounds to
    what the teacher started the dashboard with (the command line is trusted, the page is not)."""
    cadres, work = county_size(scenario, runs)
    if cadres > max(MAX_CADRES, allowed[0]) or work > max(MAX_CADRE_DAYS, allowed[1]):
        raise LimitError("limit_size", cadres=f"{cadres:,}", cadre_days=f"{work:,}",
                         cadres_max=f"{max(MAX_CADRES, allowed[0]):,}", cadre_days_max=f"{max(MAX_CADRE_DAYS, allowed[1]):,}")
    if int(scenario.households_per_village) > MAX_HOUSEHOLDS:
        raise LimitError("limit_field", field="households_per_village", max=f"{MAX_HOUSEHOLDS:,}")
    if int(scenario.n_departments) > MAX_DEPARTMENTS:
        raise LimitError("limit_field", field="n_departments", max=f"{MAX_DEPARTMENTS:,}")


_slots = threading.BoundedSemaphore(MAX_RUNNING)


class Runner:
    """One session's share of the server: a run slot (re-entrant within the session, so a lever moved while
    playing does not wait for itself) and the CPU time its current run has used."""

    def __init__(self, trusted: bool) -> None:
        self.trusted = trusted  # the projector's own session (loopback): never refused a slot
        self._lock = threading.Lock()
        self._held = 0
        self.cpu_s = 0.0

    @contextmanager
    def slot(self, wait_s: float = SLOT_WAIT_S) -> Iterator[None]:
        """Hold a run slot while computing; LimitError('busy') if none frees up within `wait_s`."""
        with self._lock:
            first = self._held == 0
            self._held += 1
        got = False
        try:
            if first and not self.trusted:
                got = _slots.acquire(timeout=wait_s)
                if not got:
                    raise LimitError("busy", n=MAX_RUNNING)
            yield
        finally:
            with self._lock:
                self._held -= 1
            if got:
                _slots.release()

    @contextmanager
    def metered(self) -> Iterator[None]:
        """Count the CPU time of the block (this thread's) against the run; LimitError('cpu_spent') once over."""
        if self.cpu_s >= RUN_CPU_S:
            raise LimitError("cpu_spent", cpu=int(RUN_CPU_S))
        t0 = time.thread_time()
        try:
            yield
        finally:
            self.cpu_s += time.thread_time() - t0

    def new_run(self) -> None:
        """A build or reset starts a new run (its CPU time from zero)."""
        self.cpu_s = 0.0


def free_slots() -> int:
    """Slots not held right now (for tests)."""
    return _slots._value  # noqa: SLF001 - BoundedSemaphore has no public count
