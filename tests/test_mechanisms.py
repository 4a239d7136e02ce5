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
    service.age_queue(q, np.array([3.0]))
    for _ in range(3):
        service.age_queue(q, np.array([0.0]))
    service.age_queue(q, np.array([2.0]))  # ages: 3 requests at age 4, 2 at age 0
    served = service.resolve(q, np.array([4.0]), q.sum(0), limit=2, oldest=7)
    assert np.isclose(served.resolved, 4.0) and np.isclose(served.response_days, 3 * 4 + 1 * 0)
    assert np.isclose(served.within_limit, 1.0)
    assert np.isclose(q.sum(), 1.0)  # the rest stays queued
    q2 = np.zeros((8, 1))
    service.age_queue(q2, np.array([1.0]))
    complaints = []
    for _ in range(6):
        complaints.append(service.resolve(q2, np.array([0.0]), q2.sum(0), limit=2, oldest=7).complaints[0])
        service.age_queue(q2, np.array([0.0]))
    assert sum(complaints) == 1.0 and q2.sum() == 1.0  # one complaint, and the request still waits


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


def test_a_request_older_than_the_give_up_age_leaves_and_is_counted():
    """Residents do not wait for years: a request that has waited `request_give_up_days` and is still not
    resolved leaves the next morning, counted as given up; nothing younger moves, and nothing is lumped."""
    q = np.zeros((31, 2))  # give-up age 30: rows 0..30
    q[30] = [1.0, 2.0]
    q[29] = [0.5, 0.0]
    given_up = service.age_queue(q, np.array([4.0, 0.0]), oldest=30)
    assert given_up == 3.0 and q.shape == (31, 2)
    assert q[30].tolist() == [0.5, 0.0] and q[0].tolist() == [4.0, 0.0] and q.sum() == 4.5
    assert service.age_queue(q, np.zeros(2), oldest=30) == 0.5  # the next day, the next oldest
    assert service.age_queue(q, np.zeros(2), oldest=30) == 0.0 and q[2].tolist() == [4.0, 0.0]


def test_a_collapsing_county_gives_up_requests_keeps_exact_accounting_and_flat_memory():
    """Too few village cadres for the demand: requests pile up; after the give-up age they leave, counted in
    `service_given_up` with their waiting days, so Little's law still holds to the request; the queue is
    allocated once at set-up and does not grow however long the run."""
    fields = {"village_cadres": 2, "requests_per_household_year": 8.0, "n_townships": 2, "request_give_up_days": 30,
              "warmup_days": 0}
    short = sim.GrassrootsModel(rng=1, setup={**fields, "days": 100, "policy_start_day": 50})
    m = sim.GrassrootsModel(rng=1, setup={**fields, "days": 400, "policy_start_day": 200})
    assert m.county.queue.shape == short.county.queue.shape == (31, m.county.n_villages)
    size = m.county.queue.nbytes
    m.run()
    assert m.county.queue.nbytes == size  # flat: allocated once
    ts = m.timeseries
    summary = m.summary()
    assert ts["service_given_up"].iloc[:30].sum() == 0.0 and ts["service_given_up"].sum() > 100
    assert summary["requests_given_up_before"] + summary["requests_given_up_after"] == pytest.approx(
        ts["service_given_up"].sum(), rel=1e-12)
    assert (ts["service_given_up_days_sum"] == ts["service_given_up"] * 31).all()  # waited 0..30 days, left on day 31
    q = m.county.queue
    still = float((q.sum(1) * (np.arange(len(q)) + 1)).sum())
    waited = ts["service_response_days_sum"].sum() + ts["service_given_up_days_sum"].sum() + still
    assert ts["service_backlog"].sum() == pytest.approx(waited, rel=1e-9)  # every waiting day counted once
    arrived = ts["service_requests_arrived"].sum() + ts["service_problems_found"].iloc[:-1].sum()
    assert arrived == pytest.approx(ts["service_resolved"].sum() + ts["service_given_up"].sum() + q.sum(), rel=1e-9)


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


