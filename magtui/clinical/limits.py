"""Plausible ranges of every clinical input, written once.

The CLI parser and the TUI's input validators both use these, so a value refused in one is
refused in the other with the same words. Values are never clamped: out of range is an error
that names the field and the limit.
"""

from __future__ import annotations

import math

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
        """Parse user text strictly (no units, no commas) and check it."""
        name = field or self.field
        cleaned = text.strip() if isinstance(text, str) else text
        if cleaned == "" or cleaned is None:
            raise InputError(name, "a value is required")
        try:
            value = float(cleaned)
        except (TypeError, ValueError):
            raise InputError(name, f"must be a number, got {text!r}") from None
        return self.check(value, name)


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e7 else f"{value:.3g}"


AGE_YEARS = Limit("age", "years", 0, 120, positive=False)
AGE_MONTHS = Limit("age-months", "months", 0, 1440, integer=True, positive=False)
EGFR_MIN_AGE_YEARS = 18.0
CREATININE = {
    "mg/dL": Limit("creatinine", "mg/dL", 0.1, 25.0),
    "umol/L": Limit("creatinine", "µmol/L", 8.8, 2210.0),
}
EGFR = Limit("egfr", "mL/min/1.73 m²", 1.0, 200.0)
SERUM_MG = {
    "mmol/L": Limit("value", "mmol/L", 0.05, 10.0),
    "mg/dL": Limit("value", "mg/dL", 0.12, 24.3),
    "mEq/L": Limit("value", "mEq/L", 0.1, 20.0),
}
COMPOUND_MG = Limit("compound-mg", "mg", 1, 30_000)
ELEMENTAL_MG = Limit("elemental-mg", "mg", 0.1, 10_000)
TIMES_PER_DAY = Limit("times-per-day", "doses/day", 1, 12, integer=True)
