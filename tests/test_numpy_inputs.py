"""Numpy scalars as scenario fields (SALib, EMA Workbench and numpy loops pass them): a numpy integer or boolean
means what the Python value means; a float where an integer is meant is refused with one line, whatever its type.
And EMA Workbench itself (Real, Integer and Categorical parameters) drives `sim.run_scenario` without casts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.core.scenario import FIELDS, Scenario, ScenarioError, field_info, make_scenario

INTS = [n for n in FIELDS if Scenario.model_fields[n].annotation is int]
FLAGS = [n for n in FIELDS if Scenario.model_fields[n].annotation is bool]
FLOATS = [n for n in FIELDS if Scenario.model_fields[n].annotation is float]
INT_TYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
# small enough that every field's combination with the defaults can be checked without a run
BASE = {"n_townships": 1, "villages_per_township": 2, "days": 40}


def _outcome(fields: dict) -> Scenario | str:
    try:
        return make_scenario({**BASE, **fields})
    except ScenarioError as e:
        return str(e)


@st.composite
def int_cases(draw: st.DrawFn) -> tuple[str, int, type]:
    name, typ = draw(st.sampled_from(INTS)), draw(st.sampled_from(INT_TYPES))
    hi = field_info(name).get("le", 3000)
    value = draw(st.integers(0, min(int(hi) + 1, int(np.iinfo(typ).max))))  # in the field's range and just past it
    return name, value, typ


@settings(max_examples=150, deadline=None, derandomize=True)
@given(int_cases())
def test_a_numpy_integer_is_the_integer_it_holds(case: tuple[str, int, type]) -> None:
    name, value, typ = case
    got, want = _outcome({name: typ(value)}), _outcome({name: value})
    assert got == want  # the same Scenario, or the same one-line refusal
    if isinstance(got, Scenario):
        assert type(getattr(got, name)) is int  # stored as a Python int (hashes, TOML and JSON stay as before)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from(FLAGS), st.booleans())
def test_a_numpy_boolean_is_the_boolean_it_holds(name: str, value: bool) -> None:
    got = _outcome({name: np.bool_(value)})
    assert got == _outcome({name: value}) and isinstance(got, Scenario)
    assert getattr(got, name) is value


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from(FLOATS), st.floats(0.0, 1.0), st.sampled_from([np.float64, np.float32, np.int64]))
def test_numpy_numbers_for_number_fields(name: str, value: float, typ: type) -> None:
    v = typ(value)
    assert _outcome({name: v}) == _outcome({name: v.item()})


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.sampled_from(INTS), st.floats(-1e6, 1e6, allow_nan=False).filter(lambda x: x != int(x)),
       st.sampled_from([float, np.float64, np.float32]))
def test_a_fraction_for_an_integer_field_is_one_line(name: str, value: float, typ: type) -> None:
    msg = _outcome({name: typ(value)})
    assert isinstance(msg, str) and "\n" not in msg and f"field {name!r}: must be an integer" in msg, msg


@pytest.mark.parametrize("value", [2.0, np.float64(2.0)])
def test_a_whole_float_for_an_integer_field_is_refused_as_a_python_float_is(value: float) -> None:
    with pytest.raises(ScenarioError, match=r"^scenario: field 'extra_staff': must be an integer in \[0, 100\] \(got 2.0\)$"):
        make_scenario({"extra_staff": value})


def test_a_numpy_boolean_is_not_a_number_nor_a_numpy_integer_a_flag() -> None:
    with pytest.raises(ScenarioError, match="field 'extra_staff': must be an integer"):
        make_scenario({"extra_staff": np.bool_(True)})
    with pytest.raises(ScenarioError, match="field 'duty_list': must be true or false"):
        make_scenario({"duty_list": np.int64(1)})


def test_ema_workbench_with_real_integer_and_categorical_parameters() -> None:
    """The real EMA Workbench (3.x) samples, and its experiments run without a cast in the model function."""
    import ema_workbench as ema  # a dev dependency (pyproject.toml [dev]); its absence fails, not skips
    from ema_workbench import (
        CategoricalParameter,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
        SequentialEvaluator,
    )

    county = {"n_townships": 4, "villages_per_township": 3, "days": 12, "policy_start_day": 6, "warmup_days": 3}
    types: list[type] = []

    def grassroots(**kw):
        types.append(type(kw["extra_staff"]))
        s = sim.run_scenario(county, seed=5, **kw).summary
        return {"exhaustion_mean_after": s["exhaustion_mean_after"]}

    model = Model("grassroots", function=grassroots)
    model.uncertainties = [RealParameter("displacement", 0.0, 1.0), IntegerParameter("extra_staff", 0, 3),
                           CategoricalParameter("duty_list", [False, True])]
    model.levers = [RealParameter("meeting_cut", 0.0, 0.5)]
    model.outcomes = [ScalarOutcome("exhaustion_mean_after")]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=3, policies=1)
    assert ema.__version__.split(".")[0] >= "3"
    assert len(experiments) == 3 and np.isfinite(outcomes["exhaustion_mean_after"]).all()
    assert issubclass(types[0], np.integer)  # what EMA passes, as the issue found it
    # each experiment is the run of its own values, the same as with Python values
    row = experiments.iloc[0]
    again = sim.run_scenario(county, seed=5, displacement=float(row["displacement"]),
                             extra_staff=int(row["extra_staff"]), duty_list=bool(row["duty_list"]),
                             meeting_cut=float(row["meeting_cut"])).summary["exhaustion_mean_after"]
    assert outcomes["exhaustion_mean_after"][0] == again
