"""Policy levers (issue 3): each moves the outcomes its mechanism acts on, in the documented direction, over
replicates with a paired 95% interval; a lever at its default is the baseline bit for bit; a reform run equals
the baseline before the reform day; duty lists are editable data; bad lever input is one clear line."""

import functools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.core.scenario import LEVERS, Scenario, ScenarioError
from sim.exploration.compare import run_one, t_interval
from sim.io.duty_list import CATEGORIES, DUTY_KINDS, duty_shares, load_duty_list

from .conftest import ROOT, SMALL

SEEDS = tuple(range(10))
START = SMALL["policy_start_day"]
UPPER = ("document", "inspection", "form", "campaign", "specialist")
NATIONAL = ROOT / "scenarios" / "duty_lists" / "national_2024.toml"


def _runs(levers: dict) -> dict[int, dict[str, float]]:
    """Outcomes of the small county with these lever values, one dict per seed (cached across tests)."""
    return _cached_runs(json.dumps(levers, sort_keys=True))


@functools.cache
def _cached_runs(key: str) -> dict[int, dict[str, float]]:
    s = sim.load_scenario(SMALL, **json.loads(key))
    out = {}
    for seed in SEEDS:
        o = run_one(s, seed)
        for w in ("before", "after"):  # hours of upper (department) work per cadre-day
            o[f"upper_hours_{w}"] = sum(o[f"hours_{k}_cadre_day_{w}"] for k in UPPER)
        out[seed] = o
    return out


def _diff(levers: dict, outcome: str, window: str = "after", reference: dict | None = None) -> np.ndarray:
    a = _runs(reference or {})
    b = _runs(levers)
    return np.array([b[s][f"{outcome}_{window}"] - a[s][f"{outcome}_{window}"] for s in SEEDS])


# (lever, values, outcome, direction): the outcome the lever's mechanism acts on (MODEL.md "Policy levers").
CASES = [
    ("document_cut", {"document_cut": 0.5}, "hours_document_cadre_day", -1),
    ("document_cut", {"document_cut": 0.5}, "upper_hours", -1),
    ("meeting_cut", {"meeting_cut": 0.5}, "meetings_per_village_cadre_week", -1),
    ("meeting_cut", {"meeting_cut": 0.5}, "hours_meeting_cadre_day", -1),
    ("meeting_consolidation", {"meeting_consolidation": True}, "meetings_per_village_cadre_week", -1),
    ("meeting_consolidation", {"meeting_consolidation": True}, "hours_meeting_cadre_day", -1),
    ("video_conferencing", {"video_conferencing": 1.0}, "hours_travel_cadre_day", -1),
    ("inspection_cut", {"inspection_cut": 0.5}, "hours_inspection_cadre_day", -1),
    ("no_video_ppt", {"no_video_ppt": True}, "hours_inspection_cadre_day", -1),
    ("form_dedup", {"form_dedup": 1.0}, "hours_form_cadre_day", -1),
    ("form_dedup", {"form_dedup": 1.0}, "form_app_hours_village_day", -1),
    ("app_cap", {"app_cap": 2}, "hours_app_cadre_day", -1),
    ("app_cap", {"app_cap": 2}, "form_app_hours_village_day", -1),
    ("paperless", {"paperless": True}, "hours_document_cadre_day", -1),
    ("duty_list", {"duty_list": True}, "tasks_returned", +1),
    ("duty_list", {"duty_list": True}, "upper_hours", -1),
    ("duty_list", {"duty_list": True}, "hours_specialist_cadre_day", -1),
    ("plaque_cap", {"plaque_cap": 4}, "form_app_hours_village_day", -1),
    ("plaque_cap", {"plaque_cap": 4}, "upper_hours", -1),
    ("secondment_ban", {"secondment_ban": True}, "exhaustion_township", -1),
    ("accountability", {"accountability": 0.1}, "hours_trace_cadre_day", -1),
    ("accountability", {"accountability": 0.1}, "exhaustion_mean", -1),
    # issue 9: with exhaustion saturating, forgiven stress no longer moves exhaustion measurably; it shows in
    # service (less defensive cadres weigh residents more)
    ("error_tolerance", {"error_tolerance": 1.0}, "response_days_mean", -1),
    ("grid_purchase", {"grid_purchase": 5}, "problems_found", +1),
    ("grid_purchase", {"grid_purchase": 5}, "hours_patrol_cadre_day", -1),
    ("patrol_office_separation", {"patrol_office_separation": True}, "problems_found", +1),
    ("training", {"training": 1.0}, "hours_specialist_cadre_day", -1),
    ("training", {"training": 1.0}, "exhaustion_mean", -1),
    ("extra_staff", {"extra_staff": 2}, "exhaustion_mean", -1),
    ("extra_staff", {"extra_staff": 2}, "overtime_hours_per_cadre_week", -1),
]


