"""Policy levers: turn a Scenario into the effective parameters of one regime (before or after the reform day).

Each lever acts in exactly one place here, on the mechanism MODEL.md names; the model computes both regimes
once and swaps them at `policy_start_day`, so a lever costs nothing per day and a run with every lever at its
default uses the very same numbers before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.scenario import Scenario

# Backlog kinds: upper tasks that wait in a cadre's in-tray (meetings and apps are fixed daily items).
BACKLOG = ("document", "inspection", "form", "campaign", "specialist")
DOC, INSP, FORM, CAMP, SPEC = range(5)
# Priority weights in `Regime.weight`: the backlog kinds, then resident service, then proactive village work
# (vulnerable-household visits and grid patrol share one demand row in the daily allocation).
SERVICE, VISIT, PATROL = 5, 6, 7



@dataclass(frozen=True)
class Regime:
    """Effective daily parameters of one regime. Arrays are indexed by BACKLOG kind unless named otherwise."""

    reform: bool
    dept_rate: np.ndarray  # (5,) upper tasks per department per workday, by backlog kind (specialist: 0)
    meetings_per_dept_day: float  # county meetings per department per workday
    specialist_per_village_day: float
    township_addition: float
    push: np.ndarray  # (5,) share of each kind pushed down to villages
    returned: np.ndarray  # (5,) share of each kind returned to departments (duty list)
    effort_township: np.ndarray  # (5,) work hours per task at township (own tasks)
    effort_village: np.ndarray  # (5,) work hours per task at village (amplified)
    relay_effort: np.ndarray  # (5,) hours a township cadre spends relaying a pushed task
    trace: np.ndarray  # (5,) trace hours per hour of work, defensiveness included
    aging: np.ndarray  # (5,) share of fresh tasks that pass their deadline per day (village deadlines pulled)
    aging_township: np.ndarray  # (5,)
    weight: np.ndarray  # (8,) priority weights: 5 backlog kinds, service, visits, patrol
    meeting_hours: float
    village_meeting_hours: float
    travel_township: float  # township cadre to county, round trip
    travel_village: float  # village cadre to the meeting place, round trip
    village_tier_meetings: bool  # a relayed meeting is held again in the village
    attend_share: float  # share of village cadres summoned to a township-tier meeting
    video: float  # share of meetings attended by video
    app_hours_township: float
    app_hours_village: float
    township_service_hours: float  # hours a township cadre staffs the township service hall each workday
    secondment: float  # share of township cadres away upward
    village_work_factor: float  # plaque lines of work reaching villages
    accountability: float
    forgiven: float  # error tolerance
    exhaustion_gain: float
    patrol_discovery: float  # problems found per hour of cadre patrol by a cadre who fixes nothing
    fix_penalty: float  # share of finds lost at an all-fixing load (0 once patrol and office are separated)
    purchased_workers: int  # professional grid workers per township
    extra_active: bool  # extra staff slots are filled
    fake_discovery: float
    specialist_error: float


def regime(s: Scenario, reform: bool) -> Regime:
    """Effective parameters; with reform=False every lever is ignored (the 2018 baseline rules)."""
    on = reform
    doc_cut = s.document_cut if on else 0.0
    meet_cut = s.meeting_cut if on else 0.0
    insp_cut = s.inspection_cut if on else 0.0
    week = 5.0
    rate = np.array(
        [
            s.documents_per_dept_week * (1 - doc_cut),
            s.inspections_per_dept_week * (1 - insp_cut),
            s.forms_per_dept_week,
            s.campaigns_per_dept_week,
            0.0,
        ]
    ) / week
    effort = np.array([s.effort_document, s.effort_inspection, s.effort_form, s.effort_campaign, s.effort_specialist])
    if on and s.paperless:
        effort[DOC] *= 1 - s.paperless_doc_saving
    if on and s.no_video_ppt:
        effort[INSP] *= 1 - s.video_ppt_share
    if on and s.training > 0:
        effort[SPEC] *= 1 - s.specialist_speedup * s.training
    meetings = s.meetings_per_dept_week * (1 - meet_cut) / week
    if on and s.displacement > 0:  # S1: the cut reappears as forms, hour for hour
        cut_hours = (
            s.documents_per_dept_week * doc_cut * s.effort_document
            + s.inspections_per_dept_week * insp_cut * s.effort_inspection
            + s.meetings_per_dept_week * meet_cut * s.meeting_hours
        ) / week
        rate[FORM] += s.displacement * cut_hours / s.effort_form
    if on and s.form_dedup > 0:  # 一表通: duplicate data requests merged into one form
        rate[FORM] *= 1 - s.form_dedup * s.form_duplicate_share
    push = np.array([s.push_document, s.push_inspection, s.push_form, s.push_campaign, s.push_specialist])
    returned = np.zeros(5)
    addition = s.township_addition
    effort_factor = np.ones(5)
    if on and s.duty_list:
        for k, kind in enumerate(BACKLOG):
            basic, coop, ret = s.duty_shares.get(kind, [1.0, 0.0, 0.0])
            # the lists count items; an item returned is on average `returned_workload` of a kept item's work
            ret *= s.returned_workload
            total = basic + coop + ret
            if total > 0:
                basic, coop, ret = basic / total, coop / total, ret / total
            pushed_back = ret * s.returned_pushback  # 属地管理: part of the returned work comes back down to assist
            returned[k] = ret - pushed_back
            coop += pushed_back
            kept = basic + coop
            effort_factor[k] = (basic + coop * s.cooperation_effort) / kept if kept > 0 else 1.0
        addition *= 1 - float(returned.mean())  # nothing off the list may be added on the way down
    accountability = s.accountability if (on and s.accountability is not None) else s.accountability_base
    trace = np.array([s.trace_document, s.trace_inspection, s.trace_form, s.trace_campaign, s.trace_specialist])
    trace = trace * (1 + s.defensiveness * accountability)
    deadline = np.array([s.deadline_document, s.deadline_inspection, s.deadline_form, s.deadline_campaign, s.deadline_specialist])
    consolidated = on and s.meeting_consolidation
    video = s.video_conferencing if on else 0.0
    apps_t, apps_v = s.apps_township, s.apps_village
    if on and s.app_cap > 0:
        apps_t, apps_v = min(apps_t, s.app_cap), min(apps_v, s.app_cap)
    plaques = s.plaques_per_village
    if on and s.plaque_cap > 0 and plaques > 0:
        village_work = 1 - s.plaque_work_share * (1 - min(1.0, s.plaque_cap / plaques))
    else:
        village_work = 1.0
    training = s.training if on else 0.0
    separated = on and s.patrol_office_separation
    workers = s.grid_purchase if on else 0
    amplified = np.full(5, s.amplification)
    amplified[SPEC] = 1.0  # a satellite case is what it is: the township cannot add to it
    weight = np.array(
        [s.weight_document, s.weight_inspection, s.weight_form, s.weight_campaign, s.weight_specialist,
         s.service_orientation, s.weight_visit, s.weight_visit]
    )
    return Regime(
        reform=on,
        dept_rate=rate,
        meetings_per_dept_day=meetings,
        specialist_per_village_day=s.specialist_per_village_month * 12 / 365,
        township_addition=addition,
        push=push,
        returned=returned,
        effort_township=effort * effort_factor * s.township_effort,
        effort_village=effort * effort_factor * amplified,
        relay_effort=effort * effort_factor * s.township_effort * s.relay_share,
        trace=trace,
        aging=1.0 / np.maximum(deadline * s.deadline_pull, 1.0),
        aging_township=1.0 / deadline,
        weight=weight,
        meeting_hours=s.meeting_hours,
        village_meeting_hours=s.meeting_hours * s.village_meeting_share,
        travel_township=s.travel_township_county,
        travel_village=s.travel_village_township + (s.travel_township_county if consolidated else 0.0),
        village_tier_meetings=not consolidated,
        attend_share=s.village_meeting_attendance,
        video=video,
        app_hours_township=apps_t * s.app_minutes / 60,
        app_hours_village=apps_v * s.app_minutes / 60,
        township_service_hours=s.township_service_hours,
        secondment=0.0 if (on and s.secondment_ban) else s.secondment_share,
        village_work_factor=village_work,
        accountability=accountability,
        forgiven=s.error_tolerance if on else 0.0,
        exhaustion_gain=s.exhaustion_gain * (1 - s.training_buffer * training),
        patrol_discovery=s.discovery_per_patrol_hour,
        fix_penalty=0.0 if separated else s.patrol_fix_penalty,
        purchased_workers=workers,
        extra_active=on and s.extra_staff > 0,
        fake_discovery=s.fake_discovery,
        specialist_error=s.specialist_error * (1 - training),
    )
