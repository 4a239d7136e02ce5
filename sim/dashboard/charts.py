"""The dashboard's five charts, drawn for a projector: at the pixel size they are shown, type >= 18 px,
a colour-blind-safe palette (Okabe-Ito lines, Paul Tol's muted set for the kinds of work, cividis for exhaustion).

Sizes are in CSS pixels and fonts in points at 72 dpi, so a 18 pt tick label is 18 px on the page; a device-pixel
ratio above 1 raises the dpi, not the type. A frame keeps each figure and redraws only its data (matplotlib
blitting) until an axis limit changes; then the whole figure is drawn and laid out again.
"""

from __future__ import annotations

import io
import textwrap
import unicodedata
import zipfile
import zlib

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

from sim.core.record import FORMALISM_KINDS, IX, TIME_KINDS  # noqa: E402
from sim.dashboard.classroom import Classroom  # noqa: E402
from sim.presentation import texts as txt  # noqa: E402
from sim.presentation.fonts import use_cjk  # noqa: E402

CHARTS = ("hierarchy", "time_use", "burnout", "service", "meetings")
KIND_ORDER = (*FORMALISM_KINDS, *(k for k in TIME_KINDS if k not in FORMALISM_KINDS))
FS = {"tick": 18, "label": 19, "legend": 18, "title": 20, "suptitle": 23}  # points; at 72 dpi a point is a CSS px
# Paul Tol's muted scheme (colour-blind safe); formalism kinds are also hatched, so no colour carries meaning alone
PALETTE = {
    "meeting": "#CC6677", "travel": "#882255", "app": "#AA4499", "document": "#DDCC77", "inspection": "#999933",
    "form": "#332288", "trace": "#6b6b6b", "campaign": "#BBBBBB", "specialist": "#44AA99", "service": "#117733",
    "visit": "#88CCEE", "patrol": "#0077BB",
}
# Okabe-Ito: the compared run orange and dashed, this run blue and solid (colour and dash both differ)
RUN_STYLE = {"other": {"color": "#E69F00", "ls": (0, (4, 1.5)), "lw": 3.5},
             "main": {"color": "#0072B2", "ls": "-", "lw": 3.5}}
SERIES = {"exhaustion_village": "#D55E00", "exhaustion_township": "#0072B2", "burnout_share": "#000000",
          "resolved": "#009E73", "backlog": "#CC79A7", "meetings": "#D55E00", "travel": "#56B4E9"}
EXHAUST_CMAP = "cividis_r"  # light = fresh, dark = spent; no red-green
SHADE = "#f2f2f2"


# ---- frames for the page: figures kept between frames ------------------------------------------------------------
def frame_png(room: Classroom, name: str, lang: str, size: tuple[int, int], dpr: float = 1.0) -> bytes:
    """One chart as PNG bytes at `size` CSS pixels. The figure is kept: axes, labels and legends are drawn once
    and reused (blitting) until an axis limit changes; a frame redraws only the data."""
    with room.lock:
        use_cjk()  # per session: Solara keeps matplotlib's rcParams per browser session
        key = (name, lang, tuple(size), dpr)
        scenes = room._scenes
        if key not in scenes:
            if len(scenes) > 2 * len(CHARTS):  # the window was resized: forget old sizes
                scenes.clear()
            fig = new_figure(size, dpr)
            FigureCanvasAgg(fig)
            scenes[key] = {"fig": fig, "update": DRAW[name](room, fig, lang), "bg": None, "limits": None}
        sc = scenes[key]
        fig, canvas = sc["fig"], sc["fig"].canvas
        artists = sc["update"]()
        for a in artists:
            a.set_animated(True)
        limits = tuple((ax.get_xlim(), ax.get_ylim()) for ax in fig.axes)
        if limits != sc["limits"]:
            canvas.draw()  # the static layer, laid out again for the new tick labels
            sc["bg"], sc["limits"] = canvas.copy_from_bbox(fig.bbox), limits
        else:
            canvas.restore_region(sc["bg"])
        for a in artists:
            fig.draw_artist(a)
        img = PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        img.convert("RGB").save(buf, format="PNG", compress_level=1, compress_type=zlib.Z_RLE)  # fast; charts are flat
        return buf.getvalue()


