"""One consultation's inputs, and every clinical result derived from them.

The TUI edits a `Consultation`; `evaluate()` turns it into `Results` through
`magtui.clinical` only. Screens render `Results`; the note records them. Nothing here imports
Textual, so the same object is tested with plain pytest and saved as a draft.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from magtui.clinical.dosing import DoseResult, calculate_dose
from magtui.clinical.intake import IntakeResult, age_to_months, lookup_intake
from magtui.clinical.limits import InputError
from magtui.clinical.renal import EgfrResult, KidneyAssessment, estimate_egfr
from magtui.clinical.serum import SerumResult, interpret_serum
from magtui.clinical.triage import FindingState, TriageResult, evaluate
from magtui.knowledge.base import KnowledgeBase

if TYPE_CHECKING:
    from magtui.notes.session import SessionNote

DRAFT_VERSION = 1


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
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    typed: dict[str, str] = field(default_factory=dict)
    """Raw text of the number fields (field id → text), kept so that a restored draft shows
    every character typed, even a value that was invalid and so never used."""

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
    def from_draft(cls, data: dict[str, Any]) -> Consultation:
        """Rebuild from `to_draft()` output; raises ValueError/TypeError/KeyError when corrupt."""
        if data.get("draft_version") != DRAFT_VERSION:
            raise ValueError(f"unknown draft version {data.get('draft_version')!r}")
        return cls(
            patient=PatientInputs(**data["patient"]),
            states=dict(data["states"]),
            dose=DoseInputs(**data["dose"]),
            serum=SerumInputs(**data["serum"]),
            patient_ref=str(data["patient_ref"]),
            clinician_text=str(data["clinician_text"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            typed={str(k): str(v) for k, v in data.get("typed", {}).items()},
        )


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

    egfr_result: EgfrResult | None = None
    egfr_value = patient.egfr
    if patient.creatinine is not None:
        egfr_value = None
        if patient.age_years is None or patient.sex is None:
            problems["creatinine"] = "age (years) and sex are needed to compute eGFR"
        else:
            try:
                egfr_result = estimate_egfr(
                    kb, age_years=patient.age_years, sex=patient.sex,
                    creatinine=patient.creatinine, unit=patient.creatinine_unit,
                )
                egfr_value = egfr_result.egfr
            except InputError as exc:
                problems[exc.field] = exc.message

    serum: SerumResult | None = None
    if consultation.serum.value is not None:
        try:
            serum = interpret_serum(kb, consultation.serum.value, consultation.serum.unit)
        except InputError as exc:
            problems["serum"] = exc.message

    months: int | None = patient.age_months
    if months is None and patient.age_years is not None:
        try:
            months = age_to_months(patient.age_years)
        except InputError as exc:
            problems[exc.field] = exc.message

    states = {**dict.fromkeys(kb.findings, "not_asked"), **consultation.states}
    triage = evaluate(
        kb, states, egfr=egfr_value if not patient.dialysis else None,  # type: ignore[arg-type]
        dialysis=patient.dialysis, serum=serum, age_months=months,
    )
    if egfr_result is not None and triage.kidney.basis == "egfr":
        # The eGFR was computed from creatinine, not entered: say so wherever it is shown.
        triage = triage.replace(kidney=triage.kidney.replace(egfr_computed=True))

    intake: IntakeResult | None = None
    if patient.sex is not None and months is not None:
        try:
            intake = lookup_intake(kb, age_months=months, sex=patient.sex,
                                   condition=patient.condition)
        except InputError as exc:
            problems[exc.field] = exc.message

    dose: DoseResult | None = None
    d = consultation.dose
    if d.form_id is not None and d.amount_mg is not None and d.times_per_day is not None:
        if intake is None:
            problems.setdefault("dose", "age and sex (F3) are needed to compare with RDA and UL")
        else:
            try:
                dose = calculate_dose(
                    kb, form_id=d.form_id, intake=intake, kidney=triage.kidney,
                    compound_mg=d.amount_mg if d.entered_as == "compound" else None,
                    elemental_mg=d.amount_mg if d.entered_as == "elemental" else None,
                    times_per_day=d.times_per_day,
                )
            except InputError as exc:
                problems[exc.field] = exc.message

    return Results(triage=triage, egfr=egfr_result, intake=intake, dose=dose, serum=serum,
                   problems=problems)


def consultation_note(
    kb: KnowledgeBase, consultation: Consultation, results: Results,
    now: datetime | None = None,
) -> SessionNote:
    """The session note of this consultation as it stands (preview, save and draft)."""
    from magtui.notes.build import build_note  # not needed for the first frame

    patient = consultation.patient
    return build_note(
        kb,
        triage=results.triage,
        dose=results.dose,
        egfr=results.egfr,
        intake=results.intake,
        serum=results.serum,
        age_years=patient.age_years,
        age_months=patient.age_months,
        sex=patient.sex,
        condition=patient.condition,
        clinician_text=consultation.clinician_text,
        patient_ref=consultation.patient_ref or None,
        started_at=consultation.started_at,
        now=now,
    )
