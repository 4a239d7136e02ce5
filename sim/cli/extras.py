"""Optional dependencies by use (pyproject.toml): a command that needs an extra which is not installed stops with
one line naming the extra to install, never an ImportError traceback.

The core install runs the model and every batch command on local processes; `dashboard` needs
`grassroots-sim[dashboard]`, `--dask` needs `grassroots-sim[dask]`, a SLURM cluster `grassroots-sim[slurm]`.
"""

from __future__ import annotations

from importlib.util import find_spec

from sim.cli import UserError

PACKAGE = "grassroots-sim"
# extra -> the modules it provides (looked up without importing them)
EXTRAS = {
    "dashboard": ("solara", "ipyvue", "ipyvuetify"),
    "dask": ("dask", "distributed"),
    "slurm": ("dask", "distributed", "dask_jobqueue"),
}


def missing(extra: str) -> list[str]:
    """The modules of `extra` that cannot be imported here."""
    out = []
    for module in EXTRAS[extra]:
        try:
            if find_spec(module) is None:
                out.append(module)
        except (ImportError, ValueError):  # a broken or half-removed install counts as missing
            out.append(module)
    return out


def require(extra: str, what: str) -> None:
    """Raise UserError (one line: what needs it, the command to install it) unless `extra` is installed."""
    gone = missing(extra)
    if gone:
        raise UserError(f"{what} needs the optional dependencies [{extra}] ({', '.join(gone)} not installed): "
                        f"pip install '{PACKAGE}[{extra}]'")
