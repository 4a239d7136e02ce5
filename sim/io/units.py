"""Units and storage types of the output tables' columns, for readers other than pandas (R, Julia, a
spreadsheet): every parquet file carries each column's unit as field metadata `unit` (docs/outcomes.md).

The names come from `sim/core/record.py` (COLUMNS, OUTCOMES); the units are those of docs/outcomes.md, which a
test keeps in step. Types: the daily flags are booleans and the daily quantities that are whole numbers by
construction (Poisson draws of requests and incidents, cadres counted) are int64; other task and request counts
are split fluidly over cadres and stay float64 (docs/outcomes.md, "Time series columns").
"""

from __future__ import annotations

from sim.core.levers import BACKLOG
from sim.core.record import BURNOUT_LEVELS, DUTY_CATEGORIES, TIME_KINDS

# daily record (timeseries): flags and whole-number counts
FLAG_SERIES = ("weekday", "reform")
COUNT_SERIES = ("service_requests_arrived", "incidents", "quits", "vacancies", "cadres_at_work", "weekend_workers")
# summary outcomes that are sums of whole-number counts over a window (null where the window is empty)
COUNT_OUTCOMES = ("quits", "incidents")

SERIES_UNITS: dict[str, str] = {
    "day": "day", "weekday": "flag", "reform": "flag",
    "service_requests_arrived": "requests", "service_problems_found": "requests", "service_resolved": "requests",
    "service_resolved_within_limit": "requests", "service_response_days_sum": "days", "service_backlog": "requests",
    "complaints": "complaints", "visit_hours_needed": "hours", "visit_hours_done": "hours", "incidents": "incidents",
    "exhaustion_mean": "0-1", "exhaustion_township": "0-1", "exhaustion_village": "0-1",
    "burnout_share": "share", "burnout_township": "share", "burnout_village": "share", "severe_share": "share",
    "quits": "cadres", "vacancies": "slots", "cadres_at_work": "cadres",
    "hours_worked": "hours", "hours_worked_township": "hours/cadre", "hours_worked_village": "hours/cadre",
    "overtime_hours": "hours", "weekend_workers": "cadres",
    **{f"hours_{k}": "hours" for k in TIME_KINDS},
    "formalism_hours": "hours", "task_hours": "hours", "formalism_share": "share",
    "meetings_village_cadre": "meetings/cadre", "meetings_township_cadre": "meetings/cadre",
    "form_app_hours_village_cadre": "hours/cadre", "forms_per_village": "forms",
    **{f"{flow}_{k}": "tasks" for flow in ("created", "done", "faked", "returned", "dropped", "pending")
       for k in BACKLOG},
    "on_time": "tasks", "late_done": "tasks", "fakes_found": "tasks",
    **{f"burnout_{level}": "share" for level in BURNOUT_LEVELS},
    "forms_secretary": "forms", "forms_secretary_p90": "forms",
    **{f"duty_items_{c}": "tasks" for c in DUTY_CATEGORIES},
    "requests_per_village": "requests/village", "specialist_hours_village": "hours/village",
    "hours_duplicate_form": "hours", "hours_repeated_meeting": "hours",
    "proof_of_work_hours": "hours", "proof_of_work_share": "share",
    "upper_task_hours": "hours", "upper_task_share": "share", "cost_yuan_day": "yuan/day",
    "service_given_up": "requests", "service_given_up_days_sum": "days",
    "hours_service_hall": "hours", "service_hall_hours_township_cadre": "hours/cadre",
}

OUTCOME_UNITS: dict[str, str] = {
    "service_resolved_share": "share", "response_days_mean": "days", "service_backlog_mean": "requests",
    "exhaustion_mean": "0-1", "burnout_share": "share", "formalism_share": "share",
    "overtime_hours_per_cadre_week": "hours/cadre/week", "meetings_per_village_cadre_week": "meetings/cadre/week",
    "fake_completion_share": "share", "on_time_share": "share", "quits": "cadres", "complaints": "complaints",
    "form_app_hours_village_day": "hours/cadre/workday", "exhaustion_township": "0-1", "exhaustion_village": "0-1",
    "burnout_township": "share", "burnout_village": "share", "visit_coverage": "share", "incidents": "incidents",
    "problems_found": "problems", "tasks_returned": "tasks",
    "forms_secretary_day": "forms/workday", "forms_secretary_busy_day": "forms/workday",
    **{f"burnout_{level}_share": "share" for level in BURNOUT_LEVELS},
    **{f"duty_{c}_share": "share" for c in DUTY_CATEGORIES},
    "requests_per_village_week": "requests/village/week", "specialist_hours_village_month": "hours/village/month",
    "proof_of_work_share": "share", "upper_task_share": "share", "cost_yuan_year": "yuan/year",
    "requests_given_up": "requests", "service_hall_hours_township_day": "hours/cadre/workday",
}

# columns of the runs, summary and long tables that are not outcomes
OTHER_UNITS: dict[str, str] = {
    "policy_start_day": "day", "days": "days", "point": "index", "replicate": "index", "seconds": "seconds",
    "ci_level": "share", "n": "runs",
}
PER_OUTCOME = "unit of the row's outcome (schema metadata outcome_units)"
LONG_VALUE_COLUMNS = ("mean", "ci_low", "ci_high", "sd", "difference", "reference_mean")


def unit(column: str, table: str) -> str | None:
    """The unit of `column` in the table `table` (timeseries, summary, runs, estimates, differences), or None
    for columns without one (ids, names, text, the swept fields: see docs/scenario.md for those)."""
    if table == "timeseries":
        return SERIES_UNITS.get(column)
    if table in ("estimates", "differences") and column in LONG_VALUE_COLUMNS:
        return PER_OUTCOME
    for window in ("_before", "_after"):
        if column.endswith(window):
            base = column.removesuffix(window)
            if base in OUTCOME_UNITS:
                return OUTCOME_UNITS[base]
            if base.startswith("hours_") and base.endswith("_cadre_day"):  # compare's time use by kind
                return "hours/cadre/day"
    return OTHER_UNITS.get(column)
