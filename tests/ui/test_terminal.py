"""magtui in a real terminal (tmux): keys as a clinician types them, the screen as it is drawn.

Skipped only where tmux is absent (CI installs it).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

REPO = Path(__file__).resolve().parents[2]
TMUX = ["tmux", "-L", f"magtui-tests-{os.getpid()}"]
"""A private tmux server: tests never touch the user's sessions, nor race another server."""


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run([*TMUX, "send-keys", "-t", self.session, key], check=True)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        subprocess.run([*TMUX, "send-keys", "-t", self.session, "-l", text], check=True)
        time.sleep(0.2)

    def screen(self) -> str:
        return subprocess.run([*TMUX, "capture-pane", "-p", "-t", self.session],
                              capture_output=True, text=True, check=False).stdout

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def pid(self) -> int:
        out = subprocess.run([*TMUX, "list-panes", "-t", self.session, "-F", "#{pane_pid}"],
                             capture_output=True, text=True, check=True).stdout
        return int(out.split()[0])


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[callable]:  # type: ignore[valid-type]
    sessions: list[str] = []
    notes = tmp_path / "notes"

    def start(*args: str, size: tuple[int, int] = (100, 32)) -> Terminal:
        session = f"magtui-test-{uuid.uuid4().hex[:8]}"
        # A settings file that does not exist: tmux may hand the pane its server's
        # environment, not this test's, and the user's settings must not reach the app.
        env = (f"MAGTUI_NOTES_DIR={shlex.quote(str(notes))} TERM=xterm-256color "
               f"MAGTUI_CONFIG={shlex.quote(str(tmp_path / 'no-config.toml'))} "
               "TEXTUAL_ANIMATIONS=none")
        # exec: the pane's process is magtui itself, so a SIGKILL hits magtui.
        command = (f"cd {shlex.quote(str(REPO))} && exec env {env} "
                   f"{shlex.quote(sys.executable)} -m magtui "
                   + " ".join(shlex.quote(a) for a in args))
        command_line = [*TMUX, "new-session", "-d", "-s", session, "-x", str(size[0]),
                        "-y", str(size[1]), command]
        for attempt in range(3):
            # A server whose last session just closed may still be exiting: try again.
            if subprocess.run(command_line, capture_output=True, check=False).returncode == 0:
                break
            time.sleep(0.3 * (attempt + 1))
        else:
            subprocess.run(command_line, check=True)
        sessions.append(session)
        return Terminal(session)

    start.notes = notes  # type: ignore[attr-defined]
    yield start
    for session in sessions:
        subprocess.run([*TMUX, "kill-session", "-t", session], capture_output=True,
                       check=False)
    subprocess.run([*TMUX, "kill-server"], capture_output=True, check=False)


def _saved(notes: Path) -> list[Path]:
    return sorted(p for p in notes.glob("*.json") if p.name != "draft.json") if notes.exists() \
        else []


def test_whole_consultation_by_keyboard(terminal: callable) -> None:  # type: ignore[valid-type]
    screen_ = terminal("--age", "79", "--sex", "male", "--egfr", "21",
                       "--answer", "mg_laxative_antacid", "--answer", "nausea")
    screen_.wait_for("Deficiency-type symptoms")
    screen_.wait_for("KIDNEY RISK: HIGH")
    # Tick "Muscle weakness": the 6th finding under the excess heading (cursor starts at
    # the first finding).
    screen_.keys(*["Down"] * 5, "y")
    screen = screen_.wait_for("[✓] Muscle weakness")
    screen_.keys("F5")
    screen = screen_.wait_for("URGENT")
    assert "KIDNEY RISK: HIGH" in screen
    screen_.keys("F7")
    screen_.wait_for("Clinician's note")
    time.sleep(0.5)  # the text box takes focus as the area opens; type once it has it
    screen_.type("Stop milk of magnesia; bloods today.")
    screen_.wait_for("bloods today.")
    screen_.keys("C-s")
    screen_.wait_for("Note saved")
    notes = _saved(terminal.notes)  # type: ignore[attr-defined]
    assert len(notes) == 1
    assert oct(notes[0].stat().st_mode & 0o777) == "0o600"
    note = json.loads(notes[0].read_text(encoding="utf-8"))
    assert note["referral"]["urgency"] == "urgent"
    assert note["clinician_text"] == "Stop milk of magnesia; bloods today."
    assert note["findings"]["weakness"]["state"] == "present"
    markdown = notes[0].with_suffix(".md").read_text(encoding="utf-8")
    assert "URGENT" in markdown and "does not diagnose or prescribe" in markdown


def test_killed_consultation_offers_its_draft(terminal: callable) -> None:  # type: ignore[valid-type]
    first = terminal("--age", "45", "--sex", "female")
    first.wait_for("Deficiency-type symptoms")
    first.keys("y", "F7")
    first.wait_for("Clinician's note")
    time.sleep(0.5)
    first.type("seizure this morning, witnessed")
    first.wait_for("witnessed")
    draft = terminal.notes / f"draft-{first.pid()}.json"  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        not draft.exists() or "witnessed" not in draft.read_text(encoding="utf-8")
    ):
        time.sleep(0.1)
    assert draft.exists(), "the draft was never autosaved"
    os.kill(first.pid(), signal.SIGKILL)
    time.sleep(0.3)  # let the killed process be reaped, so its pid is no longer running

    second = terminal()
    second.wait_for("interrupted consultation")
    second.keys("Enter")
    second.wait_for("Draft restored")
    second.keys("F7")
    second.wait_for("seizure this morning, witnessed")
    second.keys("C-s")
    second.wait_for("Note saved")
    notes = _saved(terminal.notes)  # type: ignore[attr-defined]
    assert len(notes) == 1
    assert oct(notes[0].stat().st_mode & 0o777) == "0o600"
    note = json.loads(notes[0].read_text(encoding="utf-8"))
    assert note["clinician_text"] == "seizure this morning, witnessed"
    assert note["findings"]["cramps_spasms"]["state"] == "present"
