"""`Value`: the light immutable record behind KB records and session notes.

Keyword-built, read-only, compared by value, turned into JSON-ready data (`as_dict`). Not
`@dataclass(frozen=True)`: generating a dataclass's methods costs ~0.6 ms per class on every
start, on the path to the first frame. Not pydantic either: KB records and notes are built
from data that pydantic already validated (a KB or note file) or by magtui's own code, and
keeping pydantic out of the TUI saves ~6 MiB and ~60 ms the first time a note is shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Self, dataclass_transform

_CLASS_VAR = re.compile(r"(typing\.)?ClassVar\b")
"""A class constant, however annotated (a string, or `typing.ClassVar[...]` itself)."""
_FLOAT = re.compile(r"float( \| None)?|None \| float|(<class )?'?float'?>?")
"""A field that holds a float (or None): an int given for it becomes a float."""
_ANNOTATED_FLOAT = re.compile(r"Annotated\[float, [^\[\]]*\]( \| None)?")
"""The same with `typing.Annotated` metadata (a constraint, as KB records declare them)."""
REQUIRED: Any = object()
"""The default of a field that has none: leaving it out is an error."""


class ReadOnlyRecordError(AttributeError):
    """A record was about to be changed: make a new one with `replace` instead."""


# Type checkers read each subclass's annotations as its fields, given by keyword: a misspelt
# field, a wrong type or an assignment is an error (mypy --strict runs in CI).
@dataclass_transform(frozen_default=True, kw_only_default=True)
class Value:
    """Fields are the class annotations, base classes first; a class attribute of the same
    name is the field's default. Values are given by keyword or, as to a dataclass, in field
    order. With `COERCE_FLOATS`, a field annotated `float` turns an `int` into a `float`, as
    pydantic does, so a value reads and serialises the same however it was given."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    DEFAULTS: ClassVar[dict[str, Any]] = {}
    FLOATS: ClassVar[frozenset[str]] = frozenset()
    COERCE_FLOATS: ClassVar[bool] = False
    """True where values mirror a pydantic model (KB records, notes), as pydantic would."""

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        # Not inspect.get_annotations: importing inspect would cost the command line ~5 ms.
        own = {n: str(a) for n, a in cls.__dict__.get("__annotations__", {}).items()  # noqa: RUF063
               if not _CLASS_VAR.match(str(a))}
        cls.FIELDS = (*cls.FIELDS, *(n for n in own if n not in cls.FIELDS))
        cls.DEFAULTS = {n: getattr(cls, n, REQUIRED) for n in cls.FIELDS}
        cls.FLOATS = cls.FLOATS | {n for n, a in own.items()
                                   if _FLOAT.fullmatch(a) or _ANNOTATED_FLOAT.fullmatch(a)}

    def __init__(self, *args: Any, **values: Any) -> None:
        if args:  # positional, in field order, as a dataclass takes them
            if len(args) > len(self.FIELDS):
                raise TypeError(f"{type(self).__name__}: {len(args)} values for "
                                f"{len(self.FIELDS)} fields")
            named = dict(zip(self.FIELDS, args, strict=False))
            twice = named.keys() & values.keys()
            if twice:
                raise TypeError(f"{type(self).__name__}: {sorted(twice)} given twice")
            values |= named
        unknown = values.keys() - self.DEFAULTS.keys()
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown field(s) {sorted(unknown)}")
        for name, default in self.DEFAULTS.items():
            value = values.get(name, default)
            if value is REQUIRED:
                raise TypeError(f"{type(self).__name__}: missing field {name!r}")
            if self.COERCE_FLOATS and type(value) is int and name in self.FLOATS:
                value = float(value)
            object.__setattr__(self, name, value)

    @classmethod
    def trusted(cls, values: dict[str, Any]) -> Any:
        """Build from values already checked field for field: a validated pydantic model's
        (`magtui.knowledge.models.Record.to_record`). Skips the generic checks of `__init__`,
        which cost more than validation itself on a large KB (issue #6: KB scale)."""
        value = object.__new__(cls)
        value.__dict__.update(values)
        return value

    def __setattr__(self, name: str, value: object) -> None:
        raise ReadOnlyRecordError(f"{type(self).__name__}.{name}: records are read-only")

    def __delattr__(self, name: str) -> None:
        raise ReadOnlyRecordError(f"{type(self).__name__}.{name}: records are read-only")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, *map(_hashable, self._values())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({inner})"

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed; every check of the class runs again."""
        return type(self)(**{name: getattr(self, name) for name in self.FIELDS} | changes)

    def as_dict(self) -> dict[str, Any]:
        """Field values as JSON-ready data: nested records and mappings as dicts, tuples as
        lists, dates and times as ISO 8601 text (UTC written `Z`, as pydantic writes it)."""
        return {name: plain(getattr(self, name)) for name in self.FIELDS}


def plain(value: object) -> object:
    if isinstance(value, Value):
        return value.as_dict()
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    return value


def _hashable(value: object) -> object:
    return tuple(sorted(value.items())) if isinstance(value, Mapping) else value
