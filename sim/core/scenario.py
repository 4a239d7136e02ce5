"""Scenario: every number the model reads, with its valid range and its source.

A scenario is a flat set of fields over these defaults (the 2018 baseline). Sources: `S0`..`S4` are the seed
pages, other names are the rows of `shared/domain/BRIEF.md`; "assumption" marks a number BRIEF.md does not
give, chosen so the baseline lands in the calibration ranges of MODEL.md (see docs/ODD.md).
"""

from __future__ import annotations

import math
import re
import sys
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

KINDS = ("document", "meeting", "inspection", "form", "app", "campaign", "specialist", "service", "visit")

# Bounds from what the model can compute. Its stocks are float32 (largest 3.4e38, 7 significant digits) and one
# day's work multiplies at most six free amounts (rate x effort x (1 + trace) x township effort x amplification x
# priority weight): with every amount in [1e-3, 1e3] that product stays below 1e18, and summed over 2e5 cadres and
# 3650 days below 1e28, ten decades short of overflow; reciprocals (a task ages by 1/deadline a day) stay <= 1e3.
# So every amount without a bound of its own (rates, hours, days, factors, weights) lies in [0 or 1e-3, 1e3].
MIN_AMOUNT = 1e-3
MAX_AMOUNT = 1e3
MAX_NAME = 200  # characters of a name (it labels progress bars, tables and figures)
MAX_TEXT = 10_000  # characters of a description or a file name
# Characters a name or description may not hold: C0 and C1 controls (NUL, escape sequences that rewrite the
# terminal), DEL, and the bidirectional marks and overrides (U+061C, U+200E-F, U+202A-E, U+2066-9) that make text
# print in another order than it is stored. A description may hold newlines and tabs (it is prose); a name not.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NAME = re.compile("[\t\n]|" + _CONTROL.pattern)


def control_character(text: str, name: bool = True) -> str | None:
    """'U+202E at character 4' for the first control or bidi character in `text` (newlines and tabs count in a
    name, not in a description), or None."""
    m = (_CONTROL_NAME if name else _CONTROL).search(text)
    return None if m is None else f"U+{ord(m.group()):04X} at character {m.start() + 1}"


Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0, le=MAX_AMOUNT)]
Pos = Annotated[float, Field(ge=MIN_AMOUNT, le=MAX_AMOUNT)]

MAX_DAYS = 3650  # ten years: beyond this a run is not a policy question, and memory grows linearly
MAX_CADRES = 300_000  # a province: 2,000 townships of the default size


class ScenarioError(ValueError):
    """Bad scenario input; the message is one line naming the file, the field and what is allowed."""


def _f(default: Any, source: str, unit: str = "", **kw: Any) -> Any:
    return Field(default, json_schema_extra={"source": source, "unit": unit}, **kw)


