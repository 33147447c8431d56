"""`SessionNote`: the record of one consultation, as plain JSON-serialisable data.

A note copies values and wording out of the clinical value objects at the moment it is built;
it holds no live objects, so a saved note reads the same whatever the KB or code becomes later.
Sequences are tuples and every value is read-only: a note is changed by building a new one
(`replace`), and every check below runs again when it is.

Notes are de-identified: the only patient identifier is `patient_ref`, a short reference
(at most 32 characters) such as a clinic number. Never put names, dates of birth or addresses
in it, nor in the clinician's free text.

These are plain values (`magtui.values.Value`), not pydantic models: the TUI builds a note on
every preview and autosave, and should not carry pydantic for it. A note *file* read back is
validated by the pydantic schema in `magtui.notes.schema`, which is derived from the classes
below (their fields, types, defaults and `NOT_NEGATIVE`) and applies the same checks.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Literal

from magtui.knowledge.records import Condition, Direction, KidneyRisk, Pattern, Sex, Urgency
from magtui.values import Value

SCHEMA_VERSION = 1
PATIENT_REF_MAX_CHARS = 32
CLINICIAN_TEXT_MAX_CHARS = 20_000
"""The longest clinician free text a note or draft holds (about ten pages of typing): more is
refused, never cut, so a paste of megabytes cannot freeze the preview or the save."""
NOTE_ID_RE = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")
"""`YYYYMMDD-HHMMSS-xxxxxx`: local save time, then 6 random hex digits."""

FindingState = Literal["present", "absent", "not_asked"]
KidneyBasis = Literal["egfr", "dialysis", "reported_disease", "no_information"]


# ----------------------------------------------------------------------------- checks
# Shared with the schema of note files (magtui.notes.schema). Each raises ValueError.


def check_patient_ref(value: str | None) -> str | None:
    """A short one-line reference, stripped; blank means none."""
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


def check_clinician_text(value: str) -> str:
    if len(value) > CLINICIAN_TEXT_MAX_CHARS:
        raise ValueError(
            f"clinician text must be at most {CLINICIAN_TEXT_MAX_CHARS:,} characters "
            f"(it has {len(value):,})"
        )
    # Unpaired surrogates are not Unicode text and cannot be written as UTF-8 JSON.
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("clinician text contains unpaired surrogate code points")
    return value


NOT_ACCEPTED_TEXT_MAX_CHARS = 40
"""The most of a refused field's text a note quotes (a form field takes no more)."""


def check_typed_text(value: str) -> str:
    """Refused text as a note quotes it: short, one line, every character visible (it was
    typed by someone, so it is made safe before it is recorded)."""
    if len(value) > NOT_ACCEPTED_TEXT_MAX_CHARS:
        raise ValueError(f"typed text must be at most {NOT_ACCEPTED_TEXT_MAX_CHARS} characters")
    if any(unicodedata.category(ch)[0] == "C" or ch in "\u2028\u2029" for ch in value):
        raise ValueError("typed text must not contain control or invisible characters")
    return value


def check_note_id_form(value: str) -> str:
    if value and not NOTE_ID_RE.match(value):
        raise ValueError("note_id must be empty or look like 20261125-171530-a1b2c3")
    return value


def check_saved_together(note_id: str, saved_at: datetime | None) -> None:
    if bool(note_id) != (saved_at is not None):
        raise ValueError("note_id and saved_at are set together, when the note is saved")


def _check_finite(owner: Value) -> None:
    # JSON has no NaN or Infinity: such a figure could be neither saved nor read back.
    for name in owner.FLOATS:
        value = getattr(owner, name)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{type(owner).__name__}.{name} must be a finite number")


def _check_not_negative(owner: NoteValue) -> None:
    for name in owner.NOT_NEGATIVE:
        value = getattr(owner, name)
        if value is not None and value < 0:
            raise ValueError(f"{type(owner).__name__}.{name} must be greater than or equal to 0")


class NoteValue(Value):
    """A part of a note. Its fields are also the schema of note files: `magtui.notes.schema`
    derives its pydantic models from these classes, so a field is written here only."""

    COERCE_FLOATS = True
    NOT_NEGATIVE: ClassVar[tuple[str, ...]] = ()
    """Number fields that must be 0 or more (checked here; `ge=0` in the note file schema)."""

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        _check_finite(self)
        _check_not_negative(self)


# ----------------------------------------------------------------------------- values


class KidneyRecord(NoteValue):
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


