"""One consultation's inputs, and every clinical result derived from them.

The TUI edits a `Consultation`; `evaluate()` turns it into `Results` through
`magtui.clinical` only. Screens render `Results`; the note records them. Nothing here imports
Textual, so the same object is tested with plain pytest and saved as a draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from magtui import clock
from magtui.clinical.dosing import DoseResult, calculate_dose
from magtui.clinical.intake import IntakeResult, age_to_months, lookup_intake
from magtui.clinical.limits import (
    AGE_MONTHS,
    AGE_YEARS,
    COMPOUND_MG,
    CREATININE,
    EGFR,
    EGFR_MIN_AGE_YEARS,
    ELEMENTAL_MG,
    SERUM_MG,
    TIMES_PER_DAY,
    InputError,
    Limit,
)
from magtui.clinical.renal import (
    EgfrResult,
    KidneyAssessment,
    check_egfr_age,
    estimate_egfr,
    for_under_18,
)
from magtui.clinical.serum import SerumResult, interpret_serum
from magtui.clinical.triage import FindingState, TriageResult, evaluate
from magtui.knowledge.base import KnowledgeBase
from magtui.text import invisible_char

if TYPE_CHECKING:
    from magtui.notes.session import SessionNote

DRAFT_VERSION = 1
TYPED_TEXT_MAX_CHARS = 1_000
"""The longest raw text of one number field a draft keeps (`Consultation.typed`)."""


@dataclass
class PatientInputs:
    age_years: float | None = None
    age_months: int | None = None
    """Set instead of `age_years` for infants."""
    sex: Literal["female", "male"] | None = None
    condition: Literal["none", "pregnancy", "lactation"] = "none"
    egfr: float | None = None
    """Entered directly; ignored while a creatinine is given (the computed eGFR is used)."""
    creatinine: float | None = None
    creatinine_unit: Literal["mg/dL", "umol/L"] = "mg/dL"
    dialysis: bool = False


@dataclass
class DoseInputs:
    form_id: str | None = None
    entered_as: Literal["compound", "elemental"] = "compound"
    amount_mg: float | None = None
    times_per_day: int | None = 1
    """None while the field is empty or invalid: nothing is computed from it."""


@dataclass
class SerumInputs:
    value: float | None = None
    unit: Literal["mmol/L", "mg/dL", "mEq/L"] = "mmol/L"


@dataclass
class Consultation:
    patient: PatientInputs = field(default_factory=PatientInputs)
    states: dict[str, FindingState] = field(default_factory=dict)
    dose: DoseInputs = field(default_factory=DoseInputs)
    serum: SerumInputs = field(default_factory=SerumInputs)
    patient_ref: str = ""
    clinician_text: str = ""
    started_at: datetime = field(default_factory=lambda: clock.now().astimezone(UTC))
    typed: dict[str, str] = field(default_factory=dict)
    """Raw text of the number fields (field id → text), kept so that a restored draft shows
    every character typed, even a value that was invalid and so never used."""
    denied_together: tuple[str, ...] = ()
    """Red flags marked absent in one step ("deny all unasked red flags", `deny_together`):
    the note records them as asked together, all denied. A flag leaves this group when it is
    marked on its own (`mark`)."""

    def mark(self, finding_id: str, state: FindingState) -> None:
        """Mark one finding on its own: present, absent, or back to not asked."""
        if state == "not_asked":
            self.states.pop(finding_id, None)
        else:
            self.states[finding_id] = state
        if finding_id in self.denied_together:
            # Answered individually now: no longer one of the red flags denied together.
            self.denied_together = tuple(f for f in self.denied_together if f != finding_id)

    def deny_together(self, finding_ids: Iterable[str]) -> tuple[str, ...]:
        """Mark the given findings absent in one step, remembered as asked together.

        Only findings still not asked are marked: an answer already given is never changed.
        Returns the findings marked here.
        """
        denied = tuple(f for f in dict.fromkeys(finding_ids)
                       if self.states.get(f, "not_asked") == "not_asked")
        for finding_id in denied:
            self.states[finding_id] = "absent"
        self.denied_together = (*self.denied_together,
                                *(f for f in denied if f not in self.denied_together))
        return denied

    def asked_together(self) -> tuple[str, ...]:
        """The red flags denied together that are still absent (what the note records)."""
        return tuple(f for f in self.denied_together if self.states.get(f) == "absent")

    def has_input(self) -> bool:
        """Anything entered (typed or prefilled) that a note would record."""
        return (
            self.patient != PatientInputs()
            or any(state != "not_asked" for state in self.states.values())
            or self.dose != DoseInputs()
            or self.serum != SerumInputs()
            or bool(self.patient_ref or self.clinician_text)
            or any(text.strip() for text in self.typed.values())
        )

    def to_draft(self) -> dict[str, Any]:
        """Everything typed so far, as JSON-ready data (the autosaved draft)."""
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["denied_together"] = list(self.denied_together)
        data["draft_version"] = DRAFT_VERSION
        return data

    @classmethod
    def from_prefill(cls, prefill: dict[str, Any]) -> Consultation:
        """From `magtui --age … --answer …` (already validated by the CLI): as if typed."""
        patient = PatientInputs(
            age_years=prefill.get("age_years"),
            age_months=prefill.get("age_months"),
            sex=prefill.get("sex"),
            condition=prefill.get("condition", "none"),
            egfr=prefill.get("egfr"),
            creatinine=prefill.get("creatinine"),
            creatinine_unit=prefill.get("creatinine_unit", "mg/dL"),
            dialysis=bool(prefill.get("dialysis", False)),
        )
        states = {k: v for k, v in prefill.get("states", {}).items() if v != "not_asked"}
        return cls(patient=patient, states=states)

    @classmethod
    def from_draft(cls, data: Mapping[str, Any], kb: KnowledgeBase | None = None) -> Consultation:
        """Rebuild from `to_draft()` output, validated as typed input is.

        A draft file is untrusted input (it may be damaged, hand-edited, planted, or written
        by a magtui with another KB): every value must have its type, lie within the limits
        the form and the CLI apply (`magtui.clinical.limits`), and pass the note's checks
        (`check_patient_ref`, `check_clinician_text`); with `kb`, finding and form ids must
        be the KB's. Unknown keys are refused. Raises `ValueError` naming the field.
        """
        return _DraftReader(kb).consultation(data)


@dataclass(frozen=True)
class Results:
    """What the consultation's inputs mean, computed by `magtui.clinical` alone."""

    triage: TriageResult
    egfr: EgfrResult | None
    intake: IntakeResult | None
    dose: DoseResult | None
    serum: SerumResult | None
    problems: dict[str, str]
    """Field → message for inputs that are valid alone but cannot be used together."""

    @property
    def kidney(self) -> KidneyAssessment:
        return self.triage.kidney


