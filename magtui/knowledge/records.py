"""Plain, frozen records of the validated knowledge base: what the rest of magtui reads.

Every record here was built from a pydantic model in `magtui.knowledge.models` that passed
validation (`magtui.knowledge.validate`); nothing else constructs them from KB data. They are
light immutable values (`magtui.values.Value`) so that the clinical layer, the command line
and the TUI never import pydantic: a start that reuses the cached validated KB pays neither
for pydantic nor for building its validators. The field names and types mirror the models
one to one, which `tests/knowledge/test_records.py` checks.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from magtui.values import ReadOnlyRecordError as ReadOnlyRecordError
from magtui.values import Value

KidneyRisk = Literal["unknown", "low", "caution", "high"]
Urgency = Literal["self_care", "routine", "urgent", "emergency"]
Pattern = Literal["deficiency", "excess", "mixed", "unclear"]
Direction = Literal["more", "less", "none"]
Sex = Literal["female", "male"]
Condition = Literal["none", "pregnancy", "lactation"]
SerumBandId = Literal[
    "severe_low", "low", "normal", "high_normal", "high", "moderate_high", "severe_high",
    "critical_high",
]


class Record(Value):
    """Base of every KB record: immutable, the KB is read-only to the whole program."""

    COERCE_FLOATS = True


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


class Food(Sourced):
    id: str
    name: str
    serving: str
    mg: float


class WatchItem(Record):
    text: str
    findings: tuple[str, ...]


class Advice(Sourced):
    id: str
    direction: Direction
    text: str
    watch_for: tuple[WatchItem, ...] = ()


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
