"""`python -m sim dashboard [--host 127.0.0.1] [--port N] [--lang zh|en]`: the teaching dashboard (a Solara page).

Serves sim/dashboard/app.py with Solara's server (sim/dashboard/serve.py) on this machine only (unless --host says
otherwise). Every front-end file comes from the installed solara-assets package, so the page works with no network
at all. Beyond this machine it runs in class mode: visitors need the join code it prints (sim/dashboard/gate.py).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

from sim.cli import UserError
from sim.dashboard.gate import check_code, new_code

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
    p.add_argument("--join-code", default=None,
                   help="class mode's join code (4-32 letters or digits; default: a random one when --host is not local)")


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _open_browser(url: str, proc: subprocess.Popen) -> None:
    """Open the page once the server answers (what `solara run --open` did)."""
    for _ in range(240):
        if proc.poll() is not None:
            return
        try:
            with urllib.request.urlopen(url, timeout=1):
                webbrowser.open(url)
                return
        except OSError:
            time.sleep(0.5)


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
    if args.join_code is not None:
        try:
            args.join_code = check_code(args.join_code)
        except ValueError as err:
            raise UserError(str(err)) from None
    from sim.cli.extras import require
    from sim.io.shipped import scenarios_dir

    require("dashboard", "dashboard")
    found = sorted(p.stem for p in scenarios_dir().glob("*.toml") if p.stem != "targets")
    if args.preset not in found:
        raise UserError(f"--preset: no scenarios/{args.preset}.toml (choose from: {', '.join(found)})")


def command(args: argparse.Namespace, port: int) -> tuple[list[str], dict[str, str]]:
    """The server's command line (sim/dashboard/serve.py) and environment for these options."""
    env = {
        **os.environ,
        "GRASSROOTS_LANG": args.lang, "GRASSROOTS_PRESET": args.preset, "GRASSROOTS_DAYS": str(args.days),
        "GRASSROOTS_REFORM_DAY": str(args.reform_day), "GRASSROOTS_TOWNSHIPS": str(args.townships or ""),
        "GRASSROOTS_JOIN_CODE": args.join_code or "", "GRASSROOTS_CLASS_URLS": " ".join(class_urls(args.host, port)),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "MPLBACKEND": "Agg", "SOLARA_THEME_SHOW_BANNER": "False",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(APP.parent.parent), os.environ.get("PYTHONPATH")])),
    }
    cmd = [sys.executable, "-m", "sim.dashboard.serve", args.host, str(port), "warning"]
    return cmd, env


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_local_host(host: str) -> bool:
    """Whether --host reaches this machine only."""
    return host in LOCAL_HOSTS or host.startswith("127.")


def host_warning(host: str) -> str | None:
    """The warning for an address other machines can reach (docs/dashboard.md, "Running a class")."""
    if is_local_host(host):
        return None
    return (f"warning: --host {host}: every machine that can reach this one can open the join page; visitors need "
            "the join code below to use the dashboard, and each one runs the model on this machine within the "
            "limits the page states; use it only on the room's own network (see docs/dashboard.md)")


def class_urls(host: str, port: int) -> list[str]:
    """Addresses a visitor types: the --host itself, or for 0.0.0.0 / :: this machine's non-loopback addresses."""
    if is_local_host(host):
        return []
    if host not in ("0.0.0.0", "::", ""):
        return [f"http://{'[' + host + ']' if ':' in host else host}:{port}/"]
    found: list[str] = []
    try:  # a UDP socket "connected" to a private address sends nothing; it names the interface the route uses
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            found.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        found += [a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    ips = [ip for ip in dict.fromkeys(found) if not ip.startswith("127.")]
    return [f"http://{ip}:{port}/" for ip in ips] or [f"http://<this machine's address>:{port}/"]


def main(args: argparse.Namespace) -> int:
    check(args)
    warning = host_warning(args.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
        args.join_code = args.join_code or new_code()
    port = args.port or _free_port(args.host)
    cmd, env = command(args, port)
    print(f"Dashboard: http://{args.host}:{port}/   (Ctrl+C to stop)", flush=True)
    if args.host in ("0.0.0.0", "::"):
        print(f"On this machine (the projector): http://127.0.0.1:{port}/", flush=True)
    if args.join_code:
        print(f"Class mode: visitors open {' or '.join(class_urls(args.host, port))} and enter the join code "
              f"{args.join_code}", flush=True)
    proc = subprocess.Popen(cmd, env=env, cwd=APP.parent.parent)
    if args.open:
        here = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        threading.Thread(target=_open_browser, args=(f"http://{here}:{port}/", proc), daemon=True).start()

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