def frame(room: Classroom, lang: str, size: tuple[int, int] = (900, 500), dpr: float = 1.0) -> dict[str, bytes]:
    """Every chart as PNG bytes: one dashboard frame."""
    return {name: frame_png(room, name, lang, size, dpr) for name in CHARTS}


def slide_png(room: Classroom, lang: str, dpi: int = 100) -> bytes:
    """The one-slide overview as PNG bytes."""
    return png_bytes(slide_figure(room, lang), dpi)


def layout(room: Classroom, m) -> dict[str, np.ndarray]:
    """Node positions of a model's hierarchy (kept on the room, computed once per model)."""
    if id(m) not in room._layouts:
        room._layouts[id(m)] = hierarchy_layout(m)
    return room._layouts[id(m)]


def new_figure(size: tuple[int, int], dpr: float = 1.0) -> Figure:
    """A figure of `size` CSS pixels (72 dpi times the device-pixel ratio), CJK font set, constrained layout."""
    use_cjk()
    fig = Figure(figsize=(size[0] / 72, size[1] / 72), dpi=72 * dpr, layout="constrained")
    fig.get_layout_engine().set(w_pad=6 / 72, h_pad=6 / 72)
    return fig


# ---- exports ----------------------------------------------------------------------------------------------------
def png_bytes(fig: Figure, dpi: int) -> bytes:
    use_cjk()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def slide_figure(room: Classroom, lang: str) -> Figure:
    """All charts and a caption on one 16:9 slide (1920x1080 at 100 dpi: 19.2 x 10.8 in)."""
    with room.lock:
        use_cjk()
        fig = Figure(figsize=(24, 13.5), layout="constrained")
        subs = fig.subfigures(2, 3, wspace=0.02, hspace=0.02)
        for name, sub in zip(CHARTS, subs.flat, strict=False):
            update = DRAW[name](room, sub, lang)
            update()
        cap = subs.flat[-1]
        width_pt = 24 / 3 * 72 * 0.9
        lines = [w for line in room.caption(lang) for w in _wrap(line, width_pt, 22).split("\n")]
        cap.text(0.04, 0.95, "\n".join(lines), ha="left", va="top", fontsize=22, linespacing=1.5)
    return fig


