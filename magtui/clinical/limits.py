"""Plausible ranges of every clinical input, written once.

The CLI parser and the TUI's input validators both use these, so a value refused in one is
refused in the other with the same words. Values are never clamped: out of range is an error
that names the field and the limit.
"""

from __future__ import annotations

import math
import re

from magtui.values import Value


class InputError(ValueError):
    """Bad clinical input; `field` names the argument or form field, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class Limit(Value):
    """An inclusive plausible range for one input, in one unit."""

    field: str
    unit: str
    minimum: float
    maximum: float
    integer: bool = False
    positive: bool = True
    """Zero is refused even when `minimum` is 0 (e.g. a dose of 0 mg is not a dose)."""

    def check(self, value: float, field: str | None = None) -> float:
        name = field or self.field
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(name, f"must be a number, got {value!r}")
        if math.isnan(value):
            raise InputError(name, "must be a number, got NaN")
        if math.isinf(value):
            raise InputError(name, "must be a finite number")
        if value < 0:
            raise InputError(name, f"must not be negative (got {_fmt(value)})")
        if value == 0 and self.positive:
            raise InputError(name, f"must be greater than 0 {self.unit}".rstrip())
        if self.integer and value != int(value):
            raise InputError(name, f"must be a whole number, got {_fmt(value)}")
        if not self.minimum <= value <= self.maximum:
            raise InputError(
                name,
                f"{_fmt(value)} {self.unit} is outside the plausible range "
                f"{_fmt(self.minimum)}–{_fmt(self.maximum)} {self.unit}".replace("  ", " "),
            )
        return float(value)

    def parse(self, text: str, field: str | None = None) -> float:
        """Parse user text strictly and check it: ASCII decimal only (design.md §3).

        `68`, `1.2` (and the ASCII spaces a form field may hold around them) are numbers;
        other digits (`١٢`, `１２`), `1_0`, `1,2`, `1e3`, a sign, a no-break space or a line
        break are refused, never read as a number the user may not have meant. `-0` is
        refused as negative: no quantity here may be negative.
        """
        name = field or self.field
        if not isinstance(text, str):
            raise InputError(name, f"must be a number, got {text!r}")
        cleaned = text.strip(" ")
        if cleaned == "":
            raise InputError(name, "a value is required")
        if cleaned.startswith("-") and _DECIMAL.fullmatch(cleaned[1:]):
            raise InputError(name, f"must not be negative (got {cleaned})")
        if not _DECIMAL.fullmatch(cleaned):
            raise InputError(
                name, f"must be a number in plain digits 0-9 (e.g. 68 or 1.2), got {_quoted(text)}"
            )
        return self.check(float(cleaned), name)


_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
"""ASCII decimal: `[0-9]` in a str pattern never matches other scripts' digits."""


def _quoted(text: str, limit: int = 40) -> str:
    """User text quoted for a message, escapes visible, and never longer than a line."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e7 else f"{value:.3g}"


AGE_YEARS = Limit(field="age", unit="years", minimum=0, maximum=120, positive=False)
AGE_MONTHS = Limit(field="age-months", unit="months", minimum=0, maximum=1440, integer=True,
                   positive=False)
EGFR_MIN_AGE_YEARS = 18.0
CREATININE = {
    "mg/dL": Limit(field="creatinine", unit="mg/dL", minimum=0.1, maximum=25.0),
    "umol/L": Limit(field="creatinine", unit="µmol/L", minimum=8.8, maximum=2210.0),
}
EGFR = Limit(field="egfr", unit="mL/min/1.73 m²", minimum=1.0, maximum=200.0)
SERUM_MG = {
    "mmol/L": Limit(field="value", unit="mmol/L", minimum=0.05, maximum=10.0),
    "mg/dL": Limit(field="value", unit="mg/dL", minimum=0.12, maximum=24.3),
    "mEq/L": Limit(field="value", unit="mEq/L", minimum=0.1, maximum=20.0),
}
COMPOUND_MG = Limit(field="compound-mg", unit="mg", minimum=1, maximum=30_000)
ELEMENTAL_MG = Limit(field="elemental-mg", unit="mg", minimum=0.1, maximum=10_000)
TIMES_PER_DAY = Limit(field="times-per-day", unit="doses/day", minimum=1, maximum=12,
                      integer=True)
