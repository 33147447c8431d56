"""Typed text → a value, or why it is refused: one set of rules for every form field.

The TUI's fields (via `magtui.ui.validators`) and the session note's record of what was typed
and not accepted (`magtui.consultation.not_accepted`) both read typed text here, so a refusal
reads the same on the screen and in the note. Pure: no Textual. The failure description is
the `InputError` message that `Limit.parse` raises, with one addition — a number typed with a
thousands separator or other grouping ("2,400", "2 400", "2.400,5") is told how to write it
(`separator_advice`). Nothing is clamped, guessed or reinterpreted; where a refused value
would be plausible in another unit of the same field, `unit_alternatives` finds the units.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TypeVar

from magtui.clinical.limits import InputError, Limit

U = TypeVar("U", bound=str)


def parse_or_error(limit: Limit, text: str, field: str | None = None) -> tuple[float | None, str]:
    """(value, "") when `text` is valid, (None, message) when not, (None, "") when empty.

    An empty field means "not entered yet", which is not an error: nothing is computed from it.
    """
    if not text.strip():
        return None, ""
    return parse_required(limit, text, field)


def parse_required(limit: Limit, text: str, field: str | None = None) -> tuple[float | None, str]:
    """Like `parse_or_error`, but an empty field is refused ("a value is required")."""
    try:
        return limit.parse(text, field), ""
    except InputError as exc:
        return None, refusal(exc, text)


def refusal(exc: InputError, text: str) -> str:
    """Why `text` was refused: the Limit's words, or how to write a separated number."""
    return separator_advice(text) or exc.message


# ----------------------------------------------------------------------------- separators

HOW_TO_WRITE = "digits only, with a point for decimals"
_MARKS = ",. \u00a0\u202f\u2009'\u2019_"
"""Marks people put inside numbers: comma, point, spaces (incl. no-break and thin), apostrophes
(Swiss 2'400), underscore."""
_MARK = re.compile(f"[{re.escape(_MARKS)}]")
_SEPARATED = re.compile(f"[0-9]+(?:[{re.escape(_MARKS)}][0-9]+)+")


def _grouped(groups: Sequence[str]) -> bool:
    """Thousands grouping: 1–3 digits, then groups of exactly three."""
    return 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def separator_advice(text: str) -> str | None:
    """How to write a number typed with a separator, or None when `text` is not one.

    The advice only rearranges the digits as typed; the value is never read from it. Where the
    marks could mean two numbers ("2,400": two thousand four hundred, or 2.4 with a decimal
    comma) both are named and the clinician writes the one meant. Anything that is not a
    recognisable grouping ("1_0", "2 4") is left to the Limit's own message.
    """
    cleaned = text.strip(" ")
    if not _SEPARATED.fullmatch(cleaned):
        return None
    groups = _MARK.split(cleaned)
    marks = _MARK.findall(cleaned)
    kinds = set(marks)
    if len(kinds) == 1:
        mark = marks[0]
        if mark == "." and len(marks) == 1:
            return None  # a decimal point: a plain number, not a separator
        if mark == "," and len(marks) == 1:
            decimal = f"{groups[0]}.{groups[1]}"
            if not _grouped(groups):
                return f"a decimal comma is not read: write {decimal} — {HOW_TO_WRITE}"
            return (f"the comma is not read (a thousands separator, or a decimal comma?): "
                    f"write {''.join(groups)} or {decimal} — {HOW_TO_WRITE}")
        if not _grouped(groups):
            return None
        return f"a thousands separator is not read: write {''.join(groups)} — {HOW_TO_WRITE}"
    # Grouping marks of one kind, then a decimal mark of another: "2.400,5", "2,400.5".
    decimal_mark, grouping = marks[-1], set(marks[:-1])
    if (decimal_mark not in ",." or len(grouping) != 1 or decimal_mark in grouping
            or not _grouped(groups[:-1])):
        return None
    written = f"{''.join(groups[:-1])}.{groups[-1]}"
    return f"a thousands separator is not read: write {written} — {HOW_TO_WRITE}"


# ----------------------------------------------------------------------------- units


def unit_alternatives(limits: Mapping[U, Limit], unit: U, text: str) -> list[U]:
    """The other units in which `text`, refused in `unit`, would be a plausible value.

    Empty when `text` is accepted in `unit`, is empty, or is not a plain number: only a value
    that is out of range here and in range there is offered.
    """
    if not text.strip() or parse_or_error(limits[unit], text)[1] == "":
        return []
    return [other for other, limit in limits.items()
            if other != unit and parse_or_error(limit, text)[0] is not None]
