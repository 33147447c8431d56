"""Getting the note out: ctrl+s saves, F8 copies it (OSC 52), F9 saves it to a chosen file.

Every route carries the whole note — inputs, units, sources, KB version — never a bare
number. A failed save keeps the consultation in memory and offers another place.

A save writes a new note (notes are never overwritten), but only when the note would record
something the last saved one does not (`SavedNote.holds`: all but its id and save time);
otherwise it says which note already holds it. `app.unsaved` means exactly that the note
differs from the last saved one (or, before any save, that something was entered).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from magtui import clock
from magtui.consultation import consultation_note
from magtui.notes.errors import NoteError
from magtui.notes.render import to_markdown
from magtui.notes.session import SessionNote
from magtui.notes.store import SavedNote, save_note

if TYPE_CHECKING:
    from magtui.ui.app import MagtuiApp


def saved_note_holding(app: MagtuiApp, note: SessionNote) -> SavedNote | None:
    """The last saved note if it already holds `note` (the consultation as it stands), else
    None; `app.unsaved` is brought in line with the answer once a note has been saved."""
    last = app.last_saved
    if last is None:
        return None
    held = last.holds(note)
    app.unsaved = not held
    return last if held else None


def nothing_to_save(app: MagtuiApp) -> bool:
    """True when quitting loses nothing: no change since the start or since the last save
    (a change undone again counts as none)."""
    if not app.unsaved:
        return True
    if app.last_saved is None or app.results is None:
        return False
    note = consultation_note(app.kb, app.consultation, app.results)
    return saved_note_holding(app, note) is not None


def save_note_now(app: MagtuiApp) -> bool:
    """Save a new note (never overwriting an earlier one); say where, or say why not.

    With no change since the last save nothing is written: the notice names the note that
    already holds it. True when the consultation is in a saved note afterwards."""
    if app.results is None:
        return False
    note = consultation_note(app.kb, app.consultation, app.results)
    held = saved_note_holding(app, note)
    if held is not None:
        if app.autosave:
            from magtui.ui.drafts import remove_draft

            remove_draft(app)  # a change undone again may have left a draft behind
        app.notify(f"No change since the last save: already in note {held.note_id} "
                   f"({held.markdown_path})", title="Nothing new to save", timeout=8)
        return True
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
