"""Textual validators built from the clinical `Limit`s.

The CLI parser and the TUI refuse the same values with the same words: the failure
description is exactly the `InputError` message that `Limit.parse` raises. Nothing is
clamped or guessed here; a value is either accepted as typed or refused with the limit.
"""

from __future__ import annotations

from textual.validation import ValidationResult, Validator

from magtui.clinical.limits import InputError, Limit


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
            return self.failure(exc.message, value)
        return self.success()


def parse_or_error(limit: Limit, text: str, field: str | None = None) -> tuple[float | None, str]:
    """(value, "") when `text` is valid, (None, message) when not, (None, "") when empty.

    An empty field means "not entered yet", which is not an error: nothing is computed from it.
    """
    if not text.strip():
        return None, ""
    try:
        return limit.parse(text, field), ""
    except InputError as exc:
        return None, exc.message


def number_text(value: float | int | None) -> str:
    """A stored number as the user would have typed it (prefill shows exactly as if typed)."""
    if value is None:
        return ""
    as_float = float(value)
    return str(int(as_float)) if as_float.is_integer() else repr(as_float)