def zip_bytes(room: Classroom, lang: str, size: tuple[int, int] = (1200, 675), dpr: float = 2.0) -> bytes:
    """Every chart as its own PNG (1200x675 px shown, drawn at twice that), plus the one-slide overview."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in CHARTS:
            with room.lock:
                fig = new_figure(size, dpr)
                DRAW[name](room, fig, lang)()
                zf.writestr(f"{name}_day{room.day}.png", png_bytes(fig, int(72 * dpr)))
        zf.writestr(f"all_charts_day{room.day}.png", png_bytes(slide_figure(room, lang), 100))
    return buf.getvalue()


# ---- helpers ----------------------------------------------------------------------------------------------------
def _width_pt(target) -> float:
    """Width of a Figure or SubFigure in points."""
    return float(target.bbox.width) * 72 / target.dpi


def _text_pt(s: str, fs: float) -> float:
    """Rough width of a string in points: CJK characters are square, Latin ones about half as wide."""
    return sum(fs if unicodedata.east_asian_width(ch) in "WF" else 0.56 * fs for ch in s)


def _wrap(s: str, width_pt: float, fs: float) -> str:
    """Break `s` into lines that fit `width_pt` (by words for Latin text, by characters for Chinese)."""
    if _text_pt(s, fs) <= width_pt:
        return s
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in s):
        lines, cur = [], ""
        for ch in s:
            if _text_pt(cur + ch, fs) > width_pt:
                lines.append(cur)
                cur = ""
            cur += ch
        return "\n".join([*lines, cur])
    return textwrap.fill(s, max(8, int(width_pt / (0.56 * fs))))


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


def _axes_style(ax, room: Classroom, lang: str, ylabel: str = "", top: float = 1.0, percent: bool = False,
                xlabel: bool = True) -> None:
    """Fixed x range (the whole run), large type; the reform day marked and its period shaded only when a reform
    is in force (the baseline has none)."""
    ax.set_xlim(0, room.days)
    ax.set_ylim(0, top)
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if xlabel:
        ax.set_xlabel(txt.t("day", lang), fontsize=FS["label"])
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=FS["label"])
    ax.tick_params(labelsize=FS["tick"])
    ax.grid(alpha=0.3)
    d = room.policy_day
    if room.reform and 0 < d < room.days:
        ax.axvspan(d, room.days, color=SHADE, zorder=0)
        ax.axvline(d, color="black", ls=(0, (2, 2)), lw=2)


def _grow(ax, value: float, floor: float) -> None:
    """Raise the y limit to a round number when the data outgrow it (never shrink while playing: less jumping)."""
    if not np.isfinite(value) or value * 1.1 <= ax.get_ylim()[1]:
        return
    ticks = MaxNLocator(5).tick_values(0, max(floor, value * 1.1))
    ax.set_ylim(0, float(ticks[-1]))


def _legend_below(fig, handles: list, width_pt: float) -> None:
    """A legend under the panels (never over data or titles); one row if it fits, else one per line."""
    if not handles:
        return
    need = sum(_text_pt(h.get_label(), FS["legend"]) + 60 for h in handles)
    fig.legend(handles=handles, fontsize=FS["legend"], loc="outside lower center",
               ncol=len(handles) if need < width_pt * 0.95 else 1, frameon=False, handlelength=2.5)


def _suptitle(fig, text: str) -> None:
    fig.suptitle(_wrap(text, _width_pt(fig) * 0.95, FS["suptitle"]), fontsize=FS["suptitle"])


# ---- the charts ---------------------------------------------------------------------------------------------------
def draw_time_use(room: Classroom, fig, lang: str):
    """Hours per cadre per day by kind for this run, stacked, formalism kinds at the bottom and hatched, with a
    black line on their total; side by side, the compared run's formalism total as an orange dashed line."""
    runs = room.runs(lang)
    ax = fig.subplots()
    _axes_style(ax, room, lang, _wrap(txt.t("hours_per_cadre", lang), 400, FS["label"]), top=8.0)
    main_line = ax.plot([], [], color="black", lw=3.5, zorder=5)[0]
    other_line = ax.plot([], [], zorder=6, **RUN_STYLE["other"])[0] if len(runs) > 1 else None
    handles = [Line2D([], [], color="black", lw=3.5, label=txt.t("formalism_of", lang, name=runs[-1][1]))]
    if other_line is not None:
        handles.append(Line2D([], [], label=txt.t("formalism_of", lang, name=runs[0][1]), **RUN_STYLE["other"]))
    handles += [Patch(facecolor=PALETTE[k], hatch="//" if k in FORMALISM_KINDS else None, edgecolor="white",
                      label=txt.kind(k, lang)) for k in KIND_ORDER]
    width = _width_pt(fig)
    for h in handles[:2]:
        h.set_label(_wrap(h.get_label(), width * 0.3, FS["legend"]))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=FS["legend"], frameon=False, borderaxespad=0, labelspacing=0.25, handlelength=1.6)
    _suptitle(fig, txt.t("time_use", lang) + (f" · {runs[-1][1]}" if len(runs) > 1 else ""))
    # one polygon per kind, made once; a frame only moves its vertices (stackplot would rebuild them all)
    stack = [PolyCollection([np.zeros((0, 2))], facecolors=PALETTE[k], edgecolors="white" if k in FORMALISM_KINDS else "none",
                            hatch="//" if k in FORMALISM_KINDS else None, lw=0, zorder=2) for k in KIND_ORDER]
    for poly in stack:
        ax.add_collection(poly, autolim=False)

    def per_kind(data: np.ndarray) -> np.ndarray:
        cad = np.maximum(data[:, IX["cadres_at_work"]], 1.0)
        return np.array([_rolling_mean(data[:, IX[f"hours_{k}"]] / cad, 7) for k in KIND_ORDER])

    def update() -> list:
        runs_now = room.runs(lang)
        data = runs_now[-1][2]
        if len(data):
            days = np.arange(len(data), dtype=float)
            per = per_kind(data)
            tops = np.cumsum(per, axis=0)
            for i, poly in enumerate(stack):
                low = tops[i - 1] if i else np.zeros(len(days))
                poly.set_verts([np.concatenate([np.column_stack([days, tops[i]]), np.column_stack([days[::-1], low[::-1]])])])
            main_line.set_data(days, tops[len(FORMALISM_KINDS) - 1])
            _grow(ax, float(tops[-1].max()), 8.0)
        if other_line is not None and len(runs_now[0][2]):
            d0 = runs_now[0][2]
            other_line.set_data(np.arange(len(d0)), per_kind(d0)[: len(FORMALISM_KINDS)].sum(0))
        return [*stack, main_line, *([other_line] if other_line is not None else [])]

    return update


