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

    def __init__(self, days: int, n_cadres: int) -> None:
        self.data = np.full((days, len(COLUMNS)), np.nan)

    def record(self, t: int, m: GrassrootsModel, *, x, r, worked, fake_hours, meetings, travel_hours, arr, v_dropped,
               late_done, fresh_done, faked, found, served, arrived, problems, quits, visit_done, visit_needed,
               incidents, weekday) -> None:
        c = m.county
        Nt = c.n_township_cadres
        filled = c.filled
        E = c.exhaustion
        p = m.params
        levels = np.stack([filled, E, E > p.burnout_threshold, E > p.severe_threshold]).astype(float)
        lv = levels[:, :Nt].sum(1), levels[:, Nt:].sum(1)
        n_t, n_v = max(lv[0][0], 1.0), max(lv[1][0], 1.0)
        n_all = n_t + n_v
        kind_hours = x.sum(1)
        inv = 1.0 / (1.0 + r.trace)
        at_work = c.active & ~c.sick
        app_h = (r.app_hours_township * at_work[:Nt].sum() + r.app_hours_village * at_work[Nt:].sum()) if weekday else 0.0
        meet_h = m.fixed_hours - travel_hours - app_h
        trace_h = float(kind_hours[:5] @ (1.0 - inv)) + float(fake_hours.sum())
        hours = {
            "meeting": max(meet_h, 0.0), "travel": travel_hours, "app": app_h,
            "document": kind_hours[0] * inv[0], "inspection": kind_hours[1] * inv[1], "form": kind_hours[2] * inv[2],
            "campaign": kind_hours[3] * inv[3], "specialist": kind_hours[4] * inv[4],
            "service": kind_hours[5], "visit": kind_hours[6], "patrol": kind_hours[7], "trace": trace_h,
        }
        task_h = sum(hours.values())
        formal = sum(hours[k] for k in FORMALISM_KINDS)
        worked_sum = float(worked.sum())
        over = float(np.maximum(worked - p.regular_hours, 0.0).sum()) if weekday else worked_sum
        v_work = max(float(at_work[Nt:].sum()), 1.0)
        form_app = (float(x[FORM, Nt:].sum()) + (r.app_hours_village * at_work[Nt:].sum() if weekday else 0.0)) / v_work
        done = late_done.sum(1) + fresh_done.sum(1)
        row = [
            t, float(weekday), float(r.reform),
            arrived, problems, served.resolved, served.within_limit, served.response_days,
            float(c.queue.sum()), float(served.complaints.sum()),
            visit_needed, visit_done, incidents,
            (lv[0][1] + lv[1][1]) / n_all, lv[0][1] / n_t, lv[1][1] / n_v,
            (lv[0][2] + lv[1][2]) / n_all, lv[0][2] / n_t, lv[1][2] / n_v, (lv[0][3] + lv[1][3]) / n_all,
            float(quits), float((c.vacancy_timer > 0).sum()), float(at_work.sum()),
            worked_sum, float(worked[:Nt].sum()) / max(float(at_work[:Nt].sum()), 1.0), float(worked[Nt:].sum()) / v_work, over, 0.0 if weekday else float((worked > 0).sum()),
            *(hours[k] for k in TIME_KINDS),
            formal, task_h, formal / task_h if task_h > 0 else 0.0,
            float(meetings[Nt:].sum()) / v_work, float(meetings[:Nt].sum()) / max(float(at_work[:Nt].sum()), 1.0),
            form_app if weekday else 0.0,
            float(arr.village_n[FORM].sum()) / c.n_villages,
            *arr.created, *done, *faked.sum(1), *arr.returned, *(arr.dropped + v_dropped),
            *(c.fresh_n.sum(1) + c.late_n.sum(1)),
            float(fresh_done.sum() + faked.sum()), float(late_done.sum()), float(found.sum()),
        ]
        self.data[t] = row

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
