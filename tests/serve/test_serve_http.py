"""`magtui serve` for real, on loopback: the page, where it listens, and one consultation
process per browser session, keeping drafts where the terminal keeps them.

Every request goes to 127.0.0.1; nothing here binds or contacts any other address.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import time
from pathlib import Path
from typing import Any

import aiohttp

_ANSI = re.compile(r"\x1b(?:\[[0-9;?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def listening_addresses(port: int) -> set[str]:
    """Every local address with a TCP socket listening on `port` (from /proc/net)."""
    found: set[str] = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # /proc/net writes each 32-bit word in host (little-endian) order.
            packed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, packed))
    return found


def test_the_page_is_served_on_loopback_only(serve_magtui: Any) -> None:
    served = serve_magtui()
    status, page = served.get("/")
    assert status == 200
    # textual-serve's page: the terminal element, its session address, the app's title.
    assert 'class="textual-terminal"' in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page
    assert "<div>magtui</div>" in page
    assert "/static/js/textual.js" in page
    assert served.get("/static/js/textual.js")[0] == 200
    # Listening on 127.0.0.1 and nowhere else: not 0.0.0.0, not ::, not another interface.
    assert listening_addresses(served.port) == {"127.0.0.1"}
    assert "serving the consultation on http://127.0.0.1:" in served.output()


def test_pages_and_sessions_from_elsewhere_are_refused(serve_magtui: Any) -> None:
    served = serve_magtui()
    status, body = served.get("/", {"Host": f"attacker.example:{served.port}"})
    assert status == 403 and "only to this machine" in body
    status, body = served.get("/ws", {"Origin": "http://attacker.example",
                                      "Connection": "Upgrade", "Upgrade": "websocket",
                                      "Sec-WebSocket-Version": "13",
                                      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert status == 403 and "may not open a consultation" in body
    assert served.consultations() == {}


async def _drawn(session: aiohttp.ClientWebSocketResponse, text: str, timeout: float = 60) -> str:
    """Read the session's terminal output until `text` appears in it."""
    seen = ""
    deadline = time.monotonic() + timeout
    while text not in _ANSI.sub("", seen):
        try:
            # Not receive(timeout=…): the server's heartbeat pings restart that timeout.
            message = await asyncio.wait_for(session.receive(),
                                             timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise AssertionError(f"{text!r} never appeared (did the consultation fail to "
                                 f"start?); got {_ANSI.sub('', seen)[-2000:]!r}") from None
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data.decode("utf-8", "replace")
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                              aiohttp.WSMsgType.ERROR):
            raise AssertionError(f"the session closed before {text!r} appeared")
    return seen


async def test_each_browser_session_is_its_own_consultation(serve_magtui: Any) -> None:
    served = serve_magtui()
    notes = Path(os.environ["MAGTUI_NOTES_DIR"])
    address = f"ws://127.0.0.1:{served.port}/ws?width=100&height=32"
    origin = f"http://127.0.0.1:{served.port}"
    async with aiohttp.ClientSession() as client:
        first = await client.ws_connect(address, origin=origin)
        second = await client.ws_connect(address, origin=origin)
        await asyncio.gather(_drawn(first, "Deficiency-type symptoms"),
                             _drawn(second, "Deficiency-type symptoms"))
        running = served.consultations()
        assert len(running) == 2, running  # one process per session
        # A key in each tab: each consultation autosaves its own draft, in the notes
        # folder a terminal consultation uses (MAGTUI_NOTES_DIR), named by its process.
        await first.send_str(json.dumps(["stdin", "y"]))
        await second.send_str(json.dumps(["stdin", "n"]))
        drafts = {pid: notes / f"draft-{pid}.json" for pid in running}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(
                d.exists() and "cramps_spasms" in d.read_text(encoding="utf-8")
                for d in drafts.values()):
            await asyncio.sleep(0.2)
        states = sorted(json.loads(d.read_text(encoding="utf-8"))["states"]["cramps_spasms"]
                        for d in drafts.values())
        assert states == ["absent", "present"]
        await first.close()
        await second.close()
    # Closing a tab ends its consultation (its draft stays, offered at the next start).
    deadline = time.monotonic() + 20
    while served.consultations() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert served.consultations() == {}
    assert all(d.exists() for d in drafts.values())


def test_localhost_listens_on_loopback_addresses_only(serve_magtui: Any) -> None:
    served = serve_magtui("--host", "localhost")
    addresses = listening_addresses(served.port)
    assert addresses and addresses <= {"127.0.0.1", "::1"}


async def test_stopping_the_server_ends_every_consultation_at_once(serve_magtui: Any) -> None:
    served = serve_magtui()
    address = f"ws://127.0.0.1:{served.port}/ws?width=100&height=32"
    async with aiohttp.ClientSession() as client:
        session = await client.ws_connect(address, origin=f"http://127.0.0.1:{served.port}")
        await _drawn(session, "Deficiency-type symptoms")
        (consultation,) = served.consultations()
        # `exec`: the consultation is the server's own child, no shell in between.
        stat = Path(f"/proc/{consultation}/stat").read_text()
        assert int(stat.rsplit(")", 1)[1].split()[1]) == served.process.pid
        os.kill(served.process.pid, signal.SIGTERM)  # the server only, as a service manager
        started = time.monotonic()
        while served.process.poll() is None and time.monotonic() - started < 20:
            await asyncio.sleep(0.1)
        assert served.process.returncode is not None, "the server did not stop"
        stopped_in = time.monotonic() - started
        while served.consultations() and time.monotonic() - started < 20:
            await asyncio.sleep(0.1)
        assert served.consultations() == {}, "a consultation outlived its server"
        # Not aiohttp's minute of waiting for the browser to hang up.
        assert stopped_in < 15
