"""Each of the nine mechanisms of MODEL.md, tested as a named piece of code."""

import numpy as np
import pytest

import sim
from sim.core.levers import FORM, INSP, regime
from sim.core.mechanisms import (
    accountability,
    assignment,
    burnout,
    cascade,
    generation,
    patrol,
    service,
    staffing,
    timeuse,
    trace,
)
from sim.core.scenario import Scenario


def test_generation_draws_match_rates_and_weekends_are_quiet():
    s = Scenario()
    r = regime(s, False)
    hh = np.full(10, 300.0)
    rates = generation.daily_rates(r, 24, 12, hh, 2.0 / 365)
    rng = np.random.default_rng(0)
    draws = [generation.generate(rng, rates, 1.0) for _ in range(400)]
    forms = np.mean([d[0][FORM].sum() for d in draws])
    assert abs(forms - 24 * s.forms_per_dept_week / 5) < 0.05 * 24 * s.forms_per_dept_week / 5
    m = sim.GrassrootsModel(rng=0, n_townships=2, days=14, policy_start_day=7)
    m.run()
    ts = m.timeseries
    weekend = ts["weekday"] == 0
    assert ts.loc[weekend, "created_form"].sum() == 0 and ts.loc[weekend, "service_requests_arrived"].sum() > 0
    assert generation.season(365, 0.3).max() > 1.29


def test_cascade_pushes_amplifies_and_duty_list_returns():
    s = Scenario(n_townships=2, duty_list=True)
    county_n = np.ones((5, 4))
    town_add = np.zeros((5, 2))
    post = np.full((4, 6), 1 / 3)  # 2 townships x 3 cadres, every cadre shares every line
    tov = np.array([0, 0, 1, 1])
    base = cascade.cascade(county_n, town_add, np.zeros(4), np.zeros(4), post, tov, regime(s, False))
    reform = cascade.cascade(county_n, town_add, np.zeros(4), np.zeros(4), post, tov, regime(s, True))
    assert np.allclose(base.township_n.sum(1), 4 * 2)  # each township receives every department's tasks
    assert base.returned.sum() == 0 and reform.returned.sum() > 0
    assert (reform.village_n.sum(1) <= base.village_n.sum(1) + 1e-12).all()
    assert np.allclose(base.created, base.township_n.sum(1) + base.village_n.sum(1) + base.returned + base.dropped)


def test_assignment_by_post_and_least_loaded():
    # two villages of two slots, slot-major: [village 0 slot 0, village 1 slot 0, village 0 slot 1, village 1 slot 1]
    shares = assignment.village_shares(np.array([0.0, 0.0, 16.0, 0.0]), np.array([1.0, 1.0, 1.0, 0.0]), np.ones(4), 2)
    assert np.allclose(shares.sum(0), [1.0, 1.0])  # (slots, villages)
    assert shares[0, 0] > shares[1, 0]  # the idle cadre takes more than the loaded one
    assert shares[1, 1] == 0.0  # nobody away gets work
    per, dropped = assignment.assign_to_village_cadres(np.ones((5, 2)), np.array([[0.5, 0.0], [0.5, 0.0]]))
    assert np.allclose(per.sum(1) + dropped, 2.0) and np.allclose(dropped, 1.0)
    m = sim.GrassrootsModel(rng=0, n_townships=2, secondment_share=0.5)
    share = m.county.post_share
    assert np.allclose(m.county.per_township(share), 1.0)  # every line is covered in every township
    assert (share[:, m.county.seconded[: m.county.n_township_cadres]] == 0).all()  # not by seconded cadres


def test_time_allocation_respects_demand_capacity_and_priority():
    demand = np.array([[4.0, 1.0], [4.0, 1.0]])
    weight = np.array([[3.0, 1.0], [1.0, 1.0]])
    x = timeuse.allocate(demand, weight, np.array([4.0, 10.0]))
    assert (x <= demand + 1e-12).all()
    assert np.isclose(x[:, 0].sum(), 4.0)  # a short day is filled
    assert x[0, 0] > x[1, 0]  # priority wins the short day
    assert np.allclose(x[:, 1], 1.0)  # a long day meets all demand
    ot = timeuse.overtime(np.array([12.0, 2.0]), np.array([8.0, 8.0]), 1.0, 3.0)
    assert np.allclose(ot, [3.0, 0.0])  # capped, and none without pressure


