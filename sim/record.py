"""The daily record (one preallocated row per day) and the run summary computed from it.

Column and outcome names are a contract: sweeps, dashboards and outside tools read them; docs/outcomes.md
says what each means, its unit and its window.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .levers import BACKLOG, FORM

if TYPE_CHECKING:
    from .model import GrassrootsModel

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


class Recorder:
    """A (days, columns) float array filled one row a day."""

    def __init__(self, days: int, n_township_cadres: int, n_cadres: int) -> None:
        self.data = np.full((days, len(COLUMNS)), np.nan)
        self.levels = np.zeros((n_cadres, 2))  # column 0: township cadres, column 1: village cadres
        self.levels[:n_township_cadres, 0] = 1.0
        self.levels[n_township_cadres:, 1] = 1.0
        self.nt = n_township_cadres
        self.buffer = np.zeros((9, n_cadres))
        self._head = IX["created_document"]

    def record(self, t: int, m: GrassrootsModel, *, x, inv_prod, r, work, worked, fake_hours, meet, arr, v_dropped,
               done, on_time, late_done, faked, found, served, arrived, problems, quits, visit_done, visit_needed,
               incidents, weekday) -> None:
        """Write day t's row from the day's arrays (one matrix product gives the per-level sums)."""
        c, p, Nt = m.county, m.params, self.nt
        E = c.exhaustion
        zero = m._zeros
        per_cadre = self.buffer
        per_cadre[0] = c.filled
        per_cadre[1] = E
        np.greater(E, p.burnout_threshold, out=per_cadre[2])
        np.greater(E, p.severe_threshold, out=per_cadre[3])
        per_cadre[4] = work
        per_cadre[5] = worked
        per_cadre[6] = meet.meetings if meet is not None else zero
        np.multiply(x[FORM], inv_prod, out=per_cadre[7])
        np.maximum(worked - p.regular_hours, 0.0, out=per_cadre[8])
        sums = np.matmul(per_cadre, self.levels).tolist()  # Python floats from here on
        (n_t, n_v), (e_t, e_v), (b_t, b_v), (s_t, s_v), (w_t, w_v), (h_t, h_v), (m_t, m_v), (_, form_v), (o_t, o_v) = sums
        n_t, n_v, w_t, w_v = max(n_t, 1.0), max(n_v, 1.0), max(w_t, 1.0), max(w_v, 1.0)
        kind_hours = (x @ inv_prod).tolist()
        trace_rate = m._trace_rate[r.reform]
        if meet is not None:
            travel, app_v = float(meet.travel.sum()), float(meet.app_hours[Nt:].sum())
            app = app_v + float(meet.app_hours[:Nt].sum())
            meeting = float(meet.hours.sum()) - travel - app
        else:
            travel = app = app_v = meeting = 0.0
        trace_h = float(fake_hours.sum())
        hours = [meeting, travel, app]
        for k in range(5):
            hours.append(kind_hours[k] * (1.0 - trace_rate[k]))
            trace_h += kind_hours[k] * trace_rate[k]
        hours += kind_hours[5:]
        hours.append(trace_h)  # in the order of TIME_KINDS
        task_h = sum(hours)
        formal = hours[0] + hours[1] + hours[2] + hours[3] + hours[4] + hours[5] + trace_h
        worked_sum = h_t + h_v
        row = self.data[t]
        row[: self._head] = [
            t, float(weekday), float(r.reform),
            arrived, problems, served.resolved, served.within_limit, served.response_days,
            served.backlog, served.complaints_total,
            visit_needed, visit_done, incidents,
            (e_t + e_v) / (n_t + n_v), e_t / n_t, e_v / n_v,
            (b_t + b_v) / (n_t + n_v), b_t / n_t, b_v / n_v, (s_t + s_v) / (n_t + n_v),
            float(quits), float(m._n_vacant), w_t + w_v,
            worked_sum, h_t / w_t, h_v / w_v, (o_t + o_v) if weekday else worked_sum,
            0.0 if weekday else float(np.count_nonzero(worked)),
            *hours,
            formal, task_h, formal / task_h if task_h > 0 else 0.0,
            m_v / w_v, m_t / w_t, (form_v + app_v) / w_v if weekday else 0.0,
            float(arr.village_n[FORM].sum()) / c.n_villages,
        ]
        flows = row[self._head : self._head + 30].reshape(6, 5)
        flows[0] = arr.created
        flows[1] = done
        flows[2] = faked
        flows[3] = arr.returned
        np.add(arr.dropped, v_dropped, out=flows[4])
        pending = c.stock_n.reshape(10, -1) @ m._onesN
        np.add(pending[:5], pending[5:], out=flows[5])
        row[self._head + 30 :] = (on_time, late_done, found)

    def frame(self, days: int | None = None) -> pd.DataFrame:
        """The record as a DataFrame, one row per recorded day (`day` as an integer column)."""
        data = self.data if days is None else self.data[:days]
        df = pd.DataFrame(data, columns=list(COLUMNS))
        df["day"] = df["day"].astype("int64")
        return df


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
