"""One consultation's inputs, and every clinical result derived from them.

The TUI edits a `Consultation`; `evaluate()` turns it into `Results` through
`magtui.clinical` only. Screens render `Results`; the note records them. Nothing here imports
Textual, so the same object is tested with plain pytest and saved as a draft.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from magtui import clock
from magtui.clinical.dosing import DoseResult, calculate_dose
from magtui.clinical.entry import parse_required, unit_alternatives
from magtui.clinical.intake import IntakeResult, age_to_months, lookup_intake
from magtui.clinical.limits import (
    AGE_MONTHS,
    AGE_YEARS,
    COMPOUND_MG,
    CREATININE,
    EGFR,
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
    for_unused_entry,
)
from magtui.clinical.serum import SerumResult, interpret_serum
from magtui.clinical.triage import FindingState, TriageResult, evaluate
from magtui.knowledge.base import KnowledgeBase
from magtui.text import invisible_char, one_line, shorten
from magtui.values import Value

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
    unused = _unused_kidney_entry(consultation, egfr_result, problems)
    if unused:
        # Typed, but not used: the caution says so, never "nothing has been entered".
        triage = triage.replace(kidney=for_unused_entry(triage.kidney, unused))
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
    # The age answers the findings it decides, and gives a child the child's kidney caution;
    # a computed eGFR is said to be computed wherever it is shown (`evaluate`).
    return evaluate(
        kb, states, egfr=egfr if not patient.dialysis else None,  # type: ignore[arg-type]
        dialysis=patient.dialysis, serum=serum, age_months=months,
        egfr_computed=egfr_result is not None,
    )


def _unused_kidney_entry(consultation: Consultation, egfr_result: EgfrResult | None,
                         problems: Mapping[str, str]) -> str:
    """What was typed for kidney function but is not used (empty when nothing is)."""
    typed = [entry.sentence for entry in not_accepted(consultation)
             if entry.field in ("egfr", "creatinine")]
    if typed:
        return "; ".join(typed)
    patient = consultation.patient
    if patient.creatinine is not None and egfr_result is None:
        why = problems.get("creatinine") or problems.get("age") or "see F3"
        unit = CREATININE[patient.creatinine_unit].unit
        return f"creatinine {patient.creatinine:g} {unit} was entered, but no eGFR was " \
            f"computed from it ({why})"
    return ""


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


# ----------------------------------------------------------------------------- entered once

FACT_FIELD_WORDS = {"age": "the age", "egfr": "the eGFR", "creatinine": "the creatinine",
                    "dialysis": "the dialysis tick"}
"""The F3 field behind each patient fact (`magtui.clinical.facts.PatientField`)."""


def answered_on_f3(kb: KnowledgeBase, triage: TriageResult) -> dict[str, tuple[str, str]]:
    """Each finding the patient details answer → (where it comes from, briefly, for its
    checklist row; what marking it on the checklist says instead of changing it), e.g.
    ("from F3 (age 68 y)", "Older adult (about 65+): set on F3 (age 68 years) — change the
    age there.")."""
    return {
        finding_id: (f"from F3 ({fact.brief})",
                     f"{kb.findings[finding_id].label}: set on F3 ({fact.because}) — change "
                     f"{FACT_FIELD_WORDS[fact.field]} there.")
        for finding_id, fact in triage.from_patient.items()
    }


# ----------------------------------------------------------------------------- typed, not used

TYPED_FIELD_NAMES: dict[str, str] = {
    "age-years": "Age", "age-months": "Age in months", "egfr": "eGFR",
    "creatinine": "Creatinine", "serum": "Serum magnesium", "patient-ref": "Patient reference",
    "amount": "Amount per dose", "times-per-day": "Doses a day",
}
"""Each form field whose refused text the consultation keeps (`Consultation.typed`), as the
note names it, in the order the note lists them."""
_NOT_BOTH = {
    "age-years": ("age-months", "give age in years or in months, not both"),
    "age-months": ("age-years", "give age in years or in months, not both"),
    "egfr": ("creatinine", "give eGFR or creatinine, not both"),
    "creatinine": ("egfr", "give eGFR or creatinine, not both"),
}
"""Fields that give one fact two ways: both typed, neither is used (the form refuses both)."""


class NotAccepted(Value):
    """One field's text that was typed and refused, so nothing was computed from it."""

    field: str
    name: str
    text: str
    """As typed, made safe to show (`_safe_text`); empty for a field left empty or not
    quoted (`quoted`)."""
    unit: str | None
    reason: str
    area: Literal["patient", "dose"]
    quoted: bool = True
    """False for the patient reference: a refused reference may hold a name, and the note
    is de-identified, so only the reason is recorded."""

    @property
    def sentence(self) -> str:
        """E.g. `Creatinine: typed "95" (mg/dL), not accepted: 95 mg/dL is outside …`."""
        unit = f" ({self.unit})" if self.unit else ""
        if not self.quoted:
            typed = "typed text (not recorded)"
        else:
            typed = f'typed "{self.text}"{unit}' if self.text else f"left empty{unit}"
        return f"{self.name}: {typed}, not accepted: {self.reason}"


def not_accepted(consultation: Consultation) -> tuple[NotAccepted, ...]:
    """Every field typed but refused, with why, in the words the form used (the rules of
    `magtui.clinical.entry`); the note records these instead of "not entered"."""
    typed = {k: v for k, v in consultation.typed.items() if v.strip()}
    out: list[NotAccepted] = []
    for field_id, name in TYPED_FIELD_NAMES.items():
        text = typed.get(field_id)
        if field_id == "times-per-day" and text is None and consultation.dose.times_per_day \
                is None:
            # It has a default, so an emptied field is refused, not "not entered yet".
            text = ""
        if text is None:
            continue
        entry = _refused(consultation, field_id, name, text, typed)
        if entry is not None:
            out.append(entry)
    return tuple(out)


def _refused(consultation: Consultation, field_id: str, name: str, text: str,
             typed: Mapping[str, str]) -> NotAccepted | None:
    area: Literal["patient", "dose"] = (
        "dose" if field_id in ("amount", "times-per-day") else "patient")
    if field_id == "patient-ref":
        from magtui.notes.session import check_patient_ref  # the note's own rule

        try:
            check_patient_ref(text)
        except ValueError as exc:
            return NotAccepted(field=field_id, name=name, text="", unit=None,
                               reason=one_line(str(exc)), area=area, quoted=False)
        return None
    limit, alternatives, unit_id = _typed_limit(consultation, field_id)
    value, reason = parse_required(limit, text, limit.field)
    if value is not None:
        other, conflict = _NOT_BOTH.get(field_id, ("", ""))
        if other not in typed:
            return None  # accepted as it stands: kept text from before, not a refusal
        reason = conflict
    elif alternatives and unit_id is not None:
        units = unit_alternatives(alternatives, unit_id, text)
        if units:
            reason += "; plausible as " + " or ".join(alternatives[u].unit for u in units)
    shown = _safe_text(text)
    unit = (f"mg {consultation.dose.entered_as}" if field_id == "amount" else limit.unit)
    return NotAccepted(field=field_id, name=name, text=shown, unit=unit or None,
                       reason=shorten(one_line(reason), 300), area=area)


def _safe_text(text: str) -> str:
    """Typed text as a note may quote it: controls as visible symbols (`one_line`), any
    other invisible character as U+FFFD, and no longer than a note keeps."""
    from magtui.notes.session import NOT_ACCEPTED_TEXT_MAX_CHARS

    visible = "".join("\ufffd" if unicodedata.category(ch)[0] == "C" else ch
                      for ch in one_line(text).strip())
    return shorten(visible, NOT_ACCEPTED_TEXT_MAX_CHARS)


def _typed_limit(consultation: Consultation,
                 field_id: str) -> tuple[Limit, Mapping[str, Limit] | None, str | None]:
    """The limit a field's text was checked against (its unit as chosen on the form), the
    limits of the field's other units, and the chosen unit's id."""
    patient, dose = consultation.patient, consultation.dose
    if field_id == "creatinine":
        return CREATININE[patient.creatinine_unit], CREATININE, patient.creatinine_unit
    if field_id == "serum":
        unit = consultation.serum.unit
        return SERUM_MG[unit], SERUM_MG, unit
    if field_id == "amount":
        limit = COMPOUND_MG if dose.entered_as == "compound" else ELEMENTAL_MG
        return limit, None, None
    limits = {"age-years": AGE_YEARS, "age-months": AGE_MONTHS, "egfr": EGFR,
              "times-per-day": TIMES_PER_DAY}
    return limits[field_id], None, None


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
        not_accepted=not_accepted(consultation),
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
