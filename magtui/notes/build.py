"""`build_note`: copy a consultation's clinical results into a `SessionNote`.

Every value and every sentence comes from the clinical value objects or the KB; nothing
here decides anything clinical. Where two results carry the same fact (the triage and the
dose both hold a kidney assessment), the triage's wins because it also counts a reported
`kidney_disease` finding.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from magtui import __version__, clock
from magtui.clinical.dosing import DoseResult
from magtui.clinical.intake import IntakeResult
from magtui.clinical.renal import EgfrResult, KidneyAssessment
from magtui.clinical.review import review_warning
from magtui.clinical.serum import SerumResult, mmol_display
from magtui.clinical.triage import TriageResult
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import Condition, Sex
from magtui.notes.session import (
    AdviceRecord,
    ContextReason,
    DoseRecord,
    DoseWarningRecord,
    ExplanationRecord,
    FindingRecord,
    IntakeRecord,
    InteractionRecord,
    KidneyRecord,
    NotAcceptedRecord,
    PatientRecord,
    ReferralRecord,
    SerumRecord,
    SessionNote,
    SourceRecord,
)

if TYPE_CHECKING:
    from magtui.consultation import NotAccepted

T = TypeVar("T")
_SURROGATE = re.compile("[\ud800-\udfff]")
SUPPORT_SENTENCE = "magtui supports a clinician's judgement; it does not diagnose or prescribe."


@dataclass(frozen=True, slots=True)
class NoteResults:
    """The clinical results a note records: whatever the consultation computed so far.

    A result another one carries need not be given twice: the dose's intake, the triage's
    serum and kidney assessment are used when `intake`, `serum` or `kidney` is left out.
    """

    triage: TriageResult | None = None
    dose: DoseResult | None = None
    egfr: EgfrResult | None = None
    intake: IntakeResult | None = None
    serum: SerumResult | None = None
    kidney: KidneyAssessment | None = None


@dataclass(frozen=True, slots=True)
class PatientEntries:
    """What the clinician entered about the patient; a field left None is filled from the
    results that carry it (the eGFR's age and sex, the intake's age, sex and condition)."""

    age_years: float | None = None
    age_months: int | None = None
    sex: Sex | None = None
    condition: Condition | None = None


def build_note(
    kb: KnowledgeBase,
    results: NoteResults = NoteResults(),
    patient: PatientEntries = PatientEntries(),
    *,
    cautions_shown: Sequence[str] = (),
    clinician_text: str = "",
    patient_ref: str | None = None,
    started_at: datetime | None = None,
    now: datetime | None = None,
    asked_together: Collection[str] = (),
    not_accepted: Sequence[NotAccepted] = (),
) -> SessionNote:
    """A draft note (no id yet) of everything the consultation produced so far.

    `now` and `started_at` must be timezone-aware; `now` defaults to the local time.
    `cautions_shown` are extra cautions the UI displayed (the KB review warning and the
    kidney, dose and interaction cautions are recorded from the results themselves).
    `asked_together` are the red flags denied in one step ("asked together, all denied");
    only those the results hold as absent red flags are recorded so. `not_accepted` are the
    fields typed but refused (`magtui.consultation.not_accepted`): recorded as typed.
    """
    now = now if now is not None else clock.now()
    results = _filled_in(results)
    triage = results.triage
    return SessionNote(
        started_at=started_at if started_at is not None else now,
        updated_at=now,
        magtui_version=__version__,
        kb_version=kb.meta.kb_version,
        patient_ref=patient_ref,
        patient=_patient_record(patient, results),
        findings=_findings(kb, triage, asked_together),
        red_flags=triage.red_flags if triage else (),
        unasked_red_flags=triage.unasked_red_flags if triage else (),
        pattern=triage.pattern if triage else None,
        explanation=_explanation(triage) if triage else (),
        referral=_referral(triage) if triage else None,
        interactions=_interactions(triage) if triage else (),
        intake=_intake(results.intake) if results.intake else None,
        dose=_dose(results.dose) if results.dose else None,
        serum=_serum(results.serum) if results.serum else None,
        not_accepted=tuple(
            NotAcceptedRecord(field=e.field, name=e.name, text=e.text, unit=e.unit,
                              reason=e.reason, area=e.area, quoted=e.quoted)
            for e in not_accepted),
        cautions_shown=_cautions(kb, now, cautions_shown),
        clinician_text=_as_text(clinician_text),
        sources=_sources(kb, _source_ids(results)),
        disclaimer=_disclaimer(kb.meta.disclaimer),
    )


def _first(*values: T | None) -> T | None:
    return next((v for v in values if v is not None), None)


def _filled_in(results: NoteResults) -> NoteResults:
    """Each result left out taken from the one that carries it; `kidney` becomes the
    assessment recorded (the triage's first: it also counts a reported kidney disease)."""
    triage, dose, egfr = results.triage, results.dose, results.egfr
    return NoteResults(
        triage=triage,
        dose=dose,
        egfr=egfr,
        intake=_first(results.intake, dose.intake if dose is not None else None),
        serum=_first(results.serum, triage.serum if triage is not None else None),
        kidney=_first(
            triage.kidney if triage is not None else None,
            dose.kidney if dose is not None else None,
            results.kidney,
            egfr.kidney if egfr is not None else None,
        ),
    )


def _patient_record(entries: PatientEntries, results: NoteResults) -> PatientRecord:
    egfr, intake = results.egfr, results.intake
    return PatientRecord(
        age_years=_first(entries.age_years, egfr.age_years if egfr else None),
        age_months=_first(entries.age_months, intake.age_months if intake else None),
        sex=_first(entries.sex, egfr.sex if egfr else None, intake.sex if intake else None),
        condition=entries.condition or (intake.condition if intake else "none"),
        kidney=_kidney_record(results.kidney, egfr),
    )


def _cautions(kb: KnowledgeBase, now: datetime, shown: Sequence[str]) -> tuple[str, ...]:
    """The cautions shown, after the KB's review warning when the review is overdue."""
    overdue = review_warning(kb.meta, now.date())
    return tuple(dict.fromkeys([overdue, *shown] if overdue else shown))


def _source_ids(results: NoteResults) -> list[str]:
    """Every source id the results cite, in the order the note shows them (repeats kept)."""
    source_ids: list[str] = []
    if results.triage is not None:
        source_ids += results.triage.sources
        source_ids += [line.source for line in results.triage.explanation]
    for result in (results.egfr, results.intake, results.dose):
        if result is not None:
            source_ids += result.sources
    if results.serum is not None:
        source_ids += results.serum.sources
    if results.kidney is not None:
        source_ids += results.kidney.sources
    return source_ids


def _explanation(triage: TriageResult) -> tuple[ExplanationRecord, ...]:
    return tuple(
        ExplanationRecord(
            finding=line.finding,
            label=line.label,
            supports=line.supports,
            counted=line.counted,
            note=line.note,
            source=line.source,
        )
        for line in triage.explanation
    )


def _interactions(triage: TriageResult) -> tuple[InteractionRecord, ...]:
    return tuple(
        InteractionRecord(id=i.id, label=i.label, effect=i.effect, advice=i.advice,
                          source=i.source)
        for i in triage.interactions
    )


def _kidney_record(assessment: KidneyAssessment | None, egfr: EgfrResult | None) -> KidneyRecord:
    if assessment is None:
        return KidneyRecord()
    record = KidneyRecord(
        kidney_risk=assessment.risk,
        basis=assessment.basis,
        egfr=assessment.egfr,
        dialysis=assessment.basis == "dialysis",
        kidney_headline=assessment.headline,
        kidney_caution=assessment.caution,
    )
    if egfr is None:
        return record
    # The eGFR was computed from creatinine: record the equation and what went into it.
    return record.replace(
        egfr=egfr.egfr,
        egfr_unit=egfr.unit,
        egfr_equation=egfr.equation,
        egfr_category=egfr.category,
        egfr_category_term=egfr.category_term,
        creatinine=egfr.creatinine,
        creatinine_unit=egfr.creatinine_unit,
    )


def _findings(kb: KnowledgeBase, triage: TriageResult | None,
              asked_together: Collection[str] = ()) -> dict[str, FindingRecord]:
    if triage is None:
        return {}
    out: dict[str, FindingRecord] = {}
    for finding_id, state in triage.states.items():
        finding = kb.findings.get(finding_id)
        red_flag = finding.red_flag if finding else None
        out[finding_id] = FindingRecord(
            state=state,
            label=finding.label if finding else finding_id,
            red_flag=red_flag,
            # A red flag still absent: one marked since on its own is no longer in the group.
            asked_together=(finding_id in asked_together and state == "absent"
                            and red_flag is not None),
            set_from=fact.because if (fact := triage.from_patient.get(finding_id)) else None,
        )
    return out


def _referral(triage: TriageResult) -> ReferralRecord:
    referral = triage.referral
    return ReferralRecord(
        urgency=referral.urgency,
        headline=referral.headline,
        meaning=referral.meaning,
        provisional=referral.provisional,
        summary=triage.headline,
        unasked_note=triage.unasked_note,
        reasons=referral.reasons,
        context=tuple(
            ContextReason(urgency=rule.urgency, reason=rule.reason, source=rule.source)
            for rule in referral.context
        ),
        advice=tuple(
            AdviceRecord(id=a.id, text=a.text, source=a.source, direction=a.direction)
            for a in triage.advice
        ),
        sources=referral.sources,
    )


def _intake(intake: IntakeResult) -> IntakeRecord:
    return IntakeRecord(
        life_stage=intake.life_stage,
        rda_mg=intake.rda_mg,
        ai_mg=intake.ai_mg,
        ul_supplemental_mg=intake.ul_supplemental_mg,
    )


def _dose(dose: DoseResult) -> DoseRecord:
    return DoseRecord(
        form_id=dose.form.id,
        form_name=dose.form.name,
        elemental_fraction=dose.form.elemental_fraction,
        entered_as=dose.entered_as,
        entered_mg=dose.entered_mg,
        times_per_day=dose.times_per_day,
        elemental_mg_per_dose=dose.elemental_mg_per_dose,
        elemental_mg_per_day=dose.elemental_mg_per_day,
        life_stage=dose.intake.life_stage,
        rda_mg=dose.intake.rda_mg,
        ai_mg=dose.intake.ai_mg,
        percent_of_reference=dose.percent_of_reference,
        ul_supplemental_mg=dose.ul_supplemental_mg,
        percent_of_ul=dose.percent_of_ul,
        exceeds_ul=dose.exceeds_ul,
        kidney_risk=dose.kidney.risk,
        warnings=tuple(
            DoseWarningRecord(code=w.code, text=w.text, source=w.source, level=w.level)
            for w in dose.warnings
        ),
    )


def _serum(serum: SerumResult) -> SerumRecord:
    return SerumRecord(
        value=serum.value,
        unit=serum.unit,
        # As shown beside the band: never rounded onto another band's edge.
        mmol_per_l=float(mmol_display(serum)),
        band=serum.band.id,
        label=serum.band.label,
        severity=serum.band.severity,
        action=serum.band.action,
    )


def _sources(kb: KnowledgeBase, ids: Iterable[str]) -> tuple[SourceRecord, ...]:
    records = []
    for source_id in dict.fromkeys(ids):
        source = kb.sources.get(source_id)
        if source is None:
            # Code-level citations (e.g. the eGFR equation) may name an id the KB lacks:
            # keep the id visible rather than drop the citation or fail the note.
            records.append(SourceRecord(id=source_id, title=f"{source_id} (not in the KB)"))
        else:
            records.append(SourceRecord(
                id=source.id, title=source.title, publisher=source.publisher, url=source.url
            ))
    return tuple(records)


def _disclaimer(kb_disclaimer: str) -> str:
    if SUPPORT_SENTENCE in kb_disclaimer:
        return kb_disclaimer
    return f"{kb_disclaimer} {SUPPORT_SENTENCE}"


def _as_text(text: str) -> str:
    # A terminal can hand over unpaired surrogates (undecodable bytes); they are not text and
    # cannot be stored as UTF-8, so they become U+FFFD here rather than fail the whole note.
    return _SURROGATE.sub("\ufffd", text)
