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


def start_day(queue: np.ndarray, requests: np.ndarray, found: np.ndarray, oldest: int) -> tuple[float, int, np.ndarray]:
    """Start of day in one compiled pass: `age_queue` with today's requests plus the problems found on patrol
    (`found`) arriving at age 0; then what waits. Returns (requests given up, the oldest age that may now hold
    a request, requests waiting per village (V,): the queue's column sums as numpy adds them, age after age)."""
    waiting = np.empty(queue.shape[1])
    stats = np.empty(1)
    oldest = _start_day(queue, requests, found, oldest, waiting, stats)
    return float(stats[0]), oldest, waiting


@kernel
def _start_day(queue, requests, found, oldest, waiting, given_up) -> int:
    """`start_day`: rows past `oldest` are empty and not moved; numpy's `queue[:rows].sum(0)` adds row after row,
    except for a single village, where the column is one contiguous run (its pairwise order)."""
    n, V = queue.shape
    last = n - 1
    rows = oldest + 1
    given_up[0] = 0.0
    if rows > last:
        given_up[0] = pairwise_sum(queue[last], 0, V)
        rows = last
    for a in range(rows, 0, -1):
        for v in range(V):
            queue[a, v] = queue[a - 1, v]
    for v in range(V):
        queue[0, v] = requests[v] + found[v]
    oldest = min(oldest + 1, last)
    if V == 1:
        waiting[0] = pairwise_sum(queue[: oldest + 1, 0], 0, oldest + 1)
        return oldest
    for v in range(V):
        waiting[v] = queue[0, v]
    for a in range(1, oldest + 1):
        for v in range(V):
            waiting[v] += queue[a, v]
    return oldest


def oldest_age(queue: np.ndarray, upper: int) -> int:
    """The oldest age with a request waiting (0 if none), searching down from `upper`."""
    return int(_oldest_age(queue, upper))


@kernel
def _oldest_age(queue, upper) -> int:
    while upper > 0:
        for v in range(queue.shape[1]):
            if queue[upper, v] != 0.0:
                return upper
        upper -= 1
    return upper


def resolve(queue: np.ndarray, capacity: np.ndarray, waiting: np.ndarray, limit: int, oldest: int) -> Served:
    """Resolve up to `capacity` requests per village, oldest first. `waiting` is the queue's column sums;
    rows beyond `oldest` are empty. Each village is served by one compiled pass from its oldest age down,
    which stops where its capacity runs out: a day costs the ages served, not the ages waiting."""
    q = queue[: oldest + 1]
    stats = np.empty(4)
    if not _resolve(q, np.asarray(capacity, np.float64), waiting, limit, stats):
        return Served(0.0, 0.0, 0.0, np.zeros(queue.shape[1]), 0.0)
    resolved, within, response, backlog = stats.tolist()
    complaints = q[limit + 1].copy() if limit + 1 < q.shape[0] else np.zeros(queue.shape[1])
    return Served(resolved, within, response, complaints, backlog)


@kernel
def _resolve(q: np.ndarray, capacity: np.ndarray, waiting: np.ndarray, limit: int, stats: np.ndarray) -> bool:
    """`resolve` in one compiled pass: nothing if nobody waits (False); else first come first served (`_fifo`,
    which adds the requests resolved at each age over villages in numpy's order), the day's totals (resolved,
    within the limit, response days) added over the ages served, youngest first, as Python adds a list of
    floats, and the backlog left (all waiting, in numpy's order, less the resolved)."""
    n, V = q.shape
    anyone = False
    for v in range(V):
        if waiting[v] != 0.0:
            anyone = True
            break
    if not anyone:
        return False
    by_age = np.empty(n)  # requests resolved at each age served (rows lowest..n-1)
    lowest = _fifo(q, capacity, by_age)
    days = np.empty(n)  # and the days they waited
    for a in range(lowest, n):
        days[a] = a * by_age[a]
    stats[0] = python_sum(by_age, lowest, n)
    stats[1] = python_sum(by_age, lowest, lowest + min(n - lowest, max(0, limit + 1 - lowest)))
    stats[2] = python_sum(days, lowest, n)
    stats[3] = pairwise_sum(waiting, 0, V) - stats[0]
    return True


@kernel
def _fifo(q: np.ndarray, capacity: np.ndarray, by_age: np.ndarray) -> int:
    """Take requests from each age (rows) of each village (columns), oldest first, up to the capacity: removes
    them from `q`, writes `by_age[a]`, the requests taken at age a added over villages in numpy's order, and
    returns the youngest age served. One pass from the oldest age down, row by row: the capacity a village has
    left for an age is its capacity less all its older requests (added up from the oldest, a fixed order); the
    pass ends once older requests use the whole capacity of every village (the oldest age counts as served,
    with nothing taken, if no village has any capacity: a day costs the ages served, not the ages waiting)."""
    n, V = q.shape
    older = np.zeros(V)
    taken = np.empty(V)  # this age's requests taken, village by village
    by_age[n - 1] = 0.0
    lowest = n - 1
    for a in range(n - 1, -1, -1):
        served = False
        row = q[a]
        for v in range(V):
            left = capacity[v] - older[v]
            if left > 0.0:
                waiting = row[v]
                t = min(left, waiting)
                taken[v] = t
                row[v] = waiting - t
                older[v] += waiting
                served = True
            else:
                taken[v] = 0.0
        if not served:
            break
        by_age[a] = pairwise_sum(taken, 0, V)
        lowest = a
    return lowest


def visit_need(households: np.ndarray, vulnerable_share: float, visits_per_month: float, effort: float) -> np.ndarray:
    """Hours of visits to vulnerable households each village owes per day."""
    return households * vulnerable_share * visits_per_month * 12 / 365 * effort


def incidents(rng: np.random.Generator, missed_hours: float, effort_visit: float, rate: float) -> float:
    """Incidents today: each missed visit to a vulnerable household risks one (Poisson)."""
    return float(rng.poisson(max(missed_hours, 0.0) / effort_visit * rate))