class PatientRecord(NoteValue):
    NOT_NEGATIVE = ("age_years", "age_months")

    age_years: float | None = None
    age_months: int | None = None
    sex: Sex | None = None
    condition: Condition = "none"
    kidney: KidneyRecord = KidneyRecord()


class FindingRecord(NoteValue):
    state: FindingState
    label: str
    red_flag: Literal["emergency", "urgent"] | None = None
    asked_together: bool = False
    """True for a red flag marked absent with the others still unasked in one step (the
    checklist's "deny all unasked red flags"): asked together, all denied. False for a
    finding answered on its own, and in notes written before this field existed."""
    set_from: str | None = None
    """Set by the patient details, not marked on the checklist: what was entered, e.g.
    "age 68 years" or "eGFR 21 mL/min/1.73 m², entered". None for a finding marked by hand."""


class NotAcceptedRecord(NoteValue):
    """A field whose text was typed but refused, so nothing was computed from it: the note
    says what was typed and why, never "not entered"."""

    field: str
    name: str
    text: str = ""
    """As typed, made safe (controls shown as symbols, one line, at most
    `NOT_ACCEPTED_TEXT_MAX_CHARS`); empty when the field was left empty or not `quoted`."""
    unit: str | None = None
    reason: str
    area: Literal["patient", "dose"] = "patient"
    quoted: bool = True
    """False for the patient reference: a refused reference may hold a name (de-identified
    notes), so only the reason is kept."""

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        check_typed_text(self.text)


class ExplanationRecord(NoteValue):
    finding: str
    label: str
    supports: str
    counted: bool
    note: str
    source: str


class AdviceRecord(NoteValue):
    id: str
    text: str
    source: str
    direction: Direction = "none"
    """`more`, `less` or `none` (design.md §3); one plan never holds `more` and `less`."""


class ContextReason(NoteValue):
    """A referral rule that fired below the winning level: context, never the headline."""

    urgency: Urgency
    reason: str
    source: str


class ReferralRecord(NoteValue):
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


class InteractionRecord(NoteValue):
    id: str
    label: str
    effect: str
    advice: str
    source: str


class IntakeRecord(NoteValue):
    life_stage: str
    rda_mg: float | None = None
    ai_mg: float | None = None
    ul_supplemental_mg: float | None = None
    """None where no UL is set (infants): never invented."""


class DoseWarningRecord(NoteValue):
    code: str
    text: str
    source: str
    level: Literal["danger", "caution", "info"] = "caution"


class DoseRecord(NoteValue):
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


class SerumRecord(NoteValue):
    value: float
    unit: str
    mmol_per_l: float
    band: str
    label: str
    severity: str
    action: str


class SourceRecord(NoteValue):
    id: str
    title: str
    publisher: str = ""
    url: str = ""


class SessionNote(NoteValue):
    """One consultation: inputs, findings, computed values, referral, advice, free text."""

    schema_version: int = SCHEMA_VERSION
    note_id: str = ""
    """Set when saved (`YYYYMMDD-HHMMSS-xxxxxx`); empty in drafts."""
    started_at: datetime
    updated_at: datetime
    """When the content was last built from the consultation."""
    saved_at: datetime | None = None
    magtui_version: str
    kb_version: str
    patient_ref: str | None = None
    """Short de-identified reference only: no names, dates of birth or addresses."""
    patient: PatientRecord = PatientRecord()
    findings: Mapping[str, FindingRecord] = MappingProxyType({})
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
    not_accepted: tuple[NotAcceptedRecord, ...] = ()
    """Fields typed but refused (F3, F4): recorded as typed, with the reason."""
    cautions_shown: tuple[str, ...] = ()
    clinician_text: str = ""
    """Exactly as typed; only the Markdown rendering neutralises control characters."""
    sources: tuple[SourceRecord, ...] = ()
    disclaimer: str

    def __init__(self, **values: Any) -> None:
        values["patient_ref"] = check_patient_ref(values.get("patient_ref"))
        values["findings"] = MappingProxyType(dict(values.get("findings", {})))
        super().__init__(**values)
        check_clinician_text(self.clinician_text)
        check_note_id_form(self.note_id)
        for name in ("started_at", "updated_at", "saved_at"):
            moment = getattr(self, name)
            if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
                raise ValueError(f"{name} must be a timezone-aware date and time")
        check_saved_together(self.note_id, self.saved_at)

    @property
    def is_saved(self) -> bool:
        return bool(self.note_id)
