"""ctrl+s saves a consultation once: an unchanged note is not written again (the notice names
the note that holds it), a change is saved as a new note, and the F7 status line and preview
always agree on what is saved. Urgencies read SELF-CARE wherever a person reads them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from magtui.cli import main
from magtui.consultation import Consultation, PatientInputs
from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.notes.session import NOTE_ID_RE
from magtui.ui.app import MagtuiApp
from magtui.ui.screens.confirm_quit import ConfirmQuit
from magtui.ui.screens.note import PREVIEW_DELAY_S

AppFor = Callable[..., MagtuiApp]
Notices = Callable[[MagtuiApp], list[Any]]
SETTLE_S = PREVIEW_DELAY_S + 0.2
"""Long enough for the F7 preview (and its status line) to catch up with a change."""


def saved_notes(folder: Path) -> list[Path]:
    """The saved notes' JSON files (drafts excluded), oldest id first."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.glob("*.json") if NOTE_ID_RE.match(p.stem))


def shown(app: MagtuiApp, selector: str) -> str:
    """A Static's whole text, unwrapped (also the part scrolled out of view)."""
    content = app.screen.query_one(selector, Static).content
    assert isinstance(content, Text)
    return content.plain


def preview_title(app: MagtuiApp) -> str:
    return str(app.screen.query_one("#note-preview-box").border_title)


def _app(app_for: AppFor, notes: Path, **kwargs: Any) -> MagtuiApp:
    return app_for(patient=PatientInputs(age_years=68, sex="female", egfr=75),
                   states={"cramps_spasms": "present"}, clinician_text="seen today",
                   notes_dir=notes, **kwargs)


async def save(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause()


async def type_in_note(pilot: Pilot[Any], keys: str) -> None:
    """Type at the end of the clinician's free text (F7) and let the preview catch up."""
    await pilot.press("f7", "end", *keys)
    await pilot.pause(SETTLE_S)


async def test_saving_twice_without_a_change_writes_one_note_and_names_it(
    app_for: AppFor, tmp_path: Path, notices: Notices
) -> None:
    notes = tmp_path / "notes"
    app = _app(app_for, notes)
    seen = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await save(pilot)
        assert app.last_saved is not None
        first = app.last_saved
        await save(pilot)
        assert app.last_saved is first and not app.unsaved
    assert [p.stem for p in saved_notes(notes)] == [first.note_id]
    assert [n.title for n in seen] == [f"Saved {first.note_id}", "Nothing new to save"]
    again = seen[-1].message
    assert again.startswith(f"No change since the last save: already in note {first.note_id}")
    assert str(first.markdown_path) in again  # which file holds it, too
    assert seen[-1].severity == "information"


async def test_a_change_after_a_save_is_saved_as_a_new_note(
    app_for: AppFor, tmp_path: Path, notices: Notices
) -> None:
    notes = tmp_path / "notes"
    app = _app(app_for, notes)
    seen = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await save(pilot)
        first = app.last_saved
        assert first is not None
        await type_in_note(pilot, " and reviewed")
        assert app.unsaved
        await save(pilot)
        second = app.last_saved
        assert second is not None and second.note_id != first.note_id
        await save(pilot)  # and that one is not written twice either
        assert app.last_saved is second
    files = saved_notes(notes)
    assert [p.stem for p in files] == sorted([first.note_id, second.note_id])
    texts = {p.stem: json.loads(p.read_text(encoding="utf-8"))["clinician_text"] for p in files}
    # Notes are never overwritten: the first keeps what it held when it was saved.
    assert texts == {first.note_id: "seen today", second.note_id: "seen today and reviewed"}
    assert seen[-1].message.startswith(
        f"No change since the last save: already in note {second.note_id}")


async def test_a_change_undone_again_is_no_change(
    app_for: AppFor, tmp_path: Path, notices: Notices
) -> None:
    notes = tmp_path / "notes"
    app = _app(app_for, notes)
    seen = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await save(pilot)
        first = app.last_saved
        assert first is not None
        await pilot.press("f2")
        await pilot.pause()

        def mark(consultation: Consultation) -> None:
            consultation.states["fatigue"] = "present"

        def unmark(consultation: Consultation) -> None:
            del consultation.states["fatigue"]

        app.update(mark)  # a finding marked …
        app.update(unmark)  # … and unmarked again
        assert app.unsaved  # the cheap flag says "maybe": the note itself decides
        await save(pilot)
        assert app.last_saved is first and not app.unsaved
        assert seen[-1].title == "Nothing new to save"
        await pilot.press("ctrl+q")  # nothing to lose: quits without asking
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmQuit)
    assert app.return_code == 0
    assert [p.stem for p in saved_notes(notes)] == [first.note_id]


