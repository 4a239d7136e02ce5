"""The house style of every figure (docs/figures.md): bilingual labels with units, fonts of at least 9 pt at the
saved size, the Okabe-Ito colour-blind-safe palette, zero-based axes for shares, SVG and 300-dpi PNG; and
`check`, which finds where a figure breaks the style (the tests run it on every figure the commands write)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedFormatter  # noqa: E402

from sim.core.scenario import FIELDS, field_info  # noqa: E402
from sim.io.tables import has_reform  # noqa: E402, F401 (re-exported for the figures)
from sim.presentation.fonts import use_cjk  # noqa: E402
from sim.presentation.labels import name, unit, with_unit  # noqa: E402
from sim.presentation.texts import LEVER_TEXT, preset_name  # noqa: E402
from sim.presentation.texts import unit as unit_text  # noqa: E402

MIN_FONT_PT = 9.0
DPI = 300
FORMATS = ("png", "svg")
# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency; black last.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Time use by kind (12 stacked areas): Paul Tol's muted and light sets; formalism kinds are also hatched.
KIND_COLOURS = {
    "meeting": "#CC6677", "travel": "#EE8866", "app": "#AA4499", "document": "#DDCC77", "inspection": "#882255",
    "form": "#6699CC", "trace": "#999933", "campaign": "#BBBBBB", "specialist": "#332288",
    "service": "#117733", "visit": "#44AA99", "patrol": "#88CCEE",
}
CI_TEXT = {
    "mean_ci": ("shaded: 95% t-interval of the mean over {n} replicates",
                "阴影：{n}次重复的均值95% t置信区间"),
    "paired_ci": ("bars: 95% paired t-interval (common seeds), n = {n}", "误差线：95%配对t置信区间（共同种子），n = {n}"),
}


def setup() -> None:
    """Fonts (CJK-capable) and sizes of the house style; call before drawing."""
    use_cjk()
    matplotlib.rcParams.update({
        "font.size": 10, "axes.titlesize": 10, "axes.labelsize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9,
        "legend.fontsize": 9, "figure.titlesize": 11, "svg.fonttype": "path",
        "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    })


def tr(pair: tuple[str, str], lang: str, **fmt: Any) -> str:
    s = pair[1 if lang == "zh" else 0]
    return s.format(**fmt) if fmt else s


def wrap(text: str, width: int = 34, lang: str = "en") -> str:
    """Wrap a long label onto lines (Chinese wraps by characters)."""
    if lang == "zh":
        width = max(8, width // 2)
        return "\n".join(text[i:i + width] for i in range(0, len(text), width))
    return "\n".join(textwrap.wrap(text, width)) or text


# ---------------------------------------------------------------------------------------------------- names

def field_name(field: str, lang: str) -> str:
    """A scenario field by its name in the bilingual tables (levers by their classroom names)."""
    if field in LEVER_TEXT:
        return LEVER_TEXT[field][1 if lang == "zh" else 0]
    return name(field, lang)


def field_unit(field: str, lang: str) -> str:
    if field == "scenario" or field not in FIELDS:
        return ""
    u = field_info(field).get("unit", "")
    return "" if u in ("on/off", "path", "") else unit_text(u, lang)


def field_label(field: str, lang: str) -> str:
    """An axis label for a swept field: its name and unit."""
    return with_unit(field_name(field, lang), field_unit(field, lang), lang)


def scenario_name(scenario: str, lang: str, description: str | None = None) -> str:
    """A scenario by its display name (the preset table), else its description, else its name as words."""
    return preset_name(scenario, lang, fallback=description or scenario.replace("_", " "))


def value_text(field: str, value: Any, lang: str) -> str:
    """A swept value as text: booleans as on/off, scenarios by their display name."""
    if field == "scenario":
        return scenario_name(str(value), lang)
    if isinstance(value, bool) or str(value) in ("True", "False"):
        on = value is True or str(value) == "True"
        return ("开" if on else "关") if lang == "zh" else ("on" if on else "off")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def point_text(values: dict[str, Any], lang: str) -> str:
    """A grid point, e.g. 'Cut meetings = 0.3, Duty list = on' (a scenario alone by its display name)."""
    parts = []
    for k, v in values.items():
        parts.append(value_text(k, v, lang) if k == "scenario" else f"{field_name(k, lang)} = {value_text(k, v, lang)}")
    return ", ".join(parts) if lang != "zh" else "，".join(parts)


def is_share(key: str) -> bool:
    return unit(key) in ("share", "0-1")


def zero_based(ax: plt.Axes, share: bool = False) -> None:
    """Start the y axis of a level (never negative) at 0, and end a share at 1 when it comes near: no truncated
    axis makes a small effect look large. An interval band reaching below 0 is cut at the axis."""
    _, hi = ax.get_ylim()
    ax.set_ylim(0, 1.0 if share and hi >= 0.5 else max(hi, 1e-9))


def mark_reform(ax: plt.Axes, day: float, lang: str) -> None:
    ax.axvline(day, color="black", ls="--", lw=1)
    ax.annotate(tr(("Reform day", "改革实施日"), lang), (day, 1), xycoords=("data", "axes fraction"),
                xytext=(3, -3), textcoords="offset points", va="top", fontsize=9)


# ---------------------------------------------------------------------------------------------------- output

def save(fig: plt.Figure, stem: str | Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write `fig` as STEM.svg and a 300-dpi STEM.png, at the figure's own size; returns the files."""
    stem = Path(stem)
    out = []
    for ext in formats:
        p = stem.with_suffix(f".{ext}")
        fig.savefig(p, dpi=DPI, bbox_inches="tight", pad_inches=0.05,
                    metadata={"Software": None} if ext == "png" else {"Date": None})
        out.append(p)
    return out


