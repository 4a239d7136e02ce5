"""`python -m sim dashboard [--host 127.0.0.1] [--port N] [--lang zh|en]`: the teaching dashboard (a Solara page).

Serves sim/dashboard/app.py with `solara run` on this machine only (unless --host says otherwise). Every front-end file
comes from the installed solara-assets package, so the page works with no network at all.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from sim.cli import UserError

APP = Path(__file__).resolve().parent.parent / "app.py"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="starting language (switchable on the page)")
    p.add_argument("--preset", default="baseline", help="starting preset: a file name in scenarios/ without .toml")
    p.add_argument("--days", type=int, default=365, help="days a run lasts (default 365)")
    p.add_argument("--reform-day", type=int, default=120, help="day the reform levers switch on (default 120)")
    p.add_argument("--townships", type=int, default=None, help="townships in the county (default: the preset's)")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def check(args: argparse.Namespace) -> None:
    """Refuse bad options with one line."""
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port: must be between 0 and 65535, got {args.port}")
    if not 30 <= args.days <= 3650:
        raise UserError(f"--days: must be between 30 and 3650, got {args.days}")
    if not 0 <= args.reform_day <= args.days:
        raise UserError(f"--reform-day: must be between 0 and --days ({args.days}), got {args.reform_day}")
    if args.townships is not None and not 1 <= args.townships <= 100:
        raise UserError(f"--townships: must be between 1 and 100, got {args.townships}")
    from sim.cli.extras import require
    from sim.io.shipped import scenarios_dir

    require("dashboard", "dashboard")
    found = sorted(p.stem for p in scenarios_dir().glob("*.toml") if p.stem != "targets")
    if args.preset not in found:
        raise UserError(f"--preset: no scenarios/{args.preset}.toml (choose from: {', '.join(found)})")


def command(args: argparse.Namespace, port: int) -> tuple[list[str], dict[str, str]]:
    """The `solara run` command line and environment for these options."""
    env = {
        **os.environ,
        "GRASSROOTS_LANG": args.lang, "GRASSROOTS_PRESET": args.preset, "GRASSROOTS_DAYS": str(args.days),
        "GRASSROOTS_REFORM_DAY": str(args.reform_day), "GRASSROOTS_TOWNSHIPS": str(args.townships or ""),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "MPLBACKEND": "Agg", "SOLARA_THEME_SHOW_BANNER": "False",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(APP.parent.parent), os.environ.get("PYTHONPATH")])),
    }
    cmd = [sys.executable, "-m", "solara", "run", "sim.dashboard.app", "--host", args.host, "--port", str(port), "--production",
           "--open" if args.open else "--no-open", "--no-check-version", "--log-level", "warning"]
    return cmd, env


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_warning(host: str) -> str | None:
    """The warning for an address other machines can reach (docs/dashboard.md, "Network")."""
    if host in LOCAL_HOSTS or host.startswith("127."):
        return None
    return (f"warning: --host {host}: the dashboard is open to every machine that can reach this one, with no "
            "login, and anyone there can run the model on this machine; use it only on a network you trust "
            "(see docs/dashboard.md)")


def main(args: argparse.Namespace) -> int:
    check(args)
    warning = host_warning(args.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    port = args.port or _free_port(args.host)
    cmd, env = command(args, port)
    print(f"Dashboard: http://{args.host}:{port}/   (Ctrl+C to stop)", flush=True)
    proc = subprocess.Popen(cmd, env=env, cwd=APP.parent.parent)

    def stop(signum, frame) -> None:  # stopping this command stops the server it started
        proc.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(10)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
