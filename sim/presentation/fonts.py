"""A CJK font for matplotlib, from the `mplfonts` package the project installs (no system font needed)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FAMILY = "Noto Sans CJK SC"


@cache
def use_cjk() -> str:
    """Register the packaged Noto Sans CJK SC and put it first in the sans-serif list; returns the family."""
    import matplotlib
    import mplfonts
    from matplotlib import font_manager

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [FAMILY, "DejaVu Sans", "sans-serif"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return FAMILY
