"""Command-line renderings of clinical results: the JSON contract (design.md §3) and plain text.

Each function reads a clinical value object; none recomputes or rewords a decision.
Text made here may quote the KB: `magtui.cli` neutralises all of it on the way to the terminal
(`magtui.cli.say`) and escapes it in JSON (`magtui.cli.json_safe`).
"""

from __future__ import annotations

from typing import Any

from magtui.clinical.dosing import DoseResult, fraction_basis_text, label_rule
from magtui.clinical.intake import IntakeResult
from magtui.clinical.referral import URGENCY_SYMBOL
from magtui.clinical.renal import (
    EGFR_UNIT,
    EgfrResult,
    KidneyAssessment,
    egfr_basis_text,
    kidney_risk_label,
)
from magtui.clinical.serum import SerumResult, conversions_text, mmol_display, serum_display
from magtui.clinical.triage import PATTERN_MEANING, TriageResult
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import SupplementForm
from magtui.text import one_line

JSONDict = dict[str, Any]

CLI_LABEL_HINT = (
    "On the command line give a label's printed elemental figure with --elemental-mg; "
    "the computed fraction is then not used."
)


def _kidney(kidney: KidneyAssessment) -> JSONDict:
    return {
        "kidney_risk": kidney.risk,
        "kidney_basis": kidney.basis,
        "kidney_headline": kidney.headline,
        "kidney_caution": kidney.caution,
    }


def egfr_json(result: EgfrResult) -> JSONDict:
    return {
        "egfr": result.egfr,
        "unit": result.unit,
        "category": result.category,
        "category_term": result.category_term,
        **_kidney(result.kidney),
        "equation": result.equation,
        "inputs": {
            "age_years": result.age_years,
            "sex": result.sex,
            "creatinine": result.creatinine,
            "creatinine_unit": result.creatinine_unit,
            "creatinine_mg_dl": round(result.creatinine_mg_dl, 3),
        },
        "sources": list(result.sources),
    }


def serum_json(result: SerumResult) -> JSONDict:
    return {
        "mmol_per_l": result.mmol_per_l,
        "mmol_per_l_shown": mmol_display(result),
        "mg_per_dl": result.mg_per_dl,
        "mg_per_dl_shown": serum_display(result, "mg/dL"),
        "meq_per_l": result.meq_per_l,
        "meq_per_l_shown": serum_display(result, "mEq/L"),
        "band": result.band.id,
        "label": result.band.label,
        "severity": result.band.severity,
        "action": result.band.action,
        "suggests": result.suggests,
        "inputs": {"value": result.value, "unit": result.unit},
        "sources": list(result.sources),
    }


def intake_json(result: IntakeResult) -> JSONDict:
    return {
        "rda_mg": result.rda_mg,
        "ai_mg": result.ai_mg,
        "ul_supplemental_mg": result.ul_supplemental_mg,
        "life_stage": result.life_stage,
        "age_months": result.age_months,
        "sex": result.sex,
        "condition": result.condition,
        "note": result.row.note,
        "sources": list(result.sources),
    }


def label_note(kb: KnowledgeBase) -> str:
    """The label rule as the command line says it (`forms` and `dose`, text and JSON)."""
    return f"{label_rule(kb)[0]} {CLI_LABEL_HINT}"


def _egfr_basis(kidney: KidneyAssessment) -> str | None:
    if kidney.basis != "egfr":
        return None
    return "computed" if kidney.egfr_computed else "entered"


def form_json(form: SupplementForm) -> JSONDict:
    return {
        "id": form.id,
        "label": form.name,
        "elemental_fraction": form.elemental_fraction,
        "confidence": form.confidence,
        "source": form.source,
        "formula": form.formula,
        "fraction_basis": fraction_basis_text(form),
        "variability_note": form.variability_note,
    }


def forms_json(kb: KnowledgeBase) -> JSONDict:
    return {
        "forms": [form_json(form) for form in kb.forms.values()],
        "label_note": label_note(kb),
        "label_note_source": label_rule(kb)[1],
    }


