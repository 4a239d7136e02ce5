"""The daily record (one preallocated row per day) and the run summary computed from it.

Column and outcome names are a contract: sweeps, dashboards and outside tools read them; docs/outcomes.md
says what each means, its unit and its window.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.core.levers import BACKLOG, FORM

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
)
IX = {name: i for i, name in enumerate(COLUMNS)}

HEADLINE = (
    "service_resolved_share", "response_days_mean", "service_backlog_mean", "exhaustion_mean", "burnout_share",
    "formalism_share", "overtime_hours_per_cadre_week", "meetings_per_village_cadre_week", "fake_completion_share",
    "on_time_share", "quits", "complaints",
)
EXTRA = ("form_app_hours_village_day", "exhaustion_township", "exhaustion_village", "burnout_township",
         "burnout_village", "visit_coverage", "incidents", "problems_found", "tasks_returned")
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
RAW = F0 + 30


def level_sums(a: np.ndarray, levels: tuple[slice, slice]) -> np.ndarray:
    """(..., 2) sums of `a` over its cadre (last) axis: [township slots, village slots] of `levels`. numpy adds
    each contiguous run in an order fixed by its length alone, whatever the CPU or thread count."""
    township, village = levels
    out = np.empty((*a.shape[:-1], 2), np.result_type(a.dtype, np.float32))
    a[..., township].sum(-1, out=out[..., 0])
    a[..., village].sum(-1, out=out[..., 1])
    return out


class Recorder:
    """The daily record. Each day writes a raw row (sums, hours by kind, task flows: a few array operations);
    `data` derives the published COLUMNS from the raw rows, for all days at once, when asked."""

    def __init__(self, days: int, n_township_cadres: int, n_cadres: int, trace_rates: np.ndarray | None = None) -> None:
        self.raw = np.full((days, RAW), np.nan)
        self.nt = n_township_cadres
        self.buffer = np.zeros((len(LEVEL_SUMS), n_cadres))
        self.trace_rates = np.zeros((2, 5)) if trace_rates is None else np.asarray(trace_rates, float)  # by reform
        self.days_done = 0
        self._derived: tuple[int, np.ndarray] = (-1, np.empty(0))
        self._latest: tuple[int, np.ndarray] = (-1, np.empty(0))

    def record(self, t: int, m: Any, *, x, inv_prod, r, work, worked, fake_hours, meet, arr, v_dropped,
               done, on_time, late_done, faked, found, served, arrived, problems, quits, visit_split, visit_done, visit_needed,
               incidents, weekday) -> None:
        """Write day t's raw row from the day's arrays. Sums run over the slots in post (`m.levels`), township and
        village apart, each in a fixed order."""
        c, p = m.county, m.params
        E = c.exhaustion
        per = self.buffer
        active = c.active  # in post in the county: seconded cadres and vacant slots are not counted
        per[0] = active
        np.multiply(E, active, out=per[1])
        np.greater(per[1], p.burnout_threshold, out=per[2])
        np.greater(per[1], p.severe_threshold, out=per[3])
        per[4] = work
        per[5] = worked
        per[6] = meet.meetings if meet is not None else 0.0
        np.multiply(x[FORM], inv_prod, out=per[7])
        np.maximum(worked - p.regular_hours, 0.0, out=per[8])
        row = self.raw[t]
        row[S0:K0] = level_sums(per, m.levels).ravel()
        row[K0 : F0 - 1] = m.county_sum(np.multiply(x, inv_prod, dtype=np.float64))  # clock hours: 5 backlog kinds, service, proactive
        row[F0 - 1] = row[F0 - 2] * (1.0 - visit_split)  # proactive hours split into visits and patrol
        row[F0 - 2] *= visit_split
        if meet is not None:
            travel, fixed = float(m.county_sum(meet.travel)), float(m.county_sum(meet.hours))
            app_t, app_v = level_sums(meet.app_hours, m.levels).tolist()
            forms = float(arr.village_n[FORM].sum()) / c.n_villages
        else:
            travel = app_t = app_v = fixed = forms = 0.0
        row[:S0] = (
            t, float(weekday), float(r.reform), arrived, problems, served.resolved, served.within_limit,
            served.response_days, served.backlog, served.complaints_total, visit_needed, visit_done, incidents,
            float(quits), float(m._n_vacant), float(m.county_sum(fake_hours)), travel, app_t, app_v, fixed, forms,
            0.0 if weekday else float(np.count_nonzero(worked)), on_time, late_done, found,
        )
        flows = row[F0:].reshape(6, 5)
        flows[0] = arr.created
        flows[1] = done
        flows[2] = faked
        flows[3] = arr.returned
        np.add(arr.dropped, v_dropped, out=flows[4])
        pending = m.county_sum(c.stock_n.reshape(10, -1))
        np.add(pending[:5], pending[5:], out=flows[5])
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
        "meeting": np.maximum(sc["fixed_hours"] - sc["travel"] - app, 0.0), "travel": sc["travel"], "app": app,
        **{k: kh[:, i] * (1.0 - rate[:, i]) for i, k in enumerate(BACKLOG)},
        "service": kh[:, 5], "visit": kh[:, 6], "patrol": kh[:, 7],
        "trace": (kh[:, :5] * rate).sum(1) + sc["fake_hours"],
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
    }


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
