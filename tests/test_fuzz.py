"""Property-based fuzzing of scenario fields (hypothesis): any input is either refused with one line naming the
field, or runs a short small county with no exception, a finite daily record and finite outcomes. The only
outcomes that may be NaN are ratios whose denominator is zero in that window (no requests arrived, no visits were
needed: docs/outcomes.md), and the test checks that the denominator really is zero."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.levers import BACKLOG
from sim.core.run import simulate
from sim.core.scenario import FIELDS, MAX_DAYS, Scenario, ScenarioError, field_info, make_scenario

# a small county (so that a run takes a few milliseconds); the county-size fields are fuzzed within small sizes
# (their upper bounds are a memory limit, checked by MAX_CADRES, not a question of arithmetic)
BASE = {"n_townships": 1, "villages_per_township": 3, "township_cadres": 4, "village_cadres": 2,
        "households_per_village": 40, "days": 40}
SIZE = {"n_departments": 30, "n_townships": 2, "township_cadres": 8, "villages_per_township": 4, "village_cadres": 4,
        "households_per_village": 400, "grid_households": 400, "extra_staff": 3, "grid_purchase": 5, "days": 60}

# outcome -> the daily columns whose sum is its denominator (record._window)
DENOMINATOR = {
    "service_resolved_share": ["service_requests_arrived", "service_problems_found"],
    "response_days_mean": ["service_resolved"],
    "formalism_share": ["task_hours"],
    "overtime_hours_per_cadre_week": ["cadres_at_work"],
    "fake_completion_share": [f"{f}_{k}" for f in ("done", "faked") for k in BACKLOG],
    "on_time_share": ["on_time", "late_done"],
    "visit_coverage": ["visit_hours_needed"],
    "form_app_hours_village_day": ["weekday"],
}
NUMERIC = [n for n in FIELDS if Scenario.model_fields[n].annotation in (int, float)]
FLAGS = [n for n in FIELDS if Scenario.model_fields[n].annotation is bool]


def _near_bounds(name: str) -> st.SearchStrategy:
    """Values inside, at and just beyond the field's bounds, and wild ones (huge, tiny, negative)."""
    info = field_info(name)
    is_int = Scenario.model_fields[name].annotation is int
    lo = info.get("ge", info.get("gt", 0))
    hi = SIZE.get(name, info.get("le", info.get("lt", MAX_DAYS)))
    if is_int:
        return st.one_of(st.integers(int(lo), int(hi)), st.sampled_from([int(lo) - 1, int(hi) + 1, 10**9, -(10**9)]))
    wild = st.sampled_from([5e-324, 1e-300, 1e-9, 1e30, 1e300, -1.0, float(lo), float(hi), math.nextafter(hi, math.inf)])
    return st.one_of(st.floats(float(lo), float(hi), allow_nan=False), wild,
                     st.floats(allow_nan=False, allow_infinity=False, width=64))


@st.composite
def mutations(draw: st.DrawFn) -> dict:
    names = draw(st.lists(st.sampled_from(NUMERIC), min_size=1, max_size=4, unique=True))
    fields = {n: draw(_near_bounds(n)) for n in names}
    for flag in draw(st.lists(st.sampled_from(FLAGS), max_size=3, unique=True)):
        fields[flag] = draw(st.booleans())
    return fields


def _denominator_is_zero(ts: pd.DataFrame, outcome: str, lo: int, hi: int) -> bool:
    cols = DENOMINATOR.get(outcome)
    if cols is None:
        return False
    w = ts[(ts["day"] >= lo) & (ts["day"] < hi)]
    return float(w[cols].to_numpy(float).sum()) <= 0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(mutations())
def test_every_accepted_scenario_runs_without_an_error_or_a_nan(fields: dict) -> None:
    try:
        s = make_scenario({**BASE, **fields})
    except ScenarioError as err:  # refused: one line that names a field
        msg = str(err)
        assert "\n" not in msg and "field '" in msg and len(msg) < 400, msg
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or a division by zero inside the model is a failure
        res = simulate(s, seed=1)
    ts = res.timeseries
    # the secretaries' forms have no value on a day no secretary is at work (no denominator); every other column does
    daily = ts.drop(columns=["forms_secretary", "forms_secretary_p90"])
    assert np.isfinite(daily.to_numpy(float)).all(), [c for c in daily if not np.isfinite(daily[c].to_numpy(float)).all()]
    for col in ("task_hours", "formalism_hours", "hours_worked", "service_backlog", "exhaustion_mean"):
        assert (ts[col] >= -1e-6).all(), col  # stocks and hours never go below zero
    windows = {"before": (0, s.policy_start_day), "after": (s.policy_start_day, s.days)}
    for key, value in res.summary.items():
        if math.isfinite(value):
            continue
        outcome, _, window = key.rpartition("_")
        assert _denominator_is_zero(ts, outcome, *windows[window]), (key, fields)


def test_the_fuzz_reaches_both_refused_and_accepted_inputs() -> None:
    """The strategy is not vacuous: over a fixed sample, some inputs are refused and most valid ones run."""
    from hypothesis import find

    refused = find(mutations(), lambda f: _refused(f))
    accepted = find(mutations(), lambda f: not _refused(f) and len(f) >= 3)
    assert _refused(refused) and not _refused(accepted)


def _refused(fields: dict) -> bool:
    try:
        make_scenario({**BASE, **fields})
    except ScenarioError:
        return True
    return False


@pytest.mark.parametrize("field", ["documents_per_dept_week", "effort_form", "requests_per_household_year",
                                   "effort_inspection", "trace_form", "weight_form", "overtime_pressure"])
def test_every_amount_at_its_upper_bound_runs_finite(field: str) -> None:
    """The corners the issue found breaking the model, at the largest value now allowed."""
    hi = field_info(field)["le"]
    s = make_scenario({**BASE, field: hi})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = simulate(s, seed=2)
    assert np.isfinite(res.timeseries.to_numpy(float)).all()
