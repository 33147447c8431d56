"""Read the KB file: served from the cache of validated KBs, else validated in full.

Validation itself (pydantic models, cross-checks) lives in `magtui.knowledge.validate` and is
imported only when the bytes have not been validated before. A problem names the file, the
table, the document and the field, e.g.
`kb/magnesium.json: forms[doc 3].elemental_fraction: must be > 0 and <= 1`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from magtui.knowledge.base import KnowledgeBase

DEFAULT_KB = Path(__file__).resolve().parents[2] / "kb" / "magnesium.json"


class KBError(Exception):
    """The knowledge base failed validation; `problems` lists every one found."""

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        self.path = Path(path)
        self.problems = list(problems)
        super().__init__(f"{path}: {len(self.problems)} problem(s)\n" + "\n".join(self.problems))


def resolve_kb_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--kb PATH`, else `MAGTUI_KB`, else the KB shipped in the repository."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MAGTUI_KB")
    return Path(env) if env else DEFAULT_KB


def load_kb(path: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """Load and validate the KB; raise `KBError` listing every problem.

    Bytes that already passed validation (same file content, same validating code) are
    served from the cache in `magtui.knowledge.cache` instead of being validated again.
    """
    from magtui.knowledge import cache

    kb_path = resolve_kb_path(path)
    where = str(kb_path)
    data = _read_bytes(kb_path, where)
    key = cache.cache_key(data)
    cached = cache.load_cached(key, kb_path)
    if cached is not None:
        return cached
    from magtui.knowledge.validate import validate_bytes

    kb = validate_bytes(kb_path, where, data)
    cache.store(key, kb)
    return kb


def _read_bytes(path: Path, where: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KBError(path, [f"{where}: file not found"]) from None
    except IsADirectoryError:
        raise KBError(path, [f"{where}: is a directory, not a KB file"]) from None
    except PermissionError:
        raise KBError(path, [f"{where}: not readable (permission denied)"]) from None
    except OSError as exc:
        raise KBError(path, [f"{where}: cannot be read ({exc.strerror or exc})"]) from None


def parse(path: Path, where: str, data: bytes) -> Any:
    import json  # only when the bytes were not validated before (no cache entry)

    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise KBError(path, [f"{where}: not UTF-8 text ({exc.reason})"]) from None
    except json.JSONDecodeError as exc:
        raise KBError(
            path, [f"{where}: not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"]
        ) from None
