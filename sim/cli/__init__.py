"""`python -m sim COMMAND ...`: each command lives in `sim/cli/<name>.py` with `add_arguments(parser)`
and `main(args) -> int`. Bad input ends with one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import importlib
import sys

from sim.core.blas import pin_blas
from sim.core.scenario import ScenarioError
from sim.exploration.engine import SweepError
from sim.io.outputs import OutputError

COMMANDS = {
    "run": "run one scenario: summary.json, timeseries.parquet and figures",
    "compare": "compare scenarios on common seeds, with paired 95% confidence intervals",
    "sweep": "run an experiment file (grid x replicates), resumable, on local cores or Dask",
    "plot": "plot a sweep's outcome curves, time series and paired differences",
    "dashboard": "serve the teaching dashboard (a Solara page, works offline) for a browser",
    "fields": "list every scenario field with its default, unit, range and source",
    "check-targets": "check a scenario against observed patterns (scenarios/targets.toml): value, range, pass/miss",
    "report": "write one self-contained HTML page of an output folder: figures, tables, manifest, inputs",
    "sensitivity": "global sensitivity (Morris, Sobol) of outcomes over parameter ranges, on common seeds",
    "calibrate": "calibrate fields to observed targets by ABC-SMC; writes a posterior and a scenario ensemble",
    "attribute": "Shapley attribution of a package reform's effect to its levers, on common seeds",
}


class UserError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `error: <prog>: <what is wrong> (see <prog> --help)`."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m sim", description="Grassroots workload simulator",
                                     epilog="`python -m sim help COMMAND` (or COMMAND --help) describes one command.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = {}
    for name, help_ in COMMANDS.items():
        module = f"sim.cli.{name.replace('-', '_')}"  # check-targets lives in check_targets.py
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise
            continue
        # argparse %-formats help strings (not descriptions): a literal percent sign must be doubled there
        p = sub.add_parser(name, help=help_.replace("%", "%%"), description=help_)
        mod.add_arguments(p)
        modules[name] = mod
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["help"]:  # `help` and `help COMMAND`, as a newcomer types them
        if len(argv) > 1 and argv[1] in modules:
            argv = [argv[1], "--help"]
        elif len(argv) > 1:
            print(f"error: help: no command {argv[1]!r} (commands: {', '.join(modules)})", file=sys.stderr)
            return 2
        else:
            argv = []
    args = parser.parse_args(argv)
    pin_blas()  # one BLAS thread in every process that runs the model (sim/core/blas.py)
    args.argv = ["python", "-m", "sim", *(sys.argv[1:] if argv is None else argv)]  # for the provenance record
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(modules[args.command].main(args) or 0)
    except (ScenarioError, UserError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except SweepError as err:  # a batch that stopped (workers dying, Dask unreachable); finished runs are kept
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `sim fields | head`: the reader stopped listening; nothing is lost, say nothing
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:  # a full disk, a folder that vanished, a read-only mount: one line, never a traceback
        where = f" ({err.filename})" if getattr(err, "filename", None) else ""
        print(f"error: {err.strerror or err}{where}", file=sys.stderr)
        return 1
