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
    oldest non-empty age, if known) are empty and not copied. Returns the queue."""
    rows = queue.shape[0] if oldest is None else oldest + 1
    if rows >= queue.shape[0] and queue[-1].any():
        queue = np.concatenate([queue, np.zeros_like(queue)])
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
    rows beyond `oldest` are empty."""
    q = queue[: oldest + 1]
    if not waiting.any():
        return Served(0.0, 0.0, 0.0, np.zeros(queue.shape[1]), 0.0)
    n = q.shape[0]
    take = _fifo(q, capacity)
    q -= take
    by_age = take.sum(1).tolist()  # requests resolved at each age
    resolved = sum(by_age)
    within = sum(by_age[: limit + 1])
    response = sum(a * k for a, k in enumerate(by_age))
    complaints = q[limit + 1].copy() if limit + 1 < n else np.zeros(queue.shape[1])
    return Served(resolved, within, float(response), complaints, float(waiting.sum()) - resolved)


def _fifo(q: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Requests taken from each age (rows) of each village (columns), oldest first, up to the capacity. One
    pass from the oldest age down: the capacity left for an age is what the older requests have not used."""
    older = np.zeros_like(q)  # requests older than each age, added up from the oldest down (a fixed order)
    if len(q) > 1:
        np.cumsum(q[:0:-1], axis=0, out=older[-2::-1])
    take = np.subtract(capacity, older, out=older)
    np.maximum(take, 0.0, out=take)
    return np.minimum(take, q, out=take)


def visit_need(households: np.ndarray, vulnerable_share: float, visits_per_month: float, effort: float) -> np.ndarray:
    """Hours of visits to vulnerable households each village owes per day."""
    return households * vulnerable_share * visits_per_month * 12 / 365 * effort


def incidents(rng: np.random.Generator, missed_hours: float, effort_visit: float, rate: float) -> float:
    """Incidents today: each missed visit to a vulnerable household risks one (Poisson)."""
    return float(rng.poisson(max(missed_hours, 0.0) / effort_visit * rate))
