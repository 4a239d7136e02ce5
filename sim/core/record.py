"""The daily record (one preallocated row per day) and the run summary computed from it.

Column and outcome names are a contract: sweeps, dashboards and outside tools read them; docs/outcomes.md
says what each means, its unit and its window.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.core.jit import kernel, pairwise_sum
from sim.core.levers import BACKLOG, FORM
from sim.core.scenario import Scenario

TIME_KINDS = ("meeting", "travel", "app", "document", "inspection", "form", "campaign", "specialist",
              "service", "visit", "patrol", "trace")
FORMALISM_KINDS = ("meeting", "travel", "app", "document", "inspection", "form", "trace")

COLUMNS: tuple[str, ...] = (
    "day", "weekday", "reform",
    "service_requests_arrived", "service_problems_found", "service_resolved", "service_resolved_within_limit",
    "service_response_days_sum", "service_backlog", "complaints",
    "visit_hours_needed", "visit_hours_done", "incidents",
    "exhaustion_mean", "exhaustion_township", "exhaustion_village",
    "burnout_share", "burnout_township", "burnout_village", "severe_share",
    "quits", "vacancies", "cadres_at_work",
    "hours_worked", "hours_worked_township", "hours_worked_village", "overtime_hours", "weekend_workers",
    *(f"hours_{k}" for k in TIME_KINDS),
    "formalism_hours", "task_hours", "formalism_share",
    "meetings_village_cadre", "meetings_township_cadre", "form_app_hours_village_cadre",
    "forms_per_village",
    *(f"{flow}_{k}" for flow in ("created", "done", "faked", "returned", "dropped", "pending") for k in BACKLOG),
    "on_time", "late_done", "fakes_found",
    # observed patterns, cost and proof of work (issue 9): appended, so the columns above keep their places
    "burnout_none", "burnout_mild", "burnout_moderate", "burnout_severe",
    "forms_secretary", "forms_secretary_p90",
    "duty_items_basic", "duty_items_cooperation", "duty_items_returned",
    "requests_per_village", "specialist_hours_village",
    "hours_duplicate_form", "hours_repeated_meeting", "proof_of_work_hours", "proof_of_work_share",
    "upper_task_hours", "upper_task_share",
    "cost_yuan_day",
    # flat memory of a collapsing county (issue 8): requests whose residents gave up waiting
    "service_given_up", "service_given_up_days_sum",
    # township cadres' own resident-facing work (the township service hall), appended
    "hours_service_hall", "service_hall_hours_township_cadre",
)
IX = {name: i for i, name in enumerate(COLUMNS)}

HEADLINE = (
    "service_resolved_share", "response_days_mean", "service_backlog_mean", "exhaustion_mean", "burnout_share",
    "formalism_share", "overtime_hours_per_cadre_week", "meetings_per_village_cadre_week", "fake_completion_share",
    "on_time_share", "quits", "complaints",
)
EXTRA = ("form_app_hours_village_day", "exhaustion_township", "exhaustion_village", "burnout_township",
         "burnout_village", "visit_coverage", "incidents", "problems_found", "tasks_returned",
         # issue 9: what the targets (scenarios/targets.toml) need, cost, and formalism as proof of work
         "forms_secretary_day", "forms_secretary_busy_day",
         "burnout_none_share", "burnout_mild_share", "burnout_moderate_share", "burnout_severe_share",
         "duty_basic_share", "duty_cooperation_share", "duty_returned_share",
         "requests_per_village_week", "specialist_hours_village_month", "proof_of_work_share", "upper_task_share", "cost_yuan_year",
         "requests_given_up", "service_hall_hours_township_day")
OUTCOMES = HEADLINE + EXTRA


SCALARS = (
    "day", "weekday", "reform", "arrived", "problems", "resolved", "within", "response", "backlog", "complaints",
    "visit_needed", "visit_done", "incidents", "quits", "vacancies", "fake_hours", "travel", "app_t", "app_v",
    "fixed_hours", "forms_village", "weekend_workers", "on_time", "late_done", "found",
)
LEVEL_SUMS = ("in_post", "exhaustion", "burned", "severe", "at_work", "worked", "meetings", "form_hours", "overtime")
S0 = len(SCALARS)  # raw layout: scalars | level sums (9 x [township, village]) | clock hours (5 backlog kinds, service, visits, patrol) | flows (30)
K0 = S0 + 2 * len(LEVEL_SUMS)
F0 = K0 + 8
# issue 9's raw values, after the flows: burnout levels (counts of cadres in post above each threshold), forms
# filled by secretaries, the duty-list categories of township items, requests, proof of work, cost
PATTERNS = ("in_post", "above_mild", "above_moderate", "above_severe", "sec_forms", "sec_forms_p90",
            "items_basic", "items_cooperation", "items_returned", "requests_per_village", "duplicate_form_share",
            "repeated_meeting_hours", "cost_day", "villages", "given_up", "given_up_days", "hall_hours")
X0 = F0 + 30
RAW = X0 + len(PATTERNS)

SC = {name: i for i, name in enumerate(SCALARS)}
# the SCALARS that `_day_sums` writes (county sums), after those `Recorder.record` writes (up to FAKE_HOURS)
FAKE_HOURS, TRAVEL, APP_T, APP_V, FIXED_HOURS, FORMS_VILLAGE, WEEKEND_WORKERS, ON_TIME, LATE_DONE, FOUND = range(
    SC["fake_hours"], S0)

BURNOUT_LEVELS = ("none", "mild", "moderate", "severe")
DUTY_CATEGORIES = ("basic", "cooperation", "returned")
BUSY_DAY_QUANTILE = 0.9  # a secretary's "busy day": the 90th percentile of workdays in the window
UPPER_KINDS = ("meeting", "travel", "app", "document", "inspection", "form", "campaign", "specialist", "trace")
YEAR = 365.0


def burnout_thresholds(p: Scenario) -> tuple[float, float, float]:
    """Exhaustion above which a cadre is mildly, moderately, severely burned out, taken in order (a sweep that
    moves one threshold past another empties a level rather than making a share negative)."""
    mild = p.burnout_threshold
    moderate = max(p.moderate_threshold, mild)
    return mild, moderate, max(p.severe_threshold, moderate)


def duty_matrix(shares: dict[str, list[float]]) -> np.ndarray:
    """(5, 3) duty-list category shares (basic, cooperation, returned) of each backlog kind; kinds the list
    does not name are basic (as the duty_list lever treats them)."""
    return np.array([shares.get(k, [1.0, 0.0, 0.0]) for k in BACKLOG], float)


def duty_lists(p: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """The classification of township items before and after the reform day: the scenario's own duty list once
    the `duty_list` lever is in force, the national average list (the default duty_shares) otherwise, so that
    a run is the baseline's until its reform day."""
    national = duty_matrix(Scenario.model_fields["duty_shares"].default)
    return national, (duty_matrix(p.duty_shares) if p.duty_list else national)


