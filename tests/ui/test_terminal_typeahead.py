"""Type-ahead in a real terminal (tmux): keys sent in one burst, with no wait between them,
across F-keys, Tabs and fields, must each reach the field they were meant for, and ctrl+s
must save all of them (issue #13).

A clinician who knows the keys types faster than the screen follows: an F-key, Tab or
ctrl+s typed right after a mark, a choice or some text must act after it, never before.
Each test sends its keys as one `tmux send-keys` command, so every key is in the terminal
before magtui has handled the first, then reads the saved note from an isolated notes
folder. Skipped only where tmux is absent (CI installs it).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.notes.session import NOTE_ID_RE

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

REPO = Path(__file__).resolve().parents[2]
TMUX = ["tmux", "-L", f"magtui-typeahead-{os.getpid()}"]
"""A private tmux server: never the user's sessions, nor another test module's server."""
READY = "Deficiency-type symptoms"
"""On screen once the checklist is drawn: the app is ready for keys."""
SAVE_TIMEOUT_S = 60
"""Generous: the machine is shared, and a burst is handled key by key."""


def _screen(session: str) -> str:
    return subprocess.run([*TMUX, "capture-pane", "-p", "-t", session],
                          capture_output=True, text=True, check=False).stdout


@pytest.fixture
def burst(tmp_path: Path) -> Iterator[Callable[[list[str]], tuple[dict[str, Any], str]]]:
    """`note, screen = burst(keys)`: launch magtui at 80×24 (no prefill), wait until it is
    drawn, send every key in one tmux command, and return the note ctrl+s saved (JSON) and
    the screen."""
    notes = tmp_path / "notes"
    sessions: list[str] = []

    def saved_notes() -> list[Path]:
        """The saved notes' JSON files (not the autosaved draft)."""
        return sorted(p for p in notes.glob("*.json") if NOTE_ID_RE.match(p.stem)) \
            if notes.exists() else []

    def run(keys: list[str]) -> tuple[dict[str, Any], str]:
        session = f"magtui-typeahead-{uuid.uuid4().hex[:8]}"
        # Everything the app reads from its environment is this test's own: notes, KB
        # cache, settings (a file that does not exist).
        env = " ".join(f"{name}={shlex.quote(value)}" for name, value in {
            "MAGTUI_NOTES_DIR": str(notes),
            "MAGTUI_KB_CACHE": str(tmp_path / "kb-cache"),
            "MAGTUI_CONFIG": str(tmp_path / "no-config.toml"),
            "TERM": "xterm-256color",
            "TEXTUAL_ANIMATIONS": "none",
        }.items())
        command = (f"cd {shlex.quote(str(REPO))} && exec env {env} "
                   f"{shlex.quote(sys.executable)} -m magtui")
        command_line = [*TMUX, "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                        command]
        for attempt in range(3):
            # A server whose last session just closed may still be exiting: try again.
            if subprocess.run(command_line, capture_output=True, check=False).returncode == 0:
                break
            time.sleep(0.3 * (attempt + 1))
        else:
            subprocess.run(command_line, check=True)
        sessions.append(session)
        deadline = time.monotonic() + 30
        while READY not in _screen(session):
            assert time.monotonic() < deadline, f"magtui never drew:\n{_screen(session)}"
            time.sleep(0.1)

        subprocess.run([*TMUX, "send-keys", "-t", session, *keys], check=True)

        deadline = time.monotonic() + SAVE_TIMEOUT_S
        while not saved_notes():
            assert time.monotonic() < deadline, f"no note was saved:\n{_screen(session)}"
            time.sleep(0.2)
        time.sleep(0.5)  # a second save, if the burst made one, has landed too
        saved = saved_notes()
        assert len(saved) == 1, [p.name for p in saved]
        return json.loads(saved[0].read_text(encoding="utf-8")), _screen(session)

    yield run
    for session in sessions:
        subprocess.run([*TMUX, "kill-session", "-t", session], capture_output=True,
                       check=False)
    subprocess.run([*TMUX, "kill-server"], capture_output=True, check=False)


SCENARIO_1_FINDINGS = {"cramps_spasms", "eyelid_twitch", "low_intake",
                       "diuretic_loop_thiazide", "ppi_long_term"}


def test_a_whole_consultation_typed_ahead_arrives_whole(burst: Any) -> None:
    """Scenario 1, with a dose and a note, in one burst of 64 keys across F3, F2, F4, F7."""
    keys = [
        # F3: age 68; sex female (the first choice); creatinine 95, switched to µmol/L
        # (ctrl+o); five Tabs (unit, dialysis, serum Mg, its unit) to the patient reference.
        "F3", "68", "Tab", "Tab", "Enter", "Tab", "Tab", "Tab", "95", "C-o",
        *["Tab"] * 5, "bed 4",
        # F2: cramps, eyelid twitch (each y moves on), low intake, diuretic, PPI; D denies
        # every red flag still unasked.
        "F2", "y", "y", *["Down"] * 8, "y", *["Down"] * 4, "y", "y", "D",
        # F4: magnesium oxide ("ox" finds it), 400 mg compound, twice a day.
        "F4", "Enter", "ox", "Enter", "Tab", "Tab", "400", "Tab", "2",
        # F7: the clinician's note; then save.
        "F7", "typed ahead of the screen", "C-s",
    ]
    note, screen = burst(keys)
    patient, kidney, dose = note["patient"], note["patient"]["kidney"], note["dose"] or {}
    present = {f for f, record in note["findings"].items() if record["state"] == "present"}
    # Every value checked, and every one that went astray named at once.
    arrived = {
        "age": patient["age_years"],
        "sex": patient["sex"],
        "creatinine": (kidney["creatinine"], kidney["creatinine_unit"]),
        "eGFR": kidney["egfr"],
        "patient reference": note["patient_ref"],
        # F3's age and eGFR answer "older adult" and "kidney disease" themselves.
        "findings marked present": present - {"older_adult", "kidney_disease"},
        "red flags denied together": sorted(
            f for f in RED_FLAG_IDS if note["findings"][f]["asked_together"]),
        "dose": (dose.get("form_id"), dose.get("entered_mg"), dose.get("times_per_day")),
        "clinician's text": note["clinician_text"],
    }
    meant = {
        "age": 68,
        "sex": "female",
        "creatinine": (95, "umol/L"),
        "eGFR": 56.3,
        "patient reference": "bed 4",
        "findings marked present": SCENARIO_1_FINDINGS,
        "red flags denied together": sorted(RED_FLAG_IDS),
        "dose": ("oxide", 400, 2),
        "clinician's text": "typed ahead of the screen",
    }
    astray = {name: f"meant {meant[name]!r}, saved {arrived[name]!r}"
              for name in meant if arrived[name] != meant[name]}
    assert not astray, "\n".join([*(f"{k}: {v}" for k, v in astray.items()),
                                  "the screen was:", screen])
    assert (note["pattern"], note["referral"]["urgency"]) == ("deficiency", "routine")


# Each: a key that a widget handles (text, a choice, a mark), then at once a key the app
# handles first (ctrl+s, Tab, an F-key). The first must act before the second.
AHEAD: list[tuple[str, list[str], Callable[[dict[str, Any]], object], object]] = [
    ("text then ctrl+s",
     ["F7", "typed just before saving", "C-s"],
     lambda note: note["clinician_text"], "typed just before saving"),
    ("a choice then Tab",
     ["F3", "68", "Tab", "Tab", "Enter", "Tab", "C-s"],
     lambda note: note["patient"]["sex"], "female"),
    ("D then an F-key",
     ["y", "D", "F5", "C-s"],
     lambda note: note["unasked_red_flags"], []),
    # Age and sex first: without them no dose is computed, and the note holds no dose.
    ("a salt chosen, then Tab",
     ["F3", "68", "Tab", "Tab", "Enter", "F4", "Enter", "ox", "Enter", "Tab", "Tab", "400",
      "C-s"],
     lambda note: (note["dose"] or {}).get("form_id"), "oxide"),
]


@pytest.mark.parametrize(("keys", "read", "meant"), [case[1:] for case in AHEAD],
                         ids=[case[0] for case in AHEAD])
def test_a_key_typed_before_an_app_key_acts_first(
    burst: Any, keys: list[str], read: Callable[[dict[str, Any]], object], meant: object
) -> None:
    note, screen = burst(keys)
    assert read(note) == meant, f"keys {keys}; the screen was:\n{screen}"
