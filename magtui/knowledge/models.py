"""Pydantic models of every knowledge-base record: the validation of the KB.

One model per TinyDB table. A document that passes becomes the plain record of the same name
in `magtui.knowledge.records` (`to_record`), which is what the rest of magtui reads: only
validation imports pydantic. Every record that states a clinical fact carries a `source`
(an id in the `sources` table); the loader checks those ids exist. Models are frozen: the
knowledge base is read-only to the whole program.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from magtui.knowledge import records
from magtui.knowledge.records import (
    Condition,
    Direction,
    KidneyRisk,
    SerumBandId,
    Sex,
    Urgency,
)

# Constraints use `Field` only: `StringConstraints` would import pydantic.types and
# annotated_types on every start, a cost the command line pays for nothing.
Id = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1)]
FactName = Annotated[str, Field(pattern=r"^[a-z0-9_:]+$")]
Milligrams = Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False)]
Ids = Annotated[tuple[Id, ...], Field(strict=False)]
"""A JSON list read as a tuple (strict mode would want a Python tuple); items stay strict."""
Texts = Annotated[tuple[Text, ...], Field(strict=False)]
FactNames = Annotated[tuple[FactName, ...], Field(strict=False)]


def _iso_date(value: object) -> object:
    """A date is ISO text in the KB file (`2025-01-31`), never a number or other text."""
    if type(value) is date:
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return date.fromisoformat(value)  # a ValueError says why the date is impossible
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class Record(BaseModel):
    """Base of every KB record: frozen, and unknown keys are an error (typos must not pass).

    Strict: a number must be a JSON number and a flag a JSON true/false (`"0.6"` or `1` is
    refused, not converted); lists of items become tuples (`Ids`, `Texts`) and dates are
    read from ISO text (`IsoDate`).
    """

    # defer_build: each validator is built when its table is first validated, not at import.
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True, strict=True
    )
    RECORD: ClassVar[type[records.Record]] = records.Record

    NESTED: ClassVar[tuple[str, ...]] = ()
    """Fields that hold another model, or a tuple of them (converted to records too)."""

    def to_record(self) -> records.Record:
        """The plain record of this validated document (nested models converted too)."""
        values = dict(self.__dict__)  # pydantic keeps exactly the validated fields here
        for name in self.NESTED:
            value = values[name]
            values[name] = (tuple(item.to_record() for item in value)
                            if isinstance(value, tuple) else value.to_record())
        return self.RECORD.trusted(values)  # type: ignore[no-any-return]


class Sourced(Record):
    RECORD: ClassVar[type[records.Record]] = records.Sourced

    source: Id
    see_also: Ids = ()

    @property
    def source_ids(self) -> tuple[str, ...]:
        return (self.source, *self.see_also)


class Meta(Record):
    RECORD: ClassVar[type[records.Record]] = records.Meta

    kb_version: Text
    title: Text
    reviewed: IsoDate
    next_review: IsoDate
    disclaimer: Text
    follows: Texts = ()
    """Where sources disagree, which one the KB follows and why."""
    to_verify: Texts = ()
    """Figures kept from the clinical reference but not re-confirmed against the primary page."""

    @model_validator(mode="after")
    def _review_after_reviewed(self) -> Meta:
        if self.next_review <= self.reviewed:
            raise ValueError("next_review must be after reviewed")
        return self


class Source(Record):
    RECORD: ClassVar[type[records.Record]] = records.Source

    id: Id
    title: Text
    publisher: Text
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    accessed: IsoDate
    year: int | None = Field(default=None, ge=1900, le=2100)


class IntakeRow(Sourced):
    """One life-stage row of the RDA/AI and supplemental UL tables.

    Ages are completed months, half-open: `age_min_months <= age < age_max_months`;
    `age_max_months` is null for the open-ended last row.
    """

    RECORD: ClassVar[type[records.Record]] = records.IntakeRow
    id: Id
    life_stage: Text
    age_min_months: int = Field(ge=0, le=1500)
    age_max_months: int | None = Field(default=None, ge=1, le=1500)
    sex: Sex
    condition: Condition = "none"
    rda_mg: Milligrams | None = None
    ai_mg: Milligrams | None = None
    ul_supplemental_mg: Milligrams | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_of_rda_ai(self) -> IntakeRow:
        if (self.rda_mg is None) == (self.ai_mg is None):
            raise ValueError("exactly one of rda_mg and ai_mg must be set")
        if self.age_max_months is not None and self.age_max_months <= self.age_min_months:
            raise ValueError("age_max_months must be greater than age_min_months")
        return self


class SupplementForm(Sourced):
    RECORD: ClassVar[type[records.Record]] = records.SupplementForm

    id: Id
    name: Text
    formula: Text
    elemental_fraction: float = Field(gt=0, le=1, allow_inf_nan=False)
    absorption: Text
    confidence: Literal["high", "medium", "low"]
    variability_note: Text | None = None
    """Why the label's elemental figure should win (hydrates, buffered products)."""
    laxative_effect: bool = False