def evaluate_consultation(kb: KnowledgeBase, consultation: Consultation) -> Results:
    """Inputs → results. Never raises for patient data: problems are returned per field."""
    patient = consultation.patient
    problems: dict[str, str] = {}
    egfr_result = _computed_egfr(kb, patient, problems)
    serum = _interpreted_serum(kb, consultation.serum, problems)
    months = _age_in_months(patient, problems)
    triage = _evaluated_triage(kb, consultation, egfr_result, serum, months)
    intake = _intake_reference(kb, patient, months, problems)
    dose = _calculated_dose(kb, consultation.dose, intake, triage.kidney, problems)
    return Results(triage=triage, egfr=egfr_result, intake=intake, dose=dose, serum=serum,
                   problems=problems)


# Each step below records an input it cannot use in `problems` (field → message) and
# returns None for it, so the steps after it compute what they still can.


def _computed_egfr(
    kb: KnowledgeBase, patient: PatientInputs, problems: dict[str, str]
) -> EgfrResult | None:
    """The eGFR computed from creatinine; None when no creatinine is given or it cannot be."""
    if patient.creatinine is None:
        return None
    try:
        # Under 18 the adult equation is not used, whatever the sex: say so first.
        if patient.age_years is not None:
            AGE_YEARS.check(patient.age_years, "age")
            check_egfr_age(patient.age_years)
        elif patient.age_months is not None:
            check_egfr_age(patient.age_months / 12, f"{patient.age_months} months")
    except InputError as exc:
        field = exc.field if patient.age_years is not None else "creatinine"
        problems[field] = exc.message
        return None
    if patient.age_years is None or patient.sex is None:
        problems["creatinine"] = "age (years) and sex are needed to compute eGFR"
        return None
    try:
        return estimate_egfr(
            kb, age_years=patient.age_years, sex=patient.sex,
            creatinine=patient.creatinine, unit=patient.creatinine_unit,
        )
    except InputError as exc:
        problems[exc.field] = exc.message
        return None