def test_trace_work_off_and_fake_completion():
    n = np.array([[[2.0]], [[4.0]]])  # 2 overdue tasks, 4 fresh
    h = np.array([[[2.0]], [[8.0]]])
    done = trace.work_off(n, h, np.array([[4.0]]))
    assert np.isclose(done[0, 0, 0], 2.0)  # overdue first, all of it
    assert np.isclose(done[1, 0, 0], 1.0)  # then 2 of the 8 fresh hours
    assert np.isclose(n.sum() + done.sum(), 6.0) and np.isclose(h.sum(), 6.0)
    fresh = np.full((2, 1, 2), 10.0)  # [count, hours] x 1 kind x 2 cadres
    faked, late = trace.fake_or_fall_due(fresh, np.array([[0.5, 0.5]]), np.array([0.0, 1.0]), 0.4)
    assert faked[0, 0, 0] == 0.0 and np.isclose(faked[0, 0, 1], 2.0)  # only the cadre short of time fakes
    assert np.allclose(faked + late, 5.0) and np.allclose(fresh, 5.0)


def test_accountability_stress_and_defensiveness():
    stress = np.zeros(2)
    added = accountability.update_stress(stress, np.array([1.0, 1.0]), 0.8, 0.5, 0.95)
    assert np.allclose(added, 0.4) and np.allclose(stress, 0.4)
    soft = np.zeros(1)
    accountability.update_stress(soft, np.array([1.0]), 0.8, 0.0, 0.95)
    assert soft[0] > stress[0]  # error tolerance forgives
    so = accountability.service_orientation(3.0, np.array([0.0, 2.0]), 0.5, 5.0)
    assert so[1] < so[0]
    fakes, fake_h = np.array([10.0]), np.array([4.0])
    found, found_h = accountability.discover_fakes(fakes, 0.1, 2.0, fake_h)
    assert np.isclose(found[0], 2.0) and np.isclose(fakes[0], 8.0)
    assert np.isclose(found_h[0], 0.8) and np.isclose(fake_h[0], 3.2)  # the found fakes' work goes with them


def test_found_fakes_come_back_as_rework():
    """整改: a found fake is an inspection-kind task again, with a share of the faked work's hours."""
    stock = np.zeros((2, 2, 5, 3))
    accountability.rework(stock, np.array([2.0, 0.0, 1.0]), np.array([4.0, 0.0, 8.0]), INSP, 0.25)
    assert np.allclose(stock[0, 1, INSP], [2.0, 0.0, 1.0]) and np.allclose(stock[1, 1, INSP], [1.0, 0.0, 2.0])
    assert stock[:, 0].sum() == 0 and stock[:, 1, :INSP].sum() == 0  # fresh, and of no other kind


def test_incidents_raise_accountability_where_visits_were_missed():
    filled = np.ones(2 * 3)  # 2 cadre slots x 3 villages, slot-major
    ev = accountability.incident_events(2.0, np.array([0.0, 1.0, 3.0]), filled, 10.0, 2, 2)
    assert np.allclose(ev, [0.0, 2.5, 7.5] * 2)  # 2 incidents x share of missed visits x 10 / 2 cadres
    assert not accountability.incident_events(0.0, np.array([1.0, 1.0, 1.0]), filled, 10.0, 2, 2).any()


def test_campaign_waves_are_bursts_that_keep_the_yearly_mean():
    rng = np.random.default_rng(0)
    w = generation.campaign_waves(rng, 365 * 20, 0, 3, 4.0, 2.5)
    assert set(np.round(np.unique(w), 9)) == {round(w.min(), 9), round(w.min() * 2.5, 9)}
    assert abs(w.mean() - 1.0) < 0.05  # overlaps make it a little lower
    again = generation.campaign_waves(np.random.default_rng(0), 365 * 20, 0, 3, 4.0, 2.5)
    assert np.array_equal(w, again)  # drawn from the seed: reproducible
    assert (generation.campaign_waves(rng, 100, -20, 0, 4.0, 2.5) == 1.0).all()


