"""The outcomes the targets need, cost and proof of work (issue 9): consistent with each other and with the
levers that should move them."""

import numpy as np
import pytest

import sim
from sim.core.record import BURNOUT_LEVELS, DUTY_CATEGORIES

from .conftest import SMALL

START = SMALL["policy_start_day"]


def _run(seed: int = 3, **fields):
    return sim.run_scenario({**SMALL, **fields}, seed=seed)


@pytest.fixture(scope="module")
def base():
    return _run()


def test_burnout_levels_partition_the_cadres_in_post(base):
    ts, s = base.timeseries, base.summary
    levels = ts[[f"burnout_{lv}" for lv in BURNOUT_LEVELS]]
    np.testing.assert_allclose(levels.sum(axis=1), 1.0, atol=1e-12)
    assert (levels >= 0).all().all()
    # mild + moderate + severe is the burnout share; severe is the severe share (same thresholds)
    np.testing.assert_allclose(ts["burnout_mild"] + ts["burnout_moderate"] + ts["burnout_severe"], ts["burnout_share"],
                               atol=1e-12)
    np.testing.assert_allclose(ts["burnout_severe"], ts["severe_share"], atol=1e-12)
    for w in ("before", "after"):
        assert sum(s[f"burnout_{lv}_share_{w}"] for lv in BURNOUT_LEVELS) == pytest.approx(1.0, abs=1e-12)
    assert levels.iloc[-1].min() < 1.0  # not all in one level: the partition has content


def test_a_moderate_threshold_out_of_order_empties_a_level_instead_of_going_negative():
    ts = sim.run_scenario({**SMALL, "days": 150, "moderate_threshold": 0.2}, seed=1).timeseries
    assert (ts["burnout_mild"] == 0).all() and (ts[[f"burnout_{lv}" for lv in BURNOUT_LEVELS]] >= 0).all().all()


def test_duty_category_mix_sums_to_one_and_follows_the_list_in_force(base):
    s = base.summary
    for w in ("before", "after"):
        assert sum(s[f"duty_{c}_share_{w}"] for c in DUTY_CATEGORIES) == pytest.approx(1.0, abs=1e-12)
        assert all(0 < s[f"duty_{c}_share_{w}"] < 1 for c in DUTY_CATEGORIES)
    # a township's own list (all forms basic) acts from the reform day, with the duty_list lever
    own = {**sim.Scenario().duty_shares, "form": [1.0, 0.0, 0.0]}
    other = _run(duty_list=True, duty_shares=own).summary
    assert other["duty_basic_share_before"] == s["duty_basic_share_before"]
    assert other["duty_basic_share_after"] > s["duty_basic_share_after"] + 0.1
    # without the lever the national list classifies, whatever duty_shares says
    off = _run(duty_shares=own).summary
    assert off["duty_basic_share_after"] == s["duty_basic_share_after"]


def test_cost_is_the_payroll_and_grows_with_extra_staff_and_purchased_grid_workers(base):
    p = sim.Scenario(**{**SMALL})
    ts = base.timeseries
    day0 = (p.n_townships * p.township_cadres * p.salary_township_cadre
            + p.n_townships * p.villages_per_township * p.village_cadres * p.salary_village_cadre) / 365
    assert ts["cost_yuan_day"].iloc[0] == pytest.approx(day0, rel=1e-12)  # everyone in post on day 0
    assert (ts["cost_yuan_day"] <= day0 + 1e-6).all()  # vacancies are unpaid
    s = base.summary
    more = _run(extra_staff=1).summary
    grid = _run(grid_purchase=3).summary
    assert more["cost_yuan_year_before"] == s["cost_yuan_year_before"]
    extra = (p.n_townships + p.n_townships * p.villages_per_township) * 1  # one more per township and village
    assert more["cost_yuan_year_after"] - s["cost_yuan_year_after"] > 0.8 * extra * p.salary_village_cadre
    assert grid["cost_yuan_year_after"] > s["cost_yuan_year_after"]
    # the price only prices: the same run with free grid workers differs by exactly their bill
    free = _run(grid_purchase=3, grid_worker_price=0.0).summary
    added = 3 * p.n_townships * p.grid_worker_price
    assert grid["cost_yuan_year_after"] - free["cost_yuan_year_after"] == pytest.approx(added, rel=1e-9)
    assert grid["cost_yuan_year_before"] == free["cost_yuan_year_before"] == s["cost_yuan_year_before"]


def test_proof_of_work_sits_inside_formalism_inside_the_upper_task_load(base):
    ts, s = base.timeseries, base.summary
    work = ts[ts["task_hours"] > 0]
    assert (work["proof_of_work_hours"] <= work["formalism_hours"] + 1e-6).all()
    assert (work["formalism_hours"] <= work["upper_task_hours"] + 1e-6).all()
    assert (work["upper_task_hours"] <= work["task_hours"] + 1e-6).all()
    parts = work["hours_trace"] + work["hours_inspection"] + work["hours_app"] + work["hours_duplicate_form"] \
        + work["hours_repeated_meeting"]
    np.testing.assert_allclose(work["proof_of_work_hours"], parts, rtol=1e-12)
    for w in ("before", "after"):
        assert 0 < s[f"proof_of_work_share_{w}"] < s[f"formalism_share_{w}"] <= s[f"upper_task_share_{w}"] < 1


def test_levers_that_cut_proof_of_work_cut_its_parts():
    base = _run(seed=5)
    merged = _run(seed=5, meeting_consolidation=True, form_dedup=1.0)
    after = slice(START, None)
    assert base.timeseries["hours_repeated_meeting"].iloc[after].sum() > 0
    assert merged.timeseries["hours_repeated_meeting"].iloc[after].sum() == 0
    share = lambda r: (r.timeseries["hours_duplicate_form"] / r.timeseries["hours_form"]).iloc[after].dropna()  # noqa: E731
    assert share(base).mean() == pytest.approx(sim.Scenario().form_duplicate_share)
    assert share(merged).max() == 0.0
    assert merged.summary["proof_of_work_share_after"] < base.summary["proof_of_work_share_after"]


def test_forms_per_secretary_and_requests_per_village(base):
    ts, s = base.timeseries, base.summary
    work = ts[ts["weekday"] > 0]
    assert work["forms_secretary"].notna().all() and (work["forms_secretary"] > 0).all()
    assert (work["forms_secretary_p90"] >= work["forms_secretary"] - 1e-9).all()
    assert s["forms_secretary_busy_day_before"] > s["forms_secretary_day_before"]
    # the secretary takes more of the village's forms than an average village cadre
    form_hours_per_village_cadre = work["form_app_hours_village_cadre"].mean()
    assert form_hours_per_village_cadre > 0
    v = SMALL["n_townships"] * sim.Scenario().villages_per_township
    window = ts.iloc[:START]  # the spin-up ran before day 0: the window starts at day 0
    expected = window["service_requests_arrived"].sum() / v * 7 / len(window)
    assert s["requests_per_village_week_before"] == pytest.approx(expected, rel=1e-12)
    assert s["specialist_hours_village_month_before"] > 0


def test_the_secretary_fills_more_forms_than_the_village_average():
    m = sim.GrassrootsModel(rng=2, setup={**SMALL, "days": 40, "policy_start_day": 39})
    m.run()
    ts = m.timeseries
    work = ts[ts["weekday"] > 0]
    per_village = work["forms_per_village"]  # forms arriving per village
    cadres = sim.Scenario().village_cadres
    assert (work["forms_secretary"].mean()) > per_village.mean() / cadres
