"""Checks a drawn matplotlib figure for what a projector audience would see as broken: text cut off at the edge
of the figure (or of its panel on a slide), and text or legends drawn over each other or over a plot.

Works on the figure's own layout (the window extents of its artists after a draw), not on pixels.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

TOL = 1.0  # pixels


def _visible_text(t: Text) -> bool:
    return t.get_visible() and bool(t.get_text().strip())


def boxes(fig: Figure) -> list[tuple[str, Bbox, object]]:
    """(what, window extent, owner) for every piece of text, legend and plot area of a drawn figure; owner is the
    panel (Axes or SubFigure) the piece belongs to."""
    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    out: list[tuple[str, Bbox, object]] = []

    def walk(f: Figure | SubFigure) -> None:
        for t in f.texts:
            if t is not getattr(f, "_suptitle", None) and t is not getattr(f, "_supxlabel", None) and _visible_text(t):
                out.append((f"text {t.get_text()[:30]!r}", t.get_window_extent(r), f))
        if getattr(f, "_suptitle", None) is not None and _visible_text(f._suptitle):
            out.append((f"suptitle {f._suptitle.get_text()[:30]!r}", f._suptitle.get_window_extent(r), f))
        for leg in f.legends:
            out.append(("figure legend", leg.get_window_extent(r), f))
        for ax in f.axes:
            if ax.figure is not f and getattr(ax, "get_figure", None) and ax.get_figure(root=False) is not f:
                continue
            _axes(ax, r, out)
        for sub in f.subfigs:
            walk(sub)

    walk(fig)
    return out


def _axes(ax: Axes, r, out: list) -> None:
    if not ax.get_visible():
        return
    name = ax.get_label() or "axes"
    if ax.axison and (ax.xaxis.get_visible() or ax.yaxis.get_visible()) or ax.patch.get_visible():
        out.append((f"plot area of {name}", ax.get_window_extent(r), ax))
    for t in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label):
        if _visible_text(t):
            out.append((f"title/label {t.get_text()[:30]!r}", t.get_window_extent(r), ax))
    for axis in (ax.xaxis, ax.yaxis):
        if not axis.get_visible() or not ax.axison:
            continue
        lo, hi = sorted(axis.get_view_interval())
        for tick in axis.get_major_ticks():
            loc = tick.get_loc()
            if loc is None or not (lo - 1e-9 <= loc <= hi + 1e-9):
                continue
            for lab in (tick.label1, tick.label2):
                if _visible_text(lab):
                    out.append((f"tick {lab.get_text()!r}", lab.get_window_extent(r), ax))
    leg = ax.get_legend()
    if leg is not None and leg.get_visible():
        out.append(("legend", leg.get_window_extent(r), ax))
    for t in ax.texts:
        if _visible_text(t):
            out.append((f"note {t.get_text()[:30]!r}", t.get_window_extent(r), ax))


def _overlap(a: Bbox, b: Bbox) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > TOL) and (min(a.y1, b.y1) - max(a.y0, b.y0) > TOL)


def _inside(a: Bbox, outer: Bbox) -> bool:
    return a.x0 >= outer.x0 - TOL and a.y0 >= outer.y0 - TOL and a.x1 <= outer.x1 + TOL and a.y1 <= outer.y1 + TOL


def problems(fig: Figure) -> list[str]:
    """What is clipped or overlapping in `fig`, one line each; an empty list means a clean layout.

    Rules: every text and legend lies inside the figure and inside its own panel of a slide; no two texts or
    legends overlap; no text or legend lies over a plot area, except notes written inside their own axes."""
    items = boxes(fig)
    found: list[str] = []
    for what, box, owner in items:
        if what.startswith("plot area"):
            continue
        if not _inside(box, fig.bbox):
            found.append(f"{what} is cut off at the figure's edge")
        sub = owner if isinstance(owner, SubFigure) else getattr(owner, "get_figure", lambda **k: None)(root=False)
        if isinstance(sub, SubFigure) and not _inside(box, sub.bbox):
            found.append(f"{what} runs out of its panel")
    texts = [(w, b, o) for w, b, o in items if not w.startswith("plot area")]
    areas = [(w, b, o) for w, b, o in items if w.startswith("plot area")]
    for i, (wa, ba, _oa) in enumerate(texts):
        for wb, bb, _ob in texts[i + 1:]:
            if _overlap(ba, bb):
                found.append(f"{wa} overlaps {wb}")
    for wt, bt, ot in texts:
        for wa, ba, oa in areas:
            if wt.startswith("note") and ot is oa:
                continue
            if _overlap(bt, ba):
                found.append(f"{wt} lies over the {wa}")
    return found
