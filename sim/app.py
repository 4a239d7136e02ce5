"""The teaching dashboard: a Mesa/Solara page that runs the county model live for a class.

Run with `python -m sim dashboard` (or `solara run sim/app.py`). The page follows Mesa's SolaraViz layout (app
bar, sidebar of controls and model parameters, a grid of matplotlib components, play/pause/step/reset driving
`model.step()` and the model's DataCollector), written out here so that every label can switch language.
`Classroom` holds the models and draws the charts; it has no UI and is what the benchmark times.
"""

from __future__ import annotations

import io
import os
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from . import dashboard_text as txt  # noqa: E402
from .fonts import use_cjk  # noqa: E402
from .model import GrassrootsModel  # noqa: E402
from .record import FORMALISM_KINDS, IX, TIME_KINDS  # noqa: E402
from .scenario import LEVERS, Scenario, field_info  # noqa: E402

SCENARIO_DIR = Path(os.environ.get("GRASSROOTS_SCENARIOS", Path(__file__).resolve().parent.parent / "scenarios"))
CLASS_DAYS = 365
CLASS_POLICY_DAY = 120
CHARTS = ("hierarchy", "time_use", "burnout", "service", "meetings")
KIND_ORDER = (*FORMALISM_KINDS, *(k for k in TIME_KINDS if k not in FORMALISM_KINDS))
PALETTE = {
    "meeting": "#b2182b", "travel": "#ef8a62", "app": "#762a83", "document": "#c2a5cf", "inspection": "#e7298a",
    "form": "#fdb863", "trace": "#8c510a", "campaign": "#878787", "specialist": "#bababa",
    "service": "#1a9850", "visit": "#91cf60", "patrol": "#4393c3",
}
BASE_STYLE = {"ls": (0, (4, 2)), "lw": 2.5, "alpha": 0.85}
MAIN_STYLE = {"ls": "-", "lw": 3.5, "alpha": 1.0}
EXHAUST_CMAP = "RdYlGn_r"


def presets() -> dict[str, Path]:
    """Preset scenarios found in scenarios/*.toml at run time, baseline first."""
    found = {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}
    order = ["baseline", *(k for k in txt.PRESET_TEXT if k != "baseline"), *sorted(found)]
    return {k: found[k] for k in dict.fromkeys(order) if k in found}


def lever_defaults() -> dict[str, Any]:
    """Every lever at its 'off' value."""
    return {name: field_info(name)["default"] for name in LEVERS}


def lever_spec(name: str) -> dict[str, Any]:
    """Control type, range and unit of one lever (for the sidebar and the docs)."""
    info = field_info(name)
    ann = Scenario.model_fields[name].annotation
    if ann is bool:
        kind = "bool"
    elif ann is int:
        kind = "int"
    else:
        kind = "float"
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


# --------------------------------------------------------------------------------------------------------------
@dataclass
class Settings:
    """What the class chose: preset, levers, view, run length, seed."""

    preset: str = "baseline"
    levers: dict[str, Any] = field(default_factory=dict)
    mode: str = "single"  # or "compare"
    days: int = CLASS_DAYS
    policy_start_day: int = CLASS_POLICY_DAY
    seed: int = 0
    n_townships: int | None = None  # None keeps the preset's county


