"""GrassrootsModel: one county, one day a step. Tasks flow from departments through townships to villages;
cadres spend their days on them; exhaustion builds; residents wait.

State lives in numpy arrays (`sim.core.county.County`); the Mesa agents in `sim.core.agents` are views onto
them, made when first asked for. `step()` is the story of one day: one call per mechanism of MODEL.md
(`sim/core/mechanisms/`), on whole arrays, with no Python loop over agents or tasks. Every sum runs in a fixed
order (numpy along an axis, never a BLAS product), so a seed gives the same run on any CPU and thread count.
"""

from __future__ import annotations

import warnings
from functools import cached_property
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from sim.core.agents import Department, TownshipCadre, VillageCadre
from sim.core.collector import RecordCollector
from sim.core.county import REAL, build_county, hierarchy, update_post_share
from sim.core.jit import pairwise_sum, total
from sim.core.levers import INSP, SERVICE, VISIT, regime
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
from sim.core.record import Recorder, summarise
from sim.core.scenario import Scenario, ScenarioError, as_scenario


class GrassrootsModel(mesa.Model):
    """A county of departments, townships and villages; see MODEL.md and docs/ODD.md.

    `setup` is a Scenario (`sim.load_scenario` reads TOML files) or a dict of fields; any scenario field may
    also be passed as a keyword (so `mesa.batch_run` and SolaraViz can set it). `scenario=` is Mesa's (see
    `__init__`). The model stops itself after the scenario's last day (`running` turns False and further steps do
    nothing), and its `datacollector` serves every day run from the daily record (`sim.core.collector`).
    """

    def __init__(self, rng: Any = None, setup: Scenario | dict | None = None, *,
                 scenario: MesaScenario | None = None, collect_every: int = 0, **fields: Any) -> None:
        """`setup` is the county and its levers: a `sim.Scenario` or a dict of fields over the defaults (it may be
        passed second, by position); keywords win over it. `scenario` is Mesa's own
        (`mesa.experimental.scenarios.Scenario`, passed on to `mesa.Model`, as SolaraViz's Reset does): its rng
        seeds the run when `rng` is not given (and `rng` seeds it when its own is None), and any scenario fields it
        carries are read like keywords. `collect_every` is accepted for old callers and has no effect: the
        DataCollector reads every day from the record (`sim.core.collector`)."""
        if isinstance(collect_every, bool) or not isinstance(collect_every, int) or collect_every < 0:
            raise ScenarioError(f"collect_every: must be a whole number of days >= 0, got {collect_every!r}")
        if isinstance(scenario, Scenario | dict):  # before setup=, the project's scenario was scenario=
            if setup is not None:
                raise ScenarioError("scenario: give the county's scenario as setup= (scenario= is Mesa's Scenario)")
            warnings.warn("GrassrootsModel(scenario=...) with a sim.Scenario or dict is deprecated: pass it as "
                          "setup= (scenario= is mesa.experimental.scenarios.Scenario)", DeprecationWarning, stacklevel=2)
            setup, scenario = scenario, None
        mesa_fields: dict[str, Any] = {}
        if scenario is not None:
            if not isinstance(scenario, MesaScenario):
                raise ScenarioError(f"scenario: expected a mesa.experimental.scenarios.Scenario, got "
                                    f"{type(scenario).__name__} (the county's scenario goes under setup=)")
            if rng is not None and scenario.rng is None:
                scenario.rng = rng  # SolaraViz's Reset passes the seed beside a fresh Scenario(): one seed for both
            mesa_fields = {k: v for k, v in scenario if k != "rng"}
        self.collect_every = collect_every
        super().__init__(rng=rng, scenario=scenario)
        p = as_scenario(setup, **{**mesa_fields, **fields})
        self.params = p
        # Independent streams: the main one never depends on lever values; extra staff draw from their own; the
        # calendar (campaign waves) is drawn once at set-up from a third (spawning it leaves the first two as they were).
        seed_seq = np.random.SeedSequence(int(self.rng.integers(2**63)))
        self._rng_main, self._rng_extra, rng_calendar = (np.random.Generator(np.random.PCG64(s)) for s in seed_seq.spawn(3))
        self.county = c = build_county(p, self._rng_main, self._rng_extra)
        self.regimes = (regime(p, False), regime(p, True))
        self.regime = self.regimes[0]
        self.day = 0
        Nt, N = c.n_township_cadres, c.n_cadres
        self._Nt = Nt
        self._sv_base = c.n_base_village // c.n_villages  # village slots filled in the baseline, per village
        self._agents_made = False
        self.running = True

        # what each mechanism needs, worked out once per regime rather than every day
        self._warmup = p.warmup_days  # unreported spin-up days before day 0 (a lived-in county)
        self._season = generation.season(p.days, p.season_amplitude, start=-self._warmup)  # index: day + warmup
        self._season *= generation.campaign_waves(rng_calendar, p.days, -self._warmup, p.campaign_waves_per_year,
                                                  p.campaign_wave_weeks, p.campaign_wave_factor)  # 运动式治理
        self._year_end = generation.year_end(p.days, -self._warmup, p.year_end_days, p.year_end_inspection_factor)
        self._holiday = generation.holidays(p.spring_festival_day, p.holiday_days)  # by day of the year
        req_day = p.requests_per_household_year / 365
        self._rates = [generation.daily_rates(reg, c.n_departments, c.n_townships, c.households, req_day) for reg in self.regimes]
        self._weekend_requests = c.households * req_day * p.weekend_request_share
        self._routing = [cascade.routing(reg, p.villages_per_township) for reg in self.regimes]
        self._town_of_vcadre = np.tile(c.town_of_village, c.v_slots)
        # by kind (5,), float32 like the stocks: clock hours per work hour, trace hours per work hour, priority
        # weights, hours per village task
        self._trace1_kind = [(1.0 + reg.trace).astype(REAL) for reg in self.regimes]
        self._trace_kind = [reg.trace.astype(REAL) for reg in self.regimes]
        self._backlog_weight_kind = [reg.weight[:5].astype(REAL) for reg in self.regimes]
        self._effort_village_kind = [reg.effort_village.astype(REAL) for reg in self.regimes]
        self._timeuse = timeuse.TimeUse.empty(c.n_cadres, c.n_villages)  # the day's allocation, refilled every day
        self._aging = [self._by_level(reg.aging_township, reg.aging) for reg in self.regimes]
        # cadres plan `planning_days` ahead: that share of their fresh work is due soon
        self._due = [self._by_level(np.minimum(1.0, p.planning_days * reg.aging_township),
                                    np.minimum(1.0, p.planning_days * reg.aging)) for reg in self.regimes]
        self._visit_need = service.visit_need(c.households, p.vulnerable_share, p.visits_per_household_month, p.effort_visit) * 7 / 5
        self._visit_needed = float(self._visit_need.sum())  # county hours of visits owed per workday
        self._patrol_need = patrol.patrol_need(c.grids, p.patrol_hours_per_grid_week)
        grids_per_town = np.bincount(c.town_of_village, weights=c.grids, minlength=c.n_townships)
        self._grid_share = c.grids / grids_per_town[c.town_of_village]  # a village's share of its township's grids
        # on a workday, by regime: purchased professionals' patrol hours, and the proactive work left to each
        # village's cadres
        self._professional_h = [reg.purchased_workers * p.professional_hours * self._grid_share for reg in self.regimes]
        self._proactive = [patrol.proactive_need(self._visit_need, self._patrol_need, h) for h in self._professional_h]
        self._professional_discovery = p.discovery_per_patrol_hour * p.professional_discovery
        self._insp_mean = max(1e-9, self.regimes[0].dept_rate[INSP] * c.n_departments)
        self._recovery = p.recovery / c.resilience  # resilient cadres recover faster

        # state carried from day to day besides the county's arrays
        self._oldest = 0  # oldest age with a request waiting
        self._found = np.zeros(c.n_villages)  # problems found on patrol, tomorrow's requests
        self._complaint_events = np.zeros(N)  # yesterday's complaints and incidents, as accountability events on the village's cadres
        self._n_vacant = 0
        self._refills: dict[int, list[int]] = {}
        self.worked = np.zeros(N)  # hours each cadre worked on the last day (clock hours)
        # County sums run over the slots in post: before extra staff are hired, the baseline's slots only
        # (the first rows of each level), so that empty extra slots leave every sum bit-identical.
        self.levels = self._slots_in_post(extra_hired=False)

        self.recorder = Recorder(p.days, Nt, N, [reg.trace / (1.0 + reg.trace) for reg in self.regimes])
        self.datacollector = RecordCollector(self)
        self._summary_cache: tuple[int, dict] = (-1, {})
        self._spin_up()
        # Mesa's step (which counts `steps` and advances `time`, then calls `step` below) runs only while there
        # are days left: after the last day a step neither advances the clock nor the county.
        self._mesa_step = self.step
        self.step = self._step_within_run

    def _step_within_run(self) -> None:
        """`model.step()`: Mesa's step while days are left; after the last day, nothing."""
        if self.day >= self.params.days:
            self.running = False
            return
        self._mesa_step()

    def _spin_up(self) -> None:
        """Warm start: `warmup_days` unreported days before day 0 under the 2018 rules, so that day 0 finds
        cadres with their usual in-trays and tiredness and residents already waiting; a no-lever run is then
        stationary from day 0. Day -k is k days before day 0 in the campaign season and the week, and every
        draw comes from the run's own streams, so a reform run equals its baseline up to the reform day."""
        for t in range(-self._warmup, 0):
            self._one_day(t, report=False)
        self.day = 0

    # ------------------------------------------------------------------------------------------------------
    # Mesa agents: views onto the arrays (one source of truth). The step never uses them, so they are made on
    # first use: a province of 150,000 cadres does not pay for 150,000 Python objects it never reads.
    @property
    def agents(self):  # type: ignore[override]
        """All agents (departments, township cadres, village cadres), made on first use."""
        self._make_agents()
        return super().agents

    @property
    def agents_by_type(self):  # type: ignore[override]
        self._make_agents()
        return super().agents_by_type

    @property
    def agent_types(self):  # type: ignore[override]
        self._make_agents()
        return super().agent_types

    def _make_agents(self) -> None:
        if self._agents_made:
            return
        self._agents_made = True
        c = self.county
        Department.create_agents(self, c.n_departments, index=list(range(c.n_departments)))
        TownshipCadre.create_agents(self, self._Nt, index=list(range(self._Nt)))
        VillageCadre.create_agents(self, c.n_cadres - self._Nt, index=list(range(self._Nt, c.n_cadres)))

    @cached_property
    def graph(self) -> nx.Graph:
        """The hierarchy (county -> departments, county -> townships -> villages -> cadres; posts link township
        cadres to departments), built when first asked for: runs that never draw it never pay for it."""
        return hierarchy(self.county)

    @property
    def timeseries(self):
        """The daily record so far as a pandas DataFrame (one row per day)."""
        return self.recorder.frame(self.day)

    # ------------------------------------------------------------------------------------------------------
    def _by_level(self, township: np.ndarray, village: np.ndarray) -> np.ndarray:
        """(5, N) float32: a per-kind rate for township cadres and another for village cadres."""
        out = np.empty((5, self.county.n_cadres), REAL)
        out[:, : self._Nt] = township[:, None]
        out[:, self._Nt :] = village[:, None]
        return out

    def _slots_in_post(self, extra_hired: bool) -> tuple[slice, slice]:
        """(township slots, village slots) that county sums run over."""
        c, Nt = self.county, self._Nt
        if extra_hired:
            return slice(0, Nt), slice(Nt, c.n_cadres)
        return slice(0, c.n_base_township), slice(Nt, Nt + c.n_base_village)

    def county_sum(self, a: np.ndarray) -> np.ndarray:
        """Sum over the cadre (last) axis of the slots in post: township sum plus village sum, each in a fixed
        order."""
        township, village = self.levels
        if a.ndim == 1:  # the compiled sum in numpy's order, without numpy's per-call cost
            return pairwise_sum(a, township.start, township.stop) + pairwise_sum(a, village.start, village.stop)
        return a[..., township].sum(-1) + a[..., village].sum(-1)


    def _uniform_village(self) -> np.ndarray:
        """A uniform draw per village cadre slot, in the order of `county.draw_order` (village by village); the
        main stream only ever serves base slots (so extra staff leave the baseline's random numbers untouched)."""
        c = self.county
        V, sv_base = c.n_villages, self._sv_base
        u = self._rng_main.random(V * sv_base).reshape(V, sv_base).T.ravel()
        if sv_base == c.v_slots:
            return u
        extra = self._rng_extra.random(V * (c.v_slots - sv_base)).reshape(V, -1).T.ravel()
        return np.concatenate([u, extra])

    def _switch_regime(self) -> None:
        """Reform day: levers that change who is at work act once (secondment, extra staff)."""
        c, r = self.county, self.regimes[1]
        self.regime = r
        if r.secondment == 0.0:
            c.seconded[:] = False
        if r.extra_active:
            c.filled |= c.extra
            self.levels = self._slots_in_post(extra_hired=True)
        c.refresh_active()
        update_post_share(c)

    # ------------------------------------------------------------------------------------------------------
    def step(self) -> None:
        """One reported day (see `_one_day`)."""
        if self.day >= self.params.days:
            self.running = False
            return
        self._one_day(self.day, report=True)

    def _one_day(self, t: int, report: bool) -> None:
        """One day: the nine mechanisms of MODEL.md in order, each a call on whole arrays. Days before 0 are
        the unreported spin-up."""
        p, c = self.params, self.county
        if t == p.policy_start_day:
            self._switch_regime()
        r = self.regime
        reform = int(r.reform)
        weekday = t % 7 < 5 and not self._holiday[t % 365]  # departments rest at weekends and the Spring Festival;
        # residents and petitions do not
        Nt, sv = self._Nt, c.v_slots
        work = c.at_work()  # at work today (1.0) or not (0.0)
        vwork = work[Nt:]

        # 1 generation: department tasks and meetings, township additions, specialist cases, resident requests
        if weekday:
            county_n, town_add, village_draw = generation.generate(self._rng_main, self._rates[reform], self._season[t + self._warmup],
                                                                      self._year_end[t + self._warmup])
            specialist, requests = village_draw
        else:
            requests = self._rng_main.poisson(self._weekend_requests).astype(float)

        # 2 cascade: down the hierarchy, the duty list returning some; yesterday's petitions reach the villages
        if weekday:
            arrivals = cascade.cascade(county_n[:5], town_add[:5], specialist, c.petitions, c.post_share,
                                       c.town_of_village, self._routing[reform], c.uncovered)
        else:
            arrivals = cascade.petitions_only(c.petitions, Nt)

        # 3 assignment: township tasks to post holders, village tasks to the least-loaded village cadres
        # (the least loaded by hours pending before today's arrivals; the secretary keeps the village's reports, S2)
        v_dropped = assignment.assign_day(
            c.stock, arrivals.township_n, arrivals.township_h, arrivals.village_n, work, c.secretary,
            c.secretary_form if p.secretary_form_weight != p.secretary_weight else None, sv, p.load_aversion,
            self._effort_village_kind[reform])

        # 4 time allocation: fixed items, then overtime under pressure, then the flexible split by priority
        if weekday:
            meet = timeuse.fixed_items(county_n[5], town_add[5], c.post_share, self._town_of_vcadre, self._uniform_village(), r,
                                       work=work, cap=p.fixed_hours_cap)  # only cadres at work attend
            fixed = meet.hours
            present = meet.present  # in the village and able to serve residents
        else:
            meet = None
            fixed = np.zeros(c.n_cadres)
            present = vwork
        # 8 service, morning: residents' requests and yesterday's finds on patrol join the queue; those who waited
        # too long give up (what waits now is a demand on the cadres' time below)
        given_up, self._oldest, waiting = service.start_day(c.queue, requests, self._found, self._oldest)
        if weekday:
            professional_h, proactive = self._professional_h[reform], self._proactive[reform]
        else:
            professional_h, proactive = 0.0, np.zeros(c.n_villages)
        # demands (backlog with its trace, residents waiting, proactive work), hours due, capacity with overtime,
        # priority = accountability weight x urgency (service lowered by stress), the water-filling split
        day = timeuse.allocate_day(
            self._timeuse, weekday=weekday, stock=c.stock, due=self._due[reform], trace1=self._trace1_kind[reform],
            backlog_weight=self._backlog_weight_kind[reform], fixed=fixed, work=work, present=present, waiting=waiting,
            proactive=proactive, exhaustion=c.exhaustion, stress=c.stress, service_weight=r.weight[SERVICE],
            proactive_weight=r.weight[VISIT], p=p)
        x, need, inv_prod, used, worked = day.x, day.need, day.inv_prod, day.used, day.worked.copy()

        # 5 trace and fake completion: substantive work on overdue first, then fresh; the rest falls due
        done, faked, fell_due, fake_hours = trace.settle_day(
            c.stock, c.fake_stock, c.fake_hours, x, self._trace1_kind[reform], self._trace_kind[reform],
            self._aging[reform], used, need, work, worked, p.fake_propensity)  # worked now includes the hours faking
        self.worked = worked

        # 6 accountability: overdue tasks, discovered fakes (which come back as rework, 整改), specialist errors,
        # yesterday's complaints and incidents raise stress
        insp_factor = total(county_n[INSP]) / self._insp_mean if weekday else 0.0
        found, stress_added = accountability.stress_day(
            c.stress, c.fake_stock, c.fake_hours, fell_due[0], done, self._complaint_events, r, insp_factor,
            p.fake_found_weight, p.stress_decay, c.stock, c.filled, p.rework_share if weekday else 0.0)
        if weekday and p.rework_share > 0:  # the rework is new work: counted as created
            arrivals.created[INSP] += float(self.county_sum(found))

        # 7 burnout: exhaustion, sick days; quitting and vacancies
        severe = burnout.exhaustion_day(c.exhaustion, c.severe_days, worked, p.regular_hours, stress_added, c.resilience,
                                        r.exhaustion_gain, p.stress_gain, self._recovery, c.filled, p.severe_threshold)
        severe_idx = burnout.severely_exhausted(severe, c.active, c.draw_order)  # unit by unit: who draws which number
        c.sick = burnout.sick_days(severe_idx, len(severe), p.sick_rate, self._rng_main)
        quits = staffing.quitters(severe_idx, c.severe_days, p.quit_after_days, p.quit_rate, self._rng_main)
        refilled = staffing.turnover(c, quits, t, p.vacancy_days, self._refills)
        self._n_vacant += len(quits) - len(refilled)

        # 8 service: requests resolved oldest first with the hours of cadres present; complaints become petitions
        service_h = day.service_village  # (V,) hours given to residents' requests (allocate_day summed each village's)
        served = service.resolve(c.queue, service_h / p.effort_service, waiting, p.service_limit_days, self._oldest)
        self._oldest = service.oldest_age(c.queue, self._oldest)
        served.complaints, c.petitions = accountability.petitions(served.complaints, p.complaint_share,
                                                                  p.effort_petition, p.effort_campaign)
        served.complaints_total = total(served.complaints)
        accountability.complaint_events(served.complaints, c.filled[Nt:], p.complaint_accountability, p.village_cadres,
                                        out=self._complaint_events[Nt:])

        # 9 grid patrol and visits: found problems join tomorrow's queue, fewer the more of a village's hours go to
        # fixing; missed visits risk incidents, which bring accountability on the villages that missed them
        if weekday:
            proactive_h = day.proactive_village
            visit_h, self._found = patrol.patrol_day(proactive_h, service_h, self._visit_need, proactive, professional_h,
                                                     r.patrol_discovery, r.fix_penalty, self._professional_discovery)
            visit_needed, visit_done = self._visit_needed, total(visit_h)
            visit_split = visit_done / max(total(proactive_h), 1e-12)
        else:
            self._found = np.zeros(c.n_villages)
            visit_h = self._visit_need * 0.0  # no visits at weekends (and so no incidents: none were needed)
            visit_needed = visit_done = visit_split = 0.0
        incidents = service.incidents(self._rng_main, visit_needed - visit_done, p.effort_visit, p.incident_rate)
        if incidents > 0:  # an incident brings accountability down on the villages that missed visits, tomorrow
            self._complaint_events[Nt:] += accountability.incident_events(
                incidents, np.maximum(self._visit_need - visit_h, 0.0), c.filled[Nt:], p.incident_accountability,
                p.village_cadres, sv)

        if not report:
            return
        self.recorder.record(
            t, self, x=x, inv_prod=inv_prod, r=r, work=work, worked=worked, fake_hours=fake_hours, meet=meet,
            arr=arrivals, v_dropped=v_dropped, done=done, faked=faked[0], found=found, served=served,
            arrived=total(requests), problems=total(self._found), quits=len(quits), visit_split=visit_split,
            visit_done=visit_done, visit_needed=visit_needed, incidents=incidents, weekday=weekday, given_up=given_up,
        )
        self.day = t + 1
        if self.day >= p.days:
            self.running = False

    def run(self, days: int | None = None) -> None:
        """Run to the end of the scenario (or `days` more days)."""
        end = self.params.days if days is None else min(self.params.days, self.day + days)
        while self.day < end:
            self.step()

    def summary(self) -> dict[str, float]:
        """Summary outcomes of the days run so far (`_before` / `_after` windows; see docs/outcomes.md)."""
        if self._summary_cache[0] != self.day:
            p = self.params
            self._summary_cache = (self.day, summarise(self.recorder.data[: self.day], self.day, p.policy_start_day, 0))
        return self._summary_cache[1]

    def collect(self) -> None:
        """Nothing to do, kept for callers that collect every step: the DataCollector reads every day run from
        the record (`sim.core.collector`)."""
        self.datacollector.collect(self)

