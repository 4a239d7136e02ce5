"""The teaching dashboard: a Mesa/Solara page that runs the county model live for a class.

Run with `python -m sim dashboard` (or `solara run sim/app.py`). The page follows Mesa's SolaraViz layout (app
bar, sidebar of controls and model parameters, a grid of matplotlib components, play/pause/step/reset driving
`model.step()` and the model's DataCollector), written out here so that every label can switch language.
`Classroom` holds the models and draws the charts; it has no UI and is what the benchmark times.
"""

from __future__ import annotations

import base64
import html
import io
import os
import threading
import time
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402
import solara  # noqa: E402
import solara.lab  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sim.core.blas import pin_blas  # noqa: E402
from sim.core.model import GrassrootsModel  # noqa: E402
from sim.core.record import FORMALISM_KINDS, IX, TIME_KINDS  # noqa: E402
from sim.core.scenario import LEVERS, Scenario, field_info  # noqa: E402
from sim.io.loader import load_scenario  # noqa: E402
from sim.presentation import texts as txt  # noqa: E402

pin_blas()  # one BLAS thread in the dashboard's server process, as wherever the model runs
from sim.presentation.fonts import use_cjk  # noqa: E402

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
    found = {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml")) if p.stem != "targets"}  # targets: not a scenario
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
        self.drawn = threading.Event()  # set when the page has drawn a frame (the play loop waits on it)
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
            self._scenes: dict[tuple, tuple] = {}
            self._layouts: dict[int, dict[str, np.ndarray]] = {}
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
    def draw(self, name: str, target, lang: str):
        """Draw chart `name` into a Figure or SubFigure; returns a function that refreshes it in place."""
        update = DRAW[name](self, target, lang)
        update()
        return update

    def png(self, name: str, lang: str, dpi: int = 72, size: tuple[float, float] = (10, 5.6)) -> bytes:
        """One chart as PNG bytes. The figure is kept: axes, labels and legends are drawn once and reused
        (matplotlib blitting) until the axis limits change; a frame redraws only the data."""
        with self.lock:
            key = (name, lang, dpi, size)
            if key not in self._scenes:
                fig = _figure(size)
                fig.set_dpi(dpi)
                FigureCanvasAgg(fig)
                self._scenes[key] = {"fig": fig, "update": DRAW[name](self, fig, lang), "bg": None, "limits": None}
            sc = self._scenes[key]
            fig, canvas = sc["fig"], sc["fig"].canvas
            artists = sc["update"]()
            for a in artists:
                a.set_animated(True)
            limits = tuple(ax.get_ylim() for ax in fig.axes)
            if limits != sc["limits"]:
                canvas.draw()  # the static layer
                fig.set_layout_engine("none")  # lay out once; later frames keep the axes where they are
                sc["bg"], sc["limits"] = canvas.copy_from_bbox(fig.bbox), limits
            else:
                canvas.restore_region(sc["bg"])
            for a in artists:
                fig.draw_artist(a)
            for ax in fig.axes:  # legends stay on top of the data
                if ax.get_legend() is not None:
                    fig.draw_artist(ax.get_legend())
            img = PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
            buf = io.BytesIO()
            img.convert("RGB").save(buf, format="PNG", compress_level=1)
            return buf.getvalue()

    def charts(self, lang: str, dpi: int = 72) -> dict[str, bytes]:
        """Every chart as PNG bytes (one dashboard frame)."""
        return {name: self.png(name, lang, dpi) for name in CHARTS}

    def slide(self, lang: str, dpi: int = 100) -> bytes:
        """All charts on one 16:9 slide, PNG bytes."""
        with self.lock:
            fig = _figure((24, 13.5))
            subs = fig.subfigures(2, 3)
            for name, sub in zip(CHARTS, subs.flat, strict=False):
                self.draw(name, sub, lang)
            subs.flat[-1].text(0.5, 0.5, self.caption(lang), ha="center", va="center", fontsize=22, wrap=True)
        return _png(fig, dpi)

    def zip(self, lang: str, dpi: int = 150) -> bytes:
        """Every chart as its own PNG, plus the one-slide overview, in a ZIP."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name in CHARTS:
                with self.lock:
                    fig = _figure((10, 5.6))
                    self.draw(name, fig, lang)
                zf.writestr(f"{name}_day{self.day}.png", _png(fig, dpi))
            zf.writestr(f"all_charts_day{self.day}.png", self.slide(lang))
        return buf.getvalue()

    def caption(self, lang: str) -> str:
        s = self.settings
        lines = [txt.t("title", lang), txt.preset_name(s.preset, lang), txt.t("day_of", lang, day=self.day, days=self.days)]
        on = [txt.lever_name(k, lang) for k, v in s.levers.items()
              if k != "accountability" and v and v != lever_defaults()[k]]
        if on:
            lines.append("；".join(on) if lang == "zh" else "; ".join(on))
        return "\n".join(lines)

    def layout(self, m: GrassrootsModel) -> dict[str, np.ndarray]:
        """Node positions of the aggregated hierarchy (cached per model)."""
        if id(m) not in self._layouts:
            self._layouts[id(m)] = _hierarchy_layout(m)
        return self._layouts[id(m)]


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


def _axes_style(ax, room: Classroom, lang: str, ylabel: str = "", top: float = 1.0) -> None:
    """Fixed x range (the whole run), large type, the reform day marked and the reform period shaded."""
    ax.set_xlim(0, room.days)
    ax.set_ylim(0, top)
    ax.set_xlabel(txt.t("day", lang), fontsize=15)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=15)
    ax.tick_params(labelsize=13)
    ax.grid(alpha=0.3)
    d = room.main.params.policy_start_day
    if 0 < d < room.days:
        ax.axvspan(d, room.days, color="#fff3cd", alpha=0.6, zorder=0)
        ax.axvline(d, color="black", ls="--", lw=2)
        ax.text(d, 0.98, " " + txt.t("reform_day", lang), transform=ax.get_xaxis_transform(), va="top", fontsize=14)


def _grow(ax, value: float, floor: float) -> None:
    """Raise the y limit when the data outgrow it (never shrink while playing: less jumping)."""
    top = max(floor, value * 1.15)
    if top > ax.get_ylim()[1]:
        ax.set_ylim(0, top)


def _line_legend(fig, runs) -> None:
    """Baseline dashed / reform solid, above the panels (never over the data)."""
    if len(runs) > 1:
        handles = [Line2D([], [], color="#444444", label=n, **s) for n, _, s in runs]
        fig.legend(handles=handles, fontsize=13, loc="outside upper right", ncol=2, frameon=False)


def draw_time_use(room: Classroom, fig, lang: str):
    """Stacked hours per cadre per day by kind; formalism kinds at the bottom, hatched, with a black line on top."""
    runs = room.runs(lang)
    axes = fig.subplots(1, len(runs), sharey=True, squeeze=False)[0]
    formal_lines = []
    for ax, (name, _data, _style) in zip(axes, runs, strict=True):
        _axes_style(ax, room, lang, txt.t("hours_per_cadre", lang) if ax is axes[0] else "", top=8.0)
        formal_lines.append(ax.plot([], [], color="black", lw=3, zorder=4)[0])
        if len(runs) > 1:
            ax.set_title(name, fontsize=16)
    handles = [Line2D([], [], color="black", lw=3, label=txt.t("formalism", lang))]
    handles += [Patch(facecolor=PALETTE[k], hatch="//" if k in FORMALISM_KINDS else None, edgecolor="white",
                      label=txt.kind(k, lang)) for k in KIND_ORDER]
    axes[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=12, frameon=False)
    fig.suptitle(txt.t("time_use", lang), fontsize=20)
    stacks: list[list] = [[] for _ in axes]

    def update() -> None:
        for i, (ax, (_n, data, _s)) in enumerate(zip(axes, room.runs(lang), strict=True)):
            for poly in stacks[i]:
                poly.remove()
            stacks[i] = []
            if not len(data):
                formal_lines[i].set_data([], [])
                continue
            days = np.arange(len(data))
            cad = np.maximum(data[:, IX["cadres_at_work"]], 1.0)
            per = np.array([_rolling_mean(data[:, IX[f"hours_{k}"]] / cad, 7) for k in KIND_ORDER])
            stacks[i] = ax.stackplot(days, per, colors=[PALETTE[k] for k in KIND_ORDER], lw=0, zorder=2)
            for k, poly in zip(KIND_ORDER, stacks[i], strict=True):
                if k in FORMALISM_KINDS:
                    poly.set_hatch("//")
                    poly.set_edgecolor("white")
            formal_lines[i].set_data(days, per[: len(FORMALISM_KINDS)].sum(0))
            _grow(axes[0], float(per.sum(0).max()), 8.0)
        return [p for st in stacks for p in st] + formal_lines

    return update


def draw_burnout(room: Classroom, fig, lang: str):
    """Exhaustion of village and township cadres and the burned-out share (7-day means); baseline dashed."""
    ax = fig.subplots()
    series = (("exhaustion_village", "#d73027"), ("exhaustion_township", "#4575b4"), ("burnout_share", "#000000"))
    runs = room.runs(lang)
    lines = [[ax.plot([], [], color=c, **style)[0] for _col, c in series] for _n, _d, style in runs]
    _axes_style(ax, room, lang, txt.t("share", lang), top=1.0)
    handles = [Line2D([], [], color=c, lw=3.5, label=txt.t(col, lang)) for col, c in series]
    if len(runs) > 1:
        handles += [Line2D([], [], color="#444444", label=n, **s) for n, _, s in runs]
    ax.legend(handles=handles, loc="upper left", fontsize=12, framealpha=0.9)
    fig.suptitle(txt.t("burnout", lang), fontsize=20)

    def update() -> None:
        for row, (_n, data, _s) in zip(lines, room.runs(lang), strict=True):
            days = np.arange(len(data))
            for line, (col, _c) in zip(row, series, strict=True):
                line.set_data(days, _rolling_mean(data[:, IX[col]], 7))
        return [line for row in lines for line in row]

    return update


def _two_panel(room: Classroom, fig, lang: str, title: str, panels, floors):
    """Two stacked line panels sharing the day axis; `panels` are (subtitle, colour, series function)."""
    axes = fig.subplots(2, 1, sharex=True)
    runs = room.runs(lang)
    lines = []
    for ax, (sub, color, _fn), floor in zip(axes, panels, floors, strict=True):
        _axes_style(ax, room, lang, "", top=floor)
        ax.set_title(sub, fontsize=15, loc="left")
        lines.append([ax.plot([], [], color=color, **style)[0] for _n, _d, style in runs])
    axes[0].set_xlabel("")
    _line_legend(fig, runs)
    fig.suptitle(title, fontsize=20)

    def update() -> None:
        for ax, row, (_sub, _c, fn), floor in zip(axes, lines, panels, floors, strict=True):
            for line, (_n, data, _s) in zip(row, room.runs(lang), strict=True):
                if not len(data):
                    line.set_data([], [])
                    continue
                y = fn(data)
                line.set_data(np.arange(len(data)), y)
                if floor != 1.05:
                    _grow(ax, float(np.nanmax(y)), floor)
        return [line for row in lines for line in row]

    return update


def _resolved_share(data: np.ndarray) -> np.ndarray:
    arrived = _rolling_sum(data[:, IX["service_requests_arrived"]] + data[:, IX["service_problems_found"]], 28)
    ok = _rolling_sum(data[:, IX["service_resolved_within_limit"]], 28)
    return np.minimum(1.0, ok / np.maximum(arrived, 1e-9))


def draw_service(room: Classroom, fig, lang: str):
    """Share of requests resolved on time (28-day window) and the requests waiting."""
    return _two_panel(room, fig, lang, txt.t("service", lang), (
        (txt.t("resolved_share", lang), "#1a9850", _resolved_share),
        (txt.t("backlog", lang), "#d73027", lambda d: d[:, IX["service_backlog"]]),
    ), (1.05, 10.0))


def draw_meetings(room: Classroom, fig, lang: str):
    """Meetings per village cadre a week and travel hours per cadre a day (7-day windows)."""
    return _two_panel(room, fig, lang, txt.t("meetings", lang), (
        (txt.t("meetings_week", lang), "#b2182b", lambda d: _rolling_sum(d[:, IX["meetings_village_cadre"]], 7)),
        (txt.t("travel_day", lang), "#ef8a62",
         lambda d: _rolling_mean(d[:, IX["hours_travel"]] / np.maximum(d[:, IX["cadres_at_work"]], 1.0), 7)),
    ), (1.0, 0.5))


def unit_exhaustion(m: GrassrootsModel) -> tuple[np.ndarray, np.ndarray]:
    """Mean exhaustion of filled slots per township (township cadres) and per village (village cadres)."""
    c = m.county
    Nt = c.n_township_cadres
    e, f = c.exhaustion, c.filled.astype(float)
    ef = e * f
    return (c.per_township(ef[:Nt]) / np.maximum(c.per_township(f[:Nt]), 1.0),
            c.per_village(ef[Nt:]) / np.maximum(c.per_village(f[Nt:]), 1.0))


def _hierarchy_layout(m: GrassrootsModel) -> dict[str, np.ndarray]:
    """Departments on top, townships in the middle, each township's villages in a block beneath it."""
    c = m.county
    nt, nd, nv = c.n_townships, c.n_departments, c.n_villages
    dx = (np.arange(nd) + 0.5) * nt / nd
    tx = np.arange(nt) + 0.5
    town = np.asarray(c.town_of_village, dtype=int)
    rank = np.zeros(nv, int)
    counts = np.zeros(nt, int)
    for v in range(nv):
        rank[v] = counts[town[v]]
        counts[town[v]] += 1
    cols = max(1, int(np.ceil(np.sqrt(max(int(counts.max()), 1) / 1.3))))
    gap = 0.84 / cols
    vx = town + 0.5 + ((rank % cols) - (cols - 1) / 2) * gap
    vy = 0.45 - (rank // cols) * gap * 1.5
    return {"dx": dx, "dy": np.full(nd, 2.0), "tx": tx, "ty": np.full(nt, 1.0), "vx": vx, "vy": vy, "town": town,
            "size": np.array(min(200.0, 20000.0 / max(nv, 1)))}


def draw_hierarchy(room: Classroom, fig, lang: str):
    """Departments -> townships -> villages; townships and villages coloured by their cadres' mean exhaustion."""
    models = room.models()
    axes = fig.subplots(1, len(models), squeeze=False)[0]
    dots, titles = [], []
    for ax, m in zip(axes, models, strict=True):
        lay = room.layout(m)
        n_t = len(lay["tx"])
        lines = [((x, 2.0), (tx, 1.0)) for x in lay["dx"] for tx in lay["tx"]]
        ax.add_collection(LineCollection(lines, colors="#9e9e9e", lw=0.6, alpha=0.5, zorder=1))
        down = np.stack([np.column_stack([lay["tx"][lay["town"]], np.full(len(lay["vx"]), 1.0)]),
                         np.column_stack([lay["vx"], lay["vy"]])], axis=1)
        ax.add_collection(LineCollection(down, colors="#bdbdbd", lw=0.4, alpha=0.6, zorder=1))
        ax.scatter(lay["dx"], lay["dy"], s=110, marker="s", color="#37474f", zorder=3)
        t_dot = ax.scatter(lay["tx"], lay["ty"], s=min(420, 5000 / n_t), c=np.zeros(n_t), cmap=EXHAUST_CMAP, vmin=0,
                           vmax=1, edgecolors="black", lw=1.2, zorder=3)
        v_dot = ax.scatter(lay["vx"], lay["vy"], s=float(lay["size"]) / len(models), marker="s",
                           c=np.zeros(len(lay["vx"])), cmap=EXHAUST_CMAP, vmin=0, vmax=1, edgecolors="none", zorder=3)
        dots.append((m, t_dot, v_dot))
        left = -0.12 * n_t * len(models) - 0.2
        ax.set_xlim(left - 0.1, n_t + 0.05)
        ax.set_ylim(float(lay["vy"].min()) - 0.2, 2.3)
        for y, key in ((2.0, "departments"), (1.0, "townships"), (0.2, "villages")):
            ax.text(left, y, txt.t(key, lang), ha="left", va="center", fontsize=14 if len(models) == 1 else 12)
        ax.set_axis_off()
        titles.append(ax.set_title("", fontsize=15))
    cb = fig.colorbar(dots[-1][1], ax=list(axes), orientation="horizontal", fraction=0.06, pad=0.02, aspect=40)
    cb.set_label(txt.t("exhaustion_colour", lang), fontsize=14)
    cb.ax.tick_params(labelsize=12)
    fig.suptitle(txt.t("hierarchy", lang), fontsize=20)

    def update() -> None:
        for (m, t_dot, v_dot), title, (name, _d, _s) in zip(dots, titles, room.runs(lang), strict=True):
            te, ve = unit_exhaustion(m)
            t_dot.set_array(te)
            v_dot.set_array(ve)
            day = txt.t("day_of", lang, day=m.day, days=m.params.days)
            title.set_text(f"{name} · {day}" if len(dots) > 1 else day)
        return [a for _m, t_dot, v_dot in dots for a in (t_dot, v_dot)] + titles

    return update


DRAW = {"hierarchy": draw_hierarchy, "time_use": draw_time_use, "burnout": draw_burnout, "service": draw_service,
        "meetings": draw_meetings}


# --------------------------------------------------------------------------------------------------------------
# The page (Solara). Everything above is plain Python; everything below only wires it to the browser.

# Mesa's SolaraViz redraws on a shared counter (mesa.visualization.utils.update_counter); importing that module
# needs altair, which this project does not install, so the same two lines live here.
update_counter = solara.reactive(0)


def force_update() -> None:
    """Tell every component to redraw (Mesa's force_update)."""
    update_counter.value += 1


PLAY_PAUSE_S = 0.02  # breathing room between frames so clicks get through while playing
settings_version = solara.reactive(0)  # bumps when settings change (sidebar redraws on this, not every frame)


def initial_settings() -> Settings:
    """Settings from the environment that `python -m sim dashboard` sets (preset, days, reform day, size)."""
    env = os.environ
    found = presets()
    preset = env.get("GRASSROOTS_PRESET", "baseline")
    preset = preset if preset in found else next(iter(found), "baseline")
    days = int(env.get("GRASSROOTS_DAYS", CLASS_DAYS))
    s = Settings(preset=preset, days=days, policy_start_day=min(int(env.get("GRASSROOTS_REFORM_DAY", CLASS_POLICY_DAY)), days),
                 n_townships=int(env["GRASSROOTS_TOWNSHIPS"]) if env.get("GRASSROOTS_TOWNSHIPS") else None)
    s.levers = preset_levers(load_scenario(found[preset])) if preset in found else preset_levers(load_scenario(None))
    return s


lang_state = solara.reactive(os.environ.get("GRASSROOTS_LANG", "zh") if os.environ.get("GRASSROOTS_LANG") in txt.LANGS else "zh")
playing = solara.reactive(False)
speed = solara.reactive(1)
lesson_index = solara.reactive(0)
error = solara.reactive("")


def _fmt(key: str, v: float | None) -> str:
    if v is None or not np.isfinite(v):
        return "–"
    return f"{v:.1f}" if key == "kpi_meetings" else f"{100 * v:.0f}%" if key != "kpi_exhaustion" else f"{v:.2f}"


@cache
def page_css() -> str:
    """Page CSS with the Chinese glyphs the page uses embedded as a web font (a ~130 kB subset of the Noto Sans CJK
    SC that mplfonts ships), so Chinese shows on a machine with no CJK font and no network."""
    css = ".chart { border: 1px solid #ddd; } .v-application { font-size: 16px; }"
    try:
        import mplfonts
        from fontTools import subset

        chars: set[str] = set(map(chr, range(32, 127)))

        def walk(o: Any) -> None:
            if isinstance(o, str):
                chars.update(o)
            elif isinstance(o, dict):
                for k, v in o.items():
                    walk(k)
                    walk(v)
            elif isinstance(o, list | tuple):
                for v in o:
                    walk(v)

        from sim.presentation import labels

        for mod in (txt, labels):
            walk([v for k, v in vars(mod).items() if not k.startswith("_")])
        opts = subset.Options()
        opts.flavor = "woff"
        font = subset.load_font(str(Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"), opts)
        sub = subset.Subsetter(opts)
        sub.populate(text="".join(sorted(chars)))
        sub.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, opts)
        data = base64.b64encode(buf.getvalue()).decode()
        css += ("@font-face { font-family: 'Grassroots CJK'; src: url(data:font/woff;base64," + data + ") format('woff'); }"
                ".v-application, .v-application .headline, .v-application .title, .v-application [class*='text-'] "
                "{ font-family: Roboto, 'Grassroots CJK', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif !important; }")
    except Exception:  # no fontTools: fall back to the system's CJK fonts
        css += ".v-application { font-family: Roboto, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; }"
    return css


@solara.component
def LanguageSwitch():
    lang = lang_state.value
    with solara.Row(gap="4px", classes=["lang-switch"]):
        for code, name in (("zh", "中文"), ("en", "English")):
            solara.Button(name, on_click=lambda code=code: lang_state.set(code), color="primary" if lang == code else None,
                          outlined=lang != code, classes=[f"lang-{code}"])


@solara.component
def RunControls(room: Classroom):
    """Play, pause, step, reset: the model runs in a worker thread, one frame every `speed` days."""
    lang = lang_state.value
    update_counter.get()

    def play_loop():
        # One frame at a time: step, ask for a redraw, wait until the charts are drawn, then give the page a
        # moment to send them and to take clicks. Without the wait, redraw requests pile up faster than they
        # render and the page never gets a finished frame.
        while playing.value and room.running:
            t0 = time.perf_counter()
            room.drawn.clear()
            room.step(speed.value)
            force_update()
            room.drawn.wait(10)
            if os.environ.get("GRASSROOTS_DEBUG"):
                print(f"frame day {room.day} {time.perf_counter() - t0:.3f}s", flush=True)
            time.sleep(PLAY_PAUSE_S)
        if not room.running:
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def do_step(n: int) -> None:
        room.step(n)
        force_update()

    def do_reset() -> None:
        playing.set(False)
        room.build(0)
        force_update()

    with solara.Card(txt.t("controls", lang), margin=0, classes=["run-controls"]):
        state = (txt.t("finished", lang) if not room.running else
                 txt.t("after_reform", lang) if room.day >= room.main.params.policy_start_day else txt.t("before_reform", lang))
        solara.Text(txt.t("day_of", lang, day=room.day, days=room.days), classes=["day-counter"],
                    style={"font-size": "26px", "font-weight": "bold", "display": "block"})
        solara.Text(state, classes=["run-state"], style={"font-size": "16px"})
        with solara.Row(gap="6px", style={"flex-wrap": "wrap", "margin-top": "8px"}):
            solara.Button(txt.t("pause" if playing.value else "play", lang), color="primary", classes=["btn-play"],
                          on_click=lambda: playing.set(not playing.value), disabled=not room.running)
            solara.Button(txt.t("step", lang), on_click=lambda: do_step(1), disabled=playing.value or not room.running,
                          classes=["btn-step"])
            solara.Button(txt.t("step_week", lang), on_click=lambda: do_step(7), disabled=playing.value or not room.running,
                          classes=["btn-week"])
            solara.Button(txt.t("reset", lang), on_click=do_reset, classes=["btn-reset"])
        solara.SliderInt(f"{txt.t('speed', lang)}: {speed.value}", value=speed, min=1, max=30)


def _rebuild(room: Classroom, replay: bool = True, **changes: Any) -> None:
    """Apply new settings and rebuild on the same seed, replaying to today; a bad combination shows an error."""
    old = Settings(**{**room.settings.__dict__, "levers": dict(room.settings.levers)})
    for k, v in changes.items():
        setattr(room.settings, k, v)
    room.settings.policy_start_day = min(room.settings.policy_start_day, room.settings.days)
    try:
        room.build(min(room.day, room.settings.days) if replay else 0)
        error.set("")
    except ValueError as err:  # ScenarioError is a ValueError
        room.settings = old
        room.build(min(room.day, old.days))
        error.set(f"{txt.t('error', lang_state.value)}: {err}")
    settings_version.value += 1
    force_update()


def _load_preset(room: Classroom, name: str) -> None:
    path = presets().get(name)
    levers = preset_levers(load_scenario(path)) if path else preset_levers(load_scenario(None))
    _rebuild(room, preset=name, levers=levers)


@solara.component
def ScenarioControls(room: Classroom):
    lang = lang_state.value
    settings_version.get()
    s = room.settings
    names = {txt.preset_name(k, lang): k for k in presets()}
    modes = {txt.t("mode_single", lang): "single", txt.t("mode_compare", lang): "compare"}
    with solara.Card(txt.t("scenario", lang), margin=0, classes=["scenario-controls"]):
        solara.Select(txt.t("preset", lang), values=list(names), value=txt.preset_name(s.preset, lang),
                      on_value=lambda v: _load_preset(room, names[v]), classes=["preset-select"])
        solara.Select(txt.t("mode", lang), values=list(modes), value=[k for k, v in modes.items() if v == s.mode][0],
                      on_value=lambda v: _rebuild(room, mode=modes[v]), classes=["mode-select"])
        solara.SliderInt(f"{txt.t('days', lang)}: {s.days}", value=s.days, min=60, max=1095, step=5, on_value=lambda v: _rebuild(room, days=v))
        solara.SliderInt(f"{txt.t('policy_start_day', lang)}: {s.policy_start_day}", value=s.policy_start_day, min=0, max=s.days, step=5,
                         on_value=lambda v: _rebuild(room, policy_start_day=v))
        solara.InputInt(txt.t("seed", lang), value=s.seed, on_value=lambda v: _rebuild(room, seed=max(0, int(v or 0))))
        if error.value:
            solara.Error(error.value)


@solara.component
def LeverControls(room: Classroom):
    """One control per lever, named in the current language with its unit, range and a one-line explanation."""
    lang = lang_state.value
    settings_version.get()
    levers = room.settings.levers

    def set_lever(name: str, value: Any) -> None:
        _rebuild(room, levers={**room.settings.levers, name: value})

    with solara.Card(txt.t("levers", lang), margin=0, classes=["lever-controls"]):
        solara.Text(txt.t("levers_note", lang), style={"font-size": "13px", "color": "#555"})
        for en, zh, group in txt.LEVER_GROUPS:
            with solara.Details(zh if lang == "zh" else en, expand=True):
                for name in group:
                    spec = lever_spec(name)
                    u = txt.unit(spec["unit"], lang)
                    with solara.Div(classes=[f"lever-{name}"], style={"margin-bottom": "6px"}):
                        if spec["kind"] == "bool":
                            solara.Switch(label=f"{txt.lever_name(name, lang)} ({u})", value=bool(levers.get(name)),
                                          on_value=lambda v, name=name: set_lever(name, bool(v)))
                        elif spec["kind"] == "int":
                            solara.SliderInt(f"{txt.lever_name(name, lang)}: {int(levers.get(name) or 0)} ({u}, {spec['min']}–{spec['max']})",
                                             value=int(levers.get(name) or 0), min=spec["min"], max=spec["max"],
                                             on_value=lambda v, name=name: set_lever(name, int(v)))
                        else:
                            solara.SliderFloat(f"{txt.lever_name(name, lang)}: {float(levers.get(name) or 0.0):.2f} ({u}, 0–1)",
                                               value=float(levers.get(name) or 0.0),
                                               min=spec["min"], max=spec["max"], step=0.05,
                                               on_value=lambda v, name=name: set_lever(name, round(float(v), 2)))
                        solara.Text(txt.lever_help(name, lang), style={"font-size": "12px", "color": "#666"})


@solara.component
def Lesson(room: Classroom):
    """The guided lesson: one step at a time, each with a button that sets the scenario up."""
    lang = lang_state.value
    i = lesson_index.value
    n = len(txt.LESSON)
    step = txt.LESSON[i]

    def setup() -> None:
        playing.set(False)
        path = presets().get(step["preset"])
        levers = preset_levers(load_scenario(path)) if path else {**preset_levers(load_scenario(None)), **step["levers"]}
        _rebuild(room, replay=False, preset=step["preset"] if path else "baseline", levers=levers, mode=step["mode"])

    with solara.Card(f"{txt.t('lesson', lang)} · {txt.t('lesson_step', lang, i=i + 1, n=n)}", margin=0, classes=["lesson"]):
        def part(key: str) -> str:
            return html.escape(txt.lesson_text(i, key, lang))

        solara.HTML(tag="div", classes=["lesson-text"], style={"font-size": "19px", "line-height": "1.5"}, unsafe_innerHTML=(
            f"<h2 style='margin:0 0 6px 0'>{part('title')}</h2><p>{part('text')}</p>"
            f"<p><b>{html.escape(txt.t('lesson_watch', lang))}:</b> {part('watch')}</p>"
            f"<p><b>{html.escape(txt.t('lesson_ask', lang))}:</b> {part('ask')}</p>"))
        with solara.Row(gap="8px"):
            solara.Button(txt.t("lesson_prev", lang), on_click=lambda: lesson_index.set(max(0, i - 1)), disabled=i == 0)
            solara.Button(txt.t("lesson_setup", lang), on_click=setup, color="primary", classes=["lesson-setup"])
            solara.Button(txt.t("lesson_next", lang), on_click=lambda: lesson_index.set(min(n - 1, i + 1)),
                          disabled=i == n - 1, classes=["lesson-next"])


@solara.component
def Kpis(room: Classroom):
    lang = lang_state.value
    update_counter.get()
    values = room.kpis()
    with solara.Row(gap="10px", style={"flex-wrap": "wrap"}, classes=["kpis"]):
        for key in txt.KPI_KEYS:
            main, base = values[key]
            with solara.Card(margin=0, style={"min-width": "190px", "flex": "1"}, classes=[f"{key}"]):
                solara.Text(txt.t(key, lang), style={"font-size": "16px", "color": "#444", "display": "block", "line-height": "1.3"})
                solara.Text(_fmt(key, main), classes=["kpi-value"],
                            style={"font-size": "40px", "font-weight": "bold", "display": "block", "line-height": "1.3",
                                   "margin": "4px 0"})
                extra = f"{txt.t('kpi_window', lang)}"
                if base is not None:
                    extra += f" · {txt.t('kpi_vs_baseline', lang)} {_fmt(key, base)}"
                solara.Text(extra, style={"font-size": "14px", "color": "#666", "display": "block"})


@solara.component
def Charts(room: Classroom):
    """The five charts; one frame = a redraw of the data layer of each (see Classroom.png)."""
    lang = lang_state.value
    frame = update_counter.get()
    def draw() -> dict[str, bytes]:
        t0 = time.perf_counter()
        out = room.charts(lang)
        room.drawn.set()
        if os.environ.get("GRASSROOTS_DEBUG"):
            print(f"charts day {room.day} {time.perf_counter() - t0:.3f}s {threading.current_thread().name}", flush=True)
        return out

    pngs = solara.use_memo(draw, dependencies=[frame, lang, room.day, id(room.main)])
    for row in (("hierarchy", "time_use"), ("burnout", "service"), ("meetings",)):
        with solara.Columns([1, 1]):
            for name in row:
                solara.Image(pngs[name], width="100%", classes=["chart", f"chart-{name}"])


@solara.component
def Export(room: Classroom):
    lang = lang_state.value
    update_counter.get()
    with solara.Card(txt.t("export", lang), margin=0, classes=["export"]):
        solara.FileDownload(lambda: room.slide(lang), filename=f"grassroots_{room.settings.preset}_day{room.day}.png",
                            label=txt.t("export_all", lang), mime_type="image/png")
        solara.FileDownload(lambda: room.zip(lang), filename=f"grassroots_{room.settings.preset}_day{room.day}.zip",
                            label=txt.t("export_zip", lang), mime_type="application/zip")


@solara.component
def Page():
    """The dashboard page: app bar with the language switch, controls in the sidebar, lesson, numbers, charts."""
    room = solara.use_memo(lambda: Classroom(initial_settings()), dependencies=[])
    lang = lang_state.value
    solara.Title(f"{txt.t('title', lang)} · {txt.t('subtitle', lang)}")
    solara.Style(page_css())
    with solara.AppBar():
        solara.AppBarTitle(f"{txt.t('title', lang)} — {txt.t('subtitle', lang)}")
        LanguageSwitch()
    with solara.Sidebar():
        with solara.Column(gap="10px"):
            RunControls(room)
            ScenarioControls(room)
            LeverControls(room)
            Export(room)
    with solara.Column(gap="12px", style={"padding": "8px"}):
        Lesson(room)
        Kpis(room)
        Charts(room)