def duplicate_form_share(p: Scenario, reform: bool) -> float:
    """Share of forms that repeat data another department already asked for (人民论坛 2020: 42%); form_dedup
    merges that share of duplicates away after the reform day."""
    d, f = p.form_duplicate_share, (p.form_dedup if reform else 0.0)
    return d * (1.0 - f) / (1.0 - d * f) if d * f < 1.0 else 0.0


def quantile(values: np.ndarray, q: float) -> float:
    """`np.quantile(values, q)` (linear method), bit for bit, without its per-call overhead (it ran every day)."""
    a = np.sort(values)
    virtual = (len(a) - 1) * q
    lo = math.floor(virtual)
    if virtual >= len(a) - 1:
        return float(a[-1])
    below, above = float(a[lo]), float(a[lo + 1])
    t = virtual - lo
    diff = above - below
    return above - diff * (1 - t) if t >= 0.5 else below + diff * t  # numpy's _lerp, from the nearer side


class Recorder:
    """The daily record. Each day writes a raw row (sums, hours by kind, task flows: a few array operations);
    `data` derives the published COLUMNS from the raw rows, for all days at once, when asked."""

    def __init__(self, days: int, n_township_cadres: int, n_cadres: int, trace_rates: np.ndarray | None = None) -> None:
        self.raw = np.full((days, RAW), np.nan)
        self.nt = n_township_cadres
        self.scratch = np.empty(n_cadres)  # a per-cadre value of the day, made to be summed (`_day_sums`)
        self.trace_rates = np.zeros((2, 5)) if trace_rates is None else np.asarray(trace_rates, float)  # by reform
        self.days_done = 0
        self._derived: tuple[int, np.ndarray] = (-1, np.empty(0))
        self._latest: tuple[int, np.ndarray] = (-1, np.empty(0))
        self._constants: tuple | None = None  # per run: secretaries' rows, duty matrix, thresholds (first day)

    def record(self, t: int, m: Any, *, x, inv_prod, r, work, worked, fake_hours, meet, arr, v_dropped,
               done, faked, found, served, arrived, problems, quits, visit_split, visit_done, visit_needed,
               incidents, weekday, given_up: float = 0.0) -> None:
        """Write day t's raw row from the day's arrays: `done` (2, 5, N) tasks each cadre finished today (late,
        fresh), `faked` (5, N) tasks faked, `found` (N,) fakes found, the hours of the time allocation. Every
        per-cadre sum of the day, and the row's values made from them, come from one compiled pass
        (`_day_sums`), over the slots in post (`m.levels`), township and village apart, each in numpy's own order
        (`jit.pairwise_sum`); the day's scalars are written here."""
        c, p = m.county, m.params
        if self._constants is None:
            secretaries = self.nt + np.arange(c.n_villages)  # slot 0 of each village: slot-major layout (county.py)
            self._constants = (secretaries, duty_lists(p), np.array(burnout_thresholds(p)),
                               (duplicate_form_share(p, False), duplicate_form_share(p, True)))
            self._cadre_sums = np.empty(22, np.float32)  # done late, done fresh, faked (by kind), on time, late, pending
            self._none = np.zeros(0)
        secretaries, duty, thresholds, duplicate = self._constants
        township, village = m.levels
        reform = int(r.reform)
        none = self._none
        has_meet = meet is not None
        repeated = meet.repeated if has_meet and meet.repeated is not None else none
        hall = meet.hall if has_meet and meet.hall is not None else none
        items = getattr(arr, "township_items", None)
        row = self.raw[t]
        _day_sums(row, self.scratch, self._cadre_sums, c.active, c.exhaustion, p.burnout_threshold,
                  p.severe_threshold, thresholds, work, worked, x, inv_prod, p.regular_hours, fake_hours, has_meet,
                  meet.meetings if has_meet else none, meet.travel if has_meet else none,
                  meet.hours if has_meet else none, meet.app_hours if has_meet else none, repeated, hall,
                  township.start, township.stop, village.start, village.stop, c.stock_n.reshape(10, -1),
                  done.reshape(10, -1), faked, found, c.filled, self.nt, secretaries, visit_split, weekday,
                  arr.village_n, arr.created, arr.returned, arr.dropped, v_dropped,
                  none if items is None else items, duty[reform], p.salary_township_cadre, p.salary_village_cadre,
                  r.purchased_workers * c.n_townships * p.grid_worker_price)
        row[:FAKE_HOURS] = (
            t, float(weekday), float(r.reform), arrived, problems, served.resolved, served.within_limit,
            served.response_days, served.backlog, served.complaints_total, visit_needed, visit_done, incidents,
            float(quits), float(m._n_vacant),
        )
        if items is None:
            row[X0 + 6 : X0 + 9] = np.nan
        out = row[X0:]
        out[9] = arrived / c.n_villages
        out[10] = duplicate[reform]
        out[13] = float(c.n_villages)
        out[14] = given_up  # they waited every day up to the give-up age, and leave today
        out[15] = given_up * (c.queue.shape[0])
        self.days_done = t + 1

    @property
    def data(self) -> np.ndarray:
        """(days, COLUMNS) table of the published daily outcomes; NaN for days not yet run."""
        if self._derived[0] != self.days_done:
            self._derived = (self.days_done, derive(self.raw, self.days_done, self.trace_rates))
        return self._derived[1]

    def latest(self) -> np.ndarray:
        """The published COLUMNS of the last day recorded (NaN before the first day), derived alone."""
        t = self.days_done - 1
        if t < 0:
            return np.full(len(COLUMNS), np.nan)
        if self._latest[0] != t:
            self._latest = (t, derive(self.raw[t : t + 1], 1, self.trace_rates)[0])
        return self._latest[1]

    def frame(self, days: int | None = None) -> pd.DataFrame:
        """The record as a DataFrame, one row per recorded day (`day` as an integer column)."""
        data = self.data if days is None else self.data[:days]
        df = pd.DataFrame(data, columns=list(COLUMNS))
        df["day"] = df["day"].astype("int64")
        return df


