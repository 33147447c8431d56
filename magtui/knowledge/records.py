"""Plain, frozen records of the validated knowledge base: what the rest of magtui reads.

Every record here was built from a pydantic model in `magtui.knowledge.models` that passed
validation (`magtui.knowledge.validate`); nothing else constructs them from KB data. They are
stdlib dataclasses so that the clinical layer, the command line and the TUI never import
pydantic: a start that reuses the cached validated KB pays neither for pydantic nor for
building its validators. The field names and types mirror the models one to one, which
`tests/knowledge/test_records.py` checks.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Literal

KidneyRisk = Literal["unknown", "low", "caution", "high"]
Urgency = Literal["self_care", "routine", "urgent", "emergency"]
Pattern = Literal["deficiency", "excess", "mixed", "unclear"]
Sex = Literal["female", "male"]
Condition = Literal["none", "pregnancy", "lactation"]
SerumBandId = Literal[
    "severe_low", "low", "normal", "high_normal", "high", "moderate_high", "severe_high",
    "critical_high",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """Base of every KB record: immutable, the KB is read-only to the whole program."""

    def as_dict(self) -> dict[str, object]:
        """Field values as JSON-ready data (dates as ISO text, nested records as dicts)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value: object) -> object:
    if isinstance(value, Record):
        return value.as_dict()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Sourced(Record):
    source: str
    see_also: tuple[str, ...] = ()

    @property
    def source_ids(self) -> tuple[str, ...]:
        return (self.source, *self.see_also)


@dataclass(frozen=True, slots=True, kw_only=True)
class Meta(Record):
    kb_version: str
    title: str
    reviewed: date
    next_review: date
    disclaimer: str
    follows: tuple[str, ...] = ()
    to_verify: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Source(Record):
    id: str
    title: str
    publisher: str
    url: str
    accessed: date
    year: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class SupplementForm(Sourced):
    id: str
    name: str
    formula: str
    elemental_fraction: float
    absorption: str
    confidence: Literal["high", "medium", "low"]
    variability_note: str | None = None
    laxative_effect: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class SerumBand(Sourced):
    id: SerumBandId
    low_mmol_l: float | None = None
    low_inclusive: bool = True
    high_mmol_l: float | None = None
    high_inclusive: bool = False
    label: str
    severity: Literal["normal", "info", "caution", "urgent", "emergency"]
    action: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KidneyBand(Sourced):
    """By eGFR (half-open `egfr_min <= eGFR < egfr_max`), or by basis."""

    id: str
    basis: Literal["egfr", "dialysis", "reported_disease", "no_information"]
    egfr_min: float | None = None
    egfr_max: float | None = None
    risk: KidneyRisk
    headline: str
    caution: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Interaction(Sourced):
    id: str
    label: str
    examples: str
    effect: str
    advice: str
    separation_hours_before: float | None = None
    separation_hours_after: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleCondition(Record):
    all_present: tuple[str, ...] = ()
    any_present: tuple[str, ...] = ()
    any_fact: tuple[str, ...] = ()
    all_fact: tuple[str, ...] = ()
    always: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralRule(Sourced):
    id: str
    urgency: Urgency
    when: RuleCondition
    reason: str
    advice: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Food(Sourced):
    id: str
    name: str
    serving: str
    mg: float


@dataclass(frozen=True, slots=True, kw_only=True)
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