def _panels_chart(room: Classroom, fig, lang: str, title: str, panels: list[dict]):
    """Line panels side by side sharing the day axis. Each panel: title, series [(key, label, colour, fn)], floor,
    percent. One run: a line per series in its colour. Two runs: the compared run orange dashed, this run blue."""
    runs = room.runs(lang)
    two = len(runs) > 1
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    width = _width_pt(fig)
    lines: list[list] = []
    handles: list = []
    for ax, p in zip(axes, panels, strict=True):
        _axes_style(ax, room, lang, top=p["floor"], percent=p.get("percent", False))
        ax.set_title(_wrap(p["title"], width / len(panels) * 0.85, FS["title"]), fontsize=FS["title"], loc="left")
        row = []
        for key, label, color, _fn in p["series"]:
            for which, _name, _d in runs:
                style = RUN_STYLE[which] if two and len(p["series"]) == 1 else \
                    {"color": color, "lw": 3.5, "ls": RUN_STYLE[which]["ls"]}
                row.append((ax, key, which, ax.plot([], [], **style)[0]))
            if len(p["series"]) > 1:
                handles.append(Line2D([], [], color=color, lw=3.5, label=label))
        lines.append(row)
    if two:
        handles += [Line2D([], [], label=name, **RUN_STYLE[which]) for which, name, _d in runs]
    _legend_below(fig, handles, width)
    _suptitle(fig, title)
    fns = {(key): fn for p in panels for key, _l, _c, fn in p["series"]}
    floors = {key: (p["floor"], p.get("fixed", False)) for p in panels for key, *_ in p["series"]}

    def update() -> list:
        data_of = {which: d for which, _n, d in room.runs(lang)}
        out = []
        for row in lines:
            for ax, key, which, line in row:
                d = data_of[which]
                if len(d):
                    y = fns[key](d)
                    line.set_data(np.arange(len(d)), y)
                    floor, fixed = floors[key]
                    if not fixed:
                        _grow(ax, float(np.nanmax(y)), floor)
                else:
                    line.set_data([], [])
                out.append(line)
        return out

    return update


