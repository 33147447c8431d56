"""`magtui serve` started for real: a server process on loopback, always stopped.

The server runs in a process group (session) of its own; each browser session's consultation
is its child, in the same group. The finaliser stops that group and only that group:
SIGTERM (textual-serve's graceful exit), then SIGKILL for anything still there.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port free on 127.0.0.1 now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get(port: int, path: str = "/", headers: dict[str, str] | None = None,
        timeout: float = 5) -> tuple[int, str]:
    """One plain HTTP GET to 127.0.0.1:port: status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@dataclass
class Served:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str = "/", headers: dict[str, str] | None = None) -> tuple[int, str]:
        return get(self.port, path, headers)

    def consultations(self) -> dict[int, list[str]]:
        """The consultation processes (`… -m magtui`, not the server) it started."""
        return {pid: argv for pid, argv in processes_in_group(self.process.pid).items()
                if pid != self.process.pid
                and any(argv[i:i + 2] == ["-m", "magtui"] for i in range(len(argv)))
                and "serve" not in argv}


def stop_group(process: subprocess.Popen[bytes], grace: float = 10) -> None:
    """Stop the process group `process` leads (it was started with start_new_session)."""
    group = process.pid
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    # The server has gone (or would not go); its consultations must not outlive it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture
def serve_magtui(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start `python -m magtui serve --port <free> [args]` and wait until it answers."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, timeout: float = 60) -> Served:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "magtui", "serve", "--port", str(port), *args],
                cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=dict(os.environ), start_new_session=True)
        started.append(process)
        served = Served(port, process, log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"magtui serve exited with {process.returncode}:\n"
                                     f"{served.output()}")
            with contextlib.suppress(OSError):
                if get(port, timeout=2)[0] == 200:
                    return served
            time.sleep(0.1)
        raise AssertionError(f"magtui serve never answered on {port}:\n{served.output()}")

    yield start
    for process in started:
        stop_group(process)


def processes_in_group(group: int) -> dict[int, list[str]]:
    """pid → argv of every live process in the process group `group` (from /proc)."""
    found: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, …
        if fields[0] != "Z" and int(fields[2]) == group:
            found[int(entry.name)] = [a.decode("utf-8", "replace") for a in argv if a]
    return found

