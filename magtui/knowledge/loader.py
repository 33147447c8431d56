"""Read the KB file: served from the cache of validated KBs, else validated in full.

Validation itself (pydantic models, cross-checks) lives in `magtui.knowledge.validate` and is
imported only when the bytes have not been validated before. A problem names the file, the
table, the document and the field, e.g.
`kb/magnesium.json: forms[doc 3].elemental_fraction: must be > 0 and <= 1`.

The file is only ever read: opened without blocking (a FIFO must not hang the start), taken
only when it is a regular file, and read up to `MAX_KB_BYTES` (`/dev/zero` must not fill
memory). Parsing refuses what JSON leaves ambiguous or what would crash Python: a key given
twice in one object, NaN and Infinity, nesting deeper than Python can recurse, and numbers
longer than Python will convert.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from magtui.knowledge.base import KnowledgeBase
from magtui.safe_open import RefusedFile, file_kind, read_regular_file

DEFAULT_KB = Path(__file__).resolve().parents[1] / "kb" / "magnesium.json"
"""Inside the package, so an installed magtui finds it from any directory: in a checkout a
link to kb/magnesium.json (the source of truth), in a wheel a copy of it."""
MAX_KB_BYTES = 16 * 1024 * 1024
"""The largest KB file read: 180 times the shipped KB (a 100x KB is about 7 MiB)."""


class KBError(Exception):
    """The knowledge base failed validation; `problems` lists every one found.

    Each problem is one line with no control character in it (`magtui.text.one_line`): a
    problem may quote the KB file's own text, which must never reach a terminal raw.
    """

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        from magtui.text import one_line

        self.path = Path(path)
        self.problems = [one_line(problem) for problem in problems]
        super().__init__(
            f"{one_line(str(path))}: {len(self.problems)} problem(s)\n" + "\n".join(self.problems)
        )


def resolve_kb_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--kb PATH`, else `MAGTUI_KB`, else the KB shipped with magtui."""
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
    from magtui.text import one_line

    kb_path = resolve_kb_path(path)
    where = one_line(str(kb_path))
    folder = cache.cache_dir()  # a bad MAGTUI_KB_CACHE is refused before anything is read
    data = read_kb_bytes(kb_path, where)
    key = cache.cache_key(data)
    cached = cache.load_cached(key, kb_path, folder)
    if cached is not None:
        return cached
    from magtui.knowledge.validate import validate_bytes

    kb = validate_bytes(kb_path, where, data)
    cache.store(key, kb, folder)
    return kb


def read_kb_bytes(path: Path, where: str, limit: int = MAX_KB_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is a `KBError`.

    Read through `magtui.safe_open` (following a symlink: the package's KB is one), so a FIFO
    or a device is refused without waiting for a writer, and a growing file cannot fill memory.
    """
    try:
        return read_regular_file(path, limit=limit, follow_symlinks=True)
    except FileNotFoundError:
        raise KBError(path, [f"{where}: file not found"]) from None
    except PermissionError:
        raise KBError(path, [f"{where}: not readable (permission denied)"]) from None
    except (UnicodeEncodeError, ValueError):
        # A NUL or a lone surrogate (a name no file system can hold) is not a file name.
        raise KBError(path, [f"{where}: not a usable file name"]) from None
    except RefusedFile as refused:
        raise KBError(path, [f"{where}: {_refusal(refused, limit)}"]) from None
    except OSError as exc:
        raise KBError(path, [f"{where}: cannot be read ({exc.strerror or exc})"]) from None


def _refusal(refused: RefusedFile, limit: int) -> str:
    if refused.mode is not None and stat.S_ISDIR(refused.mode):
        return "is a directory, not a KB file"
    if refused.mode is not None:
        return f"is {file_kind(refused.mode)}, not a regular KB file"
    if refused.size is not None:
        return f"too large ({refused.size} bytes; a KB file may have at most {limit} bytes)"
    return f"too large (a KB file may have at most {limit} bytes)"


class _Repeated(dict[str, Any]):
    """A JSON object that names some key more than once; `repeated` lists those keys."""

    repeated: tuple[str, ...] = ()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a KB may hold")


def parse(path: Path, where: str, data: bytes) -> Any:
    """The parsed KB; a `KBError` for text JSON or Python cannot take without ambiguity."""
    import json  # only when the bytes were not validated before (no cache entry)
    import sys

    repeats: list[_Repeated] = []

    def make_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        counts: dict[str, int] = {}
        for key, _ in pairs:
            counts[key] = counts.get(key, 0) + 1
        marked = _Repeated(obj)
        marked.repeated = tuple(key for key, n in counts.items() if n > 1)
        repeats.append(marked)
        return marked

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KBError(path, [f"{where}: not UTF-8 text ({exc.reason})"]) from None
    try:
        raw = json.loads(text, object_pairs_hook=make_object, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise KBError(
            path, [f"{where}: not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"]
        ) from None
    except RecursionError:
        raise KBError(path, [f"{where}: not a KB: JSON nested too deeply"]) from None
    except ValueError as exc:  # NaN/Infinity, or an integer longer than Python converts
        message = str(exc)
        if "integer string conversion" in message:
            message = f"a number has more than {sys.get_int_max_str_digits()} digits"
        raise KBError(path, [f"{where}: not a KB: {message}"]) from None
    if repeats:
        raise KBError(path, _repeated_keys(raw, where))
    return raw


def _repeated_keys(raw: Any, where: str) -> list[str]:
    """Every key given twice in one object, by table, document and field (no recursion:
    the document may nest as deep as the parser allowed)."""
    from magtui.text import one_line

    found: list[str] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(raw, ())]
    while stack:
        value, at = stack.pop()
        if isinstance(value, dict):
            for key in getattr(value, "repeated", ()):
                found.append(_place(where, (*at, one_line(key))) + ": given more than once "
                             "(a key repeated in one JSON object; which one counts is unclear)")
            stack.extend((item, (*at, one_line(key))) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*at, str(i))) for i, item in enumerate(value))
    return sorted(found)


def _place(where: str, at: tuple[str, ...]) -> str:
    """`where: table[doc N].field.sub`, as every other problem names its place."""
    if len(at) == 1:
        return f"{where}: {at[0]}"
    fields = "".join(f".{part}" for part in at[2:])
    return f"{where}: {at[0]}[doc {at[1]}]{fields}"
