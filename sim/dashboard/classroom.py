"""The classroom run: one model, or two presets side by side on one seed, stepped together (no UI).

`Classroom` is what the page drives and what the benchmark times: it builds the models from the class's
`Settings`, steps them, computes the headline numbers, draws the charts (sim/dashboard/charts.py) and writes the
current settings as a scenario TOML and the current run as CSV. The page reads the model's state, never a
count of days since a cold start, so a model that starts warm (a lived-in county on day 0) needs no change here.
"""

from __future__ import annotations

import io
import json
import os
import threading
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.model import GrassrootsModel
from sim.core.record import IX
from sim.core.scenario import FIELDS, LEVERS, Scenario, ScenarioError, field_info, make_scenario
from sim.io.duty_list import duty_shares
from sim.io.loader import blame, load_scenario, resolve_fields
from sim.io.shipped import scenarios_dir
from sim.presentation import texts as txt

SCENARIO_DIR = Path(os.environ.get("GRASSROOTS_SCENARIOS") or scenarios_dir())  # the shipped ones by default
CLASS_DAYS = 365
CLASS_POLICY_DAY = 120
KPI_WINDOW = 28  # days the headline numbers average over
LOADED = "file"  # Settings.preset when the class loaded a scenario file


def presets() -> dict[str, Path]:
    """Preset scenarios found in scenarios/*.toml at run time, baseline first, then the order of the lesson texts."""
    found = {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml")) if p.stem != "targets"}  # targets: not a scenario
    order = ["baseline", *(k for k in txt.PRESET_TEXT if k != "baseline"), *sorted(found)]
    return {k: found[k] for k in dict.fromkeys(order) if k in found}


def lever_defaults() -> dict[str, Any]:
    """Every lever at its 'off' value."""
    return {name: field_info(name)["default"] for name in LEVERS}


def lever_spec(name: str) -> dict[str, Any]:
    """Control type (bool, int, share), range, unit and source of one lever (for the sidebar and the docs)."""
    info = field_info(name)
    ann = Scenario.model_fields[name].annotation
    kind = "bool" if ann is bool else "int" if ann is int else "share"
    lo, hi = info.get("ge", 0), info.get("le", 1)
    if kind == "int":  # classroom ranges: the model allows more, a slider needs a sensible span
        hi = {"app_cap": 20, "plaque_cap": 20, "grid_purchase": 50, "extra_staff": 10}.get(name, hi)
    return {"kind": kind, "min": lo, "max": hi, "unit": info.get("unit", ""), "source": info.get("source", "")}


def preset_levers(scenario: Scenario) -> dict[str, Any]:
    """The lever values a scenario sets (accountability None shown as the base intensity)."""
    out = {name: getattr(scenario, name) for name in LEVERS}
    if out["accountability"] is None:
        out["accountability"] = scenario.accountability_base
    return out


def levers_on(scenario: Scenario) -> list[str]:
    """The levers a scenario switches on (differs from 'off'); empty for the baseline."""
    off = lever_defaults()
    on = [k for k in LEVERS if k != "accountability" and getattr(scenario, k) != off[k]]
    if scenario.accountability is not None and scenario.accountability != scenario.accountability_base:
        on.append("accountability")
    return on


def is_reform(scenario: Scenario) -> bool:
    """Whether anything changes on the reform day (a lever on, or cut work displaced into forms)."""
    return bool(levers_on(scenario))


@dataclass
class Settings:
    """What the class chose: preset (or a loaded file), levers, view, the preset it is compared with, run length, seed."""

    preset: str = "baseline"
    levers: dict[str, Any] = field(default_factory=dict)
    mode: str = "single"  # or "compare": `other` (dashed) and this run (solid) side by side on one seed
    other: str = "baseline"
    days: int = CLASS_DAYS
    policy_start_day: int = CLASS_POLICY_DAY
    seed: int = 0
    n_townships: int | None = None  # None keeps the preset's county
    loaded: Scenario | None = None  # the scenario file the class loaded (used when preset == LOADED)


class Classroom:
    """One or two models (the compared preset and this run, on the same seed) stepped together, and their charts."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.lock = threading.RLock()
        self.drawn = threading.Event()  # set when the page has drawn a frame (the play loop waits on it)
        self.build()

    # ---- scenarios and models --------------------------------------------------------------------------------
    def common(self) -> dict[str, Any]:
        """Fields the class sets over any preset: run length, reform day, county size."""
        s = self.settings
        out: dict[str, Any] = {"days": s.days, "policy_start_day": max(1, min(s.policy_start_day, s.days - 1))}
        if s.n_townships:
            out["n_townships"] = s.n_townships
        return out

    def scenario(self) -> Scenario:
        """This run's scenario: the preset file (or the loaded file) with the class's levers and run length."""
        s = self.settings
        source: Any = s.loaded if s.preset == LOADED and s.loaded is not None else presets().get(s.preset)
        return load_scenario(source, **self.common(), **s.levers)

    def other_scenario(self, main: Scenario | None = None) -> Scenario:
        """The preset drawn dashed in side-by-side view, as its file says, on this run's county size and days."""
        main = main or self.scenario()
        return load_scenario(presets().get(self.settings.other), **{**self.common(), "n_townships": main.n_townships})

    def build(self, replay_to: int = 0) -> None:
        """(Re)create the models from the settings and run them to day `replay_to` (same seed, so levers show)."""
        with self.lock:
            s = self.settings
            main_sc = self.scenario()
            other_sc = self.other_scenario(main_sc) if s.mode == "compare" else None
            self.main = GrassrootsModel(rng=s.seed, setup=main_sc)
            self.base = GrassrootsModel(rng=s.seed, setup=other_sc) if other_sc is not None else None
            self.reform = is_reform(main_sc) or (other_sc is not None and is_reform(other_sc))
            self.same = other_sc is not None and _essence(other_sc) == _essence(main_sc)
            path = presets().get(s.preset)
            self.moved = s.preset != LOADED and path is not None and preset_levers(load_scenario(path)) != s.levers
            self._scenes: dict[tuple, dict] = {}
            self._layouts: dict[int, dict[str, np.ndarray]] = {}
            for m in self.models():
                m.collect()
            self.step(replay_to)

    def models(self) -> list[GrassrootsModel]:
        """The compared run first (if any), then this run."""
        return [m for m in (self.base, self.main) if m is not None]

    @property
    def day(self) -> int:
        return self.main.day

    @property
    def days(self) -> int:
        return self.main.params.days

    @property
    def policy_day(self) -> int:
        return self.main.params.policy_start_day

    @property
    def running(self) -> bool:
        return self.main.running and self.main.day < self.main.params.days

    def step(self, n: int = 1) -> None:
        """Advance every model `n` days (stops at the end of the run)."""
        with self.lock:
            for _ in range(n):
                if not self.running:
                    break
                for m in self.models():
                    m.step()
                    m.collect()

    def run_name(self, which: str, lang: str) -> str:
        """Display name of this run ('main') or the compared one ('other')."""
        s = self.settings
        if which == "other":
            return txt.preset_name(s.other, lang)
        if s.preset == LOADED and s.loaded is not None:
            return txt.t("loaded_file", lang, name=s.loaded.name)
        return txt.preset_name(s.preset, lang) + (" *" if self.moved else "")  # *: levers moved off the preset

    def runs(self, lang: str) -> list[tuple[str, str, np.ndarray]]:
        """(which, label, recorded rows so far) per model, the compared run first."""
        out = []
        if self.base is not None:
            out.append(("other", self.run_name("other", lang), self.base.recorder.data[: self.base.day]))
        out.append(("main", self.run_name("main", lang), self.main.recorder.data[: self.main.day]))
        return out

    # ---- words and numbers -----------------------------------------------------------------------------------
    def state(self, lang: str) -> str:
        """One line on what is in force, matching the preset: the baseline says no reform is in force."""
        if self.settings.mode == "compare" and self.same:
            return txt.t("same_runs", lang)
        if not self.reform:
            return txt.t("no_reform", lang)
        if self.day >= self.policy_day:
            return txt.t("after_reform", lang, day=self.policy_day)
        return txt.t("before_reform", lang, day=self.policy_day)

    def kpis(self) -> dict[str, tuple[float, float | None]]:
        """Headline numbers over the last 28 days: (this run, compared run or None). Before the first day, the
        state numbers (exhaustion, burnout) come from the county as it stands; flows are NaN."""
        with self.lock:
            vals = [_kpis(m) if m is not None else None for m in (self.main, self.base)]
        return {k: (vals[0][k], vals[1][k] if vals[1] else None) for k in txt.KPI_KEYS}

    def cadres_in_post(self) -> int:
        return int(self.main.county.filled.sum())

    # ---- files -----------------------------------------------------------------------------------------------
    def scenario_toml(self) -> str:
        """The current settings as a self-contained scenario file (fields that differ from the defaults)."""
        sc = self.scenario()
        defaults = Scenario()
        s = self.settings
        lines = [
            "# Saved from the teaching dashboard: preset "
            f"{s.loaded.name if s.preset == LOADED and s.loaded else s.preset}, seed {s.seed}.",
            "# Run it with: ./grassroots run THIS_FILE.toml   (or load it on the dashboard)",
            f"name = {_toml_value(sc.name)}",
            f"description = {_toml_value(sc.description or 'saved from the dashboard')}",
        ]
        for name in FIELDS:
            if name in ("name", "description", "duty_list_file"):
                continue
            value = getattr(sc, name)
            if value is None or value == getattr(defaults, name):
                continue
            if isinstance(value, dict):
                continue  # tables go last (TOML)
            lines.append(f"{name} = {_toml_value(value)}")
        if sc.duty_shares != defaults.duty_shares:
            lines.append("")
            lines.append("[duty_shares]  # basic, cooperation, returned shares per kind")
            lines += [f"{k} = {_toml_value(v)}" for k, v in sc.duty_shares.items()]
        return "\n".join(lines) + "\n"

    def csv(self) -> bytes:
        """The daily record of every run shown, so far, as CSV (one row per run and day; loads in pandas or R)."""
        frames = []
        with self.lock:
            for which, m in (("other", self.base), ("main", self.main)):
                if m is None:
                    continue
                df = m.recorder.frame(m.day)
                df.insert(0, "seed", self.settings.seed)
                df.insert(0, "scenario", m.params.name)
                df.insert(0, "run", "compared" if which == "other" else "this_run")
                frames.append(df)
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        buf = io.StringIO()
        out.to_csv(buf, index=False)
        return buf.getvalue().encode()

    def caption(self, lang: str) -> list[str]:
        """Lines that say what the charts show: title, runs, day, levers on."""
        s = self.settings
        runs = [name for _w, name, _d in self.runs(lang)]
        lines = [txt.t("title", lang), (" / ".join(runs)), txt.t("day_of", lang, day=self.day, days=self.days),
                 self.state(lang)]
        on = [txt.lever_name(k, lang) for k in levers_on(self.scenario())]
        if on:
            lines.append(("：" if lang == "zh" else ": ").join([txt.t("levers_short", lang),
                                                               ("、" if lang == "zh" else ", ").join(on)]))
        lines.append(f"{txt.t('seed', lang)}: {s.seed}")
        return lines


def _essence(sc: Scenario) -> dict[str, Any]:
    """The fields that change a run (not its name; accountability None is the base intensity)."""
    out = sc.fields()
    for k in ("name", "description", "duty_list_file"):
        out.pop(k)
    if out["accountability"] is None:
        out["accountability"] = sc.accountability_base
    return out


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


MAX_UPLOAD_BYTES = 256_000  # an upload is a scenario file: a few KB (the largest shipped one is under 1 KB); 256 KB
# is far above any honest one and parses in milliseconds, so a large or hostile upload is refused before parsing


def _upload_name(filename: str) -> str:
    """The upload's file name as a message may show it: its last part, printable characters only, short."""
    name = Path(str(filename).replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "\u061c\u200e\u200f" and
                   not "\u202a" <= ch <= "\u202e" and not "\u2066" <= ch <= "\u2069")
    return (name[:80] or "upload.toml")


def read_scenario_upload(data: bytes, filename: str) -> Scenario:
    """A scenario from an uploaded TOML file. Its `extends` and `duty_list_file` may name only shipped files
    inside scenarios/ (relative names that stay inside it once symlinks are resolved; regular files of bounded
    size). Any bad upload raises ScenarioError with one line naming the upload and the field; a message never
    quotes another file's content or shows a path of the server beyond the shipped name."""
    where = _upload_name(filename)
    root = SCENARIO_DIR.resolve()
    try:
        return _read_upload(data, where, root)
    except ScenarioError as err:
        msg = str(err).replace(str(root) + os.sep, "scenarios/").replace(str(SCENARIO_DIR) + os.sep, "scenarios/")
        msg = " ".join(msg.split())  # one line, whatever the input held
        raise ScenarioError(msg) from None
    except Exception as err:  # noqa: BLE001 - any other failure of a malformed upload is one line, not a traceback
        raise ScenarioError(f"{where}: not a scenario file the dashboard can read ({type(err).__name__}); "
                            "see docs/scenario.md") from None


def _read_upload(data: bytes, where: str, root: Path) -> Scenario:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ScenarioError(f"{where}: the upload holds no file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ScenarioError(f"{where}: the upload is {len(data)} bytes; a scenario file is at most "
                            f"{MAX_UPLOAD_BYTES // 1000} KB")
    try:
        raw = tomllib.loads(bytes(data).decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(f"{where}: not UTF-8 text (a scenario TOML file is expected)") from None
    except tomllib.TOMLDecodeError as err:  # the parser gives a position, never the text
        raise ScenarioError(f"{where}: not a TOML scenario file ({err})") from None
    except RecursionError:
        raise ScenarioError(f"{where}: tables or arrays nested too deeply (a scenario nests at most two levels)") from None
    for key in ("extends", "duty_list_file"):
        if key in raw and not isinstance(raw[key], str):
            raise ScenarioError(f"{where}: field {key!r}: must be the name of a shipped scenario file (a string)")
    origins: dict[str, str] = {}
    fields = resolve_fields(raw, root, where, origins=origins, confine=root)
    fields.setdefault("name", Path(where).stem or "upload")
    if isinstance(fields.get("duty_list_file"), str) and fields["duty_list_file"]:
        fields["duty_shares"] = duty_shares(fields["duty_list_file"])
    try:
        return make_scenario(fields, where)
    except ScenarioError as err:
        raise blame(err, where, origins) from None


def settings_for(scenario: Scenario, settings: Settings) -> Settings:
    """Settings that run a loaded scenario: its levers, days and reform day; the class's seed and view."""
    return replace(settings, preset=LOADED, loaded=scenario, levers=preset_levers(scenario), n_townships=None,
                   days=scenario.days, policy_start_day=scenario.policy_start_day)


def _kpis(m: GrassrootsModel) -> dict[str, float]:
    w = m.recorder.data[max(0, m.day - KPI_WINDOW): m.day]
    c = m.county
    filled = c.filled.astype(bool)
    if len(w) == 0:  # day 0: what the county is like now (a warm-started county shows its stocks)
        e = c.exhaustion[filled]
        return {**dict.fromkeys(txt.KPI_KEYS, float("nan")),
                "kpi_exhaustion": float(e.mean()) if e.size else float("nan"),
                "kpi_burnout": float((e >= m.params.burnout_threshold).mean()) if e.size else float("nan")}

    def col(n: str) -> np.ndarray:
        return w[:, IX[n]]

    task = col("task_hours").sum()
    arrived = col("service_requests_arrived").sum() + col("service_problems_found").sum()
    return {
        "kpi_formalism": float(col("formalism_hours").sum() / task) if task > 0 else float("nan"),
        "kpi_exhaustion": float(col("exhaustion_mean")[-1]),
        "kpi_burnout": float(col("burnout_share")[-1]),
        "kpi_resolved": float(min(1.0, col("service_resolved_within_limit").sum() / arrived)) if arrived > 0 else float("nan"),
        "kpi_meetings": float(col("meetings_village_cadre").mean() * 7),
    }
