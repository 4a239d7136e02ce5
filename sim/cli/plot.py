"""`python -m sim plot DIR [--lang en|zh] [--out FIGDIR]`: the figures of an output folder (sweep, compare or
run), drawn from its tables to the house style (docs/figures.md), as SVG and 300-dpi PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import UserError

NEEDED = {"run": ("timeseries.parquet", "scenario.json"), "compare": ("differences.parquet",),
          "sweep": ("runs.parquet", "summary.parquet", "timeseries.parquet")}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", help="an output folder of `python -m sim sweep`, `compare` or `run`")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="figure labels (default en)")
    p.add_argument("--out", default=None, help="figure folder (default FOLDER/figures)")


def check_folder(folder: Path) -> str:
    """The folder's kind, or a UserError naming what is missing."""
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder (an output folder of sweep, compare or run is expected)")
    if not (folder / "manifest.json").is_file():
        raise UserError(f"{folder}: manifest.json missing (the command did not finish; run it again)")
    from sim.figures.folder import kind

    try:
        k = kind(folder)
    except ValueError as err:
        raise UserError(f"{folder / 'manifest.json'}: not valid JSON ({err})") from None
    missing = [n for n in NEEDED.get(k, NEEDED["sweep"]) if not (folder / n).is_file()]
    if missing:
        raise UserError(f"{folder}: {missing[0]} missing (the {k} did not finish; run the same command again)")
    return k


def main(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    check_folder(folder)
    from sim.figures.folder import figures_of
    from sim.figures.style import save_all
    from sim.io.outputs import claim_output_dir

    target = claim_output_dir(Path(args.out) if args.out else folder / "figures", "plot")  # ours, new or empty
    files = save_all(figures_of(folder, args.lang), target)
    print(f"{len(files)} files -> {files[0].parent if files else folder}")
    return 0
