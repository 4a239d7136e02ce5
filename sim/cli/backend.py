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
                   help="run on Dask: 'local' starts a LocalCluster, tcp://host:port uses a running scheduler")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def check_backend(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments for the sweep engine, or UserError naming the bad option."""
    if args.workers is not None and not 1 <= args.workers <= 4096:
        raise UserError(f"--workers: must be an integer in [1, 4096], got {args.workers}")
    if args.dask is not None and args.dask != "local" and "://" not in args.dask:
        raise UserError(f"--dask: must be 'local' or a scheduler address like tcp://host:8786, got {args.dask!r}")
    if args.dask is not None:
        from sim.cli.extras import require

        require("dask", "--dask")
    return {"workers": args.workers, "dask": args.dask, "progress": not args.quiet}


def check_out(out: str) -> Path:
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise UserError(f"--out: {p} exists and is not a folder")
    p.mkdir(parents=True, exist_ok=True)
    return p


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
    from sim.io.outputs import json_safe

    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(json.dumps(json_safe(record), indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)


class one_cluster:
    """With `--dask local`, start one LocalCluster for a command that runs several sweeps (calibration
    generations) and hand its address to each, instead of a cluster per sweep."""

    def __init__(self, backend: dict[str, Any]) -> None:
        self.backend = dict(backend)
        self.cluster = None

    def __enter__(self) -> dict[str, Any]:
        if self.backend.get("dask") == "local":
            import os

            from distributed import LocalCluster

            n = self.backend.get("workers") or os.cpu_count() or 1
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
            self.backend["dask"] = self.cluster.scheduler_address
        return self.backend

    def __exit__(self, *exc: object) -> None:
        if self.cluster is not None:
            self.cluster.close()
