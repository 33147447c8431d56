"""Drafts in the TUI: offered after an interruption, declinable, never silently dropped."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from magtui.consultation import Consultation, PatientInputs
from magtui.knowledge.base import KnowledgeBase
from magtui.ui.app import MagtuiApp
from magtui.ui.screens.restore_draft import RestoreDraft


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
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir(parents=True)
    (notes / "draft.json").write_text('{"draft_version": 1, "patient": ', encoding="utf-8")
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, RestoreDraft)
        messages = [n.message for n in app._notifications]
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
    # pid 1 is always running: its draft belongs to a live consultation, not to a crash.
    (notes / "draft-1.json").write_text(json.dumps(live.to_draft()), encoding="utf-8")
    app = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, RestoreDraft)
        await pilot.press("y")
        await pilot.pause(1.5)
        await app.workers.wait_for_complete()
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
