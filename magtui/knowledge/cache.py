"""A cache of the validated knowledge base, so a start need not re-validate unchanged bytes.

The key covers the KB file's exact bytes, the magtui version and the source of the code
that validates it: any change to either means a full validation. Nothing unvalidated is
ever served: a cache entry is only written after a KB passed every check. The cache is an
optimisation only — any problem reading or writing it falls back to full validation.

`MAGTUI_KB_CACHE=0` turns it off; `MAGTUI_KB_CACHE=/some/dir` puts it elsewhere; by
default it lives in the platform's user cache folder (created 0700, files 0600).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

from magtui import __version__
from magtui.knowledge.base import KnowledgeBase

ENV_VAR = "MAGTUI_KB_CACHE"
_VALIDATING_CODE = (
    "models.py", "records.py", "../values.py", "base.py", "vocabulary.py", "loader.py",
    "validate.py", "cache.py",
)


def cache_dir() -> Path | None:
    setting = os.environ.get(ENV_VAR, "")
    if setting in ("0", "off", "no"):
        return None
    if setting:
        return Path(setting)
    import platformdirs  # only when the default location is needed

    return platformdirs.user_cache_path("magtui") / "kb"


def cache_key(kb_bytes: bytes) -> str:
    digest = hashlib.sha256(kb_bytes)
    digest.update(__version__.encode())
    here = Path(__file__).parent
    for name in _VALIDATING_CODE:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def _private(folder: Path) -> bool:
    """Only a folder this user owns and nobody else can write may be unpickled from."""
    try:
        info = folder.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def load_cached(key: str, kb_path: Path) -> KnowledgeBase | None:
    folder = cache_dir()
    if folder is None or not _private(folder):
        return None
    try:
        with open(folder / f"{key}.pickle", "rb") as handle:
            kb = pickle.load(handle)  # written by this user, in a 0700 folder, keyed by hash
    except FileNotFoundError:
        return None
    except Exception:  # a damaged entry is not an error: validate afresh
        return None
    if not isinstance(kb, KnowledgeBase):
        return None
    # Same bytes, perhaps another path: report the path actually loaded.
    return kb if kb.path == kb_path else _with_path(kb, kb_path)


def store(key: str, kb: KnowledgeBase) -> None:
    folder = cache_dir()
    if folder is None:
        return
    temp = folder / f".{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return  # a folder others can write is not used at all
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(kb, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, folder / f"{key}.pickle")
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


def _with_path(kb: KnowledgeBase, path: Path) -> KnowledgeBase:
    return kb.replace(path=path)  # type: ignore[no-any-return]