def draw_burnout(room: Classroom, fig, lang: str):
    """Exhaustion of village and township cadres and the share burned out (7-day means)."""
    ex = [("exhaustion_village", txt.t("exhaustion_village", lang), SERIES["exhaustion_village"],
           lambda d: _rolling_mean(d[:, IX["exhaustion_village"]], 7)),
          ("exhaustion_township", txt.t("exhaustion_township", lang), SERIES["exhaustion_township"],
           lambda d: _rolling_mean(d[:, IX["exhaustion_township"]], 7))]
    bo = [("burnout_share", txt.t("burnout_share", lang), SERIES["burnout_share"],
           lambda d: _rolling_mean(d[:, IX["burnout_share"]], 7))]
    if room.base is None:
        panels = [{"title": txt.t("exhaustion_axis", lang), "series": ex, "floor": 1.0, "percent": True, "fixed": True},
                  {"title": txt.t("burnout_share", lang), "series": bo, "floor": 1.0, "percent": True, "fixed": True}]
    else:  # two runs: one quantity a panel, so colour and dash can tell the runs apart
        panels = [{"title": ex[0][1], "series": ex[:1], "floor": 1.0, "percent": True, "fixed": True},
                  {"title": bo[0][1], "series": bo, "floor": 1.0, "percent": True, "fixed": True}]
    return _panels_chart(room, fig, lang, txt.t("burnout", lang), panels)


def _resolved_share(data: np.ndarray) -> np.ndarray:
    arrived = _rolling_sum(data[:, IX["service_requests_arrived"]] + data[:, IX["service_problems_found"]], 28)
    ok = _rolling_sum(data[:, IX["service_resolved_within_limit"]], 28)
    return np.minimum(1.0, ok / np.maximum(arrived, 1e-9))


def draw_service(room: Classroom, fig, lang: str):
    """Share of requests resolved on time (28-day window) and the requests waiting."""
    return _panels_chart(room, fig, lang, txt.t("service", lang), [
        {"title": txt.t("resolved_share", lang), "floor": 1.0, "percent": True, "fixed": True,
         "series": [("resolved", "", SERIES["resolved"], _resolved_share)]},
        {"title": txt.t("backlog", lang), "floor": 10.0,
         "series": [("backlog", "", SERIES["backlog"], lambda d: d[:, IX["service_backlog"]])]},
    ])


def draw_meetings(room: Classroom, fig, lang: str):
    """Meetings per village cadre a week and travel hours per cadre a day (7-day windows)."""
    return _panels_chart(room, fig, lang, txt.t("meetings", lang), [
        {"title": txt.t("meetings_week", lang), "floor": 1.0,
         "series": [("meetings", "", SERIES["meetings"], lambda d: _rolling_sum(d[:, IX["meetings_village_cadre"]], 7))]},
        {"title": txt.t("travel_day", lang), "floor": 0.5,
         "series": [("travel", "", SERIES["travel"], lambda d: _rolling_mean(
             d[:, IX["hours_travel"]] / np.maximum(d[:, IX["cadres_at_work"]], 1.0), 7))]},
    ])


def unit_exhaustion(m) -> tuple[np.ndarray, np.ndarray]:
    """Mean exhaustion of filled slots per township (township cadres) and per village (village cadres)."""
    c = m.county
    nt = c.n_township_cadres
    e, f = c.exhaustion, c.filled.astype(float)
    ef = e * f
    return (c.per_township(ef[:nt]) / np.maximum(c.per_township(f[:nt]), 1.0),
            c.per_village(ef[nt:]) / np.maximum(c.per_village(f[nt:]), 1.0))


