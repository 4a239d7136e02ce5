"""GrassrootsModel: one county, one day a step. Tasks flow from departments through townships to villages;
cadres spend their days on them; exhaustion builds; residents wait.

State lives in numpy arrays (`sim.county.County`); the Mesa agents in `sim.agents` are views onto them. The
daily step is a fixed sequence of array operations, one call per mechanism of MODEL.md, with no Python loop
over agents or tasks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.datacollection import DataCollector

from . import accountability, assignment, burnout, cascade, generation, patrol, service, staffing, timeuse, trace
from .agents import Department, TownshipCadre, VillageCadre
from .county import build_county, hierarchy, update_post_share
from .levers import INSP, PATROL, PROFESSIONAL_DISCOVERY, PROFESSIONAL_HOURS, SERVICE, SPEC, VISIT, regime
from .loader import load_scenario
from .record import COLUMNS, Recorder
from .scenario import Scenario

PLANNING_DAYS = 2.0  # cadres plan two days ahead: work due by then is urgent (assumption)


class GrassrootsModel(mesa.Model):
    """A county of departments, townships and villages; see MODEL.md and docs/ODD.md.

    `scenario` is a Scenario, a path to a TOML file or a dict of fields; any scenario field may also be
    passed as a keyword (so `mesa.batch_run` and SolaraViz can set it).
    """

    def __init__(self, rng: Any = None, scenario: Scenario | str | Path | dict | None = None, **fields: Any) -> None:
        super().__init__(rng=rng)
        p = load_scenario(scenario, **fields)
        self.params = p
        # Independent streams: the main one never depends on lever values; extra staff draw from their own.
        seed_seq = np.random.SeedSequence(int(self.rng.integers(2**63)))
        self._rng_main, self._rng_extra = (np.random.Generator(np.random.PCG64(s)) for s in seed_seq.spawn(2))
        self.county = c = build_county(p, self._rng_main, self._rng_extra)
        self.graph = hierarchy(c)
        self.regimes = (regime(p, False), regime(p, True))
        self.regime = self.regimes[0]
        self.day = 0
        self._season = generation.season(p.days, p.season_amplitude)
        req_day = p.requests_per_household_year / 365
        self._rates = {
            (reform, weekday): generation.daily_rates(
                self.regimes[reform], c.n_departments, c.n_townships, c.households, req_day, weekday,
                p.weekend_request_share)
            for reform in (False, True) for weekday in (False, True)
        }
        self._visit_need = service.visit_need(c.households, p.vulnerable_share, p.visits_per_household_month, p.effort_visit)
        self._patrol_need = patrol.patrol_need(c.grids, p.patrol_hours_per_grid_week)
        grids_per_town = np.bincount(c.town_of_village, weights=c.grids, minlength=c.n_townships)
        self._grid_share = c.grids / grids_per_town[c.town_of_village]  # a village's share of its township's grids
        Nt, N = c.n_township_cadres, c.n_cadres
        self._Nt = Nt
        self._is_village = np.arange(N) >= Nt
        self._village_of = np.repeat(np.arange(c.n_villages), c.v_slots)
        self._town_of_vcadre = c.town_of_village[self._village_of]
        self._base = ~c.extra
        self._n_base = int(self._base.sum())
        self._oldest = 0
        self._found = np.zeros(c.n_villages)
        self._insp_mean = max(1e-9, self.regimes[0].dept_rate[INSP] * c.n_departments)
        self.recorder = Recorder(p.days, N)
        self._due = []
        for reg in self.regimes:
            due = np.empty((5, N))
            due[:, :Nt] = np.minimum(1.0, PLANNING_DAYS * reg.aging_township)[:, None]
            due[:, Nt:] = np.minimum(1.0, PLANNING_DAYS * reg.aging)[:, None]
            self._due.append(due)
        self.running = True

        # Mesa agents: views onto the arrays (one source of truth)
        Department.create_agents(self, c.n_departments, index=list(range(c.n_departments)))
        TownshipCadre.create_agents(self, Nt, index=list(range(Nt)))
        VillageCadre.create_agents(self, N - Nt, index=list(range(Nt, N)))
        self.datacollector = DataCollector(model_reporters={name: _reporter(name) for name in COLUMNS if name != "day"})

    # ------------------------------------------------------------------------------------------------------
    @property
    def timeseries(self):
        """The daily record so far as a pandas DataFrame (one row per day)."""
        return self.recorder.frame(self.day)

    def _uniform(self, rows: int) -> np.ndarray:
        """Uniform draws per cadre slot; the main stream only ever serves base slots."""
        if self._n_base == self.county.n_cadres:
            return self._rng_main.random((rows, self._n_base))
        u = np.empty((rows, self.county.n_cadres))
        u[:, self._base] = self._rng_main.random((rows, self._n_base))
        u[:, ~self._base] = self._rng_extra.random((rows, self.county.n_cadres - self._n_base))
        return u

    @property
    def _due_share(self) -> np.ndarray:
        """(5, N) share of each fresh stock due within the planning horizon (urgency of fresh work)."""
        return self._due[self.regime.reform]

    def _switch_regime(self) -> None:
        """Reform day: levers that change who is at work act once (secondment, extra staff)."""
        c, r = self.county, self.regimes[1]
        self.regime = r
        if r.secondment == 0.0:
            c.seconded[:] = False
        if r.extra_active:
            c.filled |= c.extra
        update_post_share(c)

    def step(self) -> None:
        """One day."""
        p, c = self.params, self.county
        t = self.day
        if t >= p.days:
            self.running = False
            return
        if t == p.policy_start_day and t > 0 or (t == 0 and p.policy_start_day == 0):
            self._switch_regime()
        r = self.regime
        weekday = t % 7 < 5
        Nt, sv = self._Nt, c.v_slots
        rec = self.recorder
        u = self._uniform(3)

        # 1 generation
        county_n, town_add, village_draw = generation.generate(self._rng_main, self._rates[(r.reform, weekday)], self._season[t])
        # 2 cascade
        arr = cascade.cascade(county_n[:5], town_add[:5], village_draw[0], c.petitions, c.post_share, c.town_of_village, r)
        at_work = c.active & ~c.sick
        load = c.fresh_h.sum(0) + c.late_h.sum(0)
        # 3 assignment
        shares = assignment.village_shares(load[Nt:], at_work[Nt:], c.secretary[Nt:], sv)
        v_n, v_dropped = assignment.assign_to_village_cadres(arr.village_n, shares, sv)
        c.fresh_n[:, :Nt] += arr.township_n
        c.fresh_h[:, :Nt] += arr.township_h
        c.fresh_n[:, Nt:] += v_n
        c.fresh_h[:, Nt:] += v_n * r.effort_village[:, None]

        # 4 time allocation: fixed items, then overtime, then the flexible split
        fixed = np.zeros(c.n_cadres)
        meetings = np.zeros(c.n_cadres)
        away = np.zeros(c.n_cadres)
        if weekday:
            m_county = county_n[5]
            town_meet = m_county.sum() + (town_add[5] if r.village_tier_meetings else 0.0)
            if np.ndim(town_meet) == 0:
                town_meet = np.full(c.n_townships, town_meet)
            mt = timeuse.township_meetings(m_county, c.post_share)
            mv = timeuse.village_meetings(town_meet, self._town_of_vcadre, r.attend_share, u[0, Nt:])
            inperson = 1.0 - r.video
            meetings[:Nt] = mt
            meetings[Nt:] = mv
            fixed[:Nt] = mt * (r.meeting_hours + r.travel_township * inperson) + r.app_hours_township
            fixed[Nt:] = mv * (r.meeting_hours + r.travel_village * inperson) + r.app_hours_village
            away[Nt:] = np.minimum(1.0, mv * inperson)
            if r.village_tier_meetings:
                vt = town_meet[self._town_of_vcadre]
                fixed[Nt:] += vt * r.village_meeting_hours
                meetings[Nt:] += vt
            fixed *= at_work
            meetings *= at_work
            travel_hours = float((meetings[:Nt] @ np.ones(Nt)) * r.travel_township * inperson + mv @ at_work[Nt:] * r.travel_village * inperson)
        else:
            travel_hours = 0.0
        fixed = np.minimum(fixed, 16.0)
        self.fixed_hours = float(fixed.sum())
        prod = burnout.productivity(c.exhaustion, p.productivity_loss)
        present = at_work[Nt:] * (1.0 - away[Nt:])  # in the village and able to serve residents
        pres_v = present.reshape(-1, sv).sum(1)
        pres_share = present / np.repeat(np.where(pres_v > 0, pres_v, 1.0), sv)
        work_v = at_work[Nt:].reshape(-1, sv).sum(1)
        work_share = at_work[Nt:] / np.repeat(np.where(work_v > 0, work_v, 1.0), sv)
        c.queue = service.age_queue(c.queue, village_draw[1] + self._found)
        self._oldest = min(self._oldest + 1, c.queue.shape[0] - 1)
        waiting = c.queue[: self._oldest + 1].sum(0)
        demand = np.zeros((8, c.n_cadres))
        demand[:5] = (c.fresh_h + c.late_h) * (1.0 + r.trace[:, None])
        demand[SERVICE, Nt:] = np.repeat(waiting * p.effort_service, sv) * pres_share
        workers_hours = r.purchased_workers * PROFESSIONAL_HOURS * self._grid_share if weekday else 0.0
        patrol_left = np.maximum(self._patrol_need - workers_hours, 0.0) if weekday else np.zeros(c.n_villages)
        if weekday:
            demand[VISIT, Nt:] = np.repeat(self._visit_need * 7 / 5, sv) * work_share
            demand[PATROL, Nt:] = np.repeat(patrol_left, sv) * work_share
        demand *= at_work
        clock_demand = demand / prod
        # what is due within the planning horizon drives overtime; the rest of the in-tray can wait
        due = clock_demand.copy()
        due[:5] = (c.late_h + c.fresh_h * self._due_share) * (1.0 + r.trace[:, None]) * at_work / prod
        need = due.sum(0)
        if weekday:
            regular_left = np.maximum(p.regular_hours - fixed, 0.0) * at_work
            extra = timeuse.overtime(need, regular_left, p.overtime_pressure, p.overtime_cap) * at_work
            capacity = np.minimum(regular_left + extra, 24.0 - fixed)
        else:
            extra = timeuse.overtime(need, p.regular_hours, p.overtime_pressure, p.weekend_cap) * at_work
            capacity = extra
        weight = np.empty((8, c.n_cadres))
        late_share = c.late_h / np.maximum(c.fresh_h + c.late_h, 1e-12)
        weight[:5] = r.weight[:5, None] * (late_share + (1.0 - late_share) * self._due_share)
        weight[SERVICE] = accountability.service_orientation(r.weight[SERVICE], c.stress, p.defensiveness)
        weight[VISIT:] = r.weight[VISIT:, None]
        x = timeuse.allocate(clock_demand, weight, capacity)
        used = x.sum(0)
        worked = fixed + (np.maximum(used, np.minimum(capacity, np.maximum(p.regular_hours - fixed, 0.0))) if weekday else used)
        worked *= at_work

        # 5 trace and fake completion: substantive work on overdue first, then fresh; the rest falls due
        substantive = x[:5] * prod / (1.0 + r.trace[:, None])
        late_done, used_late = trace.work_off(c.late_n, c.late_h, substantive)
        fresh_done, _ = trace.work_off(c.fresh_n, c.fresh_h, substantive - used_late)
        shortfall = np.clip(1.0 - used / np.maximum(need, 1e-12), 0.0, 1.0) * (need > 0)
        aging = np.empty((5, c.n_cadres))
        aging[:, :Nt] = r.aging_township[:, None]
        aging[:, Nt:] = r.aging[:, None]
        faked, fake_h, new_late_n, new_late_h = trace.fake_or_fall_due(
            c.fresh_n, c.fresh_h, aging, shortfall, p.fake_propensity, r.trace)
        fake_hours = fake_h.sum(0)
        room = np.maximum(24.0 - worked, 0.0)
        fake_hours = np.minimum(fake_hours, room)
        worked += fake_hours
        c.late_n += new_late_n
        c.late_h += new_late_h
        c.fake_stock += faked.sum(0)

        # 6 accountability
        insp_factor = float(county_n[INSP].sum()) / self._insp_mean if weekday else 0.0
        found = accountability.discover_fakes(c.fake_stock, r.fake_discovery, insp_factor)
        errors = (late_done[SPEC] + fresh_done[SPEC]) * r.specialist_error
        events = accountability.accountability_events(new_late_n.sum(0), found, errors)
        stress_added = accountability.update_stress(c.stress, events, r.accountability, r.forgiven)

        # 7 burnout, sick days, quitting and vacancies
        burnout.update_exhaustion(c.exhaustion, worked, p.regular_hours, stress_added, c.resilience,
                                  r.exhaustion_gain, p.stress_gain, p.recovery)
        c.exhaustion *= c.filled  # an empty slot carries no exhaustion
        severe = c.exhaustion > p.severe_threshold
        c.severe_days = np.where(severe, c.severe_days + 1, 0.0)
        c.sick = burnout.sick_days(c.exhaustion, p.severe_threshold, p.sick_rate, u[1]) & c.active
        quits = staffing.quitters(c.severe_days, c.active, p.quit_after_days, p.quit_rate, u[2])
        for i in quits:  # a handful a year: a loop over today's leavers, not over agents
            size, start = (c.t_slots, 0) if i < Nt else (sv, Nt)
            first = start + (i - start) // size * size
            unit = slice(first, first + size)
            staffing.hand_over((c.fresh_n, c.fresh_h, c.late_n, c.late_h), int(i), unit, c.active & ~c.sick)
            c.filled[i] = False
            c.vacancy_timer[i] = max(p.vacancy_days, 1)
            c.exhaustion[i] = c.severe_days[i] = c.stress[i] = c.fake_stock[i] = 0.0
        refilled = staffing.tick_vacancies(c.vacancy_timer)
        c.filled[refilled] = True
        if quits.size or refilled.size:
            update_post_share(c)

        # 8 service: resolve with service hours of cadres present in the village; complaints return as tasks
        serve_h = (x[SERVICE, Nt:] * prod[Nt:]).reshape(-1, sv).sum(1)
        served = service.resolve(c.queue, serve_h / p.effort_service, p.service_limit_days, self._oldest)
        while self._oldest > 0 and not c.queue[self._oldest].any():
            self._oldest -= 1
        complaints = served.complaints * p.complaint_share
        served.complaints = complaints
        c.petitions = complaints * (p.effort_petition / p.effort_campaign)
        visit_done = float(x[VISIT].sum())
        visit_needed = float(demand[VISIT].sum())
        # 9 grid patrol: found problems join tomorrow's queue
        patrol_h = (x[PATROL, Nt:] * prod[Nt:]).reshape(-1, sv).sum(1)
        prof_h = workers_hours if weekday else np.zeros(c.n_villages)
        self._found = patrol.problems_found(patrol_h, r.patrol_discovery, prof_h * np.ones(c.n_villages),
                                            p.discovery_per_patrol_hour * PROFESSIONAL_DISCOVERY)
        incidents = float(self._rng_main.poisson(max(visit_needed - visit_done, 0.0) / p.effort_visit * p.incident_rate))

        rec.record(
            t, self, x=x, r=r, worked=worked, fake_hours=fake_hours, meetings=meetings, travel_hours=travel_hours,
            arr=arr, v_dropped=v_dropped, late_done=late_done, fresh_done=fresh_done, faked=faked, found=found,
            served=served, arrived=float(village_draw[1].sum()), problems=float(self._found.sum()), quits=len(quits),
            visit_done=visit_done, visit_needed=visit_needed, incidents=incidents, weekday=weekday,
        )
        self.day = t + 1
        if self.day >= p.days:
            self.running = False

    def run(self, days: int | None = None) -> None:
        """Run to the end of the scenario (or `days` more days)."""
        end = self.params.days if days is None else min(self.params.days, self.day + days)
        while self.day < end:
            self.step()

    def collect(self) -> None:
        """Copy today's record into the Mesa DataCollector (the dashboard calls this; batch runs need not)."""
        self.datacollector.collect(self)


def _reporter(name: str):
    idx = COLUMNS.index(name)

    def report(model: GrassrootsModel) -> float:
        return float(model.recorder.data[max(model.day - 1, 0), idx])

    return report
