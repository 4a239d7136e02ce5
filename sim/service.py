"""Mechanism 8, service and its feedback: resident requests wait in a village queue kept by exact age; they
are resolved first-come first-served with the service hours of cadres present in the village; a request
past the limit raises a complaint (信访) that returns as an upper task, and stays queued until resolved.
Missed visits to vulnerable households raise the risk of an incident."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Served:
    resolved: float
    within_limit: float
    response_days: float  # sum over resolved requests of (resolve day - arrival day)
    complaints: np.ndarray  # (V,)


def age_queue(queue: np.ndarray, arrivals: np.ndarray) -> np.ndarray:
    """Start of day: everything waiting grows a day older, today's arrivals enter at age 0. Grows the age
    axis instead of lumping old requests together, so waiting times stay exact. Returns the queue."""
    if queue[-1].any():
        queue = np.concatenate([queue, np.zeros_like(queue)])
    queue[1:] = queue[:-1]
    queue[0] = arrivals
    return queue


def resolve(queue: np.ndarray, capacity: np.ndarray, waiting: np.ndarray, limit: int, oldest: int) -> Served:
    """Resolve up to `capacity` requests per village, oldest first. `waiting` is the queue's column sums;
    rows beyond `oldest` are empty. Villages that can serve everyone do; only the others queue FIFO."""
    q = queue[: oldest + 1]
    if not waiting.any():
        return Served(0.0, 0.0, 0.0, np.zeros(queue.shape[1]))
    take = q * (capacity >= waiting)
    partial = np.flatnonzero(capacity < waiting)
    if partial.size:
        sub = q[:, partial]
        from_oldest = np.cumsum(sub[::-1], axis=0)[::-1]  # requests at this age or older
        take[:, partial] = np.minimum(np.maximum(capacity[partial] - (from_oldest - sub), 0.0), sub)
    q -= take
    by_age = take.sum(1)
    resolved = float(by_age.sum())
    within = float(by_age[: limit + 1].sum())
    response = float(by_age @ np.arange(q.shape[0], dtype=float))
    complaints = q[limit + 1].copy() if limit + 1 < q.shape[0] else np.zeros(queue.shape[1])
    return Served(resolved, within, response, complaints)


def visit_need(households: np.ndarray, vulnerable_share: float, visits_per_month: float, effort: float) -> np.ndarray:
    """Hours of visits to vulnerable households each village owes per day."""
    return households * vulnerable_share * visits_per_month * 12 / 365 * effort