class Classroom:
    """One or two models (baseline and reform on the same seed) stepped together, and their charts."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.lock = threading.RLock()
        self.build()

    # ---- models ----------------------------------------------------------------------------------------------
    def scenario_fields(self) -> dict[str, Any]:
        s = self.settings
        fields: dict[str, Any] = {"days": s.days, "policy_start_day": min(s.policy_start_day, s.days)}
        if s.n_townships:
            fields["n_townships"] = s.n_townships
        return fields

    def preset_path(self) -> Path | None:
        return presets().get(self.settings.preset)

    def build(self, replay_to: int = 0) -> None:
        """(Re)create the models from the settings and run them to day `replay_to` (same seed, so levers show)."""
        with self.lock:
            s = self.settings
            path = self.preset_path()
            common = self.scenario_fields()
            self.main = GrassrootsModel(rng=s.seed, scenario=path, **common, **s.levers)
            self.base = (GrassrootsModel(rng=s.seed, scenario=path, **common, **lever_defaults())
                         if s.mode == "compare" else None)
            for m in self.models():
                m.collect()
            self.step(replay_to)

    def models(self) -> list[GrassrootsModel]:
        return [m for m in (self.base, self.main) if m is not None]

    @property
    def day(self) -> int:
        return self.main.day

    @property
    def days(self) -> int:
        return self.main.params.days

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

    def runs(self, lang: str) -> list[tuple[str, np.ndarray, dict]]:
        """(label, recorded rows so far, line style) per model, baseline first."""
        out = []
        if self.base is not None:
            out.append((txt.t("baseline", lang), self.base.recorder.data[: self.base.day], BASE_STYLE))
        out.append((txt.t("reform" if self.base is not None else "this_run", lang), self.main.recorder.data[: self.main.day],
                    MAIN_STYLE))
        return out

    # ---- numbers ---------------------------------------------------------------------------------------------
    def kpis(self) -> dict[str, tuple[float, float | None]]:
        """Headline numbers over the last 28 days: (this run, baseline or None)."""
        with self.lock:
            vals = [_kpis(m.recorder.data[max(0, m.day - 28): m.day]) if m is not None else None
                    for m in (self.main, self.base)]
        return {k: (vals[0][k], vals[1][k] if vals[1] else None) for k in txt.KPI_KEYS}

    # ---- charts ----------------------------------------------------------------------------------------------
    def draw(self, name: str, target, lang: str) -> None:
        """Draw chart `name` into a Figure or SubFigure."""
        DRAW[name](self, target, lang)

    def png(self, name: str, lang: str, dpi: int = 72, size: tuple[float, float] = (10, 5.6)) -> bytes:
        """One chart as PNG bytes."""
        with self.lock:
            fig = _figure(size)
            self.draw(name, fig, lang)
        return _png(fig, dpi)

    def charts(self, lang: str, dpi: int = 72) -> dict[str, bytes]:
        """Every chart as PNG bytes (one dashboard frame)."""
        return {name: self.png(name, lang, dpi) for name in CHARTS}

    def slide(self, lang: str, dpi: int = 110) -> bytes:
        """All charts on one 16:9 slide, PNG bytes."""
        with self.lock:
            fig = _figure((24, 13.5))
            subs = fig.subfigures(2, 3)
            for name, sub in zip(CHARTS, subs.flat, strict=False):
                self.draw(name, sub, lang)
            subs.flat[-1].text(0.5, 0.5, self.caption(lang), ha="center", va="center", fontsize=22, wrap=True)
        return _png(fig, dpi)

    def zip(self, lang: str, dpi: int = 150) -> bytes:
        """Every chart as its own PNG, in a ZIP."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name in CHARTS:
                zf.writestr(f"{name}_day{self.day}.png", self.png(name, lang, dpi))
            zf.writestr(f"all_charts_day{self.day}.png", self.slide(lang))
        return buf.getvalue()

    def caption(self, lang: str) -> str:
        s = self.settings
        name = txt.preset_name(s.preset, lang)
        lines = [txt.t("title", lang), name, txt.t("day_of", lang, day=self.day, days=self.days)]
        on = [txt.lever_name(k, lang) for k, v in s.levers.items() if k != "accountability" and v]
        if on:
            lines.append("; ".join(on))
        return "\n".join(lines)


def _kpis(w: np.ndarray) -> dict[str, float]:
    if len(w) == 0:
        return dict.fromkeys(txt.KPI_KEYS, float("nan"))

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


