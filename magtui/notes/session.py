"""`SessionNote`: the record of one consultation, as plain JSON-serialisable data.

A note copies values and wording out of the clinical value objects at the moment it is built;
it holds no live objects, so a saved note reads the same whatever the KB or code becomes later.
Sequences are tuples and every model is frozen: a note is changed by building a new one.

Notes are de-identified: the only patient identifier is `patient_ref`, a short reference
(at most 32 characters) such as a clinic number. Never put names, dates of birth or addresses
in it, nor in the clinician's free text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from magtui.knowledge.records import Condition, KidneyRisk, Pattern, Sex, Urgency

SCHEMA_VERSION = 1
PATIENT_REF_MAX_CHARS = 32
NOTE_ID_RE = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")
"""`YYYYMMDD-HHMMSS-xxxxxx`: local save time, then 6 random hex digits."""

FindingState = Literal["present", "absent", "not_asked"]
KidneyBasis = Literal["egfr", "dialysis", "reported_disease", "no_information"]


class NoteModel(BaseModel):
    # extra="forbid": a misspelt key in a hand-edited or newer note must not pass silently.
    # allow_inf_nan=False: JSON has no NaN/Infinity, so they could not round-trip.
    # defer_build: validators are built when a note is first made, not at import time, so
    # the consultation's first frame does not wait for them.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              defer_build=True)


class KidneyRecord(NoteModel):
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
    age_years: float | None = Field(default=None, ge=0)
    age_months: int | None = Field(default=None, ge=0)
    sex: Sex | None = None
    condition: Condition = "none"
    kidney: KidneyRecord = KidneyRecord()


class FindingRecord(NoteModel):
    state: FindingState
    label: str
    red_flag: Literal["emergency", "urgent"] | None = None


class ExplanationRecord(NoteModel):
    finding: str
    label: str
    supports: str
    counted: bool
    note: str
    source: str


class AdviceRecord(NoteModel):
    id: str
    text: str
    source: str


class ContextReason(NoteModel):
    """A referral rule that fired below the winning level: context, never the headline."""

    urgency: Urgency
    reason: str
    source: str


class ReferralRecord(NoteModel):
    urgency: Urgency
    headline: str
    """`EMERGENCY`, `URGENT`, `ROUTINE` or `SELF-CARE`."""
    meaning: str
    reasons: tuple[str, ...] = ()
    context: tuple[ContextReason, ...] = ()
    advice: tuple[AdviceRecord, ...] = ()
    sources: tuple[str, ...] = ()


class InteractionRecord(NoteModel):
    id: str
    label: str
    effect: str
    advice: str
    source: str


class IntakeRecord(NoteModel):
    life_stage: str
    rda_mg: float | None = None
    ai_mg: float | None = None
    ul_supplemental_mg: float | None = None
    """None where no UL is set (infants): never invented."""


class DoseWarningRecord(NoteModel):
    code: str
    text: str
    source: str
    level: Literal["danger", "caution", "info"] = "caution"


class DoseRecord(NoteModel):
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
    value: float
    unit: str
    mmol_per_l: float
    band: str
    label: str
    severity: str
    action: str


class SourceRecord(NoteModel):
    id: str
    title: str
    publisher: str = ""
    url: str = ""


class SessionNote(NoteModel):
    """One consultation: inputs, findings, computed values, referral, advice, free text."""

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

    @field_validator("patient_ref")
    @classmethod
    def _short_reference(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            return None
        if len(value) > PATIENT_REF_MAX_CHARS:
            raise ValueError(
                f"patient reference must be at most {PATIENT_REF_MAX_CHARS} characters "
                "(a short de-identified reference: no names, dates of birth or addresses)"
            )
        # One line of visible text: it is shown inline in the Markdown and in note lists.
        if any(unicodedata.category(ch)[0] == "C" or ch in "\u2028\u2029" for ch in value):
            raise ValueError("patient reference must not contain control or invisible characters")
        return value

    @field_validator("clinician_text")
    @classmethod
    def _encodable(cls, value: str) -> str:
        # Unpaired surrogates are not Unicode text and cannot be written as UTF-8 JSON.
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            raise ValueError("clinician text contains unpaired surrogate code points")
        return value

    @field_validator("note_id")
    @classmethod
    def _note_id_format(cls, value: str) -> str:
        if value and not NOTE_ID_RE.match(value):
            raise ValueError("note_id must be empty or look like 20261125-171530-a1b2c3")
        return value

    @model_validator(mode="after")
    def _saved_together(self) -> SessionNote:
        if bool(self.note_id) != (self.saved_at is not None):
            raise ValueError("note_id and saved_at are set together, when the note is saved")
        return self

    @property
    def is_saved(self) -> bool:
        return bool(self.note_id)