def _county_arrays(seed: int, n_t: int = 6, villages: int = 40, slots: int = 3):
    """Random stocks and per-cadre arrays shaped like a county's (float32 stocks), some cadres away."""
    rng = np.random.default_rng(seed)
    n = n_t + villages * slots
    stock = (rng.random((2, 2, 5, n)) * 10 ** rng.uniform(-2, 1.5, (2, 2, 5, n))).astype(np.float32)
    work = (rng.random(n) > 0.3).astype(float)
    work[n_t : n_t + 3] = 0.0
    work[n_t + villages : n_t + villages + 3] = 0.0
    work[n_t + 2 * villages : n_t + 2 * villages + 3] = 0.0  # three villages with nobody at work
    return rng, stock, work, n


def test_fused_assignment_equals_the_reference_functions():
    """`assign_day` (the model's compiled pass) gives the bits of `village_shares` + `assign_to_village_cadres`."""
    for seed in range(3):
        rng, stock, work, n = _county_arrays(seed)
        n_t, villages, slots = 6, 40, 3
        secretary, form = np.ones(n), np.ones(n)
        secretary[n_t : n_t + villages], form[n_t : n_t + villages] = 1.5, 30.0
        town_n, town_h, village_n = rng.random((5, n_t)), rng.random((5, n_t)) * 3, rng.random((5, villages)) * 4
        effort = np.float32([1.0, 2.5, 1.5, 3.0, 6.0])
        ref = stock.copy()
        load = ref[1].reshape(10, -1).sum(0)
        shares = assignment.village_shares(load[n_t:], work[n_t:], secretary[n_t:], slots, 0.125)
        new = np.empty((2, 5, n), np.float32)
        new[0, :, :n_t], new[1, :, :n_t] = town_n, town_h
        v_n, dropped = assignment.assign_to_village_cadres(village_n, shares, out=new[0, :, n_t:])
        form_shares = assignment.village_shares(load[n_t:], work[n_t:], form[n_t:], slots, 0.125)
        assignment.assign_to_village_cadres(village_n[FORM : FORM + 1], form_shares, out=new[0, FORM : FORM + 1, n_t:])
        np.multiply(v_n, effort[:, None], out=new[1, :, n_t:])
        ref[:, 1] += new
        got = stock.copy()
        got_dropped = assignment.assign_day(got, town_n, town_h, village_n, work, secretary, form, slots, 0.125, effort)
        assert got.tobytes() == ref.tobytes() and got_dropped.tobytes() == dropped.tobytes() and dropped.sum() > 0


