"""`grassroots COMMAND ...` (or `python -m sim COMMAND ...`): each command lives in `sim/cli/<name>.py` with
`add_arguments(parser)` and `main(args) -> int`. Bad input ends with one line on stderr and a non-zero exit,
never a traceback.

Start-up is kept light (issue 18): `--help` lists the commands from COMMANDS without importing any command
module, only the command typed is imported, and a command module imports nothing heavy (numpy, pandas, Mesa,
numba) at module level, so help and a one-line input error do not wait for the model."""

from __future__ import annotations

import argparse
import importlib
import sys

PROG = "grassroots"

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
    "warm-up": "compile the model's kernels for this machine now (done once; else on the first run)",
}


class UserError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `error: <prog>: <what is wrong> (see <prog> --help)`."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def _command_module(name: str):
    """The module of command `name` (check-targets lives in check_targets.py), or None if it is not installed."""
    module = f"sim.cli.{name.replace('-', '_')}"
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name != module:
            raise
        return None


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog=PROG, description="Grassroots workload simulator",
                    epilog=f"`{PROG} help COMMAND` (or COMMAND --help) describes one command.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["help"]:  # `help` and `help COMMAND`, as a newcomer types them
        if len(argv) > 1 and argv[1] in COMMANDS:
            argv = [argv[1], "--help"]
        elif len(argv) > 1:
            print(f"error: help: no command {argv[1]!r} (commands: {', '.join(COMMANDS)})", file=sys.stderr)
            return 2
        else:
            argv = []
    chosen = next((a for a in argv if not a.startswith("-")), None)  # the command typed, if any
    modules = {}
    for name, help_ in COMMANDS.items():
        # argparse %-formats help strings (not descriptions): a literal percent sign must be doubled there
        p = sub.add_parser(name, help=help_.replace("%", "%%"), description=help_)
        if name == chosen:  # only the command typed is imported: its arguments, its main
            mod = _command_module(name)
            if mod is not None:
                mod.add_arguments(p)
                modules[name] = mod
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command not in modules:  # a command whose module is not installed
        parser.error(f"command {args.command!r} is not available in this installation")
    from sim.core.blas import pin_blas
    from sim.core.scenario import ScenarioError
    from sim.exploration.engine import SweepError
    from sim.io.outputs import OutputError

    pin_blas()  # one BLAS thread in every process that runs the model (sim/core/blas.py)
    args.argv = ["python", "-m", "sim", *argv]  # for the provenance record
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
        from sim.io.outputs import no_space

        path = getattr(err, "filename", None)
        if no_space(err):
            where = f" writing {path}" if path else ""
            print(f"error: No space left on device{where}; free space and run the same command again to resume",
                  file=sys.stderr)
            return 1
        where = f" ({path})" if path else ""
        print(f"error: {err.strerror or err}{where}", file=sys.stderr)
        return 1
