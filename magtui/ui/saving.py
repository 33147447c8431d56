"""ctrl+s from anywhere: build the note from the consultation and save it through magtui.notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magtui.consultation import consultation_note
from magtui.notes.errors import NoteError
from magtui.notes.store import save_note

if TYPE_CHECKING:
    from magtui.ui.app import MagtuiApp


def save_note_now(app: MagtuiApp) -> bool:
    """Save a new note (never overwriting an earlier one); say where, or say why not."""
    if app.results is None:
        return False
    note = consultation_note(app.kb, app.consultation, app.results)
    try:
        saved = save_note(note, app.notes_dir)
    except NoteError as exc:
        # The consultation stays in memory: nothing typed is lost by a failed save.
        app.notify(f"NOTE NOT SAVED: {exc}", severity="error", timeout=15)
        return False
    app.unsaved = False
    app.last_saved = saved
    if app.autosave:
        from magtui.ui.drafts import remove_draft

        remove_draft(app)  # the saved note now holds everything the draft did
    app.mutate_reactive(type(app).results)  # screens re-render their "saved" state
    app.notify(f"Note saved: {saved.markdown_path}", title=f"Saved {saved.note_id}",
               timeout=8)
    return True