def test_burnout_rises_with_overtime_falls_with_rest_and_slows_work():
    e = np.array([0.5, 0.5])
    burnout.update_exhaustion(e, np.array([12.0, 0.0]), 8.0, np.zeros(2), np.ones(2), 0.02, 0.0, np.full(2, 0.01))
    assert e[0] > 0.5 > e[1]
    assert (burnout.productivity(np.array([0.0, 1.0]), 0.25) == [1.0, 0.75]).all()
    sick = burnout.sick_days(np.arange(1000), 2000, 0.1, np.random.default_rng(0))
    assert 50 < sick[:1000].sum() < 150 and not sick[1000:].any()


def test_quitting_hands_work_over_and_vacancy_refills():
    idx = staffing.quitters(np.array([0, 1]), np.array([100.0, 10.0]), 60, 1.0, np.random.default_rng(0))
    assert list(idx) == [0]
    stocks = tuple(np.array([[1.0, 0.0, 5.0]]) for _ in range(4))
    assert staffing.hand_over(stocks, 0, slice(0, 3), np.array([True, True, True]))
    assert stocks[0][0, 0] == 0.0 and stocks[0][0, 1] == 1.0  # to the least-loaded colleague
    schedule = {5: [3, 7]}
    assert staffing.due_refills(schedule, 4).size == 0
    assert list(staffing.due_refills(schedule, 5)) == [3, 7] and not schedule


def test_service_queue_is_fifo_exact_and_complaints_come_once():
    q = np.zeros((8, 1))
    q = service.age_queue(q, np.array([3.0]))
    for _ in range(3):
        q = service.age_queue(q, np.array([0.0]))
    q = service.age_queue(q, np.array([2.0]))  # ages: 3 requests at age 4, 2 at age 0
    served = service.resolve(q, np.array([4.0]), q.sum(0), limit=2, oldest=7)
    assert np.isclose(served.resolved, 4.0) and np.isclose(served.response_days, 3 * 4 + 1 * 0)
    assert np.isclose(served.within_limit, 1.0)
    assert np.isclose(q.sum(), 1.0)  # the rest stays queued
    q2 = np.zeros((8, 1))
    q2 = service.age_queue(q2, np.array([1.0]))
    complaints = []
    for _ in range(6):
        complaints.append(service.resolve(q2, np.array([0.0]), q2.sum(0), limit=2, oldest=7).complaints[0])
        q2 = service.age_queue(q2, np.array([0.0]))
    assert sum(complaints) == 1.0 and q2.sum() == 1.0  # one complaint, and the request still waits
    grown = service.age_queue(np.ones((4, 1)), np.array([0.0]))
    assert grown.shape[0] == 8 and np.isclose(grown.sum(), 4.0)  # old requests are never lumped together


def test_patrol_finds_more_when_separated_or_purchased():
    s = Scenario(patrol_office_separation=True, grid_purchase=2)
    before, after = regime(s, False), regime(s, True)
    assert after.fix_penalty == 0.0 < before.fix_penalty
    found = patrol.problems_found(np.array([4.0]), after.patrol_discovery, np.array([8.0]), 0.45)
    assert np.isclose(found[0], 4.0 * after.patrol_discovery + 8.0 * 0.45)
    assert patrol.patrol_need(np.array([2.0]), 5.0)[0] == 2.0


def test_finds_lost_grow_with_the_fixing_load():
    """S4: the finder is the fixer: the more of a village's hours go to fixing, the fewer finds per patrol hour."""
    share = patrol.fixing_share(np.array([0.0, 1.0, 3.0, 0.0]), np.array([2.0, 1.0, 1.0, 0.0]))
    assert np.allclose(share, [0.0, 0.5, 0.75, 0.0])
    d = patrol.discovery(0.2, 0.8, share)
    assert np.allclose(d, 0.2 * (1 - 0.8 * share))
    assert d[0] > d[1] > d[2]
    assert np.allclose(patrol.discovery(0.2, 0.0, share), 0.2)  # separated: no loss
    assert patrol.patrol_need(np.array([2.0]), 5.0)[0] == 2.0


def test_hierarchy_graph_links_departments_townships_villages_and_cadres():
    m = sim.GrassrootsModel(rng=0, n_townships=2)
    g = m.graph
    kinds = {}
    for _, data in g.nodes(data=True):
        kinds[data["kind"]] = kinds.get(data["kind"], 0) + 1
    assert kinds == {"county": 1, "department": 24, "township": 2, "village": 40, "township_cadre": 60, "village_cadre": 200}
    posts = [d for _, _, d in g.edges(data=True) if d["kind"] == "post"]
    assert len(posts) == int(m.county.holds.sum())  # every post is an edge from a cadre to a department
    assert {a.index for a in m.agents if hasattr(a, "posts")} == set(range(60))


