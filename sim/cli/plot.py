"""`python -m sim plot DIR [--lang en|zh] [--out FIGDIR]`"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", help="a sweep output folder (from `python -m sim sweep`)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="figure labels (default en)")
    p.add_argument("--out", default=None, help="figure folder (default FOLDER/figures)")


def main(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder (a sweep output folder is expected)")
    missing = [n for n in ("manifest.json", "runs.parquet", "summary.parquet", "timeseries.parquet")
               if not (folder / n).is_file()]
    if missing:
        raise UserError(f"{folder}: {missing[0]} missing (the sweep did not finish; run the same sweep command again)")
    from sim.figures.sweep import plot_sweep

    files = plot_sweep(folder, args.out, args.lang)
    print(f"{len(files)} figures -> {files[0].parent if files else folder}")
    return 0