def test_every_lever_has_a_direction_test():
    assert set(LEVERS) <= {c[0] for c in CASES}
    for lever in LEVERS:  # and every lever is off by default (the 2018 baseline)
        assert Scenario.model_fields[lever].default in (0, 0.0, False, None), lever


@pytest.mark.parametrize(("lever", "levers", "outcome", "direction"), CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_lever_moves_its_outcome(lever, levers, outcome, direction):
    d = _diff(levers, outcome)
    mean, lo, hi, _ = t_interval(d)
    assert np.isfinite(mean), (lever, outcome)
    if direction > 0:
        assert lo > 0, f"{lever} should raise {outcome}: mean {mean:+.4g}, 95% CI [{lo:+.4g}, {hi:+.4g}]"
    else:
        assert hi < 0, f"{lever} should lower {outcome}: mean {mean:+.4g}, 95% CI [{lo:+.4g}, {hi:+.4g}]"


@pytest.mark.parametrize(("lever", "levers", "outcome", "direction"),
                         [c for c in CASES if c[0] != "extra_staff"],
                         ids=[f"{c[0]}-{c[2]}" for c in CASES if c[0] != "extra_staff"])
def test_lever_changes_nothing_before_the_reform_day(lever, levers, outcome, direction):
    assert (_diff(levers, outcome, "before") == 0).all()


def _frame(**fields):
    return sim.run_scenario(SMALL, seed=3, **fields).timeseries


def test_levers_at_their_defaults_are_the_baseline_bit_for_bit():
    base = _frame()
    for lever in LEVERS:
        default = Scenario.model_fields[lever].default
        ts = _frame(**{lever: default}) if default is not None else _frame(accountability=None)
        assert ts.equals(base), lever
    # and a TOML naming every lever at its default
    assert _frame(**{k: Scenario.model_fields[k].default for k in LEVERS}, displacement=0.0).equals(base)


REFORMS = sorted(p for p in (ROOT / "scenarios").glob("*.toml") if p.name not in ("baseline.toml", "targets.toml"))


def test_reform_scenarios_exist_and_extend_the_baseline():
    names = {p.stem for p in REFORMS}
    for required in ("gansu_2019_cuts", "video_conferencing", "no_video_ppt_inspections", "plaques_and_secondment",
                     "duty_lists_2024", "one_form_and_apps", "rongcheng_grid_reform", "empowerment",
                     "hire_more_staff", "all_reforms"):
        assert required in names
    for p in REFORMS:
        text = p.read_text(encoding="utf-8")
        assert 'extends = "baseline.toml"' in text or 'extends = "gansu_2019_cuts.toml"' in text, p.name
        assert text.startswith("#"), f"{p.name}: a comment naming the source comes first"
        s = sim.load_scenario(p)
        assert s.description and s.name == p.stem
        assert any(s.fields()[k] != Scenario.model_fields[k].default for k in (*LEVERS, "displacement")), p.name


@pytest.mark.parametrize("path", REFORMS, ids=lambda p: p.stem)
def test_reform_run_equals_baseline_before_the_reform_day(path):
    base = sim.run_scenario(sim.load_scenario(ROOT / "scenarios" / "baseline.toml", **SMALL), seed=11).timeseries
    ts = sim.run_scenario(sim.load_scenario(path, **SMALL), seed=11).timeseries
    before, after = slice(0, START), slice(START, None)
    assert ts.iloc[before].equals(base.iloc[before])
    assert not ts.iloc[after].equals(base.iloc[after])  # and the reform does act from the reform day


def test_extra_staff_before_reform_day_bit_for_bit():
    assert _frame(extra_staff=1).iloc[:START].equals(_frame().iloc[:START])


# --- displacement -------------------------------------------------------------------------------------------
def test_displacement_moves_the_cut_into_forms():
    cut = {"document_cut": 0.5, "meeting_cut": 0.5, "inspection_cut": 0.5}
    displaced = {**cut, "displacement": 1.0}
    forms = t_interval(_diff(displaced, "hours_form_cadre_day", reference=cut))
    assert forms[1] > 0  # forms rise against the same cut without displacement
    assert t_interval(_diff(displaced, "hours_form_cadre_day"))[1] > 0  # and against the baseline
    assert t_interval(_diff(displaced, "formalism_share", reference=cut))[1] > 0
    # the cut itself still shows in the counted channel
    assert t_interval(_diff(displaced, "hours_document_cadre_day"))[2] < 0
    # so the gain in overtime is smaller than the cut alone suggests
    assert t_interval(_diff(displaced, "upper_hours", reference=cut))[1] > 0


# --- duty lists as data -------------------------------------------------------------------------------------
def test_national_duty_list_is_117_99_124_of_340():
    dl = load_duty_list(NATIONAL)
    assert dl.totals == (117.0, 99.0, 124.0)
    assert len(dl.lines) >= 10  # department lines
    for kind, shares in dl.shares.items():
        assert kind in DUTY_KINDS and len(shares) == len(CATEGORIES)
        assert abs(sum(shares) - 1) < 1e-12 and min(shares) >= 0
    # the scenario default is the same list, rounded
    for kind, shares in Scenario.model_fields["duty_shares"].default.items():
        np.testing.assert_allclose(shares, dl.shares[kind], atol=1.5e-3)


def test_duty_lists_2024_reads_its_file():
    s = sim.load_scenario(ROOT / "scenarios" / "duty_lists_2024.toml")
    assert s.duty_list and Path(s.duty_list_file) == NATIONAL.resolve()
    assert s.duty_shares == duty_shares(NATIONAL)


def test_an_edited_duty_list_changes_the_model(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "forms_back.toml").write_text(
        'name = "forms back"\n[lines.statistics]\nform = [0, 0, 10]\ndocument = [5, 5, 0]\n', encoding="utf-8")
    (tmp_path / "s.toml").write_text(
        f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\nduty_list = true\n'
        'duty_list_file = "lists/forms_back.toml"\nreturned_pushback = 0.0\n', encoding="utf-8")
    s = sim.load_scenario(tmp_path / "s.toml", **SMALL)
    assert s.duty_shares == {"document": [0.5, 0.5, 0.0], "form": [0.0, 0.0, 1.0]}
    ts = sim.run_scenario(s, seed=2).timeseries.iloc[START:]
    # returned work leaves the grassroots: every form is given back, no document is
    assert ts["returned_form"].sum() == pytest.approx(ts["created_form"].sum(), rel=1e-9)
    assert ts["returned_document"].sum() == 0
    # an explicit duty_shares override replaces the file
    s2 = sim.load_scenario(s, duty_shares={"form": [1.0, 0.0, 0.0]})
    assert s2.duty_list_file == "" and s2.duty_shares == {"form": [1.0, 0.0, 0.0]}


def test_cooperation_work_costs_a_share():
    coop = {"duty_list": True, "duty_shares": {k: [0.0, 1.0, 0.0] for k in DUTY_KINDS}}
    light = t_interval(_diff({**coop, "cooperation_effort": 0.2}, "upper_hours",
                             reference={**coop, "cooperation_effort": 1.0}))
    assert light[2] < 0
    # with full cooperation effort and nothing returned, only the township additions go (nothing off the list)
    assert all(o["tasks_returned_after"] == 0 for o in _runs({**coop, "cooperation_effort": 1.0}).values())


@pytest.mark.parametrize(("text", "needle"), [
    ("[lines.a]\nform = [1, 2]\n", "lines.a.form"),
    ("[lines.a]\nforms = [1, 2, 3]\n", "unknown kind"),
    ("[lines.a]\nform = [1, -2, 3]\n", "lines.a.form"),
    ("[lines.a]\nform = [0, 0, 0]\n", "no items"),
    ("name = 'x'\n", "department line"),
    ("[lines.a\n", "not valid TOML"),
])
def test_bad_duty_list_is_one_line(tmp_path, text, needle):
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_duty_list(p)
    assert needle in str(err.value) and "\n" not in str(err.value)


# --- bad lever input through the CLI -------------------------------------------------------------------------
BAD = [
    ("document_cut = 1.5", "document_cut"),
    ("meeting_cut = -0.1", "meeting_cut"),
    ('meeting_consolidation = "yes"', "meeting_consolidation"),
    ("video_conferencing = true", "video_conferencing"),
    ("app_cap = 2.5", "app_cap"),
    ("extra_staff = -1", "extra_staff"),
    ('accountability = "high"', "accountability"),
    ("training = nan", "training"),
    ("duty_shares = { form = [0.5, 0.5, 0.5] }", "duty_shares"),
    ('duty_list_file = "no_such_list.toml"', "no_such_list.toml"),
    ("documents_cut = 0.3", "documents_cut"),
]


@pytest.mark.parametrize(("line", "field"), BAD, ids=[b[1] for b in BAD])
def test_bad_lever_is_one_line_exit_2(tmp_path, line, field):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\n{line}\n', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "sim", "run", str(bad), "--out", str(tmp_path / "o"), "--days", "5"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr and field in lines[0] and lines[0].startswith("error:")
