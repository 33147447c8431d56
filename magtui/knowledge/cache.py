"""A cache of the validated knowledge base, so a start need not re-validate unchanged bytes.

An entry is plain data — JSON of the validated records — never a pickle: reading one runs no
code, and at worst fails, which means a full validation. It is written only after a KB passed
every check, and named by a key covering everything that changes what validation yields: the
KB file's exact bytes, the entry format, the magtui version and the source of the code that
validates and rebuilds records, the pydantic and TinyDB versions, and Python's. A start reads
the entry of its key, or none.

Entries live in a folder this user owns that nobody else may enter (mode 0700), opened
without following a symlink; each entry is opened without following a symlink or blocking
and checked on the open handle (a regular file this user owns that nobody else can write,
of a sane size), and carries its key and the SHA-256 of its records, so a damaged, foreign
or stale entry is ignored. The newest few entries are kept; older ones are removed.

`MAGTUI_KB_CACHE`: unset or empty, the platform's user cache folder (`~/.cache/magtui/kb`);
`0` or `off`, no cache; an absolute path, that folder. Any other value is refused.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from magtui import __version__
from magtui.knowledge import records
from magtui.knowledge.base import KnowledgeBase

ENV_VAR = "MAGTUI_KB_CACHE"
OFF = ("0", "off")
FORMAT = 1
"""The entry layout; part of the key, so a new layout never reads an old entry."""
KEEP = 4
"""Entries kept: a few KB files (or versions) used in turn each keep theirs."""
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_VALIDATING_CODE = (
    "models.py", "records.py", "../values.py", "base.py", "vocabulary.py", "loader.py",
    "validate.py", "cache.py",
)
_DEPENDENCIES = ("pydantic", "tinydb")
"""Libraries whose version changes what validation accepts (their `version.py` is keyed)."""
_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_OURS = re.compile(r"[0-9a-f]{64}\.(?:json|pickle)|\.[0-9a-f]{64}\.\d+\.tmp")
"""Names this module writes (`.pickle`: entries of earlier magtui versions, removed)."""
_STALE_TEMP_SECONDS = 3600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BY_ID = ("sources", "forms", "findings", "interactions", "advice")
"""Tables the `KnowledgeBase` holds as `{id: record}`; the others are tuples (meta: one)."""


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off; a value of `MAGTUI_KB_CACHE` that is
    not documented is refused (one line, exit 2 on the command line)."""
    setting = os.environ.get(ENV_VAR, "")
    if setting in OFF:
        return None
    if not setting:
        import platformdirs  # only when the default location is needed

        return platformdirs.user_cache_path("magtui") / "kb"
    if os.path.isabs(setting) and "\x00" not in setting:
        return Path(setting)
    raise setting_error(setting)


class CacheSettingError(ValueError):
    """`MAGTUI_KB_CACHE` holds a value that is not documented (the command line: exit 2)."""


def setting_error(setting: str) -> CacheSettingError:
    from magtui.text import one_line

    return CacheSettingError(
        f"magtui: {ENV_VAR}={one_line(repr(setting))} is not allowed: use 0 or off (no KB "
        "cache), an absolute folder path, or leave it unset (the user cache folder)"
    )


def cache_key(kb_bytes: bytes) -> str:
    digest = hashlib.sha256(kb_bytes)
    digest.update(f"\0format {FORMAT}\0magtui {__version__}\0python {sys.version}\0".encode())
    here = Path(__file__).parent
    for name in _VALIDATING_CODE:
        digest.update((here / name).read_bytes())
    for package in _DEPENDENCIES:
        digest.update(_version_file(package))
    return digest.hexdigest()


def _version_file(package: str) -> bytes:
    """The bytes of an installed package's `version.py`, found without importing it."""
    from importlib.machinery import PathFinder  # loaded by the interpreter at start-up anyway

    spec = PathFinder.find_spec(package)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        with contextlib.suppress(OSError):
            return f"\0{package}\0".encode() + (Path(folder) / "version.py").read_bytes()
    return f"\0{package} absent\0".encode()


