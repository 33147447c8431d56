"""Drafts in the TUI: offered after an interruption, declinable, never silently dropped."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from magtui.consultation import Consultation, DoseInputs, PatientInputs, SerumInputs
from magtui.knowledge.base import KnowledgeBase
from magtui.notes.store import lock_draft
from magtui.ui.app import MagtuiApp
from magtui.ui.drafts import parse_draft
from magtui.ui.screens.restore_draft import RestoreDraft

Notices = Callable[[MagtuiApp], list[Any]]


def _leave_draft(notes: Path) -> None:
    notes.mkdir(parents=True, exist_ok=True)
    draft = Consultation(patient=PatientInputs(age_years=45, sex="female"),
                         states={"seizure": "present"}, clinician_text="half a sentence")
    (notes / "draft.json").write_text(json.dumps(draft.to_draft()), encoding="utf-8")


async def test_enter_restores_every_field(kb: KnowledgeBase, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    _leave_draft(notes)
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RestoreDraft)
        await pilot.press("enter")
        await pilot.pause()
        assert app.consultation.clinician_text == "half a sentence"
        assert app.consultation.patient.age_years == 45
        assert app.results is not None and app.results.triage.referral.urgency == "emergency"


async def test_escape_starts_afresh_and_removes_the_draft(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    _leave_draft(notes)
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.consultation.clinician_text == ""
    assert not (notes / "draft.json").exists()


async def test_a_corrupt_draft_is_reported_and_kept_aside(
    kb: KnowledgeBase, tmp_path: Path, notices: Notices
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir(parents=True)
    (notes / "draft.json").write_text('{"draft_version": 1, "patient": ', encoding="utf-8")
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    app_notices = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, RestoreDraft)
        messages = [n.message for n in app_notices]
        assert any("DRAFT NOT RESTORED" in m and "draft.corrupt-" in m for m in messages)
    kept = list(notes.glob("draft.corrupt-*.json"))
    assert len(kept) == 1 and kept[0].read_text().startswith('{"draft_version": 1')


async def test_typing_autosaves_a_draft(
    app_for: Callable[..., MagtuiApp], tmp_path: Path
) -> None:
    app = app_for(autosave=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("y")
        await pilot.pause(1.5)  # past the autosave delay
        await app.workers.wait_for_complete()
    path = tmp_path / "notes" / f"draft-{os.getpid()}.json"  # each process its own draft
    draft = json.loads(path.read_text(encoding="utf-8"))
    assert draft["states"] == {"cramps_spasms": "present"}
    assert path.stat().st_mode & 0o777 == 0o600


async def test_invalid_text_typed_before_a_crash_comes_back(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    first = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with first.run_test(size=(100, 32)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        first.screen.query_one("#creatinine").value = "5000"  # type: ignore[attr-defined]
        await pilot.pause(1.5)
        await first.workers.wait_for_complete()
    # No clean quit: the draft stays, as after a kill.
    second = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with second.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.press("f3")
        await pilot.pause()
        assert second.screen.query_one("#creatinine").value == "5000"  # type: ignore[attr-defined]
        assert "outside the plausible range" in str(
            second.screen.query_one("#creatinine-error").render())
        assert second.results is not None and second.results.egfr is None


async def test_a_draft_of_a_running_window_is_not_offered(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir(parents=True)
    live = Consultation(patient_ref="OTHER-WINDOW", clinician_text="still being typed")
    (notes / "draft-1.json").write_text(json.dumps(live.to_draft()), encoding="utf-8")
    # Another open file description holds the draft's lock, as a running window does.
    holder = lock_draft("draft-1.json", notes)
    assert holder is not None
    try:
        app = MagtuiApp(kb, Consultation(), cursor_blink=False)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert not isinstance(app.screen, RestoreDraft)
            await pilot.press("y")
            await pilot.pause(1.5)
            await app.workers.wait_for_complete()
        assert holder.held and (notes / "draft-1.lock").exists()
    finally:
        holder.release()
    assert json.loads((notes / "draft-1.json").read_text())["patient_ref"] == "OTHER-WINDOW"
    assert (notes / f"draft-{os.getpid()}.json").exists()


async def test_a_restored_orphan_is_replaced_by_our_own_draft(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    _leave_draft(notes)
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not (notes / "draft.json").exists()
        own = json.loads((notes / f"draft-{os.getpid()}.json").read_text(encoding="utf-8"))
        assert own["clinician_text"] == "half a sentence"


async def test_the_draft_of_a_killed_unreaped_process_is_offered(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    import signal
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        os.kill(child.pid, signal.SIGKILL)
        # Not waited for yet: the process is a zombie, killed but not reaped.
        notes = tmp_path / "notes"
        notes.mkdir(parents=True)
        orphan = Consultation(clinician_text="typed before the kill")
        (notes / f"draft-{child.pid}.json").write_text(json.dumps(orphan.to_draft()))
        app = MagtuiApp(kb, Consultation(), cursor_blink=False)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, RestoreDraft)
    finally:
        child.wait()


# Drafts are untrusted input (issue 11) ---------------------------------------------------------


@pytest.fixture
def no_hang() -> Iterator[None]:
    """A start that blocks (e.g. opening a FIFO) fails the test after 30 s instead of freezing
    the run: SIGALRM interrupts the blocked call in the main thread."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("the app hung on a planted draft")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _good_draft() -> dict[str, Any]:
    return Consultation(
        patient=PatientInputs(age_years=45, sex="female", egfr=60.0),
        states={"seizure": "absent", "cramps_spasms": "present"},
        dose=DoseInputs(form_id="oxide", amount_mg=400, times_per_day=2),
        serum=SerumInputs(value=0.6),
        patient_ref="clinic 4471", clinician_text="half a sentence",
        typed={"creatinine": "5000"},
    ).to_draft()