def derive(raw: np.ndarray, days_done: int, trace_rates: np.ndarray) -> np.ndarray:
    """The published COLUMNS from the raw rows of the first `days_done` days (vectorised over days)."""
    out = np.full((raw.shape[0], len(COLUMNS)), np.nan)
    w = raw[:days_done]
    if days_done == 0:
        return out
    sc = {name: w[:, i] for i, name in enumerate(SCALARS)}
    lv = {name: (w[:, S0 + 2 * i], w[:, S0 + 2 * i + 1]) for i, name in enumerate(LEVEL_SUMS)}
    kh = w[:, K0:F0]
    rate = trace_rates[sc["reform"].astype(int)]  # (days, 5) trace share of backlog hours, by the day's regime
    n_t, n_v = np.maximum(lv["in_post"][0], 1.0), np.maximum(lv["in_post"][1], 1.0)
    w_t, w_v = lv["at_work"]
    w_t1, w_v1 = np.maximum(w_t, 1.0), np.maximum(w_v, 1.0)
    weekday = sc["weekday"] > 0
    worked = lv["worked"][0] + lv["worked"][1]
    app = sc["app_t"] + sc["app_v"]
    hours = {
        "meeting": np.maximum(sc["fixed_hours"] - sc["travel"] - app - w[:, X0 + PATTERNS.index("hall_hours")], 0.0),
        "travel": sc["travel"], "app": app,
        **{k: kh[:, i] * (1.0 - rate[:, i]) for i, k in enumerate(BACKLOG)},
        "service": kh[:, 5], "visit": kh[:, 6], "patrol": kh[:, 7],
        "trace": (kh[:, :5] * rate).sum(1) + sc["fake_hours"],
        "service_hall": w[:, X0 + PATTERNS.index("hall_hours")],
    }
    task = sum(hours.values())
    formal = sum(hours[k] for k in FORMALISM_KINDS)

    def level_mean(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = lv[name]
        return (a + b) / (n_t + n_v), a / n_t, b / n_v

    cols = {
        "day": sc["day"], "weekday": sc["weekday"], "reform": sc["reform"],
        "service_requests_arrived": sc["arrived"], "service_problems_found": sc["problems"],
        "service_resolved": sc["resolved"], "service_resolved_within_limit": sc["within"],
        "service_response_days_sum": sc["response"], "service_backlog": sc["backlog"], "complaints": sc["complaints"],
        "visit_hours_needed": sc["visit_needed"], "visit_hours_done": sc["visit_done"], "incidents": sc["incidents"],
        "quits": sc["quits"], "vacancies": sc["vacancies"], "cadres_at_work": w_t + w_v,
        "hours_worked": worked, "hours_worked_township": lv["worked"][0] / w_t1, "hours_worked_village": lv["worked"][1] / w_v1,
        "overtime_hours": np.where(weekday, lv["overtime"][0] + lv["overtime"][1], worked),
        "weekend_workers": sc["weekend_workers"],
        **{f"hours_{k}": hours[k] for k in TIME_KINDS},
        "formalism_hours": formal, "task_hours": task,
        "formalism_share": np.divide(formal, task, out=np.zeros_like(task), where=task > 0),
        "meetings_village_cadre": lv["meetings"][1] / w_v1, "meetings_township_cadre": lv["meetings"][0] / w_t1,
        "form_app_hours_village_cadre": np.where(weekday, (lv["form_hours"][1] + sc["app_v"]) / w_v1, 0.0),
        "forms_per_village": sc["forms_village"],
        "on_time": sc["on_time"], "late_done": sc["late_done"], "fakes_found": sc["found"],
    }
    for name, key in (("exhaustion", "exhaustion"), ("burnout", "burned")):
        mean, town, village = level_mean(key)
        cols[f"{name}_mean" if name == "exhaustion" else "burnout_share"] = mean
        cols[f"{name}_township"] = town
        cols[f"{name}_village"] = village
    cols["severe_share"] = level_mean("severe")[0]
    for j, flow in enumerate(("created", "done", "faked", "returned", "dropped", "pending")):
        for i, k in enumerate(BACKLOG):
            cols[f"{flow}_{k}"] = w[:, F0 + 5 * j + i]
    x = {name: w[:, X0 + i] for i, name in enumerate(PATTERNS)}
    in_post = np.maximum(x["in_post"], 1.0)
    above = (in_post, x["above_mild"], x["above_moderate"], x["above_severe"], 0.0)
    for j, level in enumerate(BURNOUT_LEVELS):
        cols[f"burnout_{level}"] = np.where(x["in_post"] > 0, (above[j] - above[j + 1]) / in_post, np.nan)
    cols["forms_secretary"], cols["forms_secretary_p90"] = x["sec_forms"], x["sec_forms_p90"]
    for cat in DUTY_CATEGORIES:
        cols[f"duty_items_{cat}"] = x[f"items_{cat}"]
    cols["requests_per_village"] = x["requests_per_village"]
    cols["specialist_hours_village"] = kh[:, BACKLOG.index("specialist")] / np.maximum(x["villages"], 1.0)
    duplicate = hours["form"] * x["duplicate_form_share"]
    repeated = np.minimum(x["repeated_meeting_hours"], hours["meeting"])
    proof = hours["trace"] + hours["inspection"] + hours["app"] + duplicate + repeated
    upper = sum(hours[k] for k in UPPER_KINDS)
    cols["hours_duplicate_form"], cols["hours_repeated_meeting"] = duplicate, repeated
    cols["proof_of_work_hours"] = proof
    cols["proof_of_work_share"] = np.divide(proof, task, out=np.zeros_like(task), where=task > 0)
    cols["upper_task_hours"] = upper
    cols["upper_task_share"] = np.divide(upper, task, out=np.zeros_like(task), where=task > 0)
    cols["cost_yuan_day"] = x["cost_day"]
    cols["service_given_up"], cols["service_given_up_days_sum"] = x["given_up"], x["given_up_days"]
    cols["hours_service_hall"] = hours["service_hall"]
    cols["service_hall_hours_township_cadre"] = np.where(weekday, hours["service_hall"] / w_t1, 0.0)
    for name, col in cols.items():
        out[:days_done, IX[name]] = col
    return out


def _window(data: np.ndarray, lo: int, hi: int) -> dict[str, float]:
    w = data[lo:hi]
    nan = math.nan
    if len(w) == 0:
        return dict.fromkeys(OUTCOMES, nan)

    def col(name: str) -> np.ndarray:
        return w[:, IX[name]]

    def ratio(a: float, b: float) -> float:
        return float(a / b) if b > 0 else nan

    weekdays = col("weekday") > 0
    arrived = col("service_requests_arrived").sum() + col("service_problems_found").sum()
    cadre_days = col("cadres_at_work").sum()
    done = sum(col(f"done_{k}").sum() for k in BACKLOG)
    faked = sum(col(f"faked_{k}").sum() for k in BACKLOG)
    n_days = len(w)
    return {
        "service_resolved_share": min(1.0, ratio(col("service_resolved_within_limit").sum(), arrived)) if arrived > 0 else nan,
        "response_days_mean": ratio(col("service_response_days_sum").sum(), col("service_resolved").sum()),
        "service_backlog_mean": float(col("service_backlog").mean()),
        "exhaustion_mean": float(col("exhaustion_mean").mean()),
        "burnout_share": float(col("burnout_share").mean()),
        "formalism_share": ratio(col("formalism_hours").sum(), col("task_hours").sum()),
        "overtime_hours_per_cadre_week": ratio(col("overtime_hours").sum() * 7, cadre_days),
        "meetings_per_village_cadre_week": float(col("meetings_village_cadre").sum() * 7 / n_days),
        "fake_completion_share": ratio(faked, done + faked),
        "on_time_share": ratio(col("on_time").sum(), col("on_time").sum() + col("late_done").sum()),
        "quits": float(col("quits").sum()),
        "complaints": float(col("complaints").sum()),
        "form_app_hours_village_day": float(col("form_app_hours_village_cadre")[weekdays].mean()) if weekdays.any() else nan,
        "exhaustion_township": float(col("exhaustion_township").mean()),
        "exhaustion_village": float(col("exhaustion_village").mean()),
        "burnout_township": float(col("burnout_township").mean()),
        "burnout_village": float(col("burnout_village").mean()),
        "visit_coverage": ratio(col("visit_hours_done").sum(), col("visit_hours_needed").sum()),
        "incidents": float(col("incidents").sum()),
        "problems_found": float(col("service_problems_found").sum()),
        "tasks_returned": float(sum(col(f"returned_{k}").sum() for k in BACKLOG)),
        **_patterns(w, col, weekdays, ratio),
    }


def _patterns(w: np.ndarray, col: Any, weekdays: np.ndarray, ratio: Any) -> dict[str, float]:
    """Issue 9's summary outcomes of one window (see docs/outcomes.md)."""
    nan = math.nan
    forms = col("forms_secretary")[weekdays]
    forms = forms[np.isfinite(forms)]
    items = np.array([col(f"duty_items_{cat}").sum() for cat in DUTY_CATEGORIES])
    items_total = float(items.sum())
    task = col("task_hours").sum()
    out = {
        "forms_secretary_day": float(forms.mean()) if len(forms) else nan,
        "forms_secretary_busy_day": float(np.quantile(forms, BUSY_DAY_QUANTILE)) if len(forms) else nan,
        **{f"burnout_{level}_share": float(col(f"burnout_{level}").mean()) for level in BURNOUT_LEVELS},
        **{f"duty_{cat}_share": float(items[j] / items_total) if items_total > 0 else nan
           for j, cat in enumerate(DUTY_CATEGORIES)},
        "requests_per_village_week": float(col("requests_per_village").sum() * 7 / len(w)),
        "specialist_hours_village_month": float(col("specialist_hours_village").sum() * YEAR / 12 / len(w)),
        "proof_of_work_share": ratio(col("proof_of_work_hours").sum(), task),
        "upper_task_share": ratio(col("upper_task_hours").sum(), task),
        "cost_yuan_year": float(col("cost_yuan_day").mean() * YEAR),
        "requests_given_up": float(col("service_given_up").sum()),
        "service_hall_hours_township_day": float(col("service_hall_hours_township_cadre")[weekdays].mean())
        if weekdays.any() else nan,
    }
    return out


def summarise(data: np.ndarray, days: int, policy_start_day: int, warmup_days: int) -> dict[str, Any]:
    """Each outcome twice: `_before` (after the warm-up, before the reform day) and `_after` (the reform day to
    the end of the recorded days); plus `policy_start_day` and `days`."""
    before = _window(data, min(warmup_days, policy_start_day), min(policy_start_day, days))
    after = _window(data, policy_start_day, days)
    out: dict[str, Any] = {}
    for k in OUTCOMES:
        out[f"{k}_before"] = before[k]
        out[f"{k}_after"] = after[k]
    out["policy_start_day"] = float(policy_start_day)
    out["days"] = float(days)
    return out


def summary_names() -> list[str]:
    """Keys of `summarise`, in order."""
    return [f"{k}_{w}" for k in OUTCOMES for w in ("before", "after")] + ["policy_start_day", "days"]


@kernel
def _level_sums(a, tlo, thi, vlo, vhi, row, at) -> None:
    """row[at], row[at + 1]: the sums of `a` over the township slots tlo:thi and the village slots vlo:vhi."""
    row[at] = pairwise_sum(a, tlo, thi)
    row[at + 1] = pairwise_sum(a, vlo, vhi)


@kernel
def _county_sum(a, tlo, thi, vlo, vhi) -> float:
    """Township sum plus village sum of `a` (`GrassrootsModel.county_sum`)."""
    return pairwise_sum(a, tlo, thi) + pairwise_sum(a, vlo, vhi)


@kernel
def _count_above(a, lo, hi, threshold) -> float:
    """How many of a[lo:hi] exceed `threshold`: the sum of their 0/1 indicators, exact in any order."""
    n = 0
    for i in range(lo, hi):
        n += a[i] > threshold  # no branch: a threshold crossed at random costs no misprediction
    return float(n)


@kernel
def _sort_in_place(a, n):
    """a[:n] sorted in ascending order, in place, and returned: a heapsort, for values without NaN (the same
    values in the same order as `np.sort`; numba compiles this in a fraction of the time of its own quicksort,
    issue 18)."""
    i, end = n // 2, n
    while True:
        if i > 0:  # first build the heap
            i -= 1
            root = i
        else:  # then move its top to the end, one after the other
            end -= 1
            if end <= 0:
                break
            a[0], a[end] = a[end], a[0]
            root = 0
        while True:  # sift a[root] down within a[:end]
            child = 2 * root + 1
            if child >= end:
                break
            if child + 1 < end and a[child] < a[child + 1]:
                child += 1
            if a[root] < a[child]:
                a[root], a[child] = a[child], a[root]
                root = child
            else:
                break
    return a[:n]


@kernel
def _day_sums(row, scratch, cadre_sums, active, exhaustion, burnout_threshold, severe_threshold, thresholds, work,
              worked, x, inv_prod, regular, fake_hours, has_meet, meetings, travel, fixed, app, repeated, hall,
              tlo, thi, vlo, vhi, stock_n, done, faked, found, filled, nt, secretaries, visit_split, weekday,
              village_n, created, returned, dropped, v_dropped, items, duty, salary_township, salary_village,
              workers_cost) -> None:
    """Day t's raw `row` from the day's per-cadre arrays, all but the scalars `Recorder.record` writes: the
    LEVEL_SUMS over the township slots tlo:thi and the village slots vlo:vhi, clock hours by demand (the
    proactive ones split into visits and patrol), the SCALARS made of county sums (fake, travel, app and fixed
    hours, forms per village, weekend workers, on time, late, fakes found), the task flows by kind (created,
    done, faked and pending summed in float32 like the stocks, returned, dropped), and the PATTERNS made of
    cadres (in post, above each burnout threshold, the secretaries' forms: mean and busy-day quantile, NaN
    with no secretary at work, the duty-list categories of `items`, cost, repeated meetings, service hall).
    Each sum in numpy's order (`pairwise_sum`) over its source array, or over `scratch` for a value made per
    cadre; each product in the dtype of the numpy code it replaced; counts of 0/1 indicators are exact."""
    n = active.shape[0]
    kinds = faked.shape[0]
    out = row[X0:]
    # LEVEL_SUMS: in post, exhaustion, burned out, severe, at work, worked, meetings, form hours, overtime; and
    # the PATTERNS' cadres in post and above each burnout threshold (exhaustion is 0 outside `active`)
    in_post, mild, moderate, severe = 0, 0, 0, 0  # counts, without branches (see `_count_above`)
    t_mild, t_moderate, t_severe = thresholds[0], thresholds[1], thresholds[2]
    for i in range(n):
        e = exhaustion[i] * (1.0 if active[i] else 0.0)
        scratch[i] = e
        in_post += active[i]
        mild += e > t_mild
        moderate += e > t_moderate
        severe += e > t_severe
    out[0] = float(in_post)
    out[1], out[2], out[3] = float(mild), float(moderate), float(severe)
    for lo, hi, at in ((tlo, thi, S0), (vlo, vhi, S0 + 1)):  # township, village
        in_post = 0
        for i in range(lo, hi):
            in_post += active[i]
        row[at] = float(in_post)
        row[at + 4] = _count_above(scratch, lo, hi, burnout_threshold)
        row[at + 6] = _count_above(scratch, lo, hi, severe_threshold)
    _level_sums(scratch, tlo, thi, vlo, vhi, row, S0 + 2)
    _level_sums(work, tlo, thi, vlo, vhi, row, S0 + 8)
    _level_sums(worked, tlo, thi, vlo, vhi, row, S0 + 10)
    if has_meet:
        _level_sums(meetings, tlo, thi, vlo, vhi, row, S0 + 12)
    else:
        row[S0 + 12] = 0.0
        row[S0 + 13] = 0.0
    for i in range(n):
        scratch[i] = x[FORM, i] * np.float32(inv_prod[i])  # float32, as the form hours were
    _level_sums(scratch, tlo, thi, vlo, vhi, row, S0 + 14)
    for i in range(n):
        scratch[i] = max(worked[i] - regular, 0.0)
    _level_sums(scratch, tlo, thi, vlo, vhi, row, S0 + 16)
    # clock hours by demand (5 backlog kinds, service, proactive), the proactive ones split into visits, patrol
    for j in range(x.shape[0]):
        xj = x[j]
        for i in range(n):
            scratch[i] = np.float64(xj[i]) * np.float64(np.float32(inv_prod[i]))
        row[K0 + j] = _county_sum(scratch, tlo, thi, vlo, vhi)
    row[F0 - 1] = row[F0 - 2] * (1.0 - visit_split)
    row[F0 - 2] *= visit_split
    # the SCALARS made of county sums
    row[FAKE_HOURS] = _county_sum(fake_hours, tlo, thi, vlo, vhi)
    if has_meet:
        row[TRAVEL] = _county_sum(travel, tlo, thi, vlo, vhi)
        row[APP_T] = pairwise_sum(app, tlo, thi)
        row[APP_V] = pairwise_sum(app, vlo, vhi)
        row[FIXED_HOURS] = _county_sum(fixed, tlo, thi, vlo, vhi)
        row[FORMS_VILLAGE] = pairwise_sum(village_n[FORM], 0, village_n.shape[1]) / village_n.shape[1]
    else:
        for at in range(TRAVEL, WEEKEND_WORKERS):
            row[at] = 0.0
    workers = 0
    if not weekday:
        for i in range(n):
            if worked[i] != 0.0:
                workers += 1
    row[WEEKEND_WORKERS] = float(workers)
    # tasks by kind: done late (0:5) and fresh (5:10), faked (10:15), on time, late, pending (17:22)
    for j in range(2 * kinds):
        cadre_sums[j] = pairwise_sum(done[j], tlo, thi) + pairwise_sum(done[j], vlo, vhi)
    for j in range(kinds):
        cadre_sums[2 * kinds + j] = pairwise_sum(faked[j], tlo, thi) + pairwise_sum(faked[j], vlo, vhi)
    on_time, late, faked_total = cadre_sums[kinds], cadre_sums[0], cadre_sums[2 * kinds]
    for j in range(1, kinds):
        on_time += cadre_sums[kinds + j]
        late += cadre_sums[j]
        faked_total += cadre_sums[2 * kinds + j]
    cadre_sums[3 * kinds] = on_time + faked_total
    cadre_sums[3 * kinds + 1] = late
    for j in range(kinds):
        late_n = pairwise_sum(stock_n[j], tlo, thi) + pairwise_sum(stock_n[j], vlo, vhi)
        fresh_n = pairwise_sum(stock_n[kinds + j], tlo, thi) + pairwise_sum(stock_n[kinds + j], vlo, vhi)
        cadre_sums[3 * kinds + 2 + j] = late_n + fresh_n
    row[ON_TIME] = np.float64(cadre_sums[3 * kinds])
    row[LATE_DONE] = np.float64(cadre_sums[3 * kinds + 1])
    row[FOUND] = _county_sum(found, tlo, thi, vlo, vhi)
    # flows by kind: created, done, faked, returned, dropped, pending
    for j in range(kinds):
        row[F0 + j] = created[j]
        row[F0 + kinds + j] = np.float64(cadre_sums[j] + cadre_sums[kinds + j])
        row[F0 + 2 * kinds + j] = np.float64(cadre_sums[2 * kinds + j])
        row[F0 + 3 * kinds + j] = returned[j]
        row[F0 + 4 * kinds + j] = dropped[j] + v_dropped[j]
        row[F0 + 5 * kinds + j] = np.float64(cadre_sums[3 * kinds + 2 + j])
    # PATTERNS: cost of the cadres in post (filled by level), duty-list categories, repeated meetings, halls
    n_t = 0
    for i in range(nt):
        if filled[i]:
            n_t += 1
    n_v = 0
    for i in range(nt, n):
        if filled[i]:
            n_v += 1
    # the township items by duty-list category, kind after kind
    if items.shape[0]:
        for cat in range(duty.shape[1]):
            total = items[0] * duty[0, cat]
            for j in range(1, kinds):
                total += items[j] * duty[j, cat]
            out[6 + cat] = total
    out[11] = _county_sum(repeated, tlo, thi, vlo, vhi) if repeated.shape[0] else 0.0  # hours at repeated meetings
    out[12] = (np.float64(n_t) * salary_township + np.float64(n_v) * salary_village + workers_cost) / YEAR
    out[16] = _county_sum(hall, tlo, thi, vlo, vhi) if hall.shape[0] else 0.0  # hours staffing the service halls
    # the forms each secretary at work filled or faked today: mean and the busy-day quantile
    day = np.empty(len(secretaries))
    m = 0
    for s in secretaries:
        if work[s] > 0:
            day[m] = np.float64(done[FORM, s] + done[kinds + FORM, s] + faked[FORM, s])
            m += 1
    if m == 0:
        out[4] = np.nan
        out[5] = np.nan
        return
    out[4] = pairwise_sum(day, 0, m) / m
    srt = _sort_in_place(day, m)
    virtual = (m - 1) * BUSY_DAY_QUANTILE
    lo = math.floor(virtual)
    if virtual >= m - 1:
        out[5] = srt[m - 1]
    else:
        below, above_ = srt[lo], srt[lo + 1]
        t = virtual - lo
        diff = above_ - below
        out[5] = above_ - diff * (1 - t) if t >= 0.5 else below + diff * t
