"""Autosave of the consultation in progress, and its restore after a crash or kill.

The draft holds every typed input (`Consultation.to_draft()`), not the rendered note, so a
restore brings back half-filled fields too. It is written shortly after each change
(debounced, atomic, 0600) and removed by a save or a clean quit.

Each running magtui writes its own draft (`draft-<pid>.json`, or another free name) and,
before its first write, takes an OS lock on the draft's lock file (`draft-<pid>.lock`,
`magtui.notes.store.lock_draft`), which it holds until it ends; the kernel drops it however
the process ends. At start, a draft whose lock can be taken belongs to no running magtui:
it is orphaned and offered, whatever process now has its pid. One whose lock is held belongs
to another window and is never offered or touched. While the restore dialog is open the
orphan's lock is held too, so two windows started together never both take one orphan.

A draft is untrusted input: it is read only if it is a regular file of at most 2 MiB and
validated field by field (`Consultation.from_draft`, with this KB's finding and form ids),
then evaluated once. One that fails is moved aside (`draft.corrupt-<time>.json`, never
deleted) with a notice, so it cannot crash this start or the next.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from magtui.consultation import Consultation, evaluate_consultation
from magtui.notes.errors import NoteError
from magtui.notes.store import (
    DraftLock,
    discard_draft,
    list_drafts,
    load_draft,
    lock_draft,
    prune_draft_locks,
    save_draft,
)

if TYPE_CHECKING:
    from magtui.knowledge.base import KnowledgeBase
    from magtui.ui.app import MagtuiApp

AUTOSAVE_DELAY_S = 0.8
"""Long enough to coalesce a burst of typing, short enough that a kill loses little."""


def parse_draft(data: bytes, kb: KnowledgeBase | None = None) -> Consultation:
    """A draft file's bytes as a validated consultation; ValueError/TypeError if unfit.

    With `kb`, the consultation is also evaluated once, so a draft that would fail there
    is refused here (and set aside) rather than crash the app when restored.
    """
    try:
        payload = json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(payload, dict):
        raise ValueError("a draft must be a JSON object")
    consultation = Consultation.from_draft(payload, kb)
    if kb is not None:
        try:
            evaluate_consultation(kb, consultation)
        except Exception as exc:  # any failure here means "do not restore"
            raise ValueError(f"cannot be evaluated ({type(exc).__name__})") from None
    return consultation


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


@dataclass
class _Drafts:
    """One app's draft bookkeeping: its own draft name and lock, and the orphan on offer."""

    own_name: str | None = None
    own_lock: DraftLock | None = None
    orphan_lock: DraftLock | None = None
    guard: threading.Lock = field(default_factory=threading.Lock)


_STATE: WeakKeyDictionary[MagtuiApp, _Drafts] = WeakKeyDictionary()


def _state(app: MagtuiApp) -> _Drafts:
    state = _STATE.get(app)
    if state is None:
        state = _STATE[app] = _Drafts()
    return state


def own_draft_name(app: MagtuiApp) -> str:
    """This app's draft name, locked as ours before the first write (`draft-<pid>.json`;
    another free name if that lock is held, e.g. by a window restoring an orphan of a
    process that had our pid). Raises NoteError if no lock can be taken."""
    state = _state(app)
    with state.guard:
        if state.own_name is not None and state.own_lock is not None and state.own_lock.held:
            return state.own_name
        candidates = [f"draft-{os.getpid()}.json",
                      *(f"draft-{os.getpid()}x{secrets.token_hex(4)}.json" for _ in range(3))]
        for name in candidates:
            lock = lock_draft(name, app.notes_dir)
            if lock is not None:
                state.own_name, state.own_lock = name, lock
                return name
        raise NoteError("no draft name could be locked for this window")


def read_draft(app: MagtuiApp) -> tuple[Consultation, str] | None:
    """The newest orphaned draft (its lock can be taken), validated, and its file name.

    A draft that is unreadable or fails validation is set aside and reported; drafts of
    running magtui windows (their lock is held) are left alone. The orphan's lock is kept
    until the user decides (`_restored` → `adopt_draft` or `remove_draft`).
    """
    state = _state(app)
    try:
        drafts = list_drafts(app.notes_dir)
    except NoteError as exc:  # e.g. a folder others can write: refused, and said why
        _notice(app, f"DRAFTS NOT CHECKED: {exc}")
        return None
    for path in drafts:
        try:
            lock = lock_draft(path.name, app.notes_dir)
        except NoteError as exc:
            _notice(app, f"DRAFT NOT CHECKED: {exc}")
            continue
        if lock is None:
            continue  # a running magtui holds it: its draft, not an orphan
        try:
            draft = load_draft(lambda data: parse_draft(data, app.kb), app.notes_dir,
                               name=path.name)
        except NoteError as exc:  # includes DraftCorrupt: set aside and named, never dropped
            lock.release()
            _notice(app, f"DRAFT NOT RESTORED: {exc}")
            continue
        if draft is None:  # removed meanwhile
            lock.release()
            continue
        state.orphan_lock = lock
        return draft, path.name
    # Lock files of runs that ended without leaving a draft.
    prune_draft_locks(app.notes_dir)
    return None


def _notice(app: MagtuiApp, message: str) -> None:
    """A problem found at start: an error toast, kept up long enough to be read (a toast
    raised before the first screen is mounted is drawn when it is)."""
    app.notify(message, severity="error", timeout=30)


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
            save_draft(payload, app.notes_dir, name=own_draft_name(app))
        except NoteError as exc:
            app.call_from_thread(
                app.notify, f"Draft autosave failed: {exc}", severity="warning", timeout=10
            )

    app.run_worker(write, thread=True, group="draft", exclusive=True)


def remove_draft(app: MagtuiApp, name: str | None = None) -> None:
    """Remove this process's draft (or the named one, e.g. a restored or declined orphan,
    whose lock is then let go and its lock file removed)."""
    state = _state(app)
    if name is None and app.draft_timer is not None:
        app.draft_timer.stop()
        app.draft_timer = None
    target = name or state.own_name
    try:
        if target is not None:
            discard_draft(app.notes_dir, name=target)
    except NoteError as exc:
        app.notify(f"Could not remove the draft: {exc}", severity="warning")
    finally:
        orphan = state.orphan_lock
        if name is not None and orphan is not None and orphan.draft_name == name:
            state.orphan_lock = None
            orphan.release()


def adopt_draft(app: MagtuiApp, orphan: str) -> None:
    """After a restore: write our own draft now, then drop the orphan it came from."""
    try:
        save_draft(json.dumps(app.consultation.to_draft(), ensure_ascii=False), app.notes_dir,
                   name=own_draft_name(app))
    except NoteError as exc:
        # Keep the orphan: it still holds everything until our own draft can be written.
        app.notify(f"Draft autosave failed: {exc}", severity="warning", timeout=10)
        return
    remove_draft(app, orphan)


def release_draft_locks(app: MagtuiApp) -> None:
    """When the app ends: let go of its locks (and remove their lock files). A draft left
    behind (a crash, or the app closed without a clean quit) is then an orphan that the
    next start offers; the process's own end would drop the locks anyway."""
    state = _STATE.pop(app, None)
    if state is None:
        return
    with state.guard:
        for lock in (state.orphan_lock, state.own_lock):
            if lock is not None:
                lock.release()