class Finding(Sourced):
    RECORD: ClassVar[type[records.Record]] = records.Finding

    id: Id
    label: Text
    question: Text
    group: Literal["deficiency_symptoms", "excess_symptoms", "context", "red_flags"]
    kind: Literal["symptom", "risk_factor", "amplifier", "benign_context", "red_flag"]
    """`amplifier`: makes a pattern more dangerous but is not evidence for it by itself."""
    supports: Literal["deficiency", "excess", "both", "neither"]
    red_flag: Literal["emergency", "urgent"] | None = None
    why: Text
    """One line a clinician reads: why this finding matters for magnesium."""
    interactions: Ids = ()

    @model_validator(mode="after")
    def _red_flag_consistent(self) -> Finding:
        if (self.kind == "red_flag") != (self.red_flag is not None):
            raise ValueError("red_flag must be set exactly when kind is 'red_flag'")
        return self


class SerumBand(Sourced):
    RECORD: ClassVar[type[records.Record]] = records.SerumBand

    id: SerumBandId
    low_mmol_l: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    low_inclusive: bool = True
    high_mmol_l: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    high_inclusive: bool = False
    label: Text
    severity: Literal["normal", "info", "caution", "urgent", "emergency"]
    action: Text

    @model_validator(mode="after")
    def _bounds(self) -> SerumBand:
        if self.low_mmol_l is None and self.high_mmol_l is None:
            raise ValueError("a band needs at least one bound")
        if (
            self.low_mmol_l is not None
            and self.high_mmol_l is not None
            and self.high_mmol_l <= self.low_mmol_l
        ):
            raise ValueError("high_mmol_l must be greater than low_mmol_l")
        return self


class KidneyBand(Sourced):
    """Kidney-risk band: by eGFR (half-open `egfr_min <= eGFR < egfr_max`), or by basis."""

    RECORD: ClassVar[type[records.Record]] = records.KidneyBand
    id: Id
    basis: Literal["egfr", "dialysis", "reported_disease", "no_information"]
    egfr_min: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    egfr_max: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    risk: KidneyRisk
    headline: Text
    """What the risk means for magnesium, in one line for the banner."""
    caution: Text

    @model_validator(mode="after")
    def _bounds(self) -> KidneyBand:
        if self.basis == "egfr":
            if self.egfr_min is None:
                raise ValueError("an eGFR band needs egfr_min")
            if self.egfr_max is not None and self.egfr_max <= self.egfr_min:
                raise ValueError("egfr_max must be greater than egfr_min")
        elif self.egfr_min is not None or self.egfr_max is not None:
            raise ValueError("only eGFR bands have bounds")
        return self


class Interaction(Sourced):
    RECORD: ClassVar[type[records.Record]] = records.Interaction

    id: Id
    label: Text
    examples: Text
    effect: Text
    advice: Text
    separation_hours_before: float | None = Field(default=None, ge=0, le=24)
    separation_hours_after: float | None = Field(default=None, ge=0, le=24)


class RuleCondition(Record):
    """A referral rule fires when every non-empty clause holds.

    Facts are derived by the engine: `pattern:<p>`, `suspected_excess`, `suspected_deficiency`,
    `kidney_risk:<r>`, `serum:<band>`. Clauses only test presence, so adding a finding can
    only make more rules fire: urgency never falls when evidence is added.
    """

    RECORD: ClassVar[type[records.Record]] = records.RuleCondition
    all_present: Ids = ()
    any_present: Ids = ()
    any_fact: FactNames = ()
    all_fact: FactNames = ()
    always: bool = False

    @model_validator(mode="after")
    def _not_empty(self) -> RuleCondition:
        clauses = (self.all_present, self.any_present, self.any_fact, self.all_fact)
        if self.always == any(clauses):
            raise ValueError("a condition is either 'always' or has at least one clause")
        return self


class ReferralRule(Sourced):
    RECORD: ClassVar[type[records.Record]] = records.ReferralRule
    NESTED: ClassVar[tuple[str, ...]] = ("when",)

    id: Id
    urgency: Urgency
    when: RuleCondition
    reason: Text


class Food(Sourced):
    RECORD: ClassVar[type[records.Record]] = records.Food

    id: Id
    name: Text
    serving: Text
    mg: Milligrams


class WatchItem(Record):
    """One "come back if …" item of a safety-net text, and the findings it names."""

    RECORD: ClassVar[type[records.Record]] = records.WatchItem
    text: Text
    findings: Ids = Field(min_length=1)


class Advice(Sourced):
    """A text of the plan. `direction` says what it does to magnesium (design.md §3):
    `more` raises it, `less` stops or reduces magnesium products, `none` neither.
    With `watch_for`, `text` is the lead of a safety net ("Come back if") and the engine
    adds the items whose findings are not already present."""

    RECORD: ClassVar[type[records.Record]] = records.Advice
    NESTED: ClassVar[tuple[str, ...]] = ("watch_for",)

    id: Id
    direction: Direction
    text: Text
    watch_for: Annotated[tuple[WatchItem, ...], Field(strict=False)] = ()


TABLE_MODELS: dict[str, type[Record]] = {
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
"""Every table the KB must have, with the model its documents are validated against."""
