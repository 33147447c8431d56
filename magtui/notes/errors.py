"""Errors of the notes package: one line each, naming the note id or the path concerned."""

from __future__ import annotations

from pathlib import Path


class NoteError(Exception):
    """Base of every notes error; `str(error)` is a single line fit for a status bar or stderr."""


class NoteFormatError(NoteError):
    """Text that is not a valid magtui note (bad JSON, a missing field, a newer schema)."""


class NoteNotFound(NoteError):
    """No saved note has this id."""


class NoteSaveError(NoteError):
    """A note or draft could not be written; nothing partial was left behind."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class DraftCorrupt(NoteError):
    """The draft could not be read as a note; it was moved aside to `aside_path`, not deleted."""

    def __init__(self, message: str, aside_path: Path) -> None:
        super().__init__(message)
        self.aside_path = aside_path


class UnsafeNotesFolder(NoteError):
    """The notes folder is owned by another user or writable by group/others: refused, as
    ssh refuses such a folder, because whoever can write there can plant or swap notes."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path