class Scenario(BaseModel):
    """All model inputs. Defaults are the 2018 baseline county; levers default to off."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    name: str = _f("baseline", "label only")
    description: str = _f("", "label only")

    # --- county structure ---------------------------------------------------------------------------------
    n_departments: int = _f(24, "issue 2 default; BRIEF: 'dozens of county line departments'", "departments", ge=1, le=200)
    n_townships: int = _f(12, "issue 2 default county; up to a province (issue 8)", "townships", ge=1, le=2000)
    township_cadres: int = _f(30, "MODEL.md '~30 township cadres'", "cadres per township", ge=1, le=500)
    villages_per_township: int = _f(20, "BRIEF: villages per township 15-24 (provincial yearbooks)", "villages", ge=1, le=200)
    village_cadres: int = _f(5, "BRIEF: 5.0 cadres per village (2006 agricultural census)", "cadres per village", ge=1, le=50)
    households_per_village: int = _f(300, "BRIEF: 290-470 households per village (yearbooks)", "households", ge=1, le=100_000)
    households_spread: Share = _f(0.25, "BRIEF: 290-470 range; villages differ by up to +-25%", "share")
    posts_min: int = _f(2, "S2: township staff hold 2-3 posts", "posts", ge=1, le=24)
    posts_max: int = _f(3, "S2: township staff hold 2-3 posts", "posts", ge=1, le=24)
    vulnerable_share: Share = _f(0.06, "assumption (elderly alone, disabled); S4 for the visits duty", "share of households")
    grid_households: int = _f(250, "S4: rural grids of 200-300 households", "households per grid", ge=10, le=100_000)

    # --- time ---------------------------------------------------------------------------------------------
    days: int = _f(730, "MODEL.md: two years", "days", ge=1, le=MAX_DAYS)
    policy_start_day: int = _f(365, "MODEL.md: reforms switch on at the start of year 2", "day", ge=0)
    warmup_days: int = _f(180, "measured: days of unreported spin-up before day 0 under the 2018 rules (a warm start); "
                          "over 96 seeds the second year is within 2.2% of the first with 180 days at recovery 0.012 and 0.013; "
                          "120 days does as well at 0.013 but left it 1.5-5% heavier at 0.012 (docs/ODD.md)", "days", ge=0, le=MAX_DAYS)

    # --- generation by upper departments (per department, reaching each township) ----------------------------
    documents_per_dept_week: NonNeg = _f(1.2, "assumption; S1 cut 30% against 2018", "documents/week")
    meetings_per_dept_week: NonNeg = _f(0.1, "calibrated: village cadres 4-5 in-person meetings a week (Xinhua 2019)", "meetings/week")
    inspections_per_dept_week: NonNeg = _f(0.08, "assumption; S1, S3", "inspections/week")
    forms_per_dept_week: NonNeg = _f(5.5, "半月谈 2025: 1,300+ kinds of reports a year per township; village half a day on forms+apps", "forms/week")
    campaigns_per_dept_week: NonNeg = _f(0.1, "assumption; S0 (pollution clean-up, safety checks)", "campaigns/week")
    specialist_per_village_month: NonNeg = _f(6.5, "S2: satellite-image verification 6-7 cases a month per village", "cases/month")
    township_addition: NonNeg = _f(0.25, "assumption; 层层加码 (S1): township adds its own tasks", "share on top")
    form_duplicate_share: Share = _f(0.42, "人民论坛 2020: 42.0% name repeated filing of the same material", "share")
    season_amplitude: Share = _f(0.3, "assumption: campaigns come in seasons", "share")
    holiday_days: int = _f(7, "assumption: the statutory Spring Festival holiday (7 days), when departments send nothing", "days", ge=0, le=60)
    spring_festival_day: int = _f(30, "assumption: the day of the year the holiday starts (day 0 = 1 January; the festival moves between late January and mid February)", "day of year", ge=0, le=364)
    year_end_inspection_factor: Annotated[float, Field(ge=0.0, le=10.0)] = _f(
        2.0, "assumption; 年终考核: assessments and inspections bunch at the end of the year", "factor on inspections")
    year_end_days: int = _f(30, "assumption: the year-end assessment season is December", "days", ge=0, le=365)
    campaign_waves_per_year: int = _f(3, "assumption; 运动式治理: several special campaigns a year (S0: pollution clean-up, "
                                      "safety checks), each a burst; start days drawn at set-up from the run's seed", "waves/year", ge=0, le=52)
    campaign_wave_weeks: Annotated[float, Field(ge=0.0, le=52.0)] = _f(4.0, "assumption: a special campaign runs about a month", "weeks")
    campaign_wave_factor: Annotated[float, Field(ge=1.0, le=10.0)] = _f(
        2.5, "assumption: campaign tasks arrive this many times faster in a wave than between waves (the year's mean stays "
        "campaigns_per_dept_week)", "factor")

    # --- cascade (层层加码) ----------------------------------------------------------------------------------
    push_document: Share = _f(0.6, "S1: documents relayed downward", "share pushed to villages")
    push_inspection: Share = _f(0.5, "S3: inspections reach villages", "share")
    push_form: Share = _f(0.3, "BRIEF: 2,200+ kinds of township forms against 90+ at village level", "share")
    push_campaign: Share = _f(0.6, "S0", "share")
    push_specialist: Share = _f(1.0, "S2: satellite cases land on the village", "share")
    amplification: Annotated[float, Field(ge=1.0, le=5.0)] = _f(1.3, "assumption; 层层加码 adds effort on the way down (S1)", "factor")
    deadline_pull: Annotated[float, Field(ge=MIN_AMOUNT, le=1.0)] = _f(0.7, "assumption; township pulls deadlines earlier", "factor")

    # --- effort (hours per task) and trace ----------------------------------------------------------------
    effort_document: Pos = _f(0.5, "assumption", "hours")
    effort_inspection: Pos = _f(8.0, "assumption; S3 video and PPT preparation", "hours")
    video_ppt_share: Share = _f(0.4, "S3: inspections demanded videos and PPT", "share of inspection prep")
    effort_form: Pos = _f(0.4, "calibrated: secretary 10-20 forms on a busy day (S2)", "hours")
    effort_campaign: Pos = _f(6.0, "assumption; S0", "hours")
    effort_specialist: Pos = _f(9.0, "S2: 6-7 cases take 10+ days a month (with trace, ~12 h a case)", "hours without expertise")
    effort_petition: Pos = _f(3.0, "S0: misunderstood policy became a lawsuit", "hours per complaint task")
    meeting_hours: Pos = _f(2.0, "2024 rules: main speeches <=1 h, other meetings <= half a day", "hours")
    travel_village_township: NonNeg = _f(1.5, "assumption; S1 cadres travelled to the district twice a day", "hours round trip")
    travel_township_county: NonNeg = _f(2.0, "assumption; S1", "hours round trip")
    village_meeting_attendance: Share = _f(0.6, "calibrated: 4-5 in-person meetings a week (Xinhua 2019)", "share of village cadres summoned")
    apps_township: NonNeg = _f(7.5, "Zhejiang 2018: 7-8 work apps, ~2 h a day", "apps per cadre")
    apps_village: NonNeg = _f(6.0, "S2: 15-16 apps for the secretary; fewer for others", "apps per cadre")
    app_minutes: NonNeg = _f(16.0, "Zhejiang 2018: ~2 h a day over 7-8 apps", "minutes per app per workday")
    trace_document: NonNeg = _f(0.3, "assumption; 留痕 (S0)", "hours per hour of work")
    trace_inspection: NonNeg = _f(0.5, "assumption; S3", "hours per hour")
    trace_form: NonNeg = _f(0.2, "assumption", "hours per hour")
    trace_campaign: NonNeg = _f(0.4, "assumption; S0", "hours per hour")
    trace_specialist: NonNeg = _f(0.3, "assumption", "hours per hour")
    village_meeting_share: Share = _f(0.5, "assumption: a village-tier meeting runs half as long as the county's "
                                      "(2024 rules: other meetings <= half a day)", "share of meeting_hours")
    fixed_hours_cap: Annotated[float, Field(gt=0.0, le=24.0)] = _f(16.0, "assumption: meetings, travel and apps fill at most 16 hours of a day", "hours/day")
    secretary_weight: Annotated[float, Field(ge=0.0, le=50.0)] = _f(1.5, "assumption; S2: the secretary takes more of the village's work", "assignment weight")
    secretary_form_weight: Annotated[float, Field(ge=0.0, le=50.0)] = _f(
        30.0, "calibrated: S2 a village secretary fills 10-20 forms on a busy day (the secretary keeps the village's reports)", "assignment weight for forms")
    load_aversion: NonNeg = _f(0.125, "assumption: new village work goes less to a cadre with a full in-tray (weight 1 / (1 + this x hours pending))", "per hour pending")
    township_service_hours: Annotated[float, Field(ge=0.0, le=12.0)] = _f(
        0.5, "assumption; S4 the township people's service centre (镇人民服务中心, 为民服务) is staffed by township cadres "
        "in turn; BRIEF.md gives no hours", "hours per township cadre per workday")
    relay_share: Share = _f(0.5, "assumption: a pushed task still costs the township cadre a share to relay, compile and supervise", "share of effort")
    township_effort: Annotated[float, Field(ge=0.1, le=20.0)] = _f(8.5, "calibrated (township burnout >= village, Xie 2020; 9.0 before the township service hall took 0.5 h a workday); the township does the county-wide version (plans, compiling 20 villages' returns)", "factor on effort")

    # --- deadlines and accountability ------------------------------------------------------------------------
    deadline_document: Pos = _f(7.0, "assumption", "days")
    deadline_inspection: Pos = _f(14.0, "assumption", "days")
    deadline_form: Pos = _f(3.0, "人民论坛 2020: 42.2% name 24-hour response demands", "days")
    deadline_campaign: Pos = _f(30.0, "assumption", "days")
    deadline_specialist: Pos = _f(15.0, "assumption", "days")
    weight_document: NonNeg = _f(1.0, "assumption", "priority weight")
    weight_inspection: NonNeg = _f(3.0, "assumption: inspections carry accountability (S3)", "priority weight")
    weight_form: NonNeg = _f(2.0, "assumption", "priority weight")
    weight_campaign: NonNeg = _f(2.0, "assumption", "priority weight")
    weight_specialist: NonNeg = _f(2.0, "assumption", "priority weight")
    weight_visit: NonNeg = _f(1.0, "assumption: proactive work yields to deadlines", "priority weight")
    service_orientation: NonNeg = _f(1.0, "assumption: resident service weighs like a document; with 3.0 service never waits and no reform could improve it", "priority weight of resident service")
    accountability_base: Share = _f(0.7, "S0, S1: responsibility stays after the letters go", "intensity")
    fake_propensity: Share = _f(0.35, "assumption; 虚假整改 (BRIEF)", "share of at-risk tasks faked")
    fake_discovery: Share = _f(0.02, "assumption", "share of fake stock found per inspection day")
    defensiveness: Share = _f(0.5, "S0: accountability makes cadres defensive: more trace, less action; the share of "
                              "resident priority a stressed cadre can lose is an assumption", "share")
    stress_half: Pos = _f(5.0, "assumption: the stress at which half of the defensive loss of service priority is reached", "events")
    stress_decay: Share = _f(0.95, "assumption: a day's stress fades with a half-life of about two weeks", "share kept per day")
    rework_share: Annotated[float, Field(ge=0.0, le=5.0)] = _f(
        0.25, "assumption; 整改 (BRIEF 虚假整改): a discovered fake is done again, as an inspection-kind task (it is checked "
        "again), with this share of the faked task's work (the correction, not the whole task: with 1.0, since every fake is found in the end, faking would only defer work)", "share of the original work")
    incident_accountability: NonNeg = _f(10.0, "assumption; S4 an elderly person found two months after death: an incident brings "
                                         "accountability down on the village's cadres", "accountability events per incident, shared by the village's cadres")
    fake_found_weight: NonNeg = _f(3.0, "assumption: a discovered fake counts as so many overdue tasks (虚假整改 is punished)", "events")
    planning_days: Annotated[float, Field(ge=0.0, le=30.0)] = _f(2.0, "assumption: cadres plan two days ahead; work due by then is urgent", "days")

    # --- time use -------------------------------------------------------------------------------------------
    regular_hours: Annotated[float, Field(ge=MIN_AMOUNT, le=12.0)] = _f(8.0, "MODEL.md: regular hours 8", "hours/day")
    overtime_cap: Annotated[float, Field(ge=0.0, le=8.0)] = _f(4.0, "BRIEF 白加黑: evenings", "hours/workday")
    weekend_cap: Annotated[float, Field(ge=0.0, le=14.0)] = _f(6.0, "BRIEF 五加二: weekends", "hours/weekend day")
    overtime_pressure: NonNeg = _f(1.0, "assumption (Oliva & Sterman 2001)", "hours per day of backlog")

    # --- burnout (Homer 1985; job demands-resources) ---------------------------------------------------------
    exhaustion_gain: NonNeg = _f(0.055, "calibrated: ~55% some burnout, mostly mild to moderate, township staff most (Xie Zhiju et al. 2020)", "per overtime hour")
    stress_gain: NonNeg = _f(0.004, "calibrated; unreasonable accountability raises burnout (Xie 2020)", "per accountability event")
    recovery: NonNeg = _f(0.013, "calibrated (Homer 1985: energy recovers with rest; scenarios/targets.toml)", "per hour of rest below normal")
    resilience_spread: Share = _f(0.5, "assumption: cadres differ", "share")
    burnout_threshold: Share = _f(0.5, "Xie 2020: mild to moderate burnout", "exhaustion")
    severe_threshold: Share = _f(0.85, "assumption", "exhaustion")
    moderate_threshold: Share = _f(0.675, "assumption: midway between burnout_threshold (mild) and severe_threshold; "
                                   "splits burnout into mild and moderate (Xie 2020: 'mostly mild to moderate')", "exhaustion")
    productivity_loss: Share = _f(0.25, "KC & Terwiesch 2009: slow down with sustained overwork", "share at full exhaustion")
    sick_rate: Share = _f(0.05, "assumption", "sick days per day when severely burned out")
    quit_after_days: int = _f(60, "assumption", "days severely burned out", ge=1, le=3650)
    quit_rate: Share = _f(0.003, "assumption", "per day after that")
    vacancy_days: int = _f(90, "assumption: recruitment takes a season", "days", ge=0, le=3650)

    # --- service, visits, patrol ---------------------------------------------------------------------------
    requests_per_household_year: NonNeg = _f(0.5, "calibrated: He Xuefeng 2019, 2-3 villagers a week came for services in one village (300 households x 0.5 / 52 = 2.9)", "requests")
    weekend_request_share: Share = _f(0.5, "assumption", "weekend demand relative to weekdays")
    effort_service: Pos = _f(1.5, "assumption", "hours per request")
    complaint_accountability: NonNeg = _f(1.0, "assumption; S0: a complaint (信访) brings accountability down on the village's cadres", "accountability events per complaint, shared by the village's cadres")
    complaint_share: Share = _f(0.2, "assumption; S0 misunderstood policy became a lawsuit by 30+ farmers", "share of overdue requests that complain")
    service_limit_days: int = _f(4, "assumption: a few working days (限时办结); S1 'used to wait half a day'", "days", ge=1, le=365)
    request_give_up_days: int = _f(365, "assumption: residents do not wait for years; they give up or go elsewhere (petition upward, S0; BRIEF has no figure)", "days a request waits before its resident gives up", ge=30, le=3650)
    visits_per_household_month: NonNeg = _f(2.0, "S4: visits to elderly living alone", "visits")
    effort_visit: Pos = _f(0.5, "assumption", "hours")
    incident_rate: Share = _f(0.001, "assumption; S4 an elderly person found two months after death", "per missed visit")
    patrol_hours_per_grid_week: NonNeg = _f(4.0, "S4: grid patrol", "hours")
    discovery_per_patrol_hour: NonNeg = _f(0.15, "assumption; S0, S4", "problems found per hour")
    patrol_fix_penalty: Share = _f(1.0, "S4: grid members who must also fix what they find are less keen to find it; "
                                   "finds lost = this x the share of the village's service and proactive hours spent fixing "
                                   "(resident service); the linear form is an assumption", "share of finds lost at an all-fixing load")
    secondment_share: Share = _f(0.1, "S3; 中国新闻周刊 2024 (a county office had ~half seconded)", "share of township cadres")
    plaques_per_village: int = _f(30, "S3: up to 30+ plaques", "plaques", ge=0, le=200)
    plaque_work_share: Share = _f(0.15, "assumption; S3 each plaque brings its own line of work", "share of village upper work")
    professional_discovery: Annotated[float, Field(ge=0.0, le=50.0)] = _f(
        3.0, "assumption; S0 '10x the efficiency' overall: a purchased professional finds this many times a cadre's problems per patrol hour", "factor")
    professional_hours: Annotated[float, Field(ge=0.0, le=12.0)] = _f(8.0, "assumption: a purchased grid worker patrols a full workday", "hours/workday")

    # --- cost (yuan a year), so reforms compare per yuan; BRIEF.md gives no salaries ---------------------------
    salary_township_cadre: Annotated[float, Field(ge=0.0, le=1e6)] = _f(
        80_000.0, "assumption: pay and benefits of a township civil servant", "yuan per cadre-year")
    salary_village_cadre: Annotated[float, Field(ge=0.0, le=1e6)] = _f(
        30_000.0, "assumption: a village cadre's pay (subsidy)", "yuan per cadre-year")
    grid_worker_price: Annotated[float, Field(ge=0.0, le=1e6)] = _f(
        60_000.0, "assumption: a purchased full-time professional grid worker (S0 gives only the part-time "
        "coordinators: 7,845 people for ¥28.40M a year, ¥3,620 each, a lower bound)", "yuan per worker-year")

    # --- levers (issue 3): off by default, on from policy_start_day ---------------------------------------------
    document_cut: Share = _f(0.0, "S1: -30% (Gansu 2019)", "share cut")
    meeting_cut: Share = _f(0.0, "S1: -30%; Wuhu -40% (2019)", "share cut")
    meeting_consolidation: bool = _f(False, "S1: one meeting reaches all tiers", "on/off")
    video_conferencing: Share = _f(0.0, "S1: city-wide video meeting", "share of meetings remote")
    inspection_cut: Share = _f(0.0, "S1: -30%; provinces 50%+", "share cut")
    no_video_ppt: bool = _f(False, "S3: report orally, show the site", "on/off")
    form_dedup: Share = _f(0.0, "2024 rules; 一表通", "share of duplicates merged")
    app_cap: int = _f(0, "2024 rules: at most 1 app per central department; 0 = no cap", "apps per cadre", ge=0, le=100)
    paperless: bool = _f(False, "S1: computer + phone document systems", "on/off")
    duty_list: bool = _f(False, "S2; central staffing office 2025", "on/off")
    duty_shares: dict[str, list[float]] = _f(
        {
            "document": [0.444, 0.234, 0.322],
            "inspection": [0.300, 0.360, 0.340],
            "form": [0.350, 0.290, 0.360],
            "campaign": [0.314, 0.372, 0.314],
            "specialist": [0.167, 0.167, 0.666],
        },
        "scenarios/duty_lists/national_2024.toml (rounded): national average 117:99:124 per 340 items (central "
        "staffing office 2025); S2 satellite cases returned",
        "basic, cooperation, returned shares per kind",
    )
    duty_list_file: str = _f(
        "", "a duty-list file (scenarios/duty_lists/*.toml) whose items set duty_shares; '' keeps duty_shares", "path"
    )
    cooperation_effort: Share = _f(0.5, "assumption: cooperation work costs a share", "share of effort")
    returned_workload: Share = _f(0.5, "assumption (issue 9: the lists count items, not hours): the work of a returned item "
                                  "relative to a kept one; returned items are often sign-offs and certificates the township had no power over", "ratio")
    returned_pushback: Share = _f(0.3, "assumption; S2 属地管理: departments without staff on the ground push part of the "
                                  "returned work back down as 'cooperation'", "share of returned work")
    paperless_doc_saving: Share = _f(0.4, "assumption; S1 documents read and handled anywhere", "share of document effort saved")
    specialist_speedup: Share = _f(0.6, "assumption; S2 township staff lack the expertise", "share of specialist effort saved at full training")
    specialist_error: Share = _f(0.2, "assumption; S2 slow and error-prone without expertise", "accountability events per specialist case untrained")
    training_buffer: Share = _f(0.5, "assumption; job demands-resources: resources buffer the rise of exhaustion", "share of exhaustion gain at full training")
    plaque_cap: int = _f(0, "S3: 4 plaques left per village; 0 = no cap", "plaques", ge=0, le=200)
    secondment_ban: bool = _f(False, "2024 rules; Hunan, Jilin returned 3,000+ staff", "on/off")
    accountability: Share | None = _f(None, "S0, S1; None keeps accountability_base", "intensity after the reform")
    error_tolerance: Share = _f(0.0, "容错 mechanisms", "share of events forgiven")
    grid_purchase: int = _f(0, "S0: 1,000+ members replaced by 159 professionals", "purchased grid workers per township", ge=0, le=1000)
    patrol_office_separation: bool = _f(False, "S4", "on/off")
    training: Share = _f(0.0, "S2: empowerment", "expertise and support level")
    extra_staff: int = _f(0, "counterfactual 'more horses'", "cadres added per village and per township", ge=0, le=100)
    displacement: Share = _f(0.0, "S1: one department's cut reappears as another's form", "share of cut work returning as forms")

    @model_validator(mode="before")
    @classmethod
    def _fit_to_days(cls, data: Any) -> Any:
        """One rule for the run's windows, whoever sets `days` (a file, an experiment, --days, batch_run): fields
        left unset follow it. `policy_start_day` defaults to the middle of the run (365 of 730); a field set explicitly
        is kept and checked. (`warmup_days` is run before day 0, so it does not depend on the run's length.)"""
        if not isinstance(data, dict):
            return data
        days = data.get("days", cls.model_fields["days"].default)
        if isinstance(days, bool) or not isinstance(days, int):
            return data  # the type error is reported by the field itself
        out = dict(data)
        if "policy_start_day" not in out:
            out["policy_start_day"] = days // 2
        return out

    @field_validator("name")
    @classmethod
    def _check_name(cls, v: str) -> str:
        if len(v) > MAX_NAME:
            raise ValueError(f"must be a string of at most {MAX_NAME} characters")
        bad = control_character(v)
        if bad:
            raise ValueError(f"must be plain text without control or text-direction characters (found {bad})")
        return v

    @field_validator("description", "duty_list_file")
    @classmethod
    def _check_text(cls, v: str, info: Any) -> str:
        if len(v) > MAX_TEXT:
            raise ValueError(f"must be a string of at most {MAX_TEXT} characters")
        bad = control_character(v, name=False) if info.field_name == "description" else None
        if bad:
            raise ValueError(f"must be plain text without control or text-direction characters (found {bad})")
        return v

    @field_validator("duty_shares")
    @classmethod
    def _check_duty_shares(cls, v: dict[str, list[float]]) -> dict[str, list[float]]:
        for kind, shares in v.items():
            if kind not in ("document", "inspection", "form", "campaign", "specialist"):
                raise ValueError(f"unknown kind {kind!r}; allowed: document, inspection, form, campaign, specialist")
            if len(shares) != 3 or any((not math.isfinite(s)) or s < 0 for s in shares) or abs(sum(shares) - 1) > 1e-6:
                raise ValueError(f"{kind}: needs three non-negative shares (basic, cooperation, returned) summing to 1")
        return v

    @model_validator(mode="after")
    def _check_consistency(self) -> Scenario:
        # both summary windows must hold at least one day: 0 < policy_start_day < days (the warm-up runs before day 0)
        if self.days < 2:
            raise ValueError(f"days: must be at least 2 (a day before and a day from policy_start_day), got {self.days}")
        if not 1 <= self.policy_start_day < self.days:
            raise ValueError(f"policy_start_day: must be between 1 and days - 1 ({self.days - 1}) so that both the "
                             f"before and the after window hold a day, got {self.policy_start_day}")
        for name in type(self).model_fields:  # a fresh task falls due at 1/deadline a day: at most all of it
            if name.startswith("deadline_") and name != "deadline_pull" and getattr(self, name) < 1.0:
                raise ValueError(f"{name}: must be at least 1 day (the model steps one day at a time), "
                                 f"got {getattr(self, name)}")
        if self.productivity_loss >= 1.0:  # an exhausted cadre's hour yields 1 - loss x exhaustion; the model divides by it
            raise ValueError(f"productivity_loss: must be below 1 (a fully exhausted cadre still works), "
                             f"got {self.productivity_loss}")
        if self.request_give_up_days <= self.service_limit_days:  # else nobody waits past the limit: no complaints
            raise ValueError(f"service_limit_days: must be below request_give_up_days ({self.request_give_up_days}), "
                             f"got {self.service_limit_days}")
        if self.posts_max < self.posts_min:
            raise ValueError(f"posts_max: must be at least posts_min ({self.posts_min}), got {self.posts_max}")
        cadres = self.n_townships * (self.township_cadres + self.extra_staff) + self.n_townships * self.villages_per_township * (
            self.village_cadres + self.extra_staff
        )
        if cadres > MAX_CADRES:
            raise ValueError(f"n_townships: county too large to run ({cadres} cadres; at most {MAX_CADRES})")
        return self

    # ------------------------------------------------------------------------------------------------------
    def fields(self) -> dict[str, Any]:
        """The scenario as plain data (for hashing, JSON, tables)."""
        return self.model_dump()


FIELDS = tuple(Scenario.model_fields)
LEVERS = (
    "document_cut", "meeting_cut", "meeting_consolidation", "video_conferencing", "inspection_cut", "no_video_ppt",
    "form_dedup", "app_cap", "paperless", "duty_list", "plaque_cap", "secondment_ban", "accountability",
    "error_tolerance", "grid_purchase", "patrol_office_separation", "training", "extra_staff",
)


def field_info(name: str) -> dict[str, Any]:
    """Source, unit and bounds of one field, for docs and dashboards."""
    f = Scenario.model_fields[name]
    extra = dict(f.json_schema_extra or {})
    bounds: dict[str, Any] = {}
    for m in f.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            if getattr(m, attr, None) is not None:
                bounds[attr] = getattr(m, attr)
    return {"default": f.default, **extra, **bounds}


def _allowed(name: str) -> str:
    """'a number in [0, 1]', 'an integer >= 1 and <= 200', ... for error messages."""
    f = Scenario.model_fields[name]
    info = field_info(name)
    ann = f.annotation
    if ann is bool:
        return "true or false"
    typ = "an integer" if ann is int else "a string" if ann is str else "a number"
    if name == "accountability":
        return "a number in [0, 1] (or left out to keep accountability_base)"
    if ann not in (int, float, str, bool):
        return "a table of kind = [basic, cooperation, returned] shares"
    lo, hi = info.get("ge", info.get("gt")), info.get("le", info.get("lt"))
    if lo is not None and hi is not None and "ge" in info:
        return f"{typ} in [{lo:g}, {hi:g}]"
    if lo is not None:
        return f"{typ} {'>=' if 'ge' in info else '>'} {lo:g}"
    return typ


def short_repr(v: Any, limit: int = 60) -> str:
    """repr(v) cut to `limit` characters: an error message stays one short line whatever the input."""
    r = repr(v)
    return r if len(r) <= limit else f"{r[:limit - 5]}...{r[-2:]} ({len(r)} characters)"


def _format_error(err: ValidationError, where: str) -> str:
    e = err.errors()[0]
    loc = ".".join(str(p) for p in e["loc"]) or ""
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "extra_forbidden":
        return f"{where}: unknown field {short_repr(loc)} (allowed fields: docs/scenario.md)"
    if not loc:  # model-level check: the message starts with the field name
        return f"{where}: field {msg.split(':', 1)[0]!r}: {msg.split(':', 1)[-1].strip()}"
    field = str(e["loc"][0])
    allowed = _allowed(field)
    got = e.get("input")
    got_s = "" if isinstance(got, dict) else f" (got {short_repr(got)})"
    detail = f"must be {allowed}" if allowed and e["type"] != "value_error" else msg
    return f"{where}: field {loc!r}: {detail}{got_s}"


def _plain(v: Any) -> Any:
    """A numpy scalar as the Python value it holds (SALib, EMA Workbench and numpy loops pass numpy integers,
    booleans and floats): np.int64(3) -> 3, np.bool_(True) -> True, np.float32(0.5) -> 0.5. Only the type changes,
    so the field's own rule still decides: a float, even 2.0, is refused where an integer is meant (as a Python
    float is), and a boolean where a number is meant. (No numpy import: without numpy loaded there are none.)"""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(v, np.generic):
        return v.item()
    return v


def make_scenario(fields: dict[str, Any], where: str = "scenario") -> Scenario:
    """Validate plain fields into a Scenario, or raise ScenarioError with one clear line."""
    clean = {k: _plain(v) for k, v in fields.items()}
    for k, v in clean.items():  # TOML and JSON give ints where floats are meant: accept them, never bools
        f = Scenario.model_fields.get(k)
        if f is not None and isinstance(v, int) and not isinstance(v, bool) and f.annotation in (float, float | None):
            clean[k] = float(v)
        if isinstance(v, float) and not math.isfinite(v):
            raise ScenarioError(f"{where}: field {k!r}: must be a finite number (got {v!r})")
        if k not in Scenario.model_fields and len(str(k)) > MAX_NAME:
            raise ScenarioError(f"{where}: unknown field {short_repr(k)} (allowed fields: docs/scenario.md)")
    try:
        return Scenario(**clean)
    except ValidationError as err:
        raise ScenarioError(_format_error(err, where)) from None
    except RecursionError:  # a value nested hundreds deep
        raise ScenarioError(f"{where}: a value is nested too deeply (fields are numbers, strings, booleans or "
                            "the duty_shares table)") from None



def overridden(source: Scenario, overrides: dict[str, Any]) -> dict[str, Any]:
    """The fields of `source` with `overrides` over them, under the one rule for the reform day: a reform day that
    followed the run's length (the middle of the run) follows a new `days` too; one set to another day is kept."""
    fields = source.fields()
    if "days" in overrides and "policy_start_day" not in overrides and fields["policy_start_day"] == fields["days"] // 2:
        del fields["policy_start_day"]
    return {**fields, **overrides}


def as_scenario(source: Scenario | dict[str, Any] | None = None, **overrides: Any) -> Scenario:
    """A Scenario from a Scenario or a dict of fields over the defaults; keyword overrides win. Files are read
    above the core (`sim.load_scenario`): a path or a duty-list file here is an error that says so."""
    if source is not None and not isinstance(source, Scenario | dict):
        raise ScenarioError(f"scenario: expected a Scenario or a dict of fields, got {type(source).__name__} "
                            "(read a TOML file with sim.load_scenario(path) first)")
    for where in (overrides, source if isinstance(source, dict) else {}):
        if where.get("duty_list_file"):
            raise ScenarioError("field 'duty_list_file': a file is read by sim.load_scenario(...), not by the model; "
                                "pass the loaded Scenario or set duty_shares")
    if isinstance(source, Scenario):
        return source if not overrides else make_scenario(overridden(source, overrides), "scenario")
    return make_scenario({**(source or {}), **overrides}, "scenario")