def _interpreted_serum(
    kb: KnowledgeBase, serum: SerumInputs, problems: dict[str, str]
) -> SerumResult | None:
    if serum.value is None:
        return None
    try:
        return interpret_serum(kb, serum.value, serum.unit)
    except InputError as exc:
        problems["serum"] = exc.message
        return None


def _age_in_months(patient: PatientInputs, problems: dict[str, str]) -> int | None:
    if patient.age_months is not None or patient.age_years is None:
        return patient.age_months
    try:
        return age_to_months(patient.age_years)
    except InputError as exc:
        problems[exc.field] = exc.message
        return None


def _intake_reference(
    kb: KnowledgeBase, patient: PatientInputs, months: int | None, problems: dict[str, str]
) -> IntakeResult | None:
    if months is None:
        return None
    try:
        return lookup_intake(kb, age_months=months, sex=patient.sex, condition=patient.condition)
    except InputError as exc:
        problems[exc.field] = exc.message
        return None


def _evaluated_triage(
    kb: KnowledgeBase, consultation: Consultation, egfr_result: EgfrResult | None,
    serum: SerumResult | None, months: int | None,
) -> TriageResult:
    patient = consultation.patient
    # A creatinine given replaces the eGFR entered, even when no eGFR could be computed.
    egfr = patient.egfr if patient.creatinine is None else (
        egfr_result.egfr if egfr_result is not None else None)
    states = {**dict.fromkeys(kb.findings, "not_asked"), **consultation.states}
    triage = evaluate(
        kb, states, egfr=egfr if not patient.dialysis else None,  # type: ignore[arg-type]
        dialysis=patient.dialysis, serum=serum, age_months=months,
    )
    if months is not None and months < EGFR_MIN_AGE_YEARS * 12:
        # Under 18: the kidney caution does not ask for a creatinine the app will not use.
        triage = triage.replace(kidney=for_under_18(triage.kidney))
    if egfr_result is not None and triage.kidney.basis == "egfr":
        # The eGFR was computed from creatinine, not entered: say so wherever it is shown.
        triage = triage.replace(kidney=triage.kidney.replace(egfr_computed=True))
    return triage


def _calculated_dose(
    kb: KnowledgeBase, inputs: DoseInputs, intake: IntakeResult | None, kidney: KidneyAssessment,
    problems: dict[str, str],
) -> DoseResult | None:
    if inputs.form_id is None or inputs.amount_mg is None or inputs.times_per_day is None:
        return None
    if intake is None:
        problems.setdefault("dose", "age and sex (F3) are needed to compare with RDA and UL")
        return None
    try:
        return calculate_dose(
            kb, form_id=inputs.form_id, intake=intake, kidney=kidney,
            compound_mg=inputs.amount_mg if inputs.entered_as == "compound" else None,
            elemental_mg=inputs.amount_mg if inputs.entered_as == "elemental" else None,
            times_per_day=inputs.times_per_day,
        )
    except InputError as exc:
        problems[exc.field] = exc.message
        return None


def consultation_note(
    kb: KnowledgeBase, consultation: Consultation, results: Results,
    now: datetime | None = None,
) -> SessionNote:
    """The session note of this consultation as it stands (preview, save and draft)."""
    # Not needed for the first frame.
    from magtui.notes.build import NoteResults, PatientEntries, build_note

    patient = consultation.patient
    return build_note(
        kb,
        NoteResults(triage=results.triage, dose=results.dose, egfr=results.egfr,
                    intake=results.intake, serum=results.serum),
        PatientEntries(age_years=patient.age_years, age_months=patient.age_months,
                       sex=patient.sex, condition=patient.condition),
        clinician_text=consultation.clinician_text,
        patient_ref=consultation.patient_ref or None,
        started_at=consultation.started_at,
        now=now,
        asked_together=consultation.asked_together(),
    )


# ----------------------------------------------------------------------------- draft checks

_TYPED_KEY = re.compile(r"[a-z][a-z0-9-]{0,31}")
_TYPED_MAX_FIELDS = 32
_STARTED_MAX_CHARS = 64
_STATES = ("present", "absent", "not_asked")