def dose_json(kb: KnowledgeBase, result: DoseResult) -> JSONDict:
    return {
        "form": result.form.id,
        "form_name": result.form.name,
        "elemental_fraction": result.form.elemental_fraction,
        "formula": result.form.formula,
        "fraction_basis": fraction_basis_text(result.form),
        "variability_note": result.form.variability_note,
        "label_note": label_note(kb),
        "entered_as": result.entered_as,
        "entered_mg": result.entered_mg,
        "times_per_day": result.times_per_day,
        "elemental_mg_per_dose": result.elemental_mg_per_dose,
        "elemental_mg_per_day": result.elemental_mg_per_day,
        "mmol_per_day": result.mmol_per_day,
        "life_stage": result.intake.life_stage,
        "rda_mg": result.intake.rda_mg,
        "ai_mg": result.intake.ai_mg,
        "percent_of_rda_or_ai": result.percent_of_reference,
        "ul_supplemental_mg": result.ul_supplemental_mg,
        "percent_of_ul": result.percent_of_ul,
        "exceeds_ul": result.exceeds_ul,
        **_kidney(result.kidney),
        "egfr": result.kidney.egfr,
        "egfr_basis": _egfr_basis(result.kidney),
        "warnings": [
            {"code": w.code, "text": w.text, "source": w.source, "level": w.level,
             "see_also": list(w.see_also)}
            for w in result.warnings
        ],
        "sources": list(result.sources),
    }


def triage_json(result: TriageResult) -> JSONDict:
    referral = result.referral
    return {
        "pattern": result.pattern,
        "referral": {
            "urgency": referral.urgency,
            "provisional": referral.provisional,
            "headline": referral.headline,
            "meaning": referral.meaning,
            "summary": result.headline,
            "unasked_note": result.unasked_note,
            "reasons": list(referral.reasons),
            "context": [rule.reason for rule in referral.context],
            "rules": [rule.id for rule in referral.fired],
            "sources": list(referral.sources),
        },
        "red_flags": list(result.red_flags),
        "unasked_red_flags": list(result.unasked_red_flags),
        **_kidney(result.kidney),
        "egfr": result.kidney.egfr,
        "serum": serum_json(result.serum) if result.serum else None,
        "present": list(result.present),
        "absent": list(result.absent),
        "advice": [
            {"id": a.id, "text": a.text, "source": a.source, "direction": a.direction}
            for a in result.advice
        ],
        "interactions": [
            {"id": i.id, "label": i.label, "advice": i.advice, "source": i.source}
            for i in result.interactions
        ],
        "explanation": [
            {"finding": e.finding, "label": e.label, "supports": e.supports,
             "counted": e.counted, "note": e.note, "source": e.source}
            for e in result.explanation
        ],
        "sources": list(result.sources),
    }


# ----------------------------------------------------------------------------- plain text


def _join(lines: list[str]) -> str:
    """The lines of a text output, each kept to one line: KB text holding a line break (or
    any control) can never forge a line such as an urgency or a dose of its own."""
    return "\n".join(one_line(line) for line in lines)


def _sources_text(kb: KnowledgeBase, ids: tuple[str, ...] | list[str]) -> list[str]:
    lines = ["Sources:"]
    for source_id in ids:
        source = kb.sources.get(source_id)
        lines.append(f"  [{source_id}] {source.title} ({source.publisher})" if source
                     else f"  [{source_id}]")
    return lines


def _kidney_text(kidney: KidneyAssessment) -> str:
    return f"{kidney_risk_label(kidney.risk)} — {kidney.headline}"


def egfr_text(kb: KnowledgeBase, result: EgfrResult) -> str:
    lines = [
        f"eGFR {result.egfr:.1f} {EGFR_UNIT} ({result.equation}), KDIGO {result.category} "
        f"({result.category_term})",
        f"  from creatinine {result.creatinine:g} {result.creatinine_unit} "
        f"(= {result.creatinine_mg_dl:.2f} mg/dL), age {result.age_years:g} years, {result.sex}",
        _kidney_text(result.kidney),
        *_sources_text(kb, result.sources),
    ]
    return _join(lines)


def serum_text(kb: KnowledgeBase, result: SerumResult) -> str:
    lines = [
        f"Serum magnesium {result.value:g} {result.unit} = {conversions_text(result)}",
        f"Band: {result.band.label} [{result.band.id}] — {result.band.action}",
        "Bands are adult, non-obstetric, set in mmol/L and applied to the unrounded value "
        "(mg/dL edges are approximate); lab reference ranges vary.",
        *_sources_text(kb, result.sources),
    ]
    return _join(lines)


