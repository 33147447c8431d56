"""Autosave of the consultation in progress, and its restore after a crash or kill.

The draft holds every typed input (`Consultation.to_draft()`), not the rendered note, so a
restore brings back half-filled fields too. It is written shortly after each change
(debounced, atomic, 0600) and removed by a save or a clean quit.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from magtui.consultation import Consultation
from magtui.notes.errors import NoteError
from magtui.notes.store import discard_draft, load_draft, save_draft

if TYPE_CHECKING:
    from magtui.ui.app import MagtuiApp

AUTOSAVE_DELAY_S = 0.8
"""Long enough to coalesce a burst of typing, short enough that a kill loses little."""


def parse_draft(data: bytes) -> Consultation:
    payload = json.loads(data)
    if not isinstance(payload, dict):
        raise ValueError("a draft must be a JSON object")
    return Consultation.from_draft(payload)


def read_draft(app: MagtuiApp) -> Consultation | None:
    """The draft left by an interrupted consultation, if any; a corrupt one is reported."""
    try:
        return load_draft(parse_draft, app.notes_dir)
    except NoteError as exc:  # includes DraftCorrupt: set aside and named, never dropped
        app.notify(f"DRAFT NOT RESTORED: {exc}", severity="error", timeout=20)
        return None


def schedule_autosave(app: MagtuiApp) -> None:
    if app.draft_timer is not None:
        app.draft_timer.stop()
    app.draft_timer = app.set_timer(AUTOSAVE_DELAY_S, lambda: write_draft(app))


def write_draft(app: MagtuiApp) -> None:
    # Serialise on the UI thread (the consultation is only touched there); write in a thread
    # so an fsync never stalls a keystroke.
    payload = json.dumps(app.consultation.to_draft(), ensure_ascii=False)

    def write() -> None:
        try:
            save_draft(payload, app.notes_dir)
        except NoteError as exc:
            app.call_from_thread(
                app.notify, f"Draft autosave failed: {exc}", severity="warning", timeout=10
            )

    app.run_worker(write, thread=True, group="draft", exclusive=True)


def remove_draft(app: MagtuiApp) -> None:
    if app.draft_timer is not None:
        app.draft_timer.stop()
        app.draft_timer = None
    try:
        discard_draft(app.notes_dir)
    except NoteError as exc:
        app.notify(f"Could not remove the draft: {exc}", severity="warning")
