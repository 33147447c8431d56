"""Durable storage of session notes and of the autosaved draft.

Layout of the notes folder (`MAGTUI_NOTES_DIR`, else the settings' `notes_dir`, else the
platform's user data folder):

    20261125-171530-a1b2c3.md     the note as Markdown, for pasting into a record
    20261125-171530-a1b2c3.json   its JSON twin, written last: a note exists once this does
    draft-<pid>.json              a consultation in progress (one per running magtui),
                                  replaced on every autosave
    draft-<pid>.lock              held locked (flock) by the magtui writing that draft, for
                                  its whole run: a draft whose lock can be taken is orphaned
    draft.corrupt-<time>.json     a draft that could not be read, set aside (never deleted)

Saved notes are never overwritten. Each file is written to a temporary file in the same
folder (created exclusively, mode 0600), flushed with fsync, then hard-linked to its final
name; a link cannot replace an existing file, so an id that is already taken is detected and
another one is drawn. The folder is then fsynced so the new names survive a power cut.
On any error the temporary file and any half of a note pair already placed are removed, and
`NoteSaveError` names the path.

Permissions: files are created 0600. A folder magtui creates is made 0700. A folder that
already exists keeps the mode it has (magtui does not silently change permissions it did not
set), but, as ssh does, one owned by another user or writable by group or others is refused
(`UnsafeNotesFolder`, saying how to fix it) for saving, listing, showing and drafts: whoever
can write there could plant, swap or remove notes.

Files read back (notes, drafts) may have been planted: only regular files are read, never
through a symlink, never blocking on a FIFO or device, and at most
`magtui.safe_open.READ_LIMIT_BYTES` (`read_regular_file`); anything else is reported
as unreadable.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shlex
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import platformdirs

from magtui import clock
from magtui.notes.errors import (
    DraftCorrupt,
    NoteError,
    NoteFormatError,
    NoteNotFound,
    NoteSaveError,
    UnsafeNotesFolder,
)
from magtui.notes.render import from_json, to_json, to_markdown
from magtui.notes.session import NOTE_ID_RE, SessionNote
from magtui.safe_open import RefusedFile, read_regular_file, shown

ENV_VAR = "MAGTUI_NOTES_DIR"
DRAFT_NAME = "draft.json"
DRAFT_RE = re.compile(r"draft(-[0-9A-Za-z]{1,32})?\.json")
DRAFT_LOCK_RE = re.compile(r"draft(-[0-9A-Za-z]{1,32})?\.lock")
T = TypeVar("T")
FILE_MODE = 0o600
DIR_MODE = 0o700
_ID_ATTEMPTS = 20
# errnos with which os.link says "this file system has no hard links", not "you may not".
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV}
_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EIO: "input/output error",
}


SAVE_STAMPS = frozenset({"note_id", "saved_at", "updated_at"})
"""The fields that building or saving a note sets without changing what it records."""


def same_content(first: SessionNote, second: SessionNote) -> bool:
    """True when two notes record the same thing: every field alike but `SAVE_STAMPS` (the
    id and the times the note was built and saved)."""
    return all(getattr(first, name) == getattr(second, name)
               for name in SessionNote.FIELDS if name not in SAVE_STAMPS)


@dataclass(frozen=True, slots=True)
class SavedNote:
    note_id: str
    markdown_path: Path
    json_path: Path
    note: SessionNote
    """The note as saved, with its id and `saved_at` set."""

    def holds(self, note: SessionNote) -> bool:
        """True when saving `note` would record nothing this note does not already hold."""
        return same_content(self.note, note)


@dataclass(frozen=True, slots=True)
class NoteSummary:
    """One line of a notes listing; `problem` is set (and the rest mostly None) if unreadable."""

    note_id: str
    saved_at: datetime | None
    patient_ref: str | None
    urgency: str | None
    path: Path
    """The Markdown file."""
    json_path: Path
    problem: str | None = None
    provisional: bool = False
    """The urgency was only "so far": red flags were still unasked when it was saved."""


def notes_dir() -> Path:
    """`MAGTUI_NOTES_DIR` if set, else the settings file's `notes_dir` (`magtui.settings`),
    else `<user data dir>/magtui/notes` (not created here)."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    from magtui.settings import configured_notes_dir  # one stat when there is no file

    return configured_notes_dir() or platformdirs.user_data_path("magtui") / "notes"


def new_note_id(moment: datetime) -> str:
    """`YYYYMMDD-HHMMSS-xxxxxx`: the save time as shown to the user, then 24 random bits."""
    return f"{moment.strftime('%Y%m%d-%H%M%S')}-{_random_suffix()}"


