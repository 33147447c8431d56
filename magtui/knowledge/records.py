"""Plain, frozen records of the validated knowledge base: what the rest of magtui reads.

Every record here was built from a pydantic model in `magtui.knowledge.models` that passed
validation (`magtui.knowledge.validate`); nothing else constructs them from KB data. They are
light immutable values (`magtui.values.Value`) so that the clinical layer, the command line
and the TUI never import pydantic: a start that reuses the cached validated KB pays neither
for pydantic nor for building its validators.

This is also where the KB's schema is written, once: each model is derived from the record
of the same name (its fields' names, order, types and defaults), and what a field's value
must satisfy beyond its type is declared here as `Check` metadata (`typing.Annotated`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from magtui.values import ReadOnlyRecordError as ReadOnlyRecordError
from magtui.values import Value


class Check:
    """What a field's value must satisfy beyond its type, as `Annotated` metadata (or in
    `Record.CHECKS`): keyword constraints as pydantic's `Field` takes them (`pattern`,
    `min_length`, `gt`, `le`, …).

    Plain data: `magtui.knowledge.models` turns it into the constraint the KB file is
    validated against. Records built by magtui's own code are not checked against it."""

    __slots__ = ("constraints",)

    def __init__(self, **constraints: Any) -> None:
        self.constraints = constraints

    def __repr__(self) -> str:
        return f"Check({', '.join(f'{k}={v!r}' for k, v in self.constraints.items())})"


ID = Check(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=64)
TEXT = Check(min_length=1)
FACT_NAME = Check(pattern=r"^[a-z0-9_:]+$")
MILLIGRAMS = Check(gt=0, le=100_000, allow_inf_nan=False)

# Annotations are read as text: by `Value` to tell floats (an `int` given becomes a `float`),
# by the cache to rebuild dates and tuples. So a `float`, a `date` and a tuple are written in
# place (`Annotated[float, …]`, `date`, `tuple[Id, ...]`), never through an alias.
Id = Annotated[str, ID]
Text = Annotated[str, TEXT]
FactName = Annotated[str, FACT_NAME]

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
    CHECKS: ClassVar[dict[str, Check]] = {}
    """A field's check that its annotation cannot hold: a tuple's own (the cache rebuilds
    tuples from their annotation's text, `tuple[Id, ...]`); each item's is annotated."""


class Sourced(Record):
    """A record that states a clinical fact: `source` (and `see_also`) are ids in the
    `sources` table, which the loader checks exist."""

    source: Id
    see_also: tuple[Id, ...] = ()

    @property
    def source_ids(self) -> tuple[str, ...]:
        return (self.source, *self.see_also)


class Meta(Record):
    kb_version: Text
    title: Text
    reviewed: date
    next_review: date
    disclaimer: Text
    follows: tuple[Text, ...] = ()
    """Where sources disagree, which one the KB follows and why."""
    to_verify: tuple[Text, ...] = ()
    """Figures kept from the clinical reference but not re-confirmed against the primary page."""


class Source(Record):
    id: Id
    title: Text
    publisher: Text
    url: Annotated[str, Check(pattern=r"^https?://\S+$")]
    accessed: date
    year: Annotated[int, Check(ge=1900, le=2100)] | None = None


class IntakeRow(Sourced):
    """One life-stage row of the RDA/AI and supplemental UL tables.

    Ages are completed months, half-open: `age_min_months <= age < age_max_months`;
    `age_max_months` is null for the open-ended last row.
    """

    id: Id
    life_stage: Text
    age_min_months: Annotated[int, Check(ge=0, le=1500)]
    age_max_months: Annotated[int, Check(ge=1, le=1500)] | None = None
    sex: Sex
    condition: Condition = "none"
    rda_mg: Annotated[float, MILLIGRAMS] | None = None
    ai_mg: Annotated[float, MILLIGRAMS] | None = None
    ul_supplemental_mg: Annotated[float, MILLIGRAMS] | None = None
    note: Text | None = None


class SupplementForm(Sourced):
    id: Id
    name: Text
    synonyms: tuple[Text, ...] = ()
    """Other names a clinician may type for it (products, spellings); see `Finding.synonyms`."""
    formula: Text
    elemental_fraction: Annotated[float, Check(gt=0, le=1, allow_inf_nan=False)]
    absorption: Text
    confidence: Literal["high", "medium", "low"]
    variability_note: Text | None = None
    """Why the label's elemental figure should win (hydrates, buffered products)."""
    laxative_effect: bool = False