async def test_status_and_preview_agree_before_and_after_a_save_and_after_a_change(
    app_for: AppFor, tmp_path: Path
) -> None:
    app = _app(app_for, tmp_path / "notes", autosave=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f7")
        await pilot.pause(SETTLE_S)
        # Never saved: a draft, and both say so.
        assert shown(app, "#note-status") == "unsaved changes"
        assert "- Note: draft, not saved" in shown(app, "#note-preview")
        assert preview_title(app) == "Preview: the note as it will be saved (Markdown)"

        await save(pilot)
        await pilot.pause(SETTLE_S)
        saved = app.last_saved
        assert saved is not None and saved.note.saved_at is not None
        when = saved.note.saved_at.isoformat(sep=" ", timespec="seconds")
        status, preview = shown(app, "#note-status"), shown(app, "#note-preview")
        # The preview is the note as saved: its id and save time, the very file's Markdown.
        assert status == f"✓ saved as note {saved.note_id} at {when[11:19]}; no changes since"
        assert f"- Note: {saved.note_id}\n" in preview
        assert f"- Saved: {when}\n" in preview
        assert "draft" not in preview and "not saved" not in preview
        assert preview.rstrip() == saved.markdown_path.read_text(encoding="utf-8").rstrip()
        assert preview_title(app) == f"Preview: note {saved.note_id} as saved (Markdown)"

        await type_in_note(pilot, "!")
        status, preview = shown(app, "#note-status"), shown(app, "#note-preview")
        assert status == f"changed since note {saved.note_id}: ctrl+s saves it as a new note"
        assert "- Note: draft, not saved" in preview and "seen today!" in preview
        assert preview_title(app) == (f"Preview: draft, changed since note {saved.note_id} "
                                      "(Markdown)")
        assert saved.note_id not in preview  # the draft is not passed off as that note

        await pilot.press("backspace")  # the change undone: saved again, as that note
        await pilot.pause(SETTLE_S)
        assert shown(app, "#note-status").startswith(f"✓ saved as note {saved.note_id}")
        assert f"- Note: {saved.note_id}\n" in shown(app, "#note-preview")
        assert not app.unsaved


async def test_a_save_made_while_another_area_is_shown_is_in_the_preview_on_f7(
    app_for: AppFor, tmp_path: Path
) -> None:
    app = _app(app_for, tmp_path / "notes", autosave=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f7", "f3")
        await pilot.pause()
        await save(pilot)
        await pilot.press("f7")
        await pilot.pause(SETTLE_S)
        saved = app.last_saved
        assert saved is not None
        assert shown(app, "#note-status").startswith(f"✓ saved as note {saved.note_id}")
        assert f"- Note: {saved.note_id}\n" in shown(app, "#note-preview")


@pytest.mark.parametrize(("asked", "listed"), [
    (True, "SELF-CARE"),
    (False, "so far SELF-CARE"),  # red flags unasked: the level is only the least so far
])
async def test_self_care_reads_self_care_in_the_tui_note_and_notes_list(
    app_for: AppFor, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    screen_text: Callable[[MagtuiApp], str], asked: bool, listed: str,
) -> None:
    notes = tmp_path / "notes"  # MAGTUI_NOTES_DIR (tests/conftest.py): `notes list` reads it
    states = {"cramps_spasms": "present",
              **(dict.fromkeys(RED_FLAG_IDS, "absent") if asked else {})}
    app = app_for(states=states, autosave=False)
    async with app.run_test(size=(100, 32)) as pilot:
        assert app.results is not None
        assert app.results.triage.referral.urgency == "self_care"
        drawn = [screen_text(app)]
        for key in ("f5", "f7"):
            await pilot.press(key)
            await pilot.pause(SETTLE_S)
            drawn.append(screen_text(app))
        await save(pilot)
        assert app.last_saved is not None
        note_id = app.last_saved.note_id
    for screen in drawn:
        assert "SELF-CARE" in screen
        assert "SELF_CARE" not in screen.upper()
    markdown = (notes / f"{note_id}.md").read_text(encoding="utf-8")
    assert f"## Referral: {listed}" in markdown and "SELF_CARE" not in markdown.upper()

    assert main(["notes", "list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(note_id) and out.rstrip().endswith(listed)
    assert "SELF_CARE" not in out.upper()
    assert main(["notes", "list", "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)["notes"][0]
    assert entry["urgency"] == "self_care"  # machine ids stay ids
    assert entry["provisional"] is (not asked)
