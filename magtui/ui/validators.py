"""Textual validators built from the clinical `Limit`s.

The CLI parser and the TUI refuse the same values: the failure description is the
`InputError` message that `Limit.parse` raises, with one addition in the TUI — a number
typed with a thousands separator or other grouping ("2,400", "2 400", "2.400,5") is told
how to write it (`separator_advice`). Nothing is clamped, guessed or reinterpreted here; a
value is either accepted as typed or refused with the limit. Where a refused value would be
plausible in another unit of the same field, `unit_alternatives` finds the units and
`unit_hint` says so: the clinician chooses, nothing switches by itself. The rules themselves
are pure (`magtui.clinical.entry`): the session note records a refusal in the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TypeVar

from textual.validation import ValidationResult, Validator

# The parsing rules live in the pure layer (the note records refusals in the same words);
# re-exported here for the screens.
from magtui.clinical.entry import HOW_TO_WRITE as HOW_TO_WRITE
from magtui.clinical.entry import parse_or_error as parse_or_error
from magtui.clinical.entry import parse_required as parse_required
from magtui.clinical.entry import refusal as refusal
from magtui.clinical.entry import separator_advice as separator_advice
from magtui.clinical.entry import unit_alternatives as unit_alternatives
from magtui.clinical.limits import InputError, Limit

U = TypeVar("U", bound=str)


class LimitValidator(Validator):
    """Adapter: a `Limit` as a Textual `Validator` (used with `Input(valid_empty=True)`)."""

    def __init__(self, limit: Limit, field: str | None = None) -> None:
        super().__init__()
        self.limit = limit
        self.field = field or limit.field

    def validate(self, value: str) -> ValidationResult:
        try:
            self.limit.parse(value, self.field)
        except InputError as exc:
            return self.failure(refusal(exc, value), value)
        return self.success()


def unit_hint(limits: Mapping[U, Limit], alternatives: Sequence[U], key: str) -> str:
    """What the refusal adds when the value fits another unit: name it and the key to press."""
    names = [limits[unit].unit for unit in alternatives]
    if len(names) == 1:
        return (f"as {names[0]} it is plausible: press {key} to switch the unit to "
                f"{names[0]}")
    return f"as {' or '.join(names)} it is plausible: press {key} to choose the unit"


_RANGE = re.compile(r"is outside the plausible range (?P<range>[^;]+)")
_GOT = re.compile(r",? got .*$|\s*\(got .*\)$")


def brief_reason(message: str) -> str:
    """A refusal shortened for a notification: "outside 0.1–25 mg/dL" rather than the sentence."""
    match = _RANGE.search(message)
    if match:
        return f"outside {match['range'].strip()}"
    return _GOT.sub("", message.split("; ")[0])


def number_text(value: float | int | None) -> str:
    """A stored number as the user would have typed it (prefill shows exactly as if typed)."""
    if value is None:
        return ""
    as_float = float(value)
    return str(int(as_float)) if as_float.is_integer() else repr(as_float)
