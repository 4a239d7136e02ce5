"""Mesa's conventions, as a Mesa user meets them: `batch_run` rows for any `max_steps` (the daily record serves
the DataCollector), `step()` stops after the last day, `scenario=` is Mesa's Scenario (the county's scenario is
`setup=`), and SolaraViz constructs, steps and resets the model."""

from __future__ import annotations

import ipyvuetify as v
import mesa
import numpy as np
import pytest
import solara
from mesa.experimental.scenarios import Scenario as MesaScenario
from mesa.visualization import SolaraViz, make_plot_component

import sim

DAYS = 24
SHORT = {"n_townships": 2, "villages_per_township": 4, "days": DAYS, "policy_start_day": 12, "warmup_days": 4}


def _batch(max_steps: int, period: int) -> list[dict]:
    return mesa.batch_run(sim.GrassrootsModel, parameters=SHORT, rng=[7], max_steps=max_steps, number_processes=1,
                          data_collection_period=period, display_progress=False)


def test_batch_run_cut_short_gives_a_row_per_day_up_to_max_steps() -> None:
    cut = DAYS // 2 + 3  # past the reform day, before the end
    rows = _batch(cut, 1)
    assert [r["Step"] for r in rows] == list(range(1, cut + 1))
    m = sim.GrassrootsModel(rng=7, **SHORT)
    m.run(cut)
    ts = m.timeseries
    for col in ("exhaustion_mean", "service_backlog", "hours_worked", "quits", "reform"):
        assert [r[col] for r in rows] == ts[col].tolist(), col  # the record itself, bit for bit
    assert rows[-1]["exhaustion_mean_after"] == m.summary()["exhaustion_mean_after"]  # the summary so far
    assert np.isnan(rows[0]["exhaustion_mean_after"])  # day 1: the after window (from day 12) is still empty
    last = _batch(cut, -1)  # the default period: one row, the last day run
    assert len(last) == 1 and last[0]["Step"] == cut and last[0]["exhaustion_mean"] == rows[-1]["exhaustion_mean"]
    every_third = _batch(cut, 3)
    assert [r["Step"] for r in every_third] == list(range(1, cut + 1, 3))


def test_batch_run_past_the_end_stops_at_the_last_day() -> None:
    rows = _batch(DAYS + 10, 1)
    assert len(rows) == DAYS and rows[-1]["Step"] == DAYS


def test_step_stops_after_the_last_day() -> None:
    m = sim.GrassrootsModel(rng=1, **{**SHORT, "days": 5, "policy_start_day": 2})
    for _ in range(5):
        assert m.running
        m.step()
    assert not m.running and (m.day, m.steps, m.time) == (5, 5, 5.0)
    record = m.recorder.raw.copy()
    for _ in range(3):
        m.step()
    m.run()
    assert (m.day, m.steps, m.time) == (5, 5, 5.0) and not m.running
    assert np.array_equal(m.recorder.raw, record, equal_nan=True)
    assert len(m.datacollector.get_model_vars_dataframe()) == 5


def test_the_datacollector_frame_is_the_record() -> None:
    m = sim.GrassrootsModel(rng=2, **SHORT)
    m.run(6)
    df = m.datacollector.get_model_vars_dataframe()
    ts = m.timeseries
    assert len(df) == 6 and df["hours_worked"].tolist() == ts["hours_worked"].tolist()
    assert df["burnout_share_before"].iloc[-1] == m.summary()["burnout_share_before"]
    assert set(df.columns) == set(m.datacollector.model_vars)
    m.collect()  # kept for old callers: nothing to add, the record already holds the day
    assert len(m.datacollector.get_model_vars_dataframe()) == 6


def test_scenario_is_mesas_and_the_county_goes_under_setup() -> None:
    plain = sim.GrassrootsModel(rng=4, **SHORT)
    by_setup = sim.GrassrootsModel(rng=4, setup=SHORT)
    by_position = sim.GrassrootsModel(4, SHORT)
    ms = MesaScenario(rng=4, **SHORT)  # Mesa's scenario: its rng seeds the run, its fields are read as keywords
    by_mesa = sim.GrassrootsModel(scenario=ms)
    assert by_mesa.scenario is ms and ms.model is by_mesa and isinstance(plain.scenario, MesaScenario)
    models = (plain, by_setup, by_position, by_mesa)
    for m in models:
        m.run(3)
    assert all(np.array_equal(m.recorder.raw, plain.recorder.raw, equal_nan=True) for m in models)
    # a keyword wins over Mesa's scenario, as over setup
    assert sim.GrassrootsModel(scenario=MesaScenario(rng=4, **SHORT), n_townships=1).params.n_townships == 1
    # SolaraViz's Reset passes the seed beside a fresh Scenario(): one seed for both
    reset = sim.GrassrootsModel(rng=4, scenario=MesaScenario(), **SHORT)
    reset.run(3)
    assert np.array_equal(reset.recorder.raw, plain.recorder.raw, equal_nan=True)
    with pytest.warns(DeprecationWarning, match="setup="):  # the old keyword for the county still runs
        old = sim.GrassrootsModel(rng=4, scenario=SHORT)
    assert old.params == plain.params and isinstance(old.scenario, MesaScenario)
    with pytest.raises(sim.ScenarioError, match=r"^scenario: expected a mesa.experimental.scenarios.Scenario, got str"):
        sim.GrassrootsModel(rng=4, scenario="baseline.toml")
    with pytest.raises(sim.ScenarioError, match="unknown field 'colour'"):
        sim.GrassrootsModel(scenario=MesaScenario(rng=4, colour="red"))


def test_solara_viz_constructs_steps_and_resets() -> None:
    fields = {**SHORT, "days": 6, "policy_start_day": 3}
    params = {"rng": 3, **fields,
              "meeting_cut": {"type": "SliderFloat", "value": 0.2, "min": 0.0, "max": 0.5, "step": 0.1}}
    model = solara.reactive(sim.GrassrootsModel(rng=3, **fields, meeting_cut=0.2))
    first = model.value

    @solara.component
    def Page():
        with solara.AppLayout():  # the page's sidebar (where the controls are) needs the app layout
            SolaraViz(model, components=[make_plot_component("exhaustion_mean")], model_params=params)

    _, rc = solara.render(Page(), handle_error=False)

    def click(label: str) -> None:
        rc.find(v.Btn, children=[label]).widget.click()

    click("Step")
    click("Step")
    assert first.day == 2 and first.steps == 2
    click("Reset")
    fresh = model.value
    assert fresh is not first and fresh.day == 0 and fresh.params.meeting_cut == 0.2
    assert isinstance(fresh.scenario, MesaScenario)
    for _ in range(8):  # past the end: the model stops itself, Mesa's controller sees it
        click("Step")
    assert fresh.day == 6 and not fresh.running
    assert rc.find(v.Btn, children=["Step"]).widget.disabled
    rc.find(v.Alert).assert_empty()  # no error shown
    same = sim.GrassrootsModel(rng=3, **fields, meeting_cut=0.2)  # the reset model is the seeded model
    same.run()
    assert np.array_equal(fresh.recorder.raw, same.recorder.raw, equal_nan=True)