def test_fused_trace_accountability_and_burnout_equal_the_reference_functions():
    """`trace.settle_day`, `accountability.stress_day` and `burnout.exhaustion_day` give the bits of the
    functions that define each mechanism step by step."""
    for seed in range(3):
        rng, stock, work, n = _county_arrays(seed)
        x = (rng.random((7, n)) * 3).astype(np.float32)
        trace1 = np.float32([1.3, 1.5, 1.4, 1.2, 1.1])
        aging = rng.random((5, n)).astype(np.float32) * 0.3
        used, need = rng.random(n) * 9, (rng.random(n) * 12).astype(np.float32)
        worked = used + rng.random(n) * 2
        fakes, fake_work = rng.random(n), rng.random(n) * 5
        # reference: step by step
        ref, ref_fakes, ref_fake_work, ref_worked = stock.copy(), fakes.copy(), fake_work.copy(), worked.copy()
        done = trace.work_off(ref[0], ref[1], x[:5] / trace1[:, None])
        shortfall = (1.0 - np.minimum(used / (need + 1e-12), 1.0)) * work
        faked, due = trace.fake_or_fall_due(ref[:, 1], aging, shortfall.astype(np.float32), 0.35)
        fake_hours = np.minimum(((trace1 - 1)[:, None] * faked[1]).sum(0), np.maximum(24.0 - ref_worked, 0.0))
        ref_worked += fake_hours
        ref[:, 0] += due
        ref_fakes += faked[0].sum(0)
        ref_fake_work += faked[1].sum(0)
        got, got_fakes, got_fake_work, got_worked = stock.copy(), fakes.copy(), fake_work.copy(), worked.copy()
        out = trace.settle_day(got, got_fakes, got_fake_work, x, trace1, trace1 - 1, aging, used, need, work, got_worked,
                               0.35)
        for a, b in zip(out, (done, faked, due, fake_hours), strict=True):
            assert a.tobytes() == b.tobytes()
        assert got.tobytes() == ref.tobytes() and got_fakes.tobytes() == ref_fakes.tobytes()
        assert got_fake_work.tobytes() == ref_fake_work.tobytes()
        assert got_worked.tobytes() == ref_worked.tobytes()
        # accountability, with the rework of found fakes (整改) on the slots filled, and without
        r = regime(Scenario(), False)
        filled = rng.random(n) > 0.1
        for share in (0.0, 0.25):
            stress, complaints = rng.random(n) * 4, rng.random(n)
            ref_stress, ref_fakes, ref_fake_work, ref_stock = stress.copy(), got_fakes.copy(), got_fake_work.copy(), got.copy()
            found, found_h = accountability.discover_fakes(ref_fakes, r.fake_discovery, 1.3, ref_fake_work)
            if share > 0:
                found *= filled
                accountability.rework(ref_stock, found, found_h * filled, INSP, share)
            events = accountability.accountability_events(due[0].sum(0), found, (done[0, 4] + done[1, 4]) * r.specialist_error,
                                                          2.0)
            events += complaints
            added = accountability.update_stress(ref_stress, events, r.accountability, r.forgiven, 0.97)
            stock_a, fakes_a, fake_work_a = got.copy(), got_fakes.copy(), got_fake_work.copy()
            got_found, got_added = accountability.stress_day(stress, fakes_a, fake_work_a, due[0], done, complaints, r, 1.3,
                                                             2.0, 0.97, stock_a, filled, share)
            assert got_found.tobytes() == found.tobytes() and got_added.tobytes() == added.tobytes()
            assert stress.tobytes() == ref_stress.tobytes() and fakes_a.tobytes() == ref_fakes.tobytes()
            assert fake_work_a.tobytes() == ref_fake_work.tobytes() and stock_a.tobytes() == ref_stock.tobytes()
            assert (stock_a != got).any() == (share > 0)  # the rework lands in the in-tray
        # burnout
        e, severe_days, filled = rng.random(n), rng.integers(0, 5, n).astype(float), rng.random(n) > 0.1
        resilience = 1 + 0.3 * (rng.random(n) - 0.5)
        ref_e, ref_days = e.copy(), severe_days.copy()
        burnout.update_exhaustion(ref_e, got_worked, 8.0, added, resilience, 0.02, 0.01, 0.03 / resilience)
        ref_e *= filled
        ref_severe = ref_e > 0.85
        ref_days += 1.0
        ref_days *= ref_severe
        severe = burnout.exhaustion_day(e, severe_days, got_worked, 8.0, added, resilience, 0.02, 0.01, 0.03 / resilience,
                                        filled, 0.85)
        assert e.tobytes() == ref_e.tobytes() and severe_days.tobytes() == ref_days.tobytes()
        assert (severe == ref_severe).all() and ref_severe.any()
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