def _shown(value: object) -> str:
    """A bad value in a message: short, quoted, control characters escaped."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


class _DraftReader:
    """Checks one draft's data field by field; the first problem is a ValueError."""

    def __init__(self, kb: KnowledgeBase | None) -> None:
        self.kb = kb

    @staticmethod
    def _object(data: object, where: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: must be an object")
        unknown = [key for key in data if key not in allowed]
        if unknown:
            raise ValueError(f"{where}: unknown key {_shown(unknown[0])}")
        return data

    @staticmethod
    def _choice(data: Mapping[str, Any], key: str, where: str, options: tuple[Any, ...],
                default: Any) -> Any:
        value = data.get(key, default)
        # `True == 1`: compare types too, so that no bool passes for a number or vice versa.
        if not any(value == option and type(value) is type(option) for option in options):
            raise ValueError(f"{where}.{key}: must be one of "
                             f"{', '.join(repr(o) for o in options)}, got {_shown(value)}")
        return value

    @staticmethod
    def _number(data: Mapping[str, Any], key: str, where: str, limit: Limit,
                default: float | None = None) -> float | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}.{key}: must be a number or null, got {_shown(value)}")
        try:
            return limit.check(value, key)
        except InputError as exc:
            raise ValueError(f"{where}.{key}: {exc.message}") from None

    @staticmethod
    def _text(data: Mapping[str, Any], key: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise ValueError(f"{key}: must be text, got {_shown(value)}")
        return value

    def patient(self, data: object) -> PatientInputs:
        where = "patient"
        d = self._object(data, where, tuple(f.name for f in fields(PatientInputs)))
        unit = self._choice(d, "creatinine_unit", where, tuple(CREATININE), "mg/dL")
        months = self._number(d, "age_months", where, AGE_MONTHS)
        dialysis = d.get("dialysis", False)
        if not isinstance(dialysis, bool):
            raise ValueError(f"{where}.dialysis: must be true or false, got {_shown(dialysis)}")
        return PatientInputs(
            age_years=self._number(d, "age_years", where, AGE_YEARS),
            age_months=None if months is None else int(months),
            sex=self._choice(d, "sex", where, (None, "female", "male"), None),
            condition=self._choice(d, "condition", where, ("none", "pregnancy", "lactation"),
                                   "none"),
            egfr=self._number(d, "egfr", where, EGFR),
            creatinine=self._number(d, "creatinine", where, CREATININE[unit]),
            creatinine_unit=unit,
            dialysis=dialysis,
        )

    def states(self, data: object) -> dict[str, FindingState]:
        if not isinstance(data, Mapping):
            raise ValueError("states: must be an object")
        known = self.kb.findings if self.kb is not None else None
        states: dict[str, FindingState] = {}
        for finding, state in data.items():
            if known is not None and finding not in known:
                raise ValueError(f"states: unknown finding {_shown(finding)} "
                                 "(not in this knowledge base)")
            if state not in _STATES or not isinstance(state, str):
                raise ValueError(f"states[{_shown(finding)}]: must be one of "
                                 f"{', '.join(_STATES)}, got {_shown(state)}")
            states[finding] = state  # type: ignore[assignment]
        return states

    def denied_together(self, data: object, states: Mapping[str, FindingState]) -> tuple[str, ...]:
        """Red flags denied together: each a red flag (with `kb`) now marked absent, once."""
        if not isinstance(data, list):
            raise ValueError("denied_together: must be a list of finding ids")
        known = self.kb.findings if self.kb is not None else None
        seen: list[str] = []
        for finding in data:
            where = f"denied_together[{_shown(finding)}]"
            if not isinstance(finding, str):
                raise ValueError(f"denied_together: must hold finding ids, got {_shown(finding)}")
            if finding in seen:
                raise ValueError(f"{where}: listed twice")
            if known is not None and finding not in known:
                raise ValueError(f"{where}: unknown finding (not in this knowledge base)")
            if known is not None and not known[finding].red_flag:
                raise ValueError(f"{where}: not a red flag")
            if states.get(finding) != "absent":
                raise ValueError(f"{where}: not marked absent in states")
            seen.append(finding)
        return tuple(seen)

    def dose(self, data: object) -> DoseInputs:
        where = "dose"
        d = self._object(data, where, tuple(f.name for f in fields(DoseInputs)))
        form_id = d.get("form_id")
        if form_id is not None:
            if not isinstance(form_id, str):
                raise ValueError(f"{where}.form_id: must be text or null, got {_shown(form_id)}")
            if self.kb is not None and form_id not in self.kb.forms:
                raise ValueError(f"{where}.form_id: unknown supplement form {_shown(form_id)} "
                                 "(not in this knowledge base)")
        entered_as = self._choice(d, "entered_as", where, ("compound", "elemental"),
                                  "compound")
        amount_limit = COMPOUND_MG if entered_as == "compound" else ELEMENTAL_MG
        times = self._number(d, "times_per_day", where, TIMES_PER_DAY, 1)
        return DoseInputs(
            form_id=form_id,
            entered_as=entered_as,
            amount_mg=self._number(d, "amount_mg", where, amount_limit),
            times_per_day=None if times is None else int(times),
        )

    def serum(self, data: object) -> SerumInputs:
        where = "serum"
        d = self._object(data, where, tuple(f.name for f in fields(SerumInputs)))
        unit = self._choice(d, "unit", where, tuple(SERUM_MG), "mmol/L")
        return SerumInputs(value=self._number(d, "value", where, SERUM_MG[unit]), unit=unit)

    def typed(self, data: object) -> dict[str, str]:
        if not isinstance(data, Mapping):
            raise ValueError("typed: must be an object")
        if len(data) > _TYPED_MAX_FIELDS:
            raise ValueError(f"typed: more than {_TYPED_MAX_FIELDS} fields")
        for key, text in data.items():
            if not isinstance(key, str) or not _TYPED_KEY.fullmatch(key):
                raise ValueError(f"typed: {_shown(key)} is not a field id")
            if not isinstance(text, str):
                raise ValueError(f"typed.{key}: must be text, got {_shown(text)}")
            if len(text) > TYPED_TEXT_MAX_CHARS:
                raise ValueError(f"typed.{key}: longer than {TYPED_TEXT_MAX_CHARS} characters")
            _check_encodable(text, f"typed.{key}")
            _check_visible(text, f"typed.{key}")
        return dict(data)

    def started_at(self, value: object) -> datetime:
        if not isinstance(value, str) or len(value) > _STARTED_MAX_CHARS:
            raise ValueError(f"started_at: must be an ISO date and time, got {_shown(value)}")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"started_at: not an ISO date and time: {_shown(value)}") from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("started_at: must include its time zone")
        return moment.astimezone(UTC)

    def consultation(self, data: Mapping[str, Any]) -> Consultation:
        from magtui.notes.session import (
            PATIENT_REF_MAX_CHARS,
            check_clinician_text,
            check_patient_ref,
        )

        d = self._object(data, "draft", (*(f.name for f in fields(Consultation)),
                                          "draft_version"))
        version = d.get("draft_version")
        if version != DRAFT_VERSION or type(version) is not int:
            raise ValueError(f"unknown draft version {_shown(version)}")
        missing = [key for key in ("patient", "states", "dose", "serum", "patient_ref",
                                   "clinician_text", "started_at") if key not in d]
        if missing:
            raise ValueError(f"draft: missing {', '.join(missing)}")
        patient_ref = self._text(d, "patient_ref")
        if len(patient_ref) > PATIENT_REF_MAX_CHARS:
            raise ValueError(f"patient_ref: longer than {PATIENT_REF_MAX_CHARS} characters")
        clinician_text = self._text(d, "clinician_text")
        for key, check, value in (("patient_ref", check_patient_ref, patient_ref),
                                  ("clinician_text", check_clinician_text, clinician_text)):
            try:
                check(value)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        # Fields refuse control characters as typed or pasted, so a draft holding one was not
        # written by magtui: it would reach the terminal raw from the free-text box.
        _check_visible(clinician_text, "clinician_text", multiline=True)
        states = self.states(d["states"])
        return Consultation(
            patient=self.patient(d["patient"]),
            states=states,
            dose=self.dose(d["dose"]),
            serum=self.serum(d["serum"]),
            patient_ref=patient_ref,
            clinician_text=clinician_text,
            started_at=self.started_at(d["started_at"]),
            typed=self.typed(d.get("typed", {})),
            # Absent from drafts written before issue 13: nothing was denied together.
            denied_together=self.denied_together(d.get("denied_together", []), states),
        )


def _check_visible(text: str, where: str, *, multiline: bool = False) -> None:
    bad = invisible_char(text, multiline=multiline)
    if bad is not None:
        raise ValueError(f"{where}: holds {bad}, a control or invisible character")


def _check_encodable(text: str, where: str) -> None:
    # Unpaired surrogates (JSON may hold "\ud800") cannot be shown or saved as UTF-8.
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise ValueError(f"{where}: contains unpaired surrogate code points")
