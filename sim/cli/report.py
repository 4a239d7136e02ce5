"""`python -m sim report DIR [--lang en|zh] [--out FILE]`: one self-contained HTML page of an output folder (run,
compare or sweep): figures embedded, headline tables, the manifest and the scenario and experiment files. It
references nothing outside itself and opens offline. Default: DIR/report.html (DIR/report.zh.html in Chinese)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import UserError

GENERATOR = b'<meta name="generator" content="grassroots-sim report">'


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", help="an output folder of `python -m sim run`, `compare` or `sweep`")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the page (default en)")
    p.add_argument("--out", default=None, help="HTML file to write (default FOLDER/report.html or report.zh.html)")


def main(args: argparse.Namespace) -> int:
    from sim.cli.plot import check_folder

    folder = Path(args.folder)
    check_folder(folder)
    out = Path(args.out) if args.out else folder / ("report.zh.html" if args.lang == "zh" else "report.html")
    if out.is_dir():
        raise UserError(f"--out: {out} is a folder; give a file name such as report.html")
    if not out.parent.is_dir():
        raise UserError(f"--out: folder {out.parent} does not exist")
    from sim.io.outputs import check_output_file

    check_output_file(out, "--out", GENERATOR)  # a new file or an earlier report; never the user's own file
    from sim.figures.report import build

    page = build(folder, args.lang)
    from sim.io.outputs import atomic_write_bytes

    atomic_write_bytes(out, page.encode("utf-8"))
    print(f"report ({len(page) / 1e6:.1f} MB) -> {out}")
    return 0