def test_fused_patrol_equals_the_reference_functions():
    """`patrol.patrol_day` (the model's compiled pass) gives the bits of the step-by-step patrol functions."""
    rng = np.random.default_rng(5)
    for fix_penalty in (0.0, 0.7, 1.0):
        proactive_h, service_h = rng.random(60) * 6, rng.random(60) * 9
        proactive_h[:3], service_h[:2] = 0.0, 0.0  # villages with no resident-facing hours at all
        visit_need, need = rng.random(60) * 2, rng.random(60) * 5
        need[5] = 0.0
        professional = rng.random(60) * 8
        visit_h, patrol_h = patrol.split_visits_and_patrol(proactive_h, visit_need, need)
        d = patrol.discovery(0.15, fix_penalty, patrol.fixing_share(service_h, proactive_h))
        found = patrol.problems_found(patrol_h, d, professional, 0.45)
        got_visit, got_found = patrol.patrol_day(proactive_h, service_h, visit_need, need, professional, 0.15,
                                                 fix_penalty, 0.45)
        assert got_visit.tobytes() == visit_h.tobytes() and got_found.tobytes() == found.tobytes()


def _turnover_step_by_step(c, quits, day, vacancy_days, schedule):
    """The quit loop step by step, as it was written before `staffing._leave` compiled it: `hand_over` per
    leaver, in turn (and, since then, a leaver no longer takes a later leaver's backlog)."""
    from sim.core.county import post_shares

    refill_day = day + max(vacancy_days, 1)
    at_work = c.active & ~c.sick
    for i in quits:
        staffing.hand_over((c.stock_n[1], c.stock_h[1], c.stock_n[0], c.stock_h[0]), int(i), c.unit_of(int(i)), at_work)
        c.filled[i] = False
        at_work[i] = False  # she has gone: a later leaver of her unit hands over to someone else
        c.vacancy_timer[i] = refill_day
        schedule.setdefault(refill_day, []).append(int(i))
        c.exhaustion[i] = c.severe_days[i] = c.stress[i] = c.fake_stock[i] = c.fake_hours[i] = 0.0
    refilled = staffing.due_refills(schedule, day)
    c.filled[refilled] = True
    c.vacancy_timer[refilled] = 0
    if len(quits) or len(refilled):
        c.refresh_active()
        if min(list(quits) + list(refilled)) < c.n_township_cadres:
            c.post_share, c.uncovered = post_shares(c.holds, c.active, c.n_townships, c.t_slots)
    return refilled


def test_compiled_turnover_equals_the_step_by_step_hand_over():
    """`staffing.turnover` (one compiled pass over the leavers, and `update_post_share` compiled) gives the bits
    of `hand_over` leaver after leaver and of `county.post_shares`: several leavers of one unit on one day
    (the second does not hand over to the first, who has gone), units with nobody left at work,
    and lines left without a holder."""
    import copy

    from sim.core.county import build_county, update_post_share

    s = Scenario(n_townships=3, villages_per_township=4, township_cadres=3, village_cadres=3, posts_min=1, posts_max=2)
    uncovered_seen = False
    for seed in range(6):
        rng = np.random.default_rng(seed)
        c = build_county(s, np.random.default_rng(seed), np.random.default_rng(99))
        c.stock[...] = (rng.random(c.stock.shape) * 5).astype(np.float32)
        c.exhaustion[:], c.stress[:] = rng.random(c.n_cadres), rng.random(c.n_cadres)
        c.sick[:] = rng.random(c.n_cadres) < 0.2
        c.filled[1] = False  # a township vacancy, refilled on day 4
        c.refresh_active()
        update_post_share(c)  # as the model keeps it: shares follow every change of who is in post
        ref, got, ref_schedule, got_schedule = copy.deepcopy(c), c, {4: [1]}, {4: [1]}
        for day in range(6):
            quits = rng.permutation(c.n_cadres)[: rng.integers(0, 16)]
            ref_refilled = _turnover_step_by_step(ref, quits, day, 2, ref_schedule)
            got_refilled = staffing.turnover(got, quits, day, 2, got_schedule)
            assert list(ref_refilled) == list(got_refilled) and ref_schedule == got_schedule
            for name in ("stock", "filled", "vacancy_timer", "exhaustion", "severe_days", "stress", "fake_stock",
                         "fake_hours", "active", "post_share", "uncovered"):
                assert getattr(ref, name).tobytes() == getattr(got, name).tobytes(), (seed, day, name)
            uncovered_seen = uncovered_seen or bool((got.uncovered > 0).any())
    assert uncovered_seen