def _changed(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(draft: dict[str, Any]) -> None:
        for path, value in changes.items():
            *parents, key = path.split("__")
            target = draft
            for parent in parents:
                target = target[parent]
            target[key] = value

    return change


def _raw(draft: dict[str, Any]) -> bytes:
    return json.dumps(draft, ensure_ascii=False).encode("utf-8")


def _with_literal(value: str) -> Callable[[dict[str, Any]], bytes]:
    """egfr as a JSON token json.dumps would not write (NaN, Infinity, a huge exponent)."""
    def raw(draft: dict[str, Any]) -> bytes:
        draft["patient"]["egfr"] = 12345.0
        return _raw(draft).replace(b"12345.0", value.encode())

    return raw


BAD_DRAFTS: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "egfr-text": (_changed(patient__egfr="abc"), "patient.egfr: must be a number"),
    "egfr-nan": (_with_literal("NaN"), "NaN is not a number JSON allows"),
    "egfr-infinity": (_with_literal("Infinity"), "Infinity is not a number JSON allows"),
    "egfr-overflow": (_with_literal("1e999"), "patient.egfr: must be a finite number"),
    "egfr-negative": (_changed(patient__egfr=-5), "patient.egfr: must not be negative"),
    "egfr-out-of-range": (_changed(patient__egfr=5000), "outside the plausible range"),
    "age-bool": (_changed(patient__age_years=True), "patient.age_years: must be a number"),
    "months-fraction": (_changed(patient__age_years=None, patient__age_months=2.5),
                        "must be a whole number"),
    "unknown-finding": (_changed(states={"no_such_finding": "present"}),
                        "unknown finding 'no_such_finding'"),
    "bad-state": (_changed(states={"seizure": "maybe"}), "must be one of present"),
    "unknown-form": (_changed(dose__form_id="unobtainium"), "unknown supplement form"),
    "times-zero": (_changed(dose__times_per_day=0), "dose.times_per_day"),
    "bad-unit": (_changed(serum__unit="g/L"), "serum.unit: must be one of"),
    "dialysis-text": (_changed(patient__dialysis="yes"), "must be true or false"),
    "soft-hyphen-ref": (_changed(patient_ref="clinic\u00ad4471"),
                        "patient_ref: patient reference must not contain control"),
    "escape-in-ref": (_changed(patient_ref="\x1b[2J"), "patient_ref"),
    "long-ref": (_changed(patient_ref="x" * 33), "patient_ref: longer than 32"),
    "text-too-long": (_changed(clinician_text="x" * 20_001), "at most 20,000 characters"),
    "text-not-text": (_changed(clinician_text=["a"]), "clinician_text: must be text"),
    "states-list": (_changed(states=["seizure"]), "states: must be an object"),
    "patient-text": (_changed(patient="45 female"), "patient: must be an object"),
    "unknown-key": (_changed(patient__weight=70), "patient: unknown key 'weight'"),
    "naive-start": (_changed(started_at="2026-11-25T09:30:00"), "must include its time zone"),
    "typed-too-long": (_changed(typed={"egfr": "9" * 1_001}), "longer than 1000"),
    "typed-odd-key": (_changed(typed={"../x": "1"}), "is not a field id"),
    "surrogate": (lambda d: _raw(d).replace(b"half a sentence", b"half \\ud800"),
                  "unpaired surrogate"),
    "newer-version": (_changed(draft_version=2), "unknown draft version 2"),
    "not-an-object": (lambda d: b"[1, 2]", "must be a JSON object"),
    "deep": (lambda d: b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
}


def _plant(notes: Path, name: str, spoil: Callable[[dict[str, Any]], Any]) -> bytes:
    notes.mkdir(parents=True, exist_ok=True)
    draft = _good_draft()
    result = spoil(draft)
    raw = result if isinstance(result, bytes) else _raw(draft)
    (notes / name).write_bytes(raw)
    return raw


def test_a_good_draft_round_trips_through_the_checks(kb: KnowledgeBase) -> None:
    draft = _good_draft()
    restored = parse_draft(_raw(draft), kb)
    assert restored.to_draft() == draft


@pytest.mark.parametrize("case", BAD_DRAFTS)
def test_every_bad_draft_is_refused_by_the_checks(kb: KnowledgeBase, case: str) -> None:
    spoil, why = BAD_DRAFTS[case]
    draft = _good_draft()
    result = spoil(draft)
    with pytest.raises(ValueError, match=re.escape(why)):
        parse_draft(result if isinstance(result, bytes) else _raw(draft), kb)


@pytest.mark.parametrize("case", [
    "egfr-text", "egfr-nan", "egfr-overflow", "egfr-negative", "unknown-finding", "bad-state",
    "soft-hyphen-ref", "text-too-long", "states-list", "deep",
])
async def test_a_bad_draft_is_set_aside_with_a_notice_and_never_crashes(
    kb: KnowledgeBase, tmp_path: Path, case: str, screen_text: Callable[[MagtuiApp], str],
    notices: Notices,
) -> None:
    notes = tmp_path / "notes"
    raw = _plant(notes, "draft-31337.json", BAD_DRAFTS[case][0])
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    app_notices = notices(app)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, RestoreDraft)
        messages = [n.message for n in app_notices]
        assert any("DRAFT NOT RESTORED" in m and "kept as draft.corrupt-" in m
                   for m in messages), messages
        assert "DRAFT NOT RESTORED" in screen_text(app)  # drawn, as the clinician sees it
        # The app goes on: enter, another area, a save of the fresh consultation.
        await pilot.press("enter", "f3", "f7", "ctrl+s")
        await pilot.pause()
        assert app.is_running
    # Nothing lost: the very bytes are kept aside; nothing is left to crash the next start.
    kept = list(notes.glob("draft.corrupt-*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == raw
    assert not (notes / "draft-31337.json").exists()
    again = MagtuiApp(kb, Consultation(), cursor_blink=False)
    again_notices = notices(again)
    async with again.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not isinstance(again.screen, RestoreDraft)
        assert not [n for n in again_notices if "DRAFT" in n.message]


@pytest.mark.skipif(os.name == "nt", reason="FIFOs and symlinks to devices are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "symlink-to-dev-zero"])
async def test_a_planted_draft_does_not_hang_the_start(
    kb: KnowledgeBase, tmp_path: Path, no_hang: None, kind: str,
    screen_text: Callable[[MagtuiApp], str], notices: Notices,
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir(parents=True)
    planted = notes / "draft-31337.json"
    if kind == "fifo":
        os.mkfifo(planted)
    else:
        os.symlink("/dev/zero", planted)
    kind_before = stat.S_IFMT(planted.lstat().st_mode)
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    app_notices = notices(app)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, RestoreDraft)
        shown = screen_text(app)
        assert "DRAFT NOT RESTORED" in shown
        messages = " ".join(n.message for n in app_notices)
        assert ("not a regular file but a FIFO" if kind == "fifo"
                else "symbolic link (not followed)") in messages
        await pilot.press("y")
        await pilot.pause()
        assert app.is_running
    kept = list(notes.glob("draft.corrupt-*.json"))
    assert len(kept) == 1 and stat.S_IFMT(kept[0].lstat().st_mode) == kind_before
    assert not os.path.lexists(planted)


@pytest.mark.skipif(os.name == "nt", reason="folder modes are POSIX")
async def test_a_notes_folder_others_can_write_is_refused_in_the_tui(
    kb: KnowledgeBase, tmp_path: Path, notices: Notices
) -> None:
    notes = tmp_path / "notes"
    _leave_draft(notes)
    os.chmod(notes, 0o777)
    before = (notes / "draft.json").read_bytes()
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    app_notices = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, RestoreDraft)
        messages = [n.message for n in app_notices]
        assert any(m.startswith("DRAFTS NOT CHECKED: refusing the notes folder")
                   and f"chmod 700 {notes}" in m for m in messages), messages
        await pilot.press("y", "ctrl+s")
        await pilot.pause()
        messages = [n.message for n in app_notices]
        assert any(m.startswith("NOTE NOT SAVED: refusing the notes folder") for m in messages)
        assert app.consultation.states == {"cramps_spasms": "present"}  # kept in memory
    assert sorted(os.listdir(notes)) == ["draft.json"]
    assert (notes / "draft.json").read_bytes() == before


# Drafts belong to running windows by an OS lock, not by pid ------------------------------------


async def test_a_draft_whose_pid_is_alive_but_unlocked_is_offered(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir(parents=True)
    orphan = Consultation(patient_ref="CRASHED", clinician_text="typed before the crash")
    # pid 1 is always running, but no magtui holds this draft's lock: it is an orphan.
    (notes / "draft-1.json").write_text(json.dumps(orphan.to_draft()), encoding="utf-8")
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RestoreDraft)
        await pilot.press("enter")
        await pilot.pause()
        assert app.consultation.clinician_text == "typed before the crash"
    assert not (notes / "draft-1.json").exists()
    own = [p for p in notes.glob("draft-*.json")]
    assert len(own) == 1 and json.loads(own[0].read_text())["patient_ref"] == "CRASHED"


CHILD = r"""
import json, sys, time
from magtui.consultation import Consultation
from magtui.notes.store import lock_draft, save_draft
folder, name = sys.argv[1:3]
lock = lock_draft(name, folder)
assert lock is not None
save_draft(json.dumps(Consultation(patient_ref="CHILD").to_draft()), folder, name=name)
print("ready", flush=True)
time.sleep(120)
"""


async def test_the_draft_of_a_live_window_is_offered_once_it_is_killed(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir(parents=True)
    name = "draft-777.json"  # any name: what matters is who holds its lock
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(notes), name],
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        app = MagtuiApp(kb, Consultation(), cursor_blink=False)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert not isinstance(app.screen, RestoreDraft)
        assert json.loads((notes / name).read_text())["patient_ref"] == "CHILD"
        child.kill()  # the kernel drops its lock: the draft is now an orphan
        child.wait(timeout=30)
        after = MagtuiApp(kb, Consultation(), cursor_blink=False)
        async with after.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert isinstance(after.screen, RestoreDraft)
    finally:
        child.kill()
        child.wait(timeout=30)


async def test_two_windows_never_both_offer_one_orphan(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    _leave_draft(notes)
    first = MagtuiApp(kb, Consultation(), cursor_blink=False)
    second = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with first.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(first.screen, RestoreDraft)  # holds the orphan's lock while asking
        async with second.run_test(size=(100, 32)) as other:
            await other.pause()
            assert not isinstance(second.screen, RestoreDraft)
        await pilot.press("enter")
        await pilot.pause()
        assert first.consultation.clinician_text == "half a sentence"