def _random_suffix() -> str:
    return secrets.token_hex(3)


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def _save_error(what: str, path: Path, exc: OSError) -> NoteSaveError:
    return NoteSaveError(f"could not save {what} to {path}: {_reason(exc)}", path)


def _folder(directory: str | os.PathLike[str] | None) -> Path:
    return Path(directory) if directory is not None else notes_dir()


def check_notes_folder(folder: Path) -> None:
    """Refuse (`UnsafeNotesFolder`) a notes folder that someone else could write to.

    As ssh does for ~/.ssh: the folder must be owned by the user running magtui and not be
    writable by group or others. A missing folder passes (it will be created 0700). Not
    checked on Windows, whose permissions are ACLs, not modes.
    """
    if os.name == "nt" or not hasattr(os, "geteuid"):
        return
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise NoteError(f"cannot use the notes folder {shown(folder)}: {_reason(exc)}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise NoteError(f"cannot use the notes folder {shown(folder)}: it is not a folder")
    quoted = shlex.quote(str(folder)) if str(folder).isprintable() else "<folder>"
    if info.st_uid != os.geteuid():
        raise UnsafeNotesFolder(
            f"refusing the notes folder {shown(folder)}: it is owned by another user "
            f"(uid {info.st_uid}), who could read, plant or swap notes; use a folder you own "
            f"(set {ENV_VAR}) or, if it is yours, `chown $(id -u) {quoted}`",
            folder,
        )
    writers = [who for who, bit in (("group", stat.S_IWGRP), ("others", stat.S_IWOTH))
               if info.st_mode & bit]
    if writers:
        raise UnsafeNotesFolder(
            f"refusing the notes folder {shown(folder)}: it is writable by "
            f"{' and '.join(writers)} (mode {stat.S_IMODE(info.st_mode):04o}), who could "
            f"plant or swap notes; fix it with `chmod 700 {quoted}`",
            folder,
        )


def _ready_folder(directory: str | os.PathLike[str] | None) -> Path:
    folder = _folder(directory)
    try:
        folder.mkdir(mode=DIR_MODE, parents=True)
    except FileExistsError:
        if not folder.is_dir():
            raise NoteSaveError(f"could not save to {folder}: it exists but is not a folder",
                                folder) from None
        check_notes_folder(folder)
        return folder
    except OSError as exc:
        raise _save_error("notes", folder, exc) from None
    try:
        # mkdir's mode is filtered by the umask; set exactly 0700 on the folder we created.
        os.chmod(folder, DIR_MODE)
    except OSError as exc:
        raise _save_error("notes", folder, exc) from None
    return folder


def _unlink_quietly(path: Path) -> None:
    # Already gone, or cleanup after a failed save: the original error is what matters.
    with contextlib.suppress(OSError):
        os.unlink(path)


def _write_exclusive(path: Path, data: bytes) -> None:
    """Create `path` (never an existing file) with `data`, mode 0600, flushed to disk."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, FILE_MODE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)  # the umask may have narrowed it; 0600 exactly
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(path)
        raise
    os.close(fd)


def _temp_name(folder: Path, name: str) -> Path:
    # Hidden and never matching a note id, so listings skip it even if a crash leaves it.
    return folder / f".{name}.{secrets.token_hex(4)}.tmp"


def _place_new(path: Path, data: bytes) -> None:
    """Put a complete file at `path`; FileExistsError if the name is taken (nothing written)."""
    temp = _temp_name(path.parent, path.name)
    _write_exclusive(temp, data)
    try:
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            # No hard links here (e.g. FAT, some network shares): an exclusive create of the
            # final name still never overwrites; a failure removes what it wrote.
            _write_exclusive(path, data)
    finally:
        _unlink_quietly(temp)


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return  # Windows cannot open a folder for fsync; NTFS journals its metadata.
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        # Some file systems do not support fsync on a folder; that is not a failed save.
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def write_new_file(path: str | os.PathLike[str], data: bytes) -> Path:
    """Create `path` holding `data`, as notes are saved: atomic, mode 0600, never replacing.

    The bytes go to a temporary file in the same folder, are fsynced, then hard-linked to
    `path` (an exclusive create where there are no hard links), and the folder is fsynced.
    Raises `FileExistsError` if `path` exists (it is left untouched) and any other `OSError`
    as it comes (e.g. `FileNotFoundError` for a missing folder); nothing is left behind.
    """
    target = Path(path)
    _place_new(target, data)
    try:
        _fsync_folder(target.parent)
    except BaseException:
        _unlink_quietly(target)  # ours: just created, and not known to be durable
        raise
    return target


def save_note(
    note: SessionNote,
    directory: str | os.PathLike[str] | None = None,
    *,
    now: datetime | None = None,
) -> SavedNote:
    """Save `note` as a new Markdown + JSON pair under a fresh id; never overwrites a note.

    Saving the same consultation again writes another note; earlier ones stay (the TUI
    checks `SavedNote.holds` first, so an unchanged note is not saved twice). Raises
    `NoteSaveError` (one line, naming the path) and leaves nothing behind on failure.
    """
    now = now if now is not None else clock.now()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("save_note needs a timezone-aware time")
    folder = _ready_folder(directory)
    for _ in range(_ID_ATTEMPTS):
        note_id = new_note_id(now)
        saved = note.replace(note_id=note_id, saved_at=now)
        markdown_path = folder / f"{note_id}.md"
        json_path = folder / f"{note_id}.json"
        placed: list[Path] = []
        current = markdown_path
        try:
            _place_new(markdown_path, to_markdown(saved).encode("utf-8"))
            placed.append(markdown_path)
            current = json_path
            # The JSON goes last: listings read JSON, so a note appears only when complete.
            _place_new(json_path, to_json(saved).encode("utf-8"))
            placed.append(json_path)
            current = folder
            _fsync_folder(folder)
        except FileExistsError:
            for path in placed:
                _unlink_quietly(path)
            continue  # Id taken (same second, same random suffix): draw another.
        except BaseException as exc:
            for path in placed:
                _unlink_quietly(path)
            if isinstance(exc, OSError):
                raise _save_error("the note", current, exc) from None
            raise
        return SavedNote(note_id, markdown_path, json_path, saved)
    raise NoteSaveError(
        f"could not save the note to {folder}: no free note id after {_ID_ATTEMPTS} tries",
        folder,
    )


def _read_file(path: Path, what: str) -> bytes:
    """A planted file is refused, never followed, blocked on or read whole (`safe_open`)."""
    try:
        return read_regular_file(path)
    except FileNotFoundError:
        raise
    except RefusedFile as exc:
        raise NoteError(f"{what} {shown(path)} is unreadable: {exc}") from None
    except OSError as exc:
        raise NoteError(f"{what} {shown(path)} is unreadable: {_reason(exc)}") from None


def _read_note(path: Path) -> SessionNote:
    data = _read_file(path, "the note")
    try:
        return from_json(data)
    except NoteFormatError as exc:
        raise NoteFormatError(f"{shown(path)}: {exc}") from None
    except RecursionError:
        raise NoteFormatError(f"{shown(path)}: not a magtui note: nested too deeply") from None
    except ValueError as exc:  # e.g. a number of more digits than Python converts
        raise NoteFormatError(f"{shown(path)}: not a magtui note: {exc}") from None


def list_notes(directory: str | os.PathLike[str] | None = None) -> list[NoteSummary]:
    """Saved notes, newest first; unreadable ones follow, each with its `problem`, not dropped."""
    folder = _folder(directory)
    check_notes_folder(folder)
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise NoteError(f"cannot read the notes folder {folder}: {_reason(exc)}") from None
    good: list[NoteSummary] = []
    bad: list[NoteSummary] = []
    for name in names:
        note_id = name.removesuffix(".json")
        if note_id == name or not NOTE_ID_RE.match(note_id):
            continue
        json_path = folder / name
        markdown_path = folder / f"{note_id}.md"
        try:
            note = _read_note(json_path)
            if note.note_id != note_id:
                raise NoteFormatError(f"{json_path}: holds note {note.note_id or '(no id)'!r}")
        except FileNotFoundError:
            continue  # Removed while we listed.
        except NoteError as exc:
            bad.append(NoteSummary(note_id, None, None, None, markdown_path, json_path, str(exc)))
            continue
        good.append(NoteSummary(
            note_id=note_id,
            saved_at=note.saved_at,
            patient_ref=note.patient_ref,
            urgency=note.referral.urgency if note.referral else None,
            provisional=bool(note.referral and note.referral.provisional),
            path=markdown_path,
            json_path=json_path,
        ))
    # saved_at is always set on a saved note; the id breaks ties within the same instant.
    good.sort(key=lambda s: (s.saved_at, s.note_id), reverse=True)
    bad.sort(key=lambda s: s.note_id, reverse=True)
    return good + bad


def check_note_id(note_id: str) -> str:
    """The id, stripped, if it has the note-id form; else `NoteError` (so no path tricks)."""
    cleaned = note_id.strip()
    if not NOTE_ID_RE.match(cleaned):
        raise NoteError(
            f"{note_id!r} is not a note id (ids look like 20261125-171530-a1b2c3; "
            "see `magtui notes list`)"
        )
    return cleaned


def load_note(note_id: str, directory: str | os.PathLike[str] | None = None) -> SessionNote:
    """The saved note with this id; `NoteNotFound`, or `NoteError` for a bad id or file."""
    note_id = check_note_id(note_id)
    folder = _folder(directory)
    check_notes_folder(folder)
    path = folder / f"{note_id}.json"
    try:
        note = _read_note(path)
    except FileNotFoundError:
        raise NoteNotFound(f"no saved note {note_id} in {folder}") from None
    if note.note_id != note_id:
        raise NoteFormatError(f"{path}: holds note {note.note_id or '(no id)'!r}, not {note_id}")
    return note


def save_draft(
    payload: str, directory: str | os.PathLike[str] | None = None, *, name: str = DRAFT_NAME
) -> Path:
    """Autosave the consultation in progress to `draft.json` (atomically replaced, 0600).

    `payload` is the draft's JSON text; what it holds is the caller's business (the TUI
    stores every typed input, so a restore brings back even half-filled fields).
    """
    folder = _ready_folder(directory)
    target = folder / _draft_name(name)
    temp = _temp_name(folder, target.name)
    try:
        _write_exclusive(temp, payload.encode("utf-8"))
        os.replace(temp, target)
        _fsync_folder(folder)
    except OSError as exc:
        _unlink_quietly(temp)
        raise _save_error("the draft", target, exc) from None
    except BaseException:
        _unlink_quietly(temp)
        raise
    return target


def load_draft(
    parse: Callable[[bytes], T],
    directory: str | os.PathLike[str] | None = None,
    *,
    now: datetime | None = None,
    name: str = DRAFT_NAME,
) -> T | None:
    """The autosaved draft as `parse` reads it, or None if there is none.

    `parse` raises ValueError, TypeError or KeyError for a draft it cannot read or that fails
    validation (JSON errors are ValueErrors). Such a draft, and one that is not a regular
    file (a FIFO, a device, a symlink) or is larger than the read limit, is moved aside to
    `draft.corrupt-<time>.json` (never deleted) and `DraftCorrupt` is raised, naming the new
    file; the next call returns None. An unsafe folder raises `UnsafeNotesFolder`.
    """
    folder = _folder(directory)
    check_notes_folder(folder)
    path = folder / _draft_name(name)
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        return None
    except RefusedFile as exc:
        problem = str(exc)
    except OSError as exc:
        raise NoteError(f"cannot read the draft {shown(path)}: {_reason(exc)}") from None
    else:
        try:
            return parse(data)
        except (ValueError, TypeError, KeyError, NoteFormatError) as exc:
            problem = str(exc) or type(exc).__name__
        except RecursionError:
            problem = "nested too deeply"
    now = now if now is not None else clock.now()
    try:
        aside = _set_aside(path, now)
    except OSError as exc:
        raise NoteError(
            f"the draft {shown(path)} is unreadable ({problem}) and could not be moved aside: "
            f"{_reason(exc)}"
        ) from None
    raise DraftCorrupt(
        f"the draft {shown(path)} was unreadable ({problem}); it was kept as {aside.name}",
        aside,
    )


def _draft_name(name: str) -> str:
    """Draft files are `draft.json` or `draft-<tag>.json`, nothing that could leave the folder."""
    if not DRAFT_RE.fullmatch(name):
        raise NoteError(f"{name!r} is not a draft name")
    return name


def list_drafts(directory: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every draft in the folder (corrupt ones set aside are not drafts), newest first.

    An unsafe folder raises `UnsafeNotesFolder`; a missing or unreadable one has no drafts.
    """
    folder = _folder(directory)
    check_notes_folder(folder)
    try:
        paths = [folder / name for name in os.listdir(folder) if DRAFT_RE.fullmatch(name)]
    except OSError:
        return []

    def modified(path: Path) -> float:
        try:
            return path.lstat().st_mtime
        except OSError:
            return 0.0

    return sorted(paths, key=modified, reverse=True)


def _set_aside(path: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        aside = path.with_name(f"draft.corrupt-{stamp}{f'-{n}' if n else ''}.json")
        try:
            # never replaces an earlier corrupt draft kept aside; a symlink is moved as itself
            os.link(path, aside, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS or os.path.lexists(aside):
                raise
            os.rename(path, aside)
            return aside
        os.unlink(path)
        _fsync_folder(path.parent)
        return aside
    raise FileExistsError(errno.EEXIST, "too many corrupt drafts kept aside", str(path))


def discard_draft(
    directory: str | os.PathLike[str] | None = None, *, name: str = DRAFT_NAME
) -> bool:
    """Remove the draft (after a save, or when the user declines to restore it)."""
    folder = _folder(directory)
    path = folder / _draft_name(name)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise NoteError(f"could not remove the draft {shown(path)}: {_reason(exc)}") from None
    # The draft is gone from the folder; the durability of a removal is not worth an error.
    with contextlib.suppress(OSError):
        _fsync_folder(folder)
    return True


# ----------------------------------------------------------------------------- draft locks
# A running magtui holds an OS lock (flock) on `draft-<tag>.lock` beside its draft for as
# long as it runs; the kernel drops it when the process ends, however it ends. So a draft
# whose lock can be taken belongs to no running magtui (orphaned, offered for restore),
# whatever process now has its pid; one whose lock cannot be taken is never touched.

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_os_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_os_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


_LOCK_FLAGS = (
    os.O_RDWR | os.O_CREAT
    | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


def draft_lock_name(draft_name: str) -> str:
    """`draft-<tag>.json` → `draft-<tag>.lock`."""
    return _draft_name(draft_name).removesuffix(".json") + ".lock"


class DraftLock:
    """An OS lock held on a draft's lock file; `release` (or process exit) lets it go."""

    __slots__ = ("draft_name", "fd", "path")

    def __init__(self, path: Path, fd: int, draft_name: str) -> None:
        self.path = path
        self.fd: int | None = fd
        self.draft_name = draft_name

    @property
    def held(self) -> bool:
        return self.fd is not None

    def release(self, *, remove: bool = True) -> None:
        """Let go of the lock; by default remove the lock file first (safe while held: a
        process that opened the old file notices it was removed, see `lock_draft`)."""
        fd, self.fd = self.fd, None
        if fd is None:
            return
        if remove:
            _unlink_quietly(self.path)
        with contextlib.suppress(OSError):
            os.close(fd)

    def __repr__(self) -> str:
        return f"DraftLock({self.path.name!r}, held={self.held})"


def lock_draft(
    draft_name: str, directory: str | os.PathLike[str] | None = None
) -> DraftLock | None:
    """Take the lock of the draft `draft_name` without waiting; None if a running magtui
    (any other open file description) holds it.

    Creates the folder (0700) and the lock file (0600) if needed. Raises `NoteError` if the
    folder is unsafe or the lock file cannot be used (e.g. a FIFO or symlink planted there).
    """
    folder = _ready_folder(directory)
    path = folder / draft_lock_name(draft_name)
    for _ in range(10):
        try:
            fd = os.open(path, _LOCK_FLAGS, FILE_MODE)
        except OSError as exc:
            raise NoteError(f"cannot use the draft lock {shown(path)}: {_reason(exc)}") from None
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise NoteError(f"cannot use the draft lock {shown(path)}: it is not a "
                                "regular file")
            if not _try_os_lock(fd):
                os.close(fd)
                return None
            # Between our open and our lock, the holder may have removed the file (and
            # someone created a new one): a lock on a removed file guards nothing. Retry.
            try:
                now = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                os.close(fd)
                continue
            if (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
                os.close(fd)
                continue
        except OSError as exc:
            os.close(fd)
            raise NoteError(f"cannot use the draft lock {shown(path)}: {_reason(exc)}") from None
        except BaseException:
            os.close(fd)
            raise
        return DraftLock(path, fd, draft_name)
    return None


def prune_draft_locks(directory: str | os.PathLike[str] | None = None) -> None:
    """Remove lock files left by magtui runs that ended without a draft (none is held and no
    draft goes with them). Best effort: a lock file that cannot be checked is left alone."""
    folder = _folder(directory)
    try:
        names = set(os.listdir(folder))
    except OSError:
        return
    for name in names:
        if not DRAFT_LOCK_RE.fullmatch(name) or name.removesuffix(".lock") + ".json" in names:
            continue
        try:
            lock = lock_draft(name.removesuffix(".lock") + ".json", folder)
        except NoteError:
            continue
        if lock is not None:
            lock.release(remove=True)
