"""The join code of class mode, checked in front of the whole Solara server (an ASGI middleware).

When the dashboard listens beyond this machine (`--host 0.0.0.0`), a visitor from another address gets only a
small join form until it sends the code the projector shows: no page, no static file, no websocket (the
handshake is refused), so no model runs, uploads or downloads. The right code sets a cookie (an HMAC of the code
under a key made fresh at each start, so an old cookie dies with the server) and redirects to the page. Wrong
codes are counted per address (at most `MAX_TRIES` a minute). Requests from loopback (the projector's own
browser) pass untouched. Each request the gate lets through carries `x-grassroots-client: local | joined`, set
here and never taken from the visitor, which the page reads to show the code only on the projector. Visitors'
HTTP bodies are capped (`MAX_BODY`); their websocket messages are capped by uvicorn's `ws_max_size` (serve.py).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import re
import secrets
import time
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from sim.presentation import texts as txt

COOKIE = "grassroots_join"
MARK = b"x-grassroots-client"
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector without doubt
CODE_RE = re.compile(r"^[A-Za-z0-9]{4,32}$")
MAX_TRIES = 10  # wrong codes per address per minute
MAX_BODY = 1024 * 1024  # bytes of an HTTP request body from a visitor


def new_code(n: int = 6) -> str:
    """A random join code (31^6 ~ 9e8 codes; with MAX_TRIES a minute, guessing takes centuries)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def check_code(code: str) -> str:
    """A code given with --join-code, normalised (upper case); ValueError with one line if it is not 4-32 letters
    or digits."""
    if not CODE_RE.fullmatch(code or ""):
        raise ValueError("--join-code: must be 4 to 32 letters or digits")
    return code.upper()


def same_code(given: Any, code: str) -> bool:
    """Whether what a visitor typed is the code (case, spaces and dashes ignored), in constant time."""
    if not isinstance(given, str) or len(given) > 64:
        return False
    typed = re.sub(r"[\s-]", "", given).upper()
    return hmac.compare_digest(typed.encode(), code.upper().encode())


def is_local(host: str | None) -> bool:
    """Whether a client address is this machine (loopback, also IPv4 mapped into IPv6)."""
    if not host:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def join_page(lang: str, wrong: bool = False, limited: bool = False) -> bytes:
    """The join form, both languages (the page's language first), self-contained (no script, no asset)."""
    order = ("zh", "en") if lang == "zh" else ("en", "zh")
    lines = []
    for lg in order:
        lines.append(f"<h2>{html.escape(txt.t('join_title', lg))}</h2><p>{html.escape(txt.t('join_prompt', lg))}</p>")
        if wrong:
            lines.append(f"<p class='wrong' style='color:#b00020'>{html.escape(txt.t('join_wrong', lg))}</p>")
        if limited:
            lines.append(f"<p class='wrong' style='color:#b00020'>{html.escape(txt.t('join_limited', lg))}</p>")
    button = " / ".join(html.escape(txt.t("join_button", lg)) for lg in order)
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
        f"<title>{html.escape(txt.t('title', order[0]))}</title></head>"
        "<body style='font-family:sans-serif;font-size:20px;max-width:40em;margin:2em auto;padding:0 1em'>"
        + "".join(lines)
        + "<form method='get' action='/' class='join-form'><input name='code' class='join-code' autocomplete='off' "
        "autofocus maxlength='40' style='font-size:28px;letter-spacing:4px;width:9em'> "
        f"<button type='submit' style='font-size:24px'>{button}</button></form></body></html>"
    )
    return body.encode("utf-8")


class JoinGate:
    """ASGI middleware: loopback passes; a visitor needs the join code (cookie), else gets the join form only."""

    def __init__(self, app: Any, code: str | None, lang: str = "zh") -> None:
        self.app = app
        self.code = code
        self.lang = lang
        self.key = secrets.token_bytes(32)
        self.token = hmac.new(self.key, (code or "").encode(), hashlib.sha256).hexdigest()
        self.tries: dict[str, list[float]] = {}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = (scope.get("client") or (None, None))[0]
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != MARK]
        if is_local(host) or not self.code:
            scope = {**scope, "headers": [*headers, (MARK, b"local" if is_local(host) else b"open")]}
            await self.app(scope, receive, send)
            return
        if self._joined(headers):
            scope = {**scope, "headers": [*headers, (MARK, b"joined")]}
            if kind == "http" and not self._body_ok(headers):
                await self._reply(send, 413, b"request body too large")
                return
            await self.app(scope, receive, send)
            return
        if kind == "websocket":  # refuse the handshake: uvicorn answers 403, no kernel is made
            await send({"type": "websocket.close", "code": 1008})
            return
        await self._join(scope, send, host or "?")

    def _joined(self, headers: list[tuple[bytes, bytes]]) -> bool:
        for k, v in headers:
            if k.lower() == b"cookie":
                try:
                    jar = SimpleCookie(v.decode("latin-1"))
                except Exception:  # a malformed cookie header is simply not a join cookie
                    continue
                if COOKIE in jar and hmac.compare_digest(jar[COOKIE].value.encode(), self.token.encode()):
                    return True
        return False

    @staticmethod
    def _body_ok(headers: list[tuple[bytes, bytes]]) -> bool:
        h = {k.lower(): v for k, v in headers}
        if b"transfer-encoding" in h:
            return False  # a streamed body of unknown size: refused (browsers send a length)
        try:
            return int(h.get(b"content-length", b"0")) <= MAX_BODY
        except ValueError:
            return False

    async def _join(self, scope: dict, send: Any, host: str) -> None:
        if scope.get("method") not in ("GET", "HEAD"):
            await self._reply(send, 403, b"join code required")
            return
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("code")
        if given is None:
            await self._reply(send, 401, join_page(self.lang), html_=True)
            return
        now = time.monotonic()
        if len(self.tries) > 10_000:  # bounded memory whatever the number of addresses
            self.tries.clear()
        recent = [t for t in self.tries.get(host, []) if now - t < 60]
        if len(recent) >= MAX_TRIES:
            self.tries[host] = recent
            await self._reply(send, 429, join_page(self.lang, limited=True), html_=True)
            return
        if same_code(given[0], self.code or ""):
            self.tries.pop(host, None)
            cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Lax".encode()
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", b"/"), (b"set-cookie", cookie), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        self.tries[host] = [*recent, now]
        await self._reply(send, 403, join_page(self.lang, wrong=True), html_=True)

    @staticmethod
    async def _reply(send: Any, status: int, body: bytes, html_: bool = False) -> None:
        ctype = b"text/html; charset=utf-8" if html_ else b"text/plain; charset=utf-8"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})