def _resolve_step_by_step(queue, capacity, waiting, limit, oldest):
    """The day's first come first served as it was written before one compiled pass did it: the youngest age
    any village is served at, an (ages, V) matrix of requests taken, oldest age first, each row added up by numpy,
    the day's totals added as Python adds a list. Returns (resolved, within limit, response days, complaints,
    backlog); takes the requests from `queue` in place."""
    V = queue.shape[1]
    if not waiting.any():
        return 0.0, 0.0, 0.0, np.zeros(V), 0.0
    q = queue[: oldest + 1]
    n = q.shape[0]
    older, lowest = np.zeros(V), n - 1
    for a in range(n - 1, -1, -1):  # the youngest age served
        served = capacity - older > 0.0
        if not served.any():
            break
        older[served] += q[a, served]
        lowest = a
    take, older = np.zeros((n - lowest, V)), np.zeros(V)
    for a in range(n - 1, lowest - 1, -1):
        for v in range(V):
            left = capacity[v] - older[v]
            if left > 0.0:
                take[a - lowest, v] = min(left, q[a, v])
                older[v] += q[a, v]
                q[a, v] -= take[a - lowest, v]
    by_age = take.sum(1)
    days = np.arange(lowest, n) * by_age
    resolved = sum(by_age.tolist())
    within = sum(by_age[: max(0, limit + 1 - lowest)].tolist())
    complaints = q[limit + 1].copy() if limit + 1 < n else np.zeros(V)
    return resolved, within, sum(days.tolist()), complaints, float(waiting.sum()) - resolved


def test_compiled_queue_day_equals_the_step_by_step_functions():
    """`service.start_day`, `resolve` (with its totals) and `oldest_age` give the bits of `age_queue`, numpy's
    column sums of the queue (row after row; one contiguous run for a single village), the step-by-step first
    come first served (`_resolve_step_by_step`) and `queue[a].any()`, in queues that fill, overflow the give-up
    age and empty."""
    rng = np.random.default_rng(5)
    gave_up, served_any = 0.0, False
    for V in (1, 2, 7):
        ref, got = np.zeros((12, V)), np.zeros((12, V))
        ref_oldest = got_oldest = 0
        for day in range(40):
            requests = rng.poisson(3.0 if day < 25 else 0.2, V).astype(float)
            found = rng.random(V) * (day % 3 == 0)
            given_up = service.age_queue(ref, requests + found, ref_oldest)
            ref_oldest = min(ref_oldest + 1, ref.shape[0] - 1)
            waiting = ref[: ref_oldest + 1].sum(0)
            got_given_up, got_oldest, got_waiting = service.start_day(got, requests, found, got_oldest)
            assert (given_up, ref_oldest) == (got_given_up, got_oldest) and got.tobytes() == ref.tobytes()
            gave_up += given_up
            assert got_waiting.tobytes() == waiting.tobytes()
            capacity = rng.random(V) * (0.5 if day < 30 else 8.0)
            served = service.resolve(got, capacity, got_waiting, 3, got_oldest)
            resolved, within, response, complaints, backlog = _resolve_step_by_step(ref, capacity, waiting, 3, ref_oldest)
            assert (served.resolved, served.within_limit, served.response_days, served.backlog) == (
                resolved, within, response, backlog), (V, day)
            assert served.complaints.tobytes() == complaints.tobytes() and got.tobytes() == ref.tobytes(), (V, day)
            served_any = served_any or resolved > 0
            upper = ref_oldest
            while upper > 0 and not ref[upper].any():
                upper -= 1
            ref_oldest = upper
            assert service.oldest_age(ref, got_oldest) == upper
            got[...] = ref
            got_oldest = upper
    assert gave_up > 0 and served_any


