"""Plain, frozen records of the validated knowledge base: what the rest of magtui reads.

Every record here was built from a pydantic model in `magtui.knowledge.models` that passed
validation (`magtui.knowledge.validate`); nothing else constructs them from KB data. They are
light immutable classes so that the clinical layer, the command line and the TUI never import
pydantic: a start that reuses the cached validated KB pays neither for pydantic nor for
building its validators. The field names and types mirror the models one to one, which
`tests/knowledge/test_records.py` checks.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

KidneyRisk = Literal["unknown", "low", "caution", "high"]
Urgency = Literal["self_care", "routine", "urgent", "emergency"]
Pattern = Literal["deficiency", "excess", "mixed", "unclear"]
Sex = Literal["female", "male"]
Condition = Literal["none", "pregnancy", "lactation"]
SerumBandId = Literal[
    "severe_low", "low", "normal", "high_normal", "high", "moderate_high", "severe_high",
    "critical_high",
]

_REQUIRED: Any = object()


class ReadOnlyRecordError(AttributeError):
    """A KB record was about to be changed: the KB is read-only to the whole program."""


class Record:
    """Base of every KB record: keyword-built, immutable, compared by value.

    Not `@dataclass(frozen=True)`: generating its methods costs ~0.6 ms per class on every
    start, about 10 ms for these tables, on the path to the first frame. Fields are the class
    annotations, base classes first; a class attribute of the same name is its default.
    """

    FIELDS: ClassVar[tuple[str, ...]] = ()
    DEFAULTS: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        names = [*cls.FIELDS]
        # Not inspect.get_annotations: importing inspect would cost the command line ~5 ms.
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
        names += [n for n in own if n not in names]
        cls.FIELDS = tuple(n for n in names if n not in ("FIELDS", "DEFAULTS"))
        cls.DEFAULTS = {n: getattr(cls, n, _REQUIRED) for n in cls.FIELDS}

    def __init__(self, **values: Any) -> None:
        unknown = values.keys() - self.DEFAULTS.keys()
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown field(s) {sorted(unknown)}")
        for name, default in self.DEFAULTS.items():
            value = values.get(name, default)
            if value is _REQUIRED:
                raise TypeError(f"{type(self).__name__}: missing field {name!r}")
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise ReadOnlyRecordError(f"{type(self).__name__}.{name}: KB records are read-only")

    def __delattr__(self, name: str) -> None:
        raise ReadOnlyRecordError(f"{type(self).__name__}.{name}: KB records are read-only")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({inner})"

    def replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (tests use it; the program never does)."""
        return type(self)(**{name: getattr(self, name) for name in self.FIELDS} | changes)

    def as_dict(self) -> dict[str, object]:
        """Field values as JSON-ready data (dates as ISO text, nested records as dicts)."""
        return {name: _plain(getattr(self, name)) for name in self.FIELDS}


def _plain(value: object) -> object:
    if isinstance(value, Record):
        return value.as_dict()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


class Sourced(Record):
    source: str
    see_also: tuple[str, ...] = ()

    @property
    def source_ids(self) -> tuple[str, ...]:
        return (self.source, *self.see_also)


class Meta(Record):
    kb_version: str
    title: str
    reviewed: date
    next_review: date
    disclaimer: str
    follows: tuple[str, ...] = ()
    to_verify: tuple[str, ...] = ()


class Source(Record):
    id: str
    title: str
    publisher: str
    url: str
    accessed: date
    year: int | None = None


class IntakeRow(Sourced):
    """Ages are completed months, half-open: `age_min_months <= age < age_max_months`."""

    id: str
    life_stage: str
    age_min_months: int
    age_max_months: int | None = None
    sex: Sex
    condition: Condition = "none"
    rda_mg: float | None = None
    ai_mg: float | None = None
    ul_supplemental_mg: float | None = None
    note: str | None = None


class SupplementForm(Sourced):
    id: str
    name: str
    formula: str
    elemental_fraction: float
    absorption: str
    confidence: Literal["high", "medium", "low"]
    variability_note: str | None = None
    laxative_effect: bool = False


class Finding(Sourced):
    id: str
    label: str
    question: str
    group: Literal["deficiency_symptoms", "excess_symptoms", "context", "red_flags"]
    kind: Literal["symptom", "risk_factor", "amplifier", "benign_context", "red_flag"]
    supports: Literal["deficiency", "excess", "both", "neither"]
    red_flag: Literal["emergency", "urgent"] | None = None
    why: str
    interactions: tuple[str, ...] = ()


class SerumBand(Sourced):
    id: SerumBandId
    low_mmol_l: float | None = None
    low_inclusive: bool = True
    high_mmol_l: float | None = None
    high_inclusive: bool = False
    label: str
    severity: Literal["normal", "info", "caution", "urgent", "emergency"]
    action: str


class KidneyBand(Sourced):
    """By eGFR (half-open `egfr_min <= eGFR < egfr_max`), or by basis."""

    id: str
    basis: Literal["egfr", "dialysis", "reported_disease", "no_information"]
    egfr_min: float | None = None
    egfr_max: float | None = None
    risk: KidneyRisk
    headline: str
    caution: str


class Interaction(Sourced):
    id: str
    label: str
    examples: str
    effect: str
    advice: str
    separation_hours_before: float | None = None
    separation_hours_after: float | None = None


class RuleCondition(Record):
    all_present: tuple[str, ...] = ()
    any_present: tuple[str, ...] = ()
    any_fact: tuple[str, ...] = ()
    all_fact: tuple[str, ...] = ()
    always: bool = False


class ReferralRule(Sourced):
    id: str
    urgency: Urgency
    when: RuleCondition
    reason: str
    advice: tuple[str, ...] = ()


class Food(Sourced):
    id: str
    name: str
    serving: str
    mg: float


class Advice(Sourced):
    id: str
    text: str


TABLE_RECORDS: dict[str, type[Record]] = {
    "meta": Meta,
    "sources": Source,
    "intake": IntakeRow,
    "forms": SupplementForm,
    "findings": Finding,
    "serum_bands": SerumBand,
    "kidney": KidneyBand,
    "interactions": Interaction,
    "referral_rules": ReferralRule,
    "foods": Food,
    "advice": Advice,
}
"""Every table of the KB, with the record its validated documents become."""