# ------------------------------------------------------------------------------ reading


def load_cached(key: str, kb_path: Path, folder: Path | None) -> KnowledgeBase | None:
    """The KB of this key's entry, or None (no entry, or one that is not to be trusted)."""
    if folder is None:
        return None
    dir_fd = _open_private_folder(folder)
    if dir_fd is None:
        return None
    # Decoding builds every record and keeps them all: the cycle collector would walk the
    # growing heap again and again for cycles that are not there (as in validation).
    collecting = gc.isenabled()
    gc.disable()
    try:
        data = _read_entry(dir_fd, f"{key}.json")
        return None if data is None else decode(data, key, kb_path)
    except Exception:  # plain data that does not decode: a damaged entry, validate afresh
        return None
    finally:
        os.close(dir_fd)
        if collecting:
            gc.enable()


def _open_private_folder(folder: Path) -> int | None:
    """A handle on the folder if it is a real folder (not a symlink) that this user owns and
    that nobody else may read, enter or write (mode 0700); else None."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not _NOFOLLOW or info.st_uid != os.getuid() or info.st_mode & 0o077:
        os.close(fd)
        return None
    return fd


def _read_entry(dir_fd: int, name: str) -> bytes | None:
    """The entry's bytes if it is a regular file (not a symlink, FIFO or device) that this
    user owns, nobody else can write, and of a sane size; else None."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid()
                or info.st_mode & 0o022 or info.st_size > MAX_ENTRY_BYTES):
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_ENTRY_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_ENTRY_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return None if size > MAX_ENTRY_BYTES else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def decode(data: bytes, key: str, kb_path: Path) -> KnowledgeBase | None:
    """The KB an entry holds, or None if it is not this key's intact entry. Raises on
    malformed contents (the caller treats that as no entry)."""
    header_line, payload = data.split(b"\n", 1)
    header = json.loads(header_line)
    if (
        not isinstance(header, dict)
        or header.get("magtui_kb_cache") != FORMAT
        or header.get("key") != key
        or header.get("sha256") != hashlib.sha256(payload).hexdigest()
    ):
        return None
    tables = json.loads(payload)
    builders = _builders()

    def rows(table: str) -> list[Any]:
        build = builders[records.TABLE_RECORDS[table]]
        return [build(values) for values in tables[table]]

    def by_id(table: str) -> dict[str, Any]:
        found = {record.id: record for record in rows(table)}
        if len(found) != len(tables[table]):
            raise ValueError(f"{table}: ids repeated")
        return found

    meta = rows("meta")
    if len(meta) != 1 or set(tables) != set(records.TABLE_RECORDS):
        raise ValueError("not a KB")
    return KnowledgeBase(
        path=kb_path,
        meta=meta[0],
        sources=by_id("sources"),
        intake=tuple(rows("intake")),
        forms=by_id("forms"),
        findings=by_id("findings"),
        serum_bands=tuple(rows("serum_bands")),
        kidney=tuple(rows("kidney")),
        interactions=by_id("interactions"),
        referral_rules=tuple(rows("referral_rules")),
        foods=tuple(rows("foods")),
        advice=by_id("advice"),
    )


Builder = Callable[[dict[str, Any]], records.Record]