def _figure(size: tuple[float, float]) -> Figure:
    use_cjk()
    return Figure(figsize=size, layout="constrained")


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _rolling_mean(x: np.ndarray, n: int) -> np.ndarray:
    if len(x) == 0:
        return x
    c = np.cumsum(np.insert(x, 0, 0.0))
    idx = np.arange(1, len(x) + 1)
    lo = np.maximum(idx - n, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def _rolling_sum(x: np.ndarray, n: int) -> np.ndarray:
    c = np.cumsum(np.insert(x, 0, 0.0))
    idx = np.arange(1, len(x) + 1)
    return c[idx] - c[np.maximum(idx - n, 0)]


def _axes_style(ax, room: Classroom, lang: str, ylabel: str = "", top: float | None = None) -> None:
    ax.set_xlim(0, room.days)
    if top is not None:
        ax.set_ylim(0, top)
    ax.set_xlabel(txt.t("day", lang), fontsize=15)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=15)
    ax.tick_params(labelsize=13)
    ax.grid(alpha=0.3)
    d = room.main.params.policy_start_day
    if 0 < d < room.days:
        ax.axvspan(d, room.days, color="#fff3cd", alpha=0.5, zorder=0)
        ax.axvline(d, color="black", ls="--", lw=2)
        ax.text(d, 0.98, " " + txt.t("reform_day", lang), transform=ax.get_xaxis_transform(), va="top", fontsize=13,
                fontweight="bold")


def draw_time_use(room: Classroom, fig, lang: str) -> None:
    """Stacked hours per cadre per day by kind; formalism kinds at the bottom, hatched."""
    runs = room.runs(lang)
    axes = fig.subplots(1, len(runs), sharey=True, squeeze=False)[0]
    top = 1.0
    for ax, (name, data, _style) in zip(axes, runs, strict=True):
        days = np.arange(len(data))
        if len(data):
            cad = np.maximum(data[:, IX["cadres_at_work"]], 1.0)
            per = np.array([_rolling_mean(data[:, IX[f"hours_{k}"]] / cad, 7) for k in KIND_ORDER])
            polys = ax.stackplot(days, per, colors=[PALETTE[k] for k in KIND_ORDER], lw=0)
            for k, poly in zip(KIND_ORDER, polys, strict=True):
                if k in FORMALISM_KINDS:
                    poly.set_hatch("//")
                    poly.set_edgecolor("white")
            top = max(top, float(per.sum(0).max()) * 1.15)
            formal = per[: len(FORMALISM_KINDS)].sum(0)
            ax.plot(days, formal, color="black", lw=2.5)
        _axes_style(ax, room, lang, txt.t("hours_per_cadre", lang) if ax is axes[0] else "")
        if len(runs) > 1:
            ax.set_title(name, fontsize=15)
    for ax in axes:
        ax.set_ylim(0, top)
    handles = [Patch(facecolor=PALETTE[k], hatch="//" if k in FORMALISM_KINDS else None, edgecolor="white",
                     label=txt.kind(k, lang)) for k in KIND_ORDER]
    handles.insert(0, Line2D([], [], color="black", lw=2.5, label=txt.t("formalism", lang)))
    axes[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=11, frameon=False)
    fig.suptitle(txt.t("time_use", lang), fontsize=19, fontweight="bold")


def draw_burnout(room: Classroom, fig, lang: str) -> None:
    """Exhaustion of township and village cadres and the burned-out share, baseline dashed."""
    ax = fig.subplots()
    series = (("exhaustion_village", "#d73027"), ("exhaustion_township", "#4575b4"), ("burnout_share", "#000000"))
    runs = room.runs(lang)
    for _name, data, style in runs:
        for col, color in series:
            ax.plot(np.arange(len(data)), data[:, IX[col]], color=color, **style)
    _axes_style(ax, room, lang, txt.t("share", lang), top=1.0)
    handles = [Line2D([], [], color=c, lw=3.5, label=txt.t(col, lang)) for col, c in series]
    if len(runs) > 1:
        handles += [Line2D([], [], color="grey", label=n, **{k: v for k, v in s.items() if k != "alpha"}) for n, _, s in runs]
    ax.legend(handles=handles, loc="upper left", fontsize=12, ncol=1, framealpha=0.9)
    fig.suptitle(txt.t("burnout", lang), fontsize=19, fontweight="bold")


