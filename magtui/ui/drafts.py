"""Autosave of the consultation in progress, and its restore after a crash or kill.

The draft holds every typed input (`Consultation.to_draft()`), not the rendered note, so a
restore brings back half-filled fields too. It is written shortly after each change
(debounced, atomic, 0600) and removed by a save or a clean quit.

Each running magtui writes its own draft (`draft-<pid>.json`), so two consultations open at
once never overwrite each other's draft, and a start only offers a draft whose process is
gone (crashed or killed) — never the one another window is still writing.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from magtui.consultation import Consultation
from magtui.notes.errors import NoteError
from magtui.notes.store import discard_draft, list_drafts, load_draft, save_draft

if TYPE_CHECKING:
    from magtui.ui.app import MagtuiApp

AUTOSAVE_DELAY_S = 0.8
"""Long enough to coalesce a burst of typing, short enough that a kill loses little."""


def parse_draft(data: bytes) -> Consultation:
    payload = json.loads(data)
    if not isinstance(payload, dict):
        raise ValueError("a draft must be a JSON object")
    return Consultation.from_draft(payload)


def own_draft_name() -> str:
    return f"draft-{os.getpid()}.json"


def _owner_alive(path: Path) -> bool:
    match = re.fullmatch(r"draft-(\d+)\.json", path.name)
    if match is None:
        return False  # `draft.json` (older versions) has no owner to wait for
    pid = int(match.group(1))
    if pid == os.getpid():
        return False  # a previous process that had our pid is gone: we are not it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but not ours to signal
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process can linger unreaped for a moment: it is gone, not running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # no /proc: trust the signal check
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def read_draft(app: MagtuiApp) -> tuple[Consultation, str] | None:
    """The newest draft left by an interrupted consultation, and its file name.

    A corrupt one is set aside and reported; drafts of running magtui windows are left alone.
    """
    for path in list_drafts(app.notes_dir):
        if _owner_alive(path):
            continue
        try:
            draft = load_draft(parse_draft, app.notes_dir, name=path.name)
        except NoteError as exc:  # includes DraftCorrupt: set aside and named, never dropped
            app.notify(f"DRAFT NOT RESTORED: {exc}", severity="error", timeout=20)
            continue
        if draft is not None:
            return draft, path.name
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
            save_draft(payload, app.notes_dir, name=own_draft_name())
        except NoteError as exc:
            app.call_from_thread(
                app.notify, f"Draft autosave failed: {exc}", severity="warning", timeout=10
            )

    app.run_worker(write, thread=True, group="draft", exclusive=True)


def remove_draft(app: MagtuiApp, name: str | None = None) -> None:
    """Remove this process's draft (or the named one, e.g. a restored orphan)."""
    if name is None and app.draft_timer is not None:
        app.draft_timer.stop()
        app.draft_timer = None
    try:
        discard_draft(app.notes_dir, name=name or own_draft_name())
    except NoteError as exc:
        app.notify(f"Could not remove the draft: {exc}", severity="warning")


def adopt_draft(app: MagtuiApp, orphan: str) -> None:
    """After a restore: write our own draft now, then drop the orphan it came from."""
    try:
        save_draft(json.dumps(app.consultation.to_draft(), ensure_ascii=False), app.notes_dir,
                   name=own_draft_name())
    except NoteError as exc:
        # Keep the orphan: it still holds everything until our own draft can be written.
        app.notify(f"Draft autosave failed: {exc}", severity="warning", timeout=10)
        return
    remove_draft(app, orphan)