def save_all(figs: dict[str, plt.Figure], folder: str | Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Save every figure as FOLDER/NAME.{svg,png} and close it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for n, fig in figs.items():
        written += save(fig, folder / n, formats)
        plt.close(fig)
    return written


UNIT_RE = re.compile(r"\(.+\)|（.+）")


def _categorical(axis: Any) -> bool:
    """An axis of named categories (scenarios, on/off), not of numbers: it needs a label but no unit."""
    if isinstance(axis.get_major_formatter(), FixedFormatter):
        return True
    for t in axis.get_ticklabels():
        text = t.get_text().replace("\u2212", "-").replace(",", "").strip()
        if text:
            try:
                float(text)
            except ValueError:
                return True
    return False


def check(fig: plt.Figure) -> list[str]:
    """Where `fig` breaks the house style: an axis without a label, a numeric axis without a unit in brackets,
    text under 9 pt. Empty when the figure is fine."""
    fig.canvas.draw()
    problems = []
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible() or not ax.axison:
            continue
        for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not axis.get_visible() or not [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]:
                continue
            text = axis.get_label().get_text()
            shared = getattr(ax, f"get_shared_{which}_axes")().get_siblings(ax)
            if not text and len(shared) > 1:  # a shared axis labelled once, on another panel
                text = next((getattr(s, f"get_{which}label")() for s in shared if getattr(s, f"get_{which}label")()), "")
            if not text:
                problems.append(f"axes {i}: {which} axis has no label")
            elif not _categorical(axis) and not UNIT_RE.search(text):
                problems.append(f"axes {i}: {which} label {text!r} has no unit")
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_FONT_PT:
            problems.append(f"text {t.get_text()[:30]!r} is {t.get_fontsize():.1f} pt (< {MIN_FONT_PT:g})")
    return problems


def raw_names(fig: plt.Figure, extra: tuple[str, ...] = ()) -> list[str]:
    """Texts in `fig` that show a raw field, outcome or scenario name (with underscores) instead of a label."""
    from sim.core.record import COLUMNS, OUTCOMES

    names = {n for n in (*FIELDS, *OUTCOMES, *COLUMNS, *extra) if "_" in n}
    found = []
    for t in fig.findobj(matplotlib.text.Text):
        s = t.get_text()
        if t.get_visible() and any(n in s for n in names):
            found.append(s)
    return found
