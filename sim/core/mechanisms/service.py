"""Mechanism 8, service and its feedback: resident requests wait in a village queue kept by exact age; they
are resolved first-come first-served with the service hours of cadres present in the village; a request
past the limit raises a complaint (信访) that returns as an upper task, and stays queued until resolved.
Missed visits to vulnerable households raise the risk of an incident.

The queue is (ages, V): row a holds the requests that arrived a days ago. A day costs one pass over the ages
in use (no age x age matrices, nothing cached); the age axis grows only while requests are still waiting at
its last row, so waiting times stay exact and memory follows the oldest request, not the square of it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.jit import kernel

MIN_AGES = 32  # the queue never shrinks below this many ages
GROW_AGES = 365  # nor grows by more than this many at once


@dataclass
class Served:
    resolved: float
    within_limit: float
    response_days: float  # sum over resolved requests of (resolve day - arrival day)
    complaints: np.ndarray  # (V,) requests that passed the limit today
    backlog: float  # requests still waiting at the end of the day
    complaints_total: float = 0.0  # complaints raised today (set by `accountability.petitions`)


def age_queue(queue: np.ndarray, arrivals: np.ndarray, oldest: int | None = None) -> np.ndarray:
    """Start of day: everything waiting grows a day older, today's arrivals enter at age 0. Grows the age
    axis instead of lumping old requests together, so waiting times stay exact. Rows past `oldest` (the
    oldest non-empty age, if known) are empty and not copied; once the queue has cleared to a quarter of its
    ages it is halved again, so memory follows the oldest request waiting, not the oldest ever. Returns the
    queue."""
    rows = queue.shape[0] if oldest is None else oldest + 1
    if rows >= queue.shape[0] and queue[-1].any():
        queue = np.concatenate([queue, np.zeros_like(queue[:GROW_AGES])])  # doubles, at most a year at a time
    elif oldest is not None and queue.shape[0] > MIN_AGES and 4 * (oldest + 2) <= queue.shape[0]:
        queue = queue[: queue.shape[0] // 2].copy()  # every row dropped is empty (past oldest + 1)
    rows = min(rows, queue.shape[0] - 1)
    queue[1 : rows + 1] = queue[:rows]
    queue[0] = arrivals
    return queue


def oldest_age(queue: np.ndarray, upper: int) -> int:
    """The oldest age with a request waiting (0 if none), searching down from `upper`."""
    while upper > 0 and not queue[upper].any():
        upper -= 1
    return upper


def resolve(queue: np.ndarray, capacity: np.ndarray, waiting: np.ndarray, limit: int, oldest: int) -> Served:
    """Resolve up to `capacity` requests per village, oldest first. `waiting` is the queue's column sums;
    rows beyond `oldest` are empty. Each village is served by one compiled pass from its oldest age down,
    which stops where its capacity runs out: a day costs the ages served, not the ages waiting."""
    q = queue[: oldest + 1]
    if not waiting.any():
        return Served(0.0, 0.0, 0.0, np.zeros(queue.shape[1]), 0.0)
    n = q.shape[0]
    capacity = np.asarray(capacity, np.float64)
    lowest = _youngest_served(q, capacity)  # only ages from here up are touched today
    take = np.zeros((n - lowest, q.shape[1]))
    _fifo(q[lowest:], capacity, take)
    by_age = take.sum(1).tolist()  # requests resolved at each age served (numpy's order over villages)
    resolved = sum(by_age)
    within = sum(by_age[: max(0, limit + 1 - lowest)])
    response = sum(a * k for a, k in enumerate(by_age, lowest))
    complaints = q[limit + 1].copy() if limit + 1 < n else np.zeros(queue.shape[1])
    return Served(resolved, within, float(response), complaints, float(waiting.sum()) - resolved)


@kernel
def _youngest_served(q: np.ndarray, capacity: np.ndarray) -> int:
    """The youngest age (row) at which any village will be served today: a village is served at an age while
    the requests older than it leave some of its capacity (ages from the oldest down, row by row)."""
    n, V = q.shape
    older = np.zeros(V)
    lowest = n - 1
    for a in range(n - 1, -1, -1):
        served = False
        for v in range(V):
            if capacity[v] - older[v] > 0.0:
                older[v] += q[a, v]
                served = True
        if not served:
            break
        lowest = a
    return lowest


@kernel
def _fifo(q: np.ndarray, capacity: np.ndarray, take: np.ndarray) -> None:
    """Take requests from each age (rows) of each village (columns), oldest first, up to the capacity:
    writes `take` and removes it from `q`. One pass from the oldest age down, row by row: the capacity a
    village has left for an age is its capacity less all its older requests (added up from the oldest, a fixed
    order); the pass ends once older requests use the whole capacity of every village."""
    n, V = q.shape
    older = np.zeros(V)
    for a in range(n - 1, -1, -1):
        served = False
        for v in range(V):
            left = capacity[v] - older[v]
            if left > 0.0:
                waiting = q[a, v]
                t = min(left, waiting)
                take[a, v] = t
                q[a, v] = waiting - t
                older[v] += waiting
                served = True
        if not served:
            break


def visit_need(households: np.ndarray, vulnerable_share: float, visits_per_month: float, effort: float) -> np.ndarray:
    """Hours of visits to vulnerable households each village owes per day."""
    return households * vulnerable_share * visits_per_month * 12 / 365 * effort


def incidents(rng: np.random.Generator, missed_hours: float, effort_visit: float, rate: float) -> float:
    """Incidents today: each missed visit to a vulnerable household risks one (Poisson)."""
    return float(rng.poisson(max(missed_hours, 0.0) / effort_visit * rate))