def draw_service(room: Classroom, fig, lang: str) -> None:
    """Share of requests resolved on time (28-day) and the backlog."""
    a1, a2 = fig.subplots(2, 1, sharex=True)
    runs = room.runs(lang)
    top = 10.0
    for name, data, style in runs:
        days = np.arange(len(data))
        if not len(data):
            continue
        arrived = _rolling_sum(data[:, IX["service_requests_arrived"]] + data[:, IX["service_problems_found"]], 28)
        ok = _rolling_sum(data[:, IX["service_resolved_within_limit"]], 28)
        share = np.minimum(1.0, ok / np.maximum(arrived, 1e-9))
        a1.plot(days, share, color="#1a9850", label=name, **style)
        a2.plot(days, data[:, IX["service_backlog"]], color="#d73027", label=name, **style)
        top = max(top, float(np.nanmax(data[:, IX["service_backlog"]])) * 1.15)
    _axes_style(a1, room, lang, "", top=1.05)
    _axes_style(a2, room, lang, "", top=top)
    a1.set_xlabel("")
    a1.set_title(txt.t("resolved_share", lang), fontsize=15, loc="left")
    a2.set_title(txt.t("backlog", lang), fontsize=15, loc="left")
    if len(runs) > 1:
        a1.legend(fontsize=12, loc="lower left")
    fig.suptitle(txt.t("service", lang), fontsize=19, fontweight="bold")


def draw_meetings(room: Classroom, fig, lang: str) -> None:
    """Meetings per village cadre a week and travel hours per cadre a day."""
    a1, a2 = fig.subplots(2, 1, sharex=True)
    runs = room.runs(lang)
    top1 = top2 = 1.0
    for name, data, style in runs:
        days = np.arange(len(data))
        if not len(data):
            continue
        meet = _rolling_sum(data[:, IX["meetings_village_cadre"]], 7)
        travel = _rolling_mean(data[:, IX["hours_travel"]] / np.maximum(data[:, IX["cadres_at_work"]], 1.0), 7)
        a1.plot(days, meet, color="#b2182b", label=name, **style)
        a2.plot(days, travel, color="#ef8a62", label=name, **style)
        top1, top2 = max(top1, float(meet.max()) * 1.2), max(top2, float(travel.max()) * 1.2)
    _axes_style(a1, room, lang, "", top=top1)
    _axes_style(a2, room, lang, "", top=top2)
    a1.set_xlabel("")
    a1.set_title(txt.t("meetings_week", lang), fontsize=15, loc="left")
    a2.set_title(txt.t("travel_day", lang), fontsize=15, loc="left")
    if len(runs) > 1:
        a1.legend(fontsize=12, loc="lower left")
    fig.suptitle(txt.t("meetings", lang), fontsize=19, fontweight="bold")


def unit_exhaustion(m: GrassrootsModel) -> tuple[np.ndarray, np.ndarray]:
    """Mean exhaustion of filled slots per township (township cadres) and per village (village cadres)."""
    c = m.county
    Nt = c.n_township_cadres
    e, f = c.exhaustion, c.filled.astype(float)

    def per(lo: int, hi: int, size: int) -> np.ndarray:
        ee, ff = e[lo:hi].reshape(-1, size), f[lo:hi].reshape(-1, size)
        return (ee * ff).sum(1) / np.maximum(ff.sum(1), 1.0)

    return per(0, Nt, c.t_slots), per(Nt, c.n_cadres, c.v_slots)


