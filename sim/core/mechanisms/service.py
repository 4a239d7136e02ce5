"""Mechanism 8, service and its feedback: resident requests wait in a village queue kept by exact age; they
are resolved first-come first-served with the service hours of cadres present in the village; a request
past the limit raises a complaint (信访) that returns as an upper task, and stays queued until resolved;
a request still waiting after `request_give_up_days` leaves: its resident gives up or goes elsewhere.
Missed visits to vulnerable households raise the risk of an incident.

The queue is (ages, V): row a holds the requests that arrived a days ago, for ages 0 to the give-up age. It is
allocated once (`county.build_county`), so memory stays flat however long service collapses; a day costs one pass over
the ages in use (no age x age matrices, nothing cached), and waiting times stay exact: a request leaves
either resolved (after the days it waited) or given up (after give-up + 1 days)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.jit import kernel, pairwise_sum, python_sum


@dataclass
class Served:
    resolved: float
    within_limit: float
    response_days: float  # sum over resolved requests of (resolve day - arrival day)
    complaints: np.ndarray  # (V,) requests that passed the limit today
    backlog: float  # requests still waiting at the end of the day
    complaints_total: float = 0.0  # complaints raised today (set by `accountability.petitions`)


def age_queue(queue: np.ndarray, arrivals: np.ndarray, oldest: int | None = None) -> float:
    """Start of day, in place: everything waiting grows a day older, today's arrivals enter at age 0. Requests
    in the last row have waited the give-up age and would wait a day more: they leave, given up. Rows past
    `oldest` (the oldest non-empty age, if known) are empty and not moved. Returns the requests given up."""
    last = queue.shape[0] - 1
    rows = queue.shape[0] if oldest is None else oldest + 1
    given_up = 0.0
    if rows > last:
        given_up = float(queue[last].sum())
        rows = last
    queue[1 : rows + 1] = queue[:rows]
    queue[0] = arrivals
    return given_up


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
    stats = np.empty(3)
    _resolve(q, np.asarray(capacity, np.float64), limit, stats)
    resolved, within, response = stats.tolist()
    complaints = q[limit + 1].copy() if limit + 1 < q.shape[0] else np.zeros(queue.shape[1])
    return Served(resolved, within, response, complaints, float(waiting.sum()) - resolved)


@kernel
def _resolve(q: np.ndarray, capacity: np.ndarray, limit: int, stats: np.ndarray) -> None:
    """`resolve` in one compiled pass: the ages served (`_youngest_served`), first come first served
    (`_fifo`), the requests resolved at each age added over villages in numpy's order, and the day's totals
    (resolved, within the limit, response days) added over ages as Python adds a list of floats."""
    n, V = q.shape
    lowest = _youngest_served(q, capacity)  # only ages from here up are touched today
    m = n - lowest
    take = np.zeros((m, V))
    _fifo(q[lowest:], capacity, take)
    by_age = np.empty(m)  # requests resolved at each age served
    days = np.empty(m)  # and the days they waited
    for a in range(m):
        by_age[a] = pairwise_sum(take[a], 0, V)
        days[a] = (a + lowest) * by_age[a]
    stats[0] = python_sum(by_age, 0, m)
    stats[1] = python_sum(by_age, 0, min(m, max(0, limit + 1 - lowest)))
    stats[2] = python_sum(days, 0, m)


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
