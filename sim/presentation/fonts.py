"""A CJK font for matplotlib, from the `mplfonts` package the project installs (no system font needed).

Two steps with different lifetimes: the font file is registered with matplotlib's font manager once per process
(`register_cjk`, cached), but the rcParams that pick it are set on every call of `use_cjk`. A Solara server keeps
a separate copy of matplotlib's rcParams for each browser session, so settings made once in the first session are
missing in the second: call `use_cjk()` wherever a session creates or draws a figure.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FAMILY = "Noto Sans CJK SC"
# Named families (not the generic "sans-serif"): a text keeps its family list from the moment it is created,
# so a figure made with these settings draws Chinese even where the rcParams were later reset.
RC = {"font.family": [FAMILY, "DejaVu Sans"], "font.sans-serif": [FAMILY, "DejaVu Sans", "sans-serif"],
      "axes.unicode_minus": False}


@cache
def register_cjk() -> Path:
    """Add the packaged Noto Sans CJK SC to matplotlib's font manager (once per process); returns its path."""
    import mplfonts
    from matplotlib import font_manager

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(path))
    return path


def use_cjk() -> str:
    """Put the CJK font first in the current (per-session) rcParams; cheap, call it before each drawing."""
    import matplotlib

    register_cjk()
    rc = matplotlib.rcParams
    for key, value in RC.items():
        if rc[key] != value:
            rc[key] = value
    return FAMILY
