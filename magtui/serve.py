"""`magtui serve`: the consultation in a web browser, through textual-serve (issue #14).

textual-serve starts the command once per browser connection: each tab is its own
consultation, `python -m magtui` run by this same interpreter with the server's environment
and knowledge base, so notes and drafts go to the same folder as in a terminal.

There is no authentication. The server listens on loopback (127.0.0.1) unless
`--allow-remote` is given, and then warns on stderr. Two checks stand in front of every page
and every session even on loopback, because any web page open in the clinician's browser can
reach 127.0.0.1: the Host header must name this machine (a page whose name re-resolves to
127.0.0.1 cannot use it), and a browser's Origin must be the server itself (another site's page
cannot open a consultation and read it).

The decisions (`check_host`, `parse_port`, `request_refusal`) are plain functions, tested
without binding anything; textual-serve (and aiohttp) is imported only by `run`.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
import shlex
import sys

from magtui.clinical.limits import InputError
from magtui.text import one_line

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "magtui"

_PORT = re.compile(r"[0-9]{1,5}")
_HOST_HEADER = re.compile(r"(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?")
"""A Host header: a name, an IPv4 address or a bracketed IPv6 address, then any port."""


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback IP address (127.0.0.0/8, ::1), brackets allowed.

    Any other name is not loopback, whatever it resolves to today.
    """
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def parse_port(text: str) -> int:
    """The port as given: ASCII digits, 1–65535 (design.md §3: nothing guessed)."""
    if _PORT.fullmatch(text) and 1 <= int(text) <= 65535:
        return int(text)
    raise InputError("port", f"must be a whole number from 1 to 65535, got {text!r}")


def check_host(host: str, port: int, *, allow_remote: bool) -> str | None:
    """Whether magtui may listen on `host`: None (loopback), the warning to print first
    (another address, with `allow_remote`), or InputError naming --host (refused)."""
    if not host.strip():
        raise InputError("host", "needs an address (leave --host out for 127.0.0.1, this "
                                 "machine only)")
    if is_loopback(host):
        return None
    if not allow_remote:
        raise InputError(
            "host", f"{host!r} is not a loopback address, and magtui serve has no "
            "authentication: it listens on this machine only (127.0.0.1) unless you add "
            "--allow-remote")
    return (f"magtui: WARNING: serving on {host}:{port} with NO AUTHENTICATION: anyone who "
            "can reach this address can open a consultation and save notes on this machine; "
            "use it only on a network you trust")


def tui_command(kb: str | None = None) -> str:
    """The shell command textual-serve runs for each browser session: the TUI, with this
    interpreter (and the KB the server checked, as an absolute path). `exec`: the
    consultation is the server's own child, not a shell's, and receives its signals."""
    command = f"exec {shlex.quote(sys.executable)} -m magtui"
    if kb is not None:
        command += f" --kb {shlex.quote(os.path.abspath(kb))}"
    return command


def request_refusal(*, host_header: str, origin: str | None, scheme: str,
                    loopback_only: bool) -> str | None:
    """Why a request must be refused (403), or None.

    `host_header` must parse, and on loopback name this machine (DNS rebinding); a browser's
    `origin`, when sent, must be this server as the browser addressed it (another site's
    page opening a session). Clients that send no Origin (not a browser) pass that check.
    """
    host = _HOST_HEADER.fullmatch(host_header)
    if host is None:
        return "the Host header is missing or malformed"
    if loopback_only and not is_loopback(host.group("name")):
        return (f"this server answers only to this machine's own addresses "
                f"(127.0.0.1, localhost), not {host_header!r}")
    if origin is not None and origin.lower() != f"{scheme}://{host_header}".lower():
        return f"a page from {origin!r} may not open a consultation here"
    return None


def run(*, host: str, port: int, kb: str | None, loopback_only: bool) -> int:
    """Serve the consultation until interrupted (ctrl+c or SIGTERM).

    Longer than most functions here because it holds the server's class: aiohttp and
    textual-serve are imported only when serving, so every other command starts without them.
    """
    import asyncio

    import aiohttp_jinja2
    from aiohttp import web
    from textual_serve.server import Server, to_int

    sessions: set[asyncio.Transport] = set()  # the browser tabs' connections, now

    class ConsultationServer(Server):
        def _refuse_if_foreign(self, request: web.Request) -> None:
            refusal = request_refusal(host_header=request.host,
                                      origin=request.headers.get("Origin"),
                                      scheme=request.scheme, loopback_only=loopback_only)
            if refusal is not None:
                raise web.HTTPForbidden(text=f"magtui: {refusal}\n")

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            # The page addresses the session as the browser addressed the page (textual-serve
            # would name its bind address, e.g. 0.0.0.0, which a remote browser cannot use).
            self._refuse_if_foreign(request)
            websocket = "wss" if request.scheme == "https" else "ws"
            static = str(request.app.router["static"].url_for(filename="/")).rstrip("/")
            context = {
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
                "app_websocket_url": f"{websocket}://{request.host}/ws",
                "config": {"static": {"url": f"{static}/"}},
                "application": {"name": self.title},
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            self._refuse_if_foreign(request)
            connection = request.transport
            if connection is not None:
                sessions.add(connection)
            try:
                return await super().handle_websocket(request)
            finally:
                if connection is not None:
                    sessions.discard(connection)

        async def on_shutdown(self, app: web.Application) -> None:
            # ctrl+c or SIGTERM: end every tab's connection now, so each consultation is
            # told to quit at once (its draft stays, as after any interruption) instead of
            # aiohttp waiting a minute for the browsers to hang up.
            for connection in list(sessions):
                connection.close()

        async def on_startup(self, app: web.Application) -> None:
            # --host is the user's text: neutralised like every other line magtui prints.
            shown = one_line(f"[{host}]" if ":" in host else host)
            print(f"magtui: serving the consultation on http://{shown}:{port}/ — each "
                  "browser tab is its own consultation; ctrl+c stops", flush=True)

    server = ConsultationServer(tui_command(kb), host=host, port=port, title=TITLE)
    try:
        server.serve()
    except OSError as exc:
        field = "port" if exc.errno in (errno.EADDRINUSE, errno.EACCES) else "host"
        raise InputError(field, f"cannot listen on {host}:{port}: "
                                f"{exc.strerror or type(exc).__name__}") from None
    return 0
