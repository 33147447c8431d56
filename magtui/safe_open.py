"""Reading a file that someone else may have planted: a regular file, never blocking, bounded.

Notes, drafts and KB files are read through here. A notes folder can hold anything a
process with write access put there: a FIFO (opening it for reading would wait for a writer
forever), a device, a symlink to `/dev/zero` (reading it would never end), or a huge file.
`read_regular_file` refuses all of these with a one-line
reason instead of hanging or running out of memory:

- the name is `lstat`ed first (`stat`ed, with `follow_symlinks`), so a FIFO, device or
  socket is never even opened;
- it is opened with `O_NONBLOCK` (a FIFO swapped in after the check still returns at once),
  `O_NOFOLLOW` (a symlink is refused, never followed, unless `follow_symlinks`) and
  `O_NOCTTY`;
- the open handle is `fstat`ed: only a regular file is read;
- at most `limit` bytes are read; a larger file is refused, whatever its stated size.
"""

from __future__ import annotations

import errno
import os
import stat

READ_LIMIT_BYTES = 2 * 1024 * 1024
"""The largest note or draft file read back (2 MiB: a note with the longest clinician text
allowed is well under 200 KiB)."""

_CHUNK = 1 << 16
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class RefusedFile(Exception):
    """Not a file to read: a symlink, a FIFO, a device, a folder, or larger than the limit.
    `str(error)` says which, in a few words (no path); `mode` is the file's mode when it is
    not a regular file, `size` its stated size when it is too large (None if it grew)."""

    def __init__(self, message: str, *, mode: int | None = None,
                 size: int | None = None) -> None:
        super().__init__(message)
        self.mode = mode
        self.size = size


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words, for a message."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _refuse_unless_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = file_kind(mode)
        if stat.S_ISLNK(mode):
            raise RefusedFile("it is a symbolic link (not followed)", mode=mode)
        raise RefusedFile(f"it is not a regular file but {kind}", mode=mode)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit} bytes"


def read_regular_file(path: str | os.PathLike[str], *, limit: int = READ_LIMIT_BYTES,
                      follow_symlinks: bool = False) -> bytes:
    """The bytes of `path`, if it is a regular file (not a symlink, unless `follow_symlinks`)
    of at most `limit` bytes.

    Raises `RefusedFile` for anything else, `FileNotFoundError` if there is no such file, and
    any other `OSError` as it comes. Never blocks on a FIFO or device.
    """
    before = os.stat(path) if follow_symlinks else os.lstat(path)  # FileNotFoundError: the
    _refuse_unless_regular(before.st_mode)  # caller's business
    try:
        fd = os.open(path, _FLAGS if follow_symlinks else _FLAGS | _NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a symlink since the lstat
            raise RefusedFile("it is a symbolic link (not followed)") from None
        raise
    try:
        opened = os.fstat(fd)
        _refuse_unless_regular(opened.st_mode)
        if opened.st_size > limit:
            raise RefusedFile(f"it is larger than {_size(limit)} ({opened.st_size} bytes)",
                              size=opened.st_size)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew after the fstat
                raise RefusedFile(f"it is larger than {_size(limit)}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def shown(path: object) -> str:
    """A path for a one-line message: as is if printable, else quoted with escapes."""
    text = str(path)
    return text if text.isprintable() else repr(text)