def hierarchy_layout(m) -> dict[str, np.ndarray]:
    """Departments on top, townships in the middle, each township's villages in a block beneath it."""
    c = m.county
    nt, nd, nv = c.n_townships, c.n_departments, c.n_villages
    town = np.asarray(c.town_of_village, dtype=int)
    rank = np.zeros(nv, int)
    counts = np.zeros(nt, int)
    for v in range(nv):
        rank[v] = counts[town[v]]
        counts[town[v]] += 1
    cols = max(1, int(np.ceil(np.sqrt(max(int(counts.max()), 1) / 1.3))))
    gap = 0.84 / cols
    vx = town + 0.5 + ((rank % cols) - (cols - 1) / 2) * gap
    vy = 0.55 - (rank // cols) * gap * 1.2
    return {"dx": (np.arange(nd) + 0.5) * nt / nd, "tx": np.arange(nt) + 0.5, "vx": vx, "vy": vy, "town": town,
            "gap": np.array(gap)}


def draw_hierarchy(room: Classroom, fig, lang: str):
    """Departments -> townships -> villages; townships and villages coloured by their cadres' mean exhaustion.
    The level names are the y-axis labels, so the drawing can never cover them."""
    models = room.models()
    names = [name for _w, name, _d in room.runs(lang)]
    axes = fig.subplots(1, len(models), squeeze=False)[0]
    dots, titles = [], []
    panel_pt = _width_pt(fig) * 0.8 / len(models)
    for i, (ax, m) in enumerate(zip(axes, models, strict=True)):
        lay = layout(room, m)
        n_t = len(lay["tx"])
        unit_pt = panel_pt / n_t  # points per township column
        lines = [((x, 2.0), (tx, 1.0)) for x in lay["dx"] for tx in lay["tx"]]
        ax.add_collection(LineCollection(lines, colors="#9e9e9e", lw=0.6, alpha=0.5, zorder=1))
        down = np.stack([np.column_stack([lay["tx"][lay["town"]], np.full(len(lay["vx"]), 1.0)]),
                         np.column_stack([lay["vx"], lay["vy"]])], axis=1)
        ax.add_collection(LineCollection(down, colors="#bdbdbd", lw=0.4, alpha=0.6, zorder=1))
        dept_pt = min(14.0, 0.7 * unit_pt * n_t / max(len(lay["dx"]), 1))  # a gap between neighbours, always
        ax.scatter(lay["dx"], np.full(len(lay["dx"]), 2.0), s=dept_pt**2, marker="s", color="#37474f", zorder=3)
        t_pt = min(24.0, 0.6 * unit_pt)
        t_dot = ax.scatter(lay["tx"], np.ones(n_t), s=t_pt**2, c=np.zeros(n_t), cmap=EXHAUST_CMAP, vmin=0, vmax=1,
                           edgecolors="black", lw=1.0, zorder=3)
        v_pt = max(2.0, min(12.0, 0.8 * float(lay["gap"]) * unit_pt))
        v_dot = ax.scatter(lay["vx"], lay["vy"], s=v_pt**2, marker="s", c=np.zeros(len(lay["vx"])), cmap=EXHAUST_CMAP,
                           vmin=0, vmax=1, edgecolors="#555555", lw=0.3, zorder=3)
        dots.append((m, t_dot, v_dot))
        ax.set_xlim(-0.05, n_t + 0.05)
        ax.set_ylim(float(lay["vy"].min()) - 0.15, 2.25)
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xticks([])
        mid_v = float((lay["vy"].min() + lay["vy"].max()) / 2)
        if i == 0:
            ax.set_yticks([2.0, 1.0, mid_v], [txt.t(k, lang) for k in ("departments", "townships", "villages")],
                          fontsize=FS["label"])
            ax.tick_params(axis="y", length=0)
        else:
            ax.set_yticks([])
        titles.append(ax.set_title(names[i] if len(models) > 1 else "", fontsize=FS["title"]))
    cb = fig.colorbar(dots[-1][1], ax=list(axes), orientation="horizontal", fraction=0.05, pad=0.02, aspect=40)
    cb.set_label(txt.t("exhaustion_colour", lang), fontsize=FS["label"])
    cb.ax.tick_params(labelsize=FS["tick"])
    cb.ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    day_text = fig.text(0.99, 0.99, "", ha="right", va="top", fontsize=FS["title"])
    fig.suptitle(txt.t("hierarchy", lang), fontsize=FS["suptitle"], x=0.01, ha="left")

    def update() -> list:
        for m, t_dot, v_dot in dots:
            te, ve = unit_exhaustion(m)
            t_dot.set_array(te)
            v_dot.set_array(ve)
        day_text.set_text(txt.t("day_of", lang, day=room.day, days=room.days))
        return [a for _m, t_dot, v_dot in dots for a in (t_dot, v_dot)] + [day_text]

    return update


DRAW = {"hierarchy": draw_hierarchy, "time_use": draw_time_use, "burnout": draw_burnout, "service": draw_service,
        "meetings": draw_meetings}
