"""`python -m sim.dashboard.serve HOST PORT`: Solara's server for the page, behind the join gate (gate.py).

What `solara run sim.dashboard.app --production` does, with two differences: the Starlette app is wrapped in
`JoinGate` (the join code comes from GRASSROOTS_JOIN_CODE; none means no gate), and uvicorn refuses websocket
messages above `WS_MAX_BYTES` (a visitor's 50 MB message is dropped by the socket before Python parses it). The
command `python -m sim dashboard` starts this module in a subprocess with the page's options in the environment.
"""

from __future__ import annotations

import copy
import os
import sys
import warnings

from sim.dashboard.limits import MAX_UPLOAD_BYTES

APP_MODULE = "sim.dashboard.app"
WS_MAX_BYTES = 4 * MAX_UPLOAD_BYTES  # an upload's text, JSON-escaped, fits; anything larger closes the socket


def build_app(code: str | None, lang: str = "zh"):  # noqa: ANN201 - an ASGI app
    """Solara's Starlette app for the dashboard page, behind the join gate."""
    os.environ["SOLARA_APP"] = APP_MODULE
    import solara.server.settings as settings

    settings.main.mode = "production"
    settings.theme.show_banner = False
    settings.telemetry.mixpanel_enable = False
    # Solara warns on every page load over plain http that it falls back to SameSite=Lax cookies, which is what a
    # page that is never embedded wants: not worth a screenful in the teacher's terminal each time.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.server.starlette import app

    from sim.dashboard.gate import JoinGate

    return JoinGate(app, code, lang)


def main(argv: list[str]) -> int:
    import uvicorn
    from solara.__main__ import LOGGING_CONFIG

    host, port = argv[0], int(argv[1])
    level = (argv[2] if len(argv) > 2 else "warning").upper()
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"]["solara"]["level"] = level
    app = build_app(os.environ.get("GRASSROOTS_JOIN_CODE") or None, os.environ.get("GRASSROOTS_LANG", "zh"))
    uvicorn.run(app, host=host, port=port, log_config=log_config, log_level="error", ws_max_size=WS_MAX_BYTES,
                access_log=False, lifespan="on")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
