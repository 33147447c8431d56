"""Getting the note out: ctrl+s saves, F8 copies it (OSC 52), F9 saves it to a chosen file.

Every route carries the whole note — inputs, units, sources, KB version — never a bare
number. A failed save keeps the consultation in memory and offers another place.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from magtui import clock
from magtui.consultation import consultation_note
from magtui.notes.errors import NoteError
from magtui.notes.render import to_markdown
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
        # Nothing typed is lost: the consultation stays in memory; offer another place.
        app.notify(f"NOTE NOT SAVED: {exc}", severity="error", timeout=15)
        save_elsewhere(app, reason=f"The note could not be saved: {exc}")
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


def note_markdown(app: MagtuiApp) -> str:
    assert app.results is not None
    return to_markdown(consultation_note(app.kb, app.consultation, app.results))


def copy_note(app: MagtuiApp) -> None:
    """Copy the whole Markdown note with OSC 52; the terminal may refuse silently, so say so."""
    markdown = note_markdown(app)
    app.copy_to_clipboard(markdown)
    app.notify(
        f"Copied the note ({len(markdown.splitlines())} lines of Markdown) to the clipboard "
        "via OSC 52. If nothing pastes, your terminal does not allow it: press F9 to save "
        "the note to a file instead.",
        title="Note copied",
        timeout=12,
    )


def save_elsewhere(app: MagtuiApp, reason: str = "") -> None:
    from magtui.ui.screens.save_as import SaveAs

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    suggestion = Path.home() / f"magtui-note-{stamp}.md"

    def saved(path: Path | None) -> None:
        if path is not None:
            app.notify(f"Note written to {path}", title="Saved elsewhere", timeout=10)

    app.push_screen(SaveAs(note_markdown(app), suggestion, reason), saved)