def _hierarchy_layout(m: GrassrootsModel) -> dict[str, np.ndarray]:
    """Departments on top, townships in the middle, each township's villages in a block beneath it."""
    c = m.county
    nt, nd, nv = c.n_townships, c.n_departments, c.n_villages
    width = float(nt)
    dx = (np.arange(nd) + 0.5) * width / nd
    tx = np.arange(nt) + 0.5
    town = np.asarray(c.town_of_village)
    rank = np.zeros(nv, int)
    counts = np.zeros(nt, int)
    for v in range(nv):
        rank[v] = counts[town[v]]
        counts[town[v]] += 1
    cols = max(1, int(np.ceil(np.sqrt(max(counts.max(), 1) / 1.25))))
    vx = town + 0.5 + ((rank % cols) - (cols - 1) / 2) * (0.8 / cols)
    vy = -0.45 - (rank // cols) * (0.8 / cols) * 1.1
    return {"dx": dx, "dy": np.full(nd, 2.0), "tx": tx, "ty": np.full(nt, 1.0), "vx": vx, "vy": vy, "town": town}


def draw_hierarchy(room: Classroom, fig, lang: str) -> None:
    """Departments -> townships -> villages, townships and villages coloured by mean exhaustion."""
    models = room.models()
    runs = room.runs(lang)
    axes = fig.subplots(1, len(models), squeeze=False)[0]
    sc = None
    for ax, m, (name, _data, _style) in zip(axes, models, runs, strict=True):
        lay = room.layout(m)
        te, ve = unit_exhaustion(m)
        dept_lines = [((x, 2.0), (tx, 1.0)) for x in lay["dx"] for tx in lay["tx"]]
        ax.add_collection(LineCollection(dept_lines, colors="#9e9e9e", lw=0.5, alpha=0.45, zorder=1))
        vil_lines = np.stack([np.column_stack([lay["tx"][lay["town"]], np.full(len(lay["vx"]), 1.0)]),
                              np.column_stack([lay["vx"], lay["vy"]])], axis=1)
        ax.add_collection(LineCollection(vil_lines, colors="#bdbdbd", lw=0.4, alpha=0.6, zorder=1))
        ax.scatter(lay["dx"], lay["dy"], s=90, marker="s", color="#37474f", zorder=3)
        sc = ax.scatter(lay["tx"], lay["ty"], s=320, c=te, cmap=EXHAUST_CMAP, vmin=0, vmax=1, edgecolors="black",
                        lw=1.2, zorder=3)
        ax.scatter(lay["vx"], lay["vy"], s=max(12, 2400 / max(len(ve), 1)), marker="s", c=ve, cmap=EXHAUST_CMAP, vmin=0,
                   vmax=1, edgecolors="none", zorder=3)
        n_t = len(lay["tx"])
        ax.set_xlim(-0.1 * n_t - 0.6, n_t + 0.1)
        ax.set_ylim(min(lay["vy"].min(), -0.6) - 0.25, 2.45)
        for y, key in ((2.0, "departments"), (1.0, "townships"), (-0.45, "villages")):
            ax.text(-0.1 * n_t - 0.55, y, txt.t(key, lang), ha="left", va="center", fontsize=13, fontweight="bold")
        ax.set_axis_off()
        ax.set_title(f"{name} · {txt.t('day_of', lang, day=m.day, days=m.params.days)}", fontsize=14)
    cb = fig.colorbar(sc, ax=list(axes), orientation="horizontal", fraction=0.06, pad=0.02, aspect=40)
    cb.set_label(txt.t("exhaustion_colour", lang), fontsize=13)
    cb.ax.tick_params(labelsize=12)
    fig.suptitle(txt.t("hierarchy", lang), fontsize=19, fontweight="bold")


DRAW = {"hierarchy": draw_hierarchy, "time_use": draw_time_use, "burnout": draw_burnout, "service": draw_service,
        "meetings": draw_meetings}


def _layout(self: Classroom, m: GrassrootsModel) -> dict[str, np.ndarray]:
    cache = self.__dict__.setdefault("_layouts", {})
    if id(m) not in cache:
        cache.clear() if len(cache) > 8 else None
        cache[id(m)] = _hierarchy_layout(m)
    return cache[id(m)]


Classroom.layout = _layout
