"""Getting the note out of the TUI: failed saves lose nothing; copy and save-as carry it all."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from magtui.consultation import PatientInputs
from magtui.notes import store
from magtui.ui.app import MagtuiApp
from magtui.ui.screens.save_as import SaveAs

Notices = Callable[[MagtuiApp], list[Any]]

ScreenText = Callable[[MagtuiApp], str]


def _app(app_for: Callable[..., MagtuiApp], notes_dir: Path | None = None) -> MagtuiApp:
    return app_for(patient=PatientInputs(age_years=79, sex="male", egfr=21),
                   states={"mg_laxative_antacid": "present", "nausea": "present"},
                   clinician_text="typed before the failure", notes_dir=notes_dir)


async def test_unwritable_notes_folder_keeps_the_note_and_offers_another_place(
    app_for: Callable[..., MagtuiApp], tmp_path: Path, screen_text: ScreenText
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the notes folder should be")
    app = _app(app_for, notes_dir=blocker / "notes")
    target = tmp_path / "elsewhere.md"
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveAs)
        assert "could not be saved" in screen_text(app)
        assert app.unsaved and app.consultation.clinician_text == "typed before the failure"
        field = app.screen.query_one("#save-as-path")
        field.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, SaveAs)
    text = target.read_text(encoding="utf-8")
    assert "typed before the failure" in text and "URGENT" in text
    assert "mL/min/1.73 m²" in text and app.kb.meta.kb_version in text
    assert target.stat().st_mode & 0o777 == 0o600


async def test_disk_full_is_reported_and_nothing_partial_is_left(
    app_for: Callable[..., MagtuiApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    screen_text: ScreenText,
) -> None:
    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    notes = tmp_path / "notes"
    app = _app(app_for, notes_dir=notes)
    async with app.run_test(size=(100, 32)) as pilot:
        monkeypatch.setattr(store.os, "write", full)
        await pilot.press("ctrl+s")
        await pilot.pause()
        monkeypatch.undo()
        assert isinstance(app.screen, SaveAs)
        assert "no space left" in screen_text(app).lower()
        await pilot.press("escape")
        await pilot.pause()
        assert app.unsaved
    leftovers = [p.name for p in notes.iterdir() if p.name != "draft.json"] \
        if notes.exists() else []
    assert leftovers == []


async def test_save_as_never_overwrites(
    app_for: Callable[..., MagtuiApp], tmp_path: Path, screen_text: ScreenText
) -> None:
    existing = tmp_path / "existing.md"
    existing.write_text("someone else's file")
    app = _app(app_for)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        field = app.screen.query_one("#save-as-path")
        field.value = str(existing)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveAs)
        assert "already exists" in str(app.screen.query_one("#save-as-error").render())
    assert existing.read_text() == "someone else's file"


async def test_copy_puts_the_whole_note_on_the_clipboard(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText, notices: Notices
) -> None:
    app = _app(app_for)
    app_notices = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        copied = app.clipboard
        confirmations = [n.title for n in app_notices]
        assert "Note copied" in confirmations
    # The result with its inputs, units, sources and KB version — never a bare number.
    assert "URGENT" in copied and "KIDNEY RISK" in copied.upper()
    assert "mL/min/1.73 m²" in copied and app.kb.meta.kb_version in copied
    assert "does not diagnose or prescribe" in copied
    assert "https://" in copied