class Finding(Sourced):
    id: Id
    label: Text
    synonyms: tuple[Text, ...] = ()
    """Other words a clinician may type for it: drug and brand names, medical and plain
    terms. The KB search and the command palette match them as they match the label; each
    names one record of its table only (`magtui.knowledge.validate`)."""
    question: Text
    group: Literal["deficiency_symptoms", "excess_symptoms", "context", "red_flags"]
    kind: Literal["symptom", "risk_factor", "amplifier", "benign_context", "red_flag"]
    """`amplifier`: makes a pattern more dangerous but is not evidence for it by itself."""
    supports: Literal["deficiency", "excess", "both", "neither"]
    red_flag: Literal["emergency", "urgent"] | None = None
    why: Text
    """One line a clinician reads: why this finding matters for magnesium."""
    interactions: tuple[Id, ...] = ()
    from_age_years: Annotated[float, Check(gt=0, le=120, allow_inf_nan=False)] | None = None
    """Answered by the patient's age instead of asked: present from this age in years (the
    label states the same threshold, e.g. "about 65+"). Below it, or with no age, the finding
    is the clinician's to mark (`magtui.clinical.facts`)."""


class SerumBand(Sourced):
    id: SerumBandId
    low_mmol_l: Annotated[float, Check(ge=0, allow_inf_nan=False)] | None = None
    low_inclusive: bool = True
    high_mmol_l: Annotated[float, Check(gt=0, allow_inf_nan=False)] | None = None
    high_inclusive: bool = False
    label: Text
    severity: Literal["normal", "info", "caution", "urgent", "emergency"]
    action: Text


class KidneyBand(Sourced):
    """Kidney-risk band: by eGFR (half-open `egfr_min <= eGFR < egfr_max`), or by basis."""

    id: Id
    basis: Literal["egfr", "dialysis", "reported_disease", "no_information"]
    egfr_min: Annotated[float, Check(ge=0, allow_inf_nan=False)] | None = None
    egfr_max: Annotated[float, Check(gt=0, allow_inf_nan=False)] | None = None
    risk: KidneyRisk
    headline: Text
    """What the risk means for magnesium, in one line for the banner."""
    caution: Text


class Interaction(Sourced):
    id: Id
    label: Text
    synonyms: tuple[Text, ...] = ()
    """Drug and brand names of the class, for search; see `Finding.synonyms`."""
    examples: Text
    effect: Text
    advice: Text
    separation_hours_before: Annotated[float, Check(ge=0, le=24)] | None = None
    separation_hours_after: Annotated[float, Check(ge=0, le=24)] | None = None


class RuleCondition(Record):
    """A referral rule fires when every non-empty clause holds.

    Facts are derived by the engine: `pattern:<p>`, `suspected_excess`, `suspected_deficiency`,
    `kidney_risk:<r>`, `serum:<band>`. Clauses only test presence, so adding a finding can
    only make more rules fire: urgency never falls when evidence is added.
    """

    all_present: tuple[Id, ...] = ()
    any_present: tuple[Id, ...] = ()
    any_fact: tuple[FactName, ...] = ()
    all_fact: tuple[FactName, ...] = ()
    always: bool = False


class ReferralRule(Sourced):
    id: Id
    urgency: Urgency
    when: RuleCondition
    reason: Text


class Food(Sourced):
    id: Id
    name: Text
    serving: Text
    mg: Annotated[float, MILLIGRAMS]


class WatchItem(Record):
    """One "come back if …" item of a safety-net text, and the findings it names."""

    text: Text
    findings: tuple[Id, ...]
    CHECKS: ClassVar[dict[str, Check]] = {"findings": Check(min_length=1)}


class Advice(Sourced):
    """A text of the plan. `direction` says what it does to magnesium (design.md §3):
    `more` raises it, `less` stops or reduces magnesium products, `none` neither.
    With `watch_for`, `text` is the lead of a safety net ("Come back if") and the engine
    adds the items whose findings are not already present."""

    id: Id
    direction: Direction
    text: Text
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
