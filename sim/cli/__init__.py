"""`python -m sim COMMAND ...`: each command lives in `sim/cli/<name>.py` with `add_arguments(parser)`
and `main(args) -> int`. Bad input ends with one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import importlib
import sys

from sim.core.scenario import ScenarioError

COMMANDS = {
    "run": "run one scenario: summary.json, timeseries.parquet and figures",
    "compare": "compare scenarios on common seeds, with paired 95% confidence intervals",
    "sweep": "run an experiment file (grid x replicates), resumable, on local cores or Dask",
    "plot": "plot a sweep's outcome curves, time series and paired differences",
    "dashboard": "open the teaching dashboard in a browser (SolaraViz)",
    "fields": "list every scenario field with its default, unit, range and source",
    "check-targets": "check a scenario against observed patterns (scenarios/targets.toml): value, range, pass/miss",
    "sensitivity": "global sensitivity (Morris, Sobol) of outcomes over parameter ranges, on common seeds",
    "calibrate": "calibrate fields to observed targets by ABC-SMC; writes a posterior and a scenario ensemble",
    "attribute": "Shapley attribution of a package reform's effect to its levers, on common seeds",
}


class UserError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim", description="Grassroots workload simulator")
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
        p = sub.add_parser(name, help=help_.replace("%", "%%"), description=help_)
        mod.add_arguments(p)
        modules[name] = mod
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(modules[args.command].main(args) or 0)
    except (ScenarioError, UserError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