def intake_text(kb: KnowledgeBase, result: IntakeResult) -> str:
    ref = (f"{result.reference_kind} {result.reference_mg:g} mg/day elemental magnesium "
           "(total intake)")
    ul = (
        f"Supplemental UL {result.ul_supplemental_mg:g} mg/day (supplements and medicines only)"
        if result.ul_supplemental_mg is not None
        else "No supplemental UL is set for this age."
    )
    lines = [f"{result.life_stage}, {result.sex_text}: {ref}", ul]
    if result.row.note:
        lines.append(result.row.note)
    lines += _sources_text(kb, result.sources)
    return _join(lines)


def forms_text(kb: KnowledgeBase) -> str:
    lines: list[str] = []
    for form in kb.forms.values():
        lines.append(f"{form.id:<12} {form.name:<40} {form.elemental_fraction * 100:5.1f} % "
                     f"elemental, computed for {form.formula}")
        if form.variability_note:
            lines.append(f"{'':<12} {form.variability_note}")
    lines.append(f"Label rule: {label_note(kb)}")
    return _join(lines)


def dose_text(kb: KnowledgeBase, result: DoseResult) -> str:
    form = result.form
    entered = (
        f"{result.entered_mg:g} mg {form.name} ({fraction_basis_text(form)})"
        if result.entered_as == "compound"
        else f"{result.entered_mg:g} mg elemental magnesium as {form.name} (label figure; "
             "the computed fraction is not used)"
    )
    lines = [
        f"{entered} × {result.times_per_day}/day",
        f"= {result.elemental_mg_per_dose:g} mg elemental per dose, "
        f"{result.elemental_mg_per_day:g} mg elemental per day ({result.mmol_per_day:g} mmol/day)",
        f"{result.intake.reference_kind} for {result.intake.life_stage}: "
        f"{result.intake.reference_mg:g} mg/day (total intake) — this supplement alone is "
        f"{result.percent_of_reference:g} %",
    ]
    if result.ul_supplemental_mg is not None:
        flag = "ABOVE THE UL" if result.exceeds_ul else "within the UL"
        lines.append(
            f"Supplemental UL: {result.ul_supplemental_mg:g} mg/day — "
            f"{result.percent_of_ul:g} % ({flag})"
        )
    lines.append(_kidney_text(result.kidney))
    basis = egfr_basis_text(result.kidney)
    if basis:
        lines.append(f"  {basis}")
    form_line = f"Form: {form.name}, {fraction_basis_text(form)}."
    note = form.variability_note
    if note and not any(w.code == "label_elemental_wins" for w in result.warnings):
        form_line = f"{form_line} {note}"  # else the warning below says it
    lines.append(form_line)
    lines.append(f"Label rule: {label_note(kb)}")
    for warning in result.warnings:
        mark = {"danger": "!!", "caution": "!", "info": "i"}[warning.level]
        lines.append(f"{mark} [{warning.code}] {warning.text} (source: {warning.source})")
    lines += _sources_text(kb, result.sources)
    return _join(lines)


def triage_text(kb: KnowledgeBase, result: TriageResult) -> str:
    """The plan first (an emergency's first line is the emergency action), then why."""
    referral = result.referral
    lines = [f"{URGENCY_SYMBOL[referral.urgency]} {result.headline}"]
    if result.unasked_note:
        lines.append(f"? {result.unasked_note}")
    lines.append(_kidney_text(result.kidney))
    lines.append("What to do now:")
    lines += [f"  {i}. {a.text}" for i, a in enumerate(result.advice, 1)]
    lines += ["Why this level:", *(f"  - {reason}" for reason in referral.reasons)]
    if referral.context:
        lines += ["Also noted (context, not the headline):",
                  *(f"  - {rule.reason}" for rule in referral.context)]
    lines.append(PATTERN_MEANING[result.pattern])
    lines += [f"  - {e.label}: {e.note}" for e in result.explanation]
    if result.interactions:
        lines.append("Medicine cautions:")
        lines += [f"  - {i.label}: {i.advice}" for i in result.interactions]
    lines += _sources_text(kb, result.sources)
    lines.append(kb.meta.disclaimer)
    return _join(lines)
