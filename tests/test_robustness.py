"""Issue 9: every reform's effect keeps its direction under +-20% on each of the five assumptions the outcomes are
most sensitive to (the local screen, examples/screen_assumptions.py; the full table: examples/direction_robustness.py
and docs/levers.md). Reforms whose direction flips are a finding, not something tuned away: the pairs that flip
here are listed in EXPECTED_FLIPS and in docs/levers.md, and the test fails if the set of flips changes (a new
flip, or a documented one that no longer happens). A 2-township county, 240 days (reform day 120), 2 paired seeds,
in two processes."""

from __future__ import annotations

import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from sim.core.run import simulate
from sim.core.scenario import Scenario, field_info, make_scenario
from sim.io.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
# the five assumptions the outcomes are most sensitive to (screen of docs/levers.md, without quits)
ASSUMPTIONS = ("amplification", "severe_threshold", "township_addition", "recovery", "effort_form")
# reforms with a sizeable effect, and the two whose direction was already known to flip (docs/levers.md)
REFORMS = ("duty_lists_2024", "one_form_and_apps", "hire_more_staff", "tolerant_accountability", "rongcheng_grid_reform")
OUTCOMES = ("burnout_share", "service_resolved_share")
HELPING = ("duty_lists_2024", "one_form_and_apps", "hire_more_staff")  # lower burnout, better service
SIGN = {"burnout_share": -1, "service_resolved_share": +1}  # the direction a reform that helps moves them
SMALL = {"n_townships": 2, "days": 240, "policy_start_day": 120, "duty_list_file": ""}
SEEDS = (0, 1)
FACTORS = (0.8, 1.0, 1.2)
# (reform, assumption, outcome) whose effect changes sign at x0.8 or x1.2: documented in docs/levers.md
# (measured on this test's county and seeds; every flip is of the two reforms whose effects are at the noise level)
EXPECTED_FLIPS: set[tuple[str, str, str]] = {
    ("rongcheng_grid_reform", "amplification", "service_resolved_share"),
    ("rongcheng_grid_reform", "effort_form", "burnout_share"),
    ("rongcheng_grid_reform", "recovery", "burnout_share"),
    ("rongcheng_grid_reform", "severe_threshold", "burnout_share"),
    ("rongcheng_grid_reform", "township_addition", "burnout_share"),
    ("rongcheng_grid_reform", "township_addition", "service_resolved_share"),
    ("tolerant_accountability", "amplification", "burnout_share"),
    ("tolerant_accountability", "recovery", "burnout_share"),
}


def _moved(name: str, value: float, factor: float) -> float | int:
    info = field_info(name)
    v = min(max(value * factor, info.get("ge", info.get("gt", -math.inf))), info.get("le", info.get("lt", math.inf)))
    return int(round(v)) if Scenario.model_fields[name].annotation is int else float(v)


def _after(fields: dict) -> dict:
    fields = dict(fields)
    seed = fields.pop("_seed")
    r = simulate(make_scenario(fields), seed=seed)
    return {k: r.summary[f"{k}_after"] for k in OUTCOMES}


@pytest.fixture(scope="module")
def effects() -> dict[tuple[str, str, float], dict[str, float]]:
    return measure_effects()


def measure_effects() -> dict[tuple[str, str, float], dict[str, float]]:
    """Mean paired effect (reform - baseline) of each reform on each outcome, per (reform, assumption, factor)."""
    base = load_scenario(ROOT / "scenarios" / "baseline.toml").fields()
    reforms = {name: load_scenario(ROOT / "scenarios" / f"{name}.toml").fields() for name in REFORMS}
    keys, jobs = [], []
    for assumption in ASSUMPTIONS:
        for factor in FACTORS:
            if factor == 1.0 and assumption != ASSUMPTIONS[0]:
                continue  # x1.0 is the same runs for every assumption
            moved = {**SMALL, assumption: _moved(assumption, base[assumption], factor)}
            for name, fields in {"baseline": base, **reforms}.items():
                for seed in SEEDS:
                    keys.append((name, assumption, factor, seed))
                    jobs.append({**fields, **moved, "_seed": seed})
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        runs = dict(zip(keys, ex.map(_after, jobs), strict=True))
    out = {}
    for (name, assumption, factor, _), _v in runs.items():
        if name == "baseline":
            continue
        a = assumption if factor != 1.0 else ASSUMPTIONS[0]
        out[(name, assumption, factor)] = {
            k: float(np.mean([runs[(name, a, factor, s)][k] - runs[("baseline", a, factor, s)][k] for s in SEEDS]))
            for k in OUTCOMES}
    for name in REFORMS:  # x1.0 belongs to every assumption
        for assumption in ASSUMPTIONS[1:]:
            out[(name, assumption, 1.0)] = out[(name, ASSUMPTIONS[0], 1.0)]
    return out


def flips(effects: dict) -> set[tuple[str, str, str]]:
    """(reform, assumption, outcome) whose effect's sign at x0.8 or x1.2 differs from its sign at x1.0 (effects
    rounded to 1e-4)."""
    def sign(name, assumption, factor, k):
        return np.sign(round(effects[(name, assumption, factor)][k], 4))

    return {(name, assumption, k) for name in REFORMS for assumption in ASSUMPTIONS for k in OUTCOMES
            if any(sign(name, assumption, f, k) != sign(name, assumption, 1.0, k) for f in (0.8, 1.2))}


def test_reform_directions_hold_under_20_percent_but_for_the_documented_flips(effects):
    found = flips(effects)
    detail = "\n".join(f"{key}: {[round(effects[(key[0], key[1], f)][key[2]], 4) for f in FACTORS]} "
                       f"{'new flip' if key in found else 'no longer flips'}" for key in sorted(found ^ EXPECTED_FLIPS))
    assert found == EXPECTED_FLIPS, "effects at x0.8, x1.0, x1.2:\n" + detail


def test_reforms_that_cut_load_help_at_the_baseline(effects):
    for name in HELPING:
        for k in OUTCOMES:
            assert np.sign(effects[(name, ASSUMPTIONS[0], 1.0)][k]) == SIGN[k], (name, k)


def test_documented_flips_are_in_levers_md():
    doc = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    for name, assumption, outcome in EXPECTED_FLIPS:
        assert f"`{name}` / `{assumption}` / {outcome}" in doc, (name, assumption, outcome)