def test_fifo_serves_each_village_oldest_first_up_to_its_capacity():
    rng = np.random.default_rng(3)
    q = rng.random((30, 50)) * (rng.random((30, 50)) < 0.5)
    q[12:, [4, 17]] = rng.random((18, 2))  # two villages with old requests
    cap = rng.random(50) * 8
    expected = q.copy()
    for v in range(50):  # the rule, one village and one age at a time
        left = cap[v]
        for age in range(29, -1, -1):
            taken = min(left, expected[age, v])
            expected[age, v] -= taken
            left -= taken
    got = q.copy()
    served = service.resolve(got, cap, q.sum(0), limit=4, oldest=29)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert np.isclose(served.resolved, (q - expected).sum())
    assert np.isclose(served.response_days, ((q - expected).sum(1) * np.arange(30)).sum())


def test_service_queue_shrinks_once_cleared_and_keeps_every_request():
    q = np.zeros((256, 2))
    q[200] = [1.0, 2.0]
    q = service.age_queue(q, np.array([0.5, 0.0]), oldest=200)
    assert q.shape[0] == 256 and q[201].tolist() == [1.0, 2.0]  # still waiting: no shrinking
    served = service.resolve(q, np.array([5.0, 5.0]), q.sum(0), limit=4, oldest=201)
    assert served.resolved == 3.5 and served.response_days == 201 * 3.0
    oldest = service.oldest_age(q, 201)
    assert oldest == 0
    for _ in range(3):
        q = service.age_queue(q, np.array([1.0, 0.0]), oldest=oldest)
        oldest = service.oldest_age(q, oldest + 1)
    assert q.shape[0] == service.MIN_AGES  # halved day by day down to the floor
    assert q.sum() == 3.0 and q[:3, 0].tolist() == [1.0, 1.0, 1.0]  # nothing lost, ages kept


def test_kernels_compile_without_a_writable_cache(monkeypatch):
    """A read-only install with no home directory: numba finds nowhere to cache, and the kernel still runs."""
    from numba.core import caching

    from sim.core.jit import kernel
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])

    def add_up(a):
        s = 0.0
        for v in a:
            s += v
        return s

    assert kernel(add_up)(np.array([1.0, 2.0, 3.5])) == 6.5


def test_exhaustion_drain_saturates_below_the_cap():
    """Issue 9: each hour of overwork wears a tired cadre down less than a fresh one, so a cadre working 12 h a
    day with accountability stress approaches 1 but the drain shrinks as she does."""
    e = np.array([0.0, 0.9])
    burnout.update_exhaustion(e, np.array([12.0, 12.0]), 8.0, np.zeros(2), np.ones(2), 0.05, 0.0, 0.01)
    assert e[0] == pytest.approx(0.2) and e[1] == pytest.approx(0.9 + 0.2 * 0.1)


def test_service_orientation_is_bounded():
    so = accountability.service_orientation(1.0, np.array([0.0, 5.0, 1e9]), 0.5, 5.0)
    assert so[0] == 1.0 and so[1] == pytest.approx(0.75) and so[2] >= 0.5 - 1e-9


def test_township_cadres_staff_the_service_hall_on_workdays():
    """Township cadres' own resident-facing work: a fixed item of `township_service_hours` each workday, in time use."""
    small = {"n_townships": 1, "days": 60, "warmup_days": 0}
    with_hall = sim.run_scenario({**small, "township_service_hours": 1.5}, seed=1)
    without = sim.run_scenario({**small, "township_service_hours": 0.0}, seed=1)
    assert with_hall.summary["service_hall_hours_township_day_before"] == pytest.approx(1.5)
    assert without.summary["service_hall_hours_township_day_before"] == 0.0
    ts = with_hall.timeseries
    assert (ts.loc[ts["weekday"] == 0, "hours_service_hall"] == 0).all()
    assert ts["hours_worked_township"].mean() > without.timeseries["hours_worked_township"].mean()
