"""Issue 9: every reform's effect keeps its direction under +-20% on each of the five assumptions the outcomes are
most sensitive to (the local screen, examples/screen_assumptions.py; the full table: examples/direction_robustness.py
and docs/levers.md). Reforms whose direction flips are a finding, not something tuned away: of the five reforms
run here, the three that cut load most (duty lists, one form, more staff) keep their direction under every move;
the two whose effects sit at the noise level (lighter accountability, the grid reform: docs/levers.md) are the
only ones that flip, and they do, as docs/levers.md reports (which of their pairs flip is itself noise: it
changes with the seeds). The full table of docs/levers.md runs all eleven reforms on a larger county. A 2-township county, 240 days (reform day 120),
2 paired seeds, in two processes."""

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
# the five assumptions the outcomes are most sensitive to (the screen of docs/levers.md, over every headline outcome)
ASSUMPTIONS = ("amplification", "severe_threshold", "recovery", "effort_form", "meetings_per_dept_week")
# reforms with a sizeable effect, and the two whose direction was already known to flip (docs/levers.md)
REFORMS = ("duty_lists_2024", "one_form_and_apps", "hire_more_staff", "tolerant_accountability", "rongcheng_grid_reform")
OUTCOMES = ("burnout_share", "service_resolved_share")
HELPING = ("duty_lists_2024", "one_form_and_apps", "hire_more_staff")  # lower burnout, better service
SIGN = {"burnout_share": -1, "service_resolved_share": +1}  # the direction a reform that helps moves them
SMALL = {"n_townships": 2, "days": 240, "policy_start_day": 120, "duty_list_file": ""}
SEEDS = (0, 1)
FACTORS = (0.8, 1.0, 1.2)
# reforms whose effects sit at the noise level (docs/levers.md): their direction may flip under +-20%
NOISE_LEVEL = ("tolerant_accountability", "rongcheng_grid_reform")

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


def _detail(effects: dict, keys: set) -> str:
    return "\n".join(f"{key}: {[round(effects[(key[0], key[1], f)][key[2]], 4) for f in FACTORS]}" for key in sorted(keys))


def test_duty_list_one_form_and_more_staff_keep_their_direction_under_20_percent(effects):
    found = {key for key in flips(effects) if key[0] in HELPING}
    assert not found, "effects at x0.8, x1.0, x1.2:\n" + _detail(effects, found)


def test_only_the_noise_level_reforms_flip_and_they_do(effects):
    found = flips(effects)
    others = {key for key in found if key[0] not in NOISE_LEVEL}
    assert not others, "effects at x0.8, x1.0, x1.2:\n" + _detail(effects, others)
    for name in NOISE_LEVEL:  # the finding of docs/levers.md: their direction is not robust
        assert any(key[0] == name for key in found), name


def test_reforms_that_cut_load_help_at_the_baseline(effects):
    for name in HELPING:
        for k in OUTCOMES:
            assert np.sign(effects[(name, ASSUMPTIONS[0], 1.0)][k]) == SIGN[k], (name, k)


def test_levers_md_names_the_reforms_whose_direction_flips():
    doc = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    section = doc[doc.index("direction flips"):]
    for name in NOISE_LEVEL:
        assert f"**{name}**" in section, name