def test_compiled_village_hours_severe_list_and_complaints_equal_numpy():
    """The small compiled passes that replaced numpy glue in the day: each village's service and proactive
    hours (`TimeUse.service_village`, `proactive_village`: `County.per_village` of the float32 hours, also for
    a single village with many slots, which numpy adds pairwise), the severely exhausted in draw order, and
    complaint events per village cadre."""
    from sim.core.county import build_county
    from sim.core.mechanisms.timeuse import _village_sums

    rng = np.random.default_rng(2)
    for towns, villages, cadres in ((1, 1, 2), (1, 1, 11), (2, 3, 4), (3, 20, 5)):
        s = Scenario(n_townships=towns, villages_per_township=villages, village_cadres=cadres)
        c = build_county(s, np.random.default_rng(0), np.random.default_rng(1))
        Nt, N = c.n_township_cadres, c.n_cadres
        hours = (rng.random(N) * 10 ** rng.uniform(-3, 3, N)).astype(np.float32)
        got = np.empty(c.n_villages)
        _village_sums(hours, Nt, got)
        assert got.tobytes() == c.per_village(hours[Nt:].astype(float)).tobytes()
        severe, active = rng.random(N) < 0.3, rng.random(N) < 0.8
        expected = c.draw_order[(severe & active)[c.draw_order]]
        assert burnout.severely_exhausted(severe, active, c.draw_order).tolist() == expected.tolist()
        complaints, filled = rng.random(c.n_villages) * 3, rng.random(N - Nt) < 0.9
        ref = c.to_village_cadres(complaints) * filled * (0.7 / max(cadres, 1))
        assert accountability.complaint_events(complaints, filled, 0.7, cadres).tobytes() == ref.tobytes()


def test_compiled_draw_steps_equal_numpy():
    """The compiled steps around the day's random draws give what the numpy expressions they replaced gave,
    from the same draws: rates scaled for the season (`generate`), who is at work, who falls sick, who quits."""
    from sim.core.county import build_county

    s = Scenario(n_townships=2)
    r = regime(s, False)
    rates = generation.daily_rates(r, 24, 2, np.full(40, 300.0), 2.0 / 365)
    for season, insp in ((1.0, 1.0), (1.3, 1.0), (0.7, 2.5)):
        lam = rates.flat.copy()
        lam[rates.campaign_idx] *= season
        lam[rates.inspection_idx] *= insp
        got, ref = np.random.default_rng(4), np.random.default_rng(4)
        county_n, town_add, (specialist, requests) = generation.generate(got, rates, season, insp)
        x = ref.poisson(lam).astype(float)
        assert np.array_equal(np.concatenate([county_n.ravel(), town_add.ravel(), specialist, requests]), x)
    c = build_county(s, np.random.default_rng(0), np.random.default_rng(1))
    rng = np.random.default_rng(8)
    for _ in range(5):
        c.sick[:], c.active[:] = rng.random(c.n_cadres) < 0.2, rng.random(c.n_cadres) < 0.9
        assert c.at_work().tobytes() == (c.active & ~c.sick).astype(float).tobytes()
        severe_idx = np.flatnonzero(rng.random(c.n_cadres) < 0.3)
        severe_days = rng.integers(0, 120, c.n_cadres).astype(float)
        sick = burnout.sick_days(severe_idx, c.n_cadres, 0.4, np.random.default_rng(3))
        ref_sick = np.zeros(c.n_cadres, bool)
        ref_sick[severe_idx] = np.random.default_rng(3).random(severe_idx.size) < 0.4
        assert np.array_equal(sick, ref_sick) and sick.any()
        quits = staffing.quitters(severe_idx, severe_days, 60, 0.5, np.random.default_rng(5))
        past = severe_idx[severe_days[severe_idx] > 60]
        ref_quits = past[np.random.default_rng(5).random(past.size) < 0.5]
        assert quits.tolist() == ref_quits.tolist() and len(quits) > 0
