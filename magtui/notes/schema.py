"""The pydantic schema of a saved note's JSON: what a note file read back must satisfy.

magtui builds notes as plain values (`magtui.notes.session`); a note file read from disk
(`notes show`, `notes list`, `notes export`) is untrusted input and is validated here first,
then handed on as those values (`to_record`). Each model mirrors the value of the same name,
field for field, and checks the same rules (`tests/notes/test_note_schema.py`).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from magtui.knowledge.records import Condition, Direction, KidneyRisk, Pattern, Sex, Urgency
from magtui.notes import session
from magtui.notes.session import (
    SCHEMA_VERSION,
    FindingState,
    KidneyBasis,
    check_clinician_text,
    check_note_id_form,
    check_patient_ref,
)
from magtui.values import Value


class NoteModel(BaseModel):
    # extra="forbid": a misspelt key in a hand-edited or newer note must not pass silently.
    # allow_inf_nan=False: JSON has no NaN/Infinity, so they could not round-trip.
    # defer_build: validators are built when a note is first made, not at import time, so
    # the consultation's first frame does not wait for them.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              defer_build=True)
    RECORD: ClassVar[type[Value]] = Value

    def to_record(self) -> Any:
        """The plain note value of this validated document (nested models converted too)."""
        return self.RECORD(**{name: _value(getattr(self, name))
                              for name in type(self).model_fields})


def _value(value: object) -> object:
    if isinstance(value, NoteModel):
        return value.to_record()
    if isinstance(value, tuple):
        return tuple(_value(item) for item in value)
    if isinstance(value, dict):
        return {key: _value(item) for key, item in value.items()}
    return value


class KidneyRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.KidneyRecord

    kidney_risk: KidneyRisk = "unknown"
    basis: KidneyBasis = "no_information"
    egfr: float | None = None
    """mL/min/1.73 m², as shown (1 decimal)."""
    egfr_unit: str = "mL/min/1.73 m²"
    egfr_equation: str | None = None
    """None when the eGFR was entered as a figure rather than computed from creatinine."""
    egfr_category: str | None = None
    egfr_category_term: str | None = None
    creatinine: float | None = None
    creatinine_unit: str | None = None
    dialysis: bool = False
    kidney_headline: str | None = None
    kidney_caution: str | None = None


class PatientRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.PatientRecord

    age_years: float | None = Field(default=None, ge=0)
    age_months: int | None = Field(default=None, ge=0)
    sex: Sex | None = None
    condition: Condition = "none"
    kidney: KidneyRecord = KidneyRecord()


class FindingRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.FindingRecord

    state: FindingState
    label: str
    red_flag: Literal["emergency", "urgent"] | None = None


class ExplanationRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.ExplanationRecord

    finding: str
    label: str
    supports: str
    counted: bool
    note: str
    source: str


class AdviceRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.AdviceRecord

    id: str
    text: str
    source: str
    direction: Direction = "none"
    """`more`, `less` or `none` (design.md §3); one plan never holds `more` and `less`."""


class ContextReason(NoteModel):
    """A referral rule that fired below the winning level: context, never the headline."""

    RECORD: ClassVar[type[Value]] = session.ContextReason
    urgency: Urgency
    reason: str
    source: str


class ReferralRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.ReferralRecord

    urgency: Urgency
    headline: str
    """`EMERGENCY`, `URGENT`, `ROUTINE` or `SELF-CARE`."""
    meaning: str
    provisional: bool = False
    """True while red flags were still unasked: the urgency was then only the least the
    answers so far demanded."""
    summary: str = ""
    """The headline as shown ("so far ROUTINE — …" while provisional)."""
    unasked_note: str | None = None
    """Which red flags were still to ask, when provisional."""
    reasons: tuple[str, ...] = ()
    context: tuple[ContextReason, ...] = ()
    advice: tuple[AdviceRecord, ...] = ()
    sources: tuple[str, ...] = ()


class InteractionRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.InteractionRecord

    id: str
    label: str
    effect: str
    advice: str
    source: str


class IntakeRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.IntakeRecord

    life_stage: str
    rda_mg: float | None = None
    ai_mg: float | None = None
    ul_supplemental_mg: float | None = None
    """None where no UL is set (infants): never invented."""


class DoseWarningRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.DoseWarningRecord

    code: str
    text: str
    source: str
    level: Literal["danger", "caution", "info"] = "caution"


class DoseRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.DoseRecord

    form_id: str
    form_name: str
    elemental_fraction: float
    entered_as: Literal["compound", "elemental"]
    entered_mg: float
    times_per_day: int
    elemental_mg_per_dose: float
    elemental_mg_per_day: float
    life_stage: str
    rda_mg: float | None = None
    ai_mg: float | None = None
    percent_of_reference: float | None = None
    ul_supplemental_mg: float | None = None
    percent_of_ul: float | None = None
    exceeds_ul: bool = False
    kidney_risk: KidneyRisk = "unknown"
    warnings: tuple[DoseWarningRecord, ...] = ()


class SerumRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.SerumRecord

    value: float
    unit: str
    mmol_per_l: float
    band: str
    label: str
    severity: str
    action: str


class SourceRecord(NoteModel):
    RECORD: ClassVar[type[Value]] = session.SourceRecord

    id: str
    title: str
    publisher: str = ""
    url: str = ""


class SessionNote(NoteModel):
    """One consultation: inputs, findings, computed values, referral, advice, free text."""

    RECORD: ClassVar[type[Value]] = session.SessionNote
    schema_version: int = SCHEMA_VERSION
    note_id: str = ""
    """Set when saved (`YYYYMMDD-HHMMSS-xxxxxx`); empty in drafts."""
    started_at: AwareDatetime
    updated_at: AwareDatetime
    """When the content was last built from the consultation."""
    saved_at: AwareDatetime | None = None
    magtui_version: str
    kb_version: str
    patient_ref: str | None = None
    """Short de-identified reference only: no names, dates of birth or addresses."""
    patient: PatientRecord = PatientRecord()
    findings: dict[str, FindingRecord] = Field(default_factory=dict)
    red_flags: tuple[str, ...] = ()
    """Red-flag finding ids marked present."""
    unasked_red_flags: tuple[str, ...] = ()
    """Red-flag finding ids neither answered nor marked absent."""
    pattern: Pattern | None = None
    explanation: tuple[ExplanationRecord, ...] = ()
    referral: ReferralRecord | None = None
    interactions: tuple[InteractionRecord, ...] = ()
    intake: IntakeRecord | None = None
    dose: DoseRecord | None = None
    serum: SerumRecord | None = None
    cautions_shown: tuple[str, ...] = ()
    clinician_text: str = ""
    """Exactly as typed; only the Markdown rendering neutralises control characters."""
    sources: tuple[SourceRecord, ...] = ()
    disclaimer: str

    # The same checks the plain value runs (magtui.notes.session), so a file read back
    # obeys exactly the rules a note built by magtui does.
    @field_validator("patient_ref")
    @classmethod
    def _short_reference(cls, value: str | None) -> str | None:
        return check_patient_ref(value)

    @field_validator("clinician_text")
    @classmethod
    def _encodable(cls, value: str) -> str:
        return check_clinician_text(value)

    @field_validator("note_id")
    @classmethod
    def _note_id_format(cls, value: str) -> str:
        return check_note_id_form(value)

    @model_validator(mode="after")
    def _saved_together(self) -> SessionNote:
        session.check_saved_together(self.note_id, self.saved_at)
        return self
