"""Options shared by the exploration commands (sensitivity, calibrate, attribute): where runs execute and the
provenance record each writes last."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sim.cli import UserError


def add_backend_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on Dask: 'local' starts a LocalCluster, 'slurm' a SLURM cluster (dask-jobqueue, "
                   "--workers N worker jobs; docs/sweeps.md), tcp://host:port uses a running scheduler")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def check_backend(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments for the sweep engine, or UserError naming the bad option."""
    if args.workers is not None and not 1 <= args.workers <= 4096:
        raise UserError(f"--workers: must be an integer in [1, 4096], got {args.workers}")
    if args.dask is not None:
        from sim.cli.extras import require

        require("dask", "--dask")
    from sim.exploration.engine import check_dask, probe

    if args.dask is not None:
        if why := check_dask(args.dask):
            raise UserError(f"--dask: {why}")
        probe(args.dask)  # an address where nothing listens ends here (SweepError), before --out is created
    return {"workers": args.workers, "dask": args.dask, "progress": not args.quiet}


def check_out(out: str, command: str) -> Path:
    """The output folder of `command`, claimed by the one rule for output folders (sim/io/outputs.py): new,
    empty or written by the same command; else one line and nothing created."""
    from sim.io.outputs import claim_output_dir

    return claim_output_dir(out, command)


def command_line() -> list[str]:
    return ["python", "-m", "sim", *sys.argv[1:]]


def provenance(**extra: Any) -> dict[str, Any]:
    """What the analysis ran (`extra`), with the provenance record every command writes (sim/io/provenance.py:
    version, git commit and dirty flag, times, machine, libraries, BLAS, command line, seeds, input files)."""
    from sim.io import provenance as record

    seeds = extra.get("replicate_seeds") or extra.get("seeds") or ()
    inputs = [f for f in (extra.get("scenario"), extra.get("experiment"), extra.get("targets")) if isinstance(f, str)]
    return {**extra, "provenance": record.finish(record.collect(str(extra.get("analysis", "")), command_line(),
                                                              [int(x) for x in seeds], inputs))}


def write_provenance(path: Path, record: dict[str, Any]) -> None:
    from sim.io.outputs import atomic_write_bytes, json_safe

    atomic_write_bytes(path, (json.dumps(json_safe(record), indent=2, default=str) + "\n").encode())


class one_cluster:
    """With `--dask local` or `--dask slurm`, start one cluster for a command that runs several sweeps
    (calibration generations) and hand its address to each, instead of a cluster per sweep."""

    def __init__(self, backend: dict[str, Any]) -> None:
        self.backend = dict(backend)
        self.cluster = None

    def __enter__(self) -> dict[str, Any]:
        from sim.exploration.engine import CLUSTERS, start_cluster

        if self.backend.get("dask") in CLUSTERS:
            self.cluster = start_cluster(self.backend["dask"], self.backend.get("workers"))  # or SweepError
            self.backend["dask"] = self.cluster.scheduler_address
        return self.backend

    def __exit__(self, *exc: object) -> None:
        if self.cluster is not None:
            self.cluster.close()