def _builders() -> dict[type[records.Record], Builder]:
    """For each record class, a function that rebuilds a record from its `as_dict` values:
    dates from ISO text, tuples from lists, nested records from objects. Every field must
    be there and no other."""
    builders: dict[type[records.Record], Builder] = {}

    def builder(cls: type[records.Record]) -> Builder:
        if cls in builders:
            return builders[cls]
        annotations: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            annotations.update(
                (name, str(kind)) for name, kind in vars(klass).get("__annotations__", {}).items()
            )
        convert: dict[str, Callable[[Any], Any]] = {}
        for name in cls.FIELDS:
            kind = annotations[name]
            if kind == "date":
                convert[name] = _iso_date
            elif kind.startswith("tuple[") and kind.endswith(", ...]"):
                item = _RECORDS.get(kind[len("tuple["):-len(", ...]")])
                convert[name] = tuple if item is None else _tuple_of(builder(item))
            elif kind in _RECORDS:
                convert[name] = builder(_RECORDS[kind])
            elif "date" in kind or "tuple" in kind or not _RECORDS.keys().isdisjoint(
                _WORD.findall(kind)
            ):
                raise TypeError(f"{cls.__name__}.{name}: {kind} cannot be rebuilt")
        fields = frozenset(cls.FIELDS)

        def build(values: dict[str, Any]) -> records.Record:
            if values.keys() != fields:
                raise ValueError(f"{cls.__name__}: fields differ")
            for name, function in convert.items():
                values[name] = function(values[name])
            return cls.trusted(values)  # type: ignore[no-any-return]

        builders[cls] = build
        return build

    for cls in records.TABLE_RECORDS.values():
        builder(cls)
    return builders


_RECORDS: dict[str, type[records.Record]] = {
    name: value for name, value in vars(records).items()
    if isinstance(value, type) and issubclass(value, records.Record)
}
"""Record classes by name, as a field's annotation names them."""
_WORD = re.compile(r"\w+")


def _tuple_of(build: Builder) -> Callable[[list[dict[str, Any]]], tuple[records.Record, ...]]:
    return lambda items: tuple(build(item) for item in items)


def _iso_date(text: str) -> date:
    if type(text) is not str:
        raise TypeError("a date must be ISO text")
    return date.fromisoformat(text)


# ------------------------------------------------------------------------------ writing


def encode(key: str, kb: KnowledgeBase) -> bytes:
    """An entry: one header line (format, key, SHA-256 of the rest), then the records."""
    tables = {"meta": [kb.meta.as_dict()]} | {
        table: [record.as_dict() for record in rows] for table, rows in kb.tables().items()
    }
    payload = json.dumps(tables, ensure_ascii=False, separators=(",", ":"),
                         allow_nan=False).encode()
    header = {"magtui_kb_cache": FORMAT, "key": key,
              "sha256": hashlib.sha256(payload).hexdigest()}
    return json.dumps(header).encode() + b"\n" + payload


def store(key: str, kb: KnowledgeBase, folder: Path | None) -> None:
    """Write this validated KB's entry and prune old ones; any failure only skips caching."""
    if folder is None:
        return
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    dir_fd = _open_private_folder(folder)
    if dir_fd is None:
        return  # a folder others can enter, or a symlink: not used at all
    temp = f".{key}.{os.getpid()}.tmp"
    try:
        data = encode(key, kb)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600,
                     dir_fd=dir_fd)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, f"{key}.json", src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        prune(dir_fd, keep=f"{key}.json")
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def prune(dir_fd: int, keep: str) -> None:
    """Remove all but the `KEEP` newest entries (`keep` among them), entries of earlier
    formats (pickles), and temporary files left by an interrupted write. Only names this
    module writes are touched: the folder may be one the user chose."""
    import time

    entries: list[tuple[float, str]] = []
    now = time.time()
    with os.scandir(dir_fd) as listing:
        for entry in listing:
            if not _OURS.fullmatch(entry.name) or entry.name == keep:
                continue
            try:
                mtime = entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            if _ENTRY.fullmatch(entry.name):
                entries.append((mtime, entry.name))
            elif entry.name.endswith(".pickle") or now - mtime > _STALE_TEMP_SECONDS:
                with contextlib.suppress(OSError):
                    os.unlink(entry.name, dir_fd=dir_fd)
    entries.sort(reverse=True)
    for _, name in entries[KEEP - 1:]:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
