"""Time to interactive in a real terminal (figure 1): tmux, 120×40.

A Python port of ../shared/tools/tti.sh, so CI needs only tmux: the clock starts just
before `tmux new-session` launches the command and stops when `tmux capture-pane` first
shows the marker. Polling every 5 ms costs both apps the same, so the ratio is fair; the
absolute figure includes up to one poll interval plus one capture (~5–10 ms).

`launch`, `wait_for` and `time_key` serve the area-switch figure too (`area_switch.py`):
there the clock starts just before `tmux send-keys` and stops the same way.

The tmux server runs on a private socket, started before the first measurement (so its own
start-up is never timed) and killed at the end; nothing touches the user's tmux.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

COLUMNS, LINES = 120, 40
POLL_S = 0.005
TIMEOUT_S = 30.0


def tmux_available() -> bool:
    return shutil.which("tmux") is not None


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket
        self._n = 0
        self._socket_path = ""

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=check)

    def start_server(self) -> None:
        # A long-lived idle session keeps the server up between measured sessions.
        self._run("new-session", "-d", "-s", "keepalive", "-x", str(COLUMNS), "-y", str(LINES),
                  "sleep 86400")
        self._socket_path = self._run("display-message", "-p", "#{socket_path}").stdout.strip()

    def kill_server(self) -> None:
        self._run("kill-server", check=False)
        # tmux leaves the socket file of a killed server behind; it is ours, so remove it.
        if self._socket_path:
            Path(self._socket_path).unlink(missing_ok=True)

    def time_to_marker(self, command: Sequence[str], marker: str,
                       env: Mapping[str, str], cwd: Path) -> float:
        """Seconds from launching `command` in a fresh 120×40 pane until `marker` shows."""
        start = time.perf_counter()
        session = self.launch(command, env, cwd)
        try:
            return self.wait_for(session, marker, start)
        finally:
            self.kill_session(session)

    def launch(self, command: Sequence[str], env: Mapping[str, str], cwd: Path) -> str:
        """Start `command` in a fresh 120×40 session; returns the session's name."""
        self._n += 1
        session = f"tti{self._n}"
        # `exec env …`: the pane's process is the app itself, with exactly this environment
        # (a tmux session otherwise inherits the server's environment, not ours).
        assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        shell = f"exec env -i {assignments} {shlex.join(command)}"
        self._run("new-session", "-d", "-s", session, "-c", str(cwd), "-x", str(COLUMNS),
                  "-y", str(LINES), shell)
        return session

    def wait_for(self, session: str, marker: str, start: float) -> float:
        """Seconds from `start` (a perf_counter) until the pane first shows `marker`."""
        while True:
            screen = self.capture(session)
            if marker in screen:
                return time.perf_counter() - start
            if time.perf_counter() - start > TIMEOUT_S:
                raise TimeoutError(f"{marker!r} not on screen after {TIMEOUT_S:g} s; "
                                   f"the pane showed:\n{screen}")
            time.sleep(POLL_S)

    def time_key(self, session: str, key: str, marker: str) -> float:
        """Seconds from just before `tmux send-keys KEY` until the pane first shows `marker`."""
        start = time.perf_counter()
        self._run("send-keys", "-t", session, key)
        return self.wait_for(session, marker, start)

    def capture(self, session: str) -> str:
        return self._run("capture-pane", "-p", "-t", session, check=False).stdout

    def kill_session(self, session: str) -> None:
        self._run("kill-session", "-t", session, check=False)


@contextmanager
def tmux_server() -> Iterator[Tmux]:
    tmux = Tmux(f"magtui-bench-{os.getpid()}")
    tmux.start_server()
    try:
        yield tmux
    finally:
        tmux.kill_server()
