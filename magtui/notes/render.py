"""Render a `SessionNote` as Markdown (to paste into a clinical record) and as JSON.

Pure functions: no I/O, no clock. The JSON keeps every string exactly; the Markdown shows
control characters as visible symbols and fences the clinician's free text so that nothing
typed there can change the structure of the record around it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal

from magtui.notes.errors import NoteFormatError
from magtui.notes.session import SCHEMA_VERSION, NotAcceptedRecord, SessionNote
from magtui.text import neutralise, one_line

_UNITS = {"umol/L": "µmol/L"}
_BACKTICK_RUN = re.compile(r"`+")
_MD_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")


def _inline(text: str) -> str:
    """One line of trusted text (KB wording): controls neutralised, line breaks joined."""
    return one_line(text)


def _escaped(text: str) -> str:
    """One line of user-entered text, with Markdown punctuation escaped so it stays literal."""
    return _MD_PUNCTUATION.sub(r"\\\1", _inline(text))


def _literal(text: str) -> str:
    """User-entered text inside a line (never at its start, where `#`, `-` or `1.` would
    matter): only what marks up text mid-line is escaped, so "0.1–25 mg/dL" reads as is."""
    return _MD_INLINE.sub(r"\\\1", _inline(text))


def _typed(entry: NotAcceptedRecord, *, named: bool = True) -> str:
    """`Creatinine: typed "95" (mg/dL), not accepted: …`: what was typed, and why refused."""
    unit = f" ({_literal(entry.unit)})" if entry.unit else ""
    if not entry.quoted:
        typed = "typed text (not recorded)"
    else:
        typed = f'typed "{_literal(entry.text)}"{unit}' if entry.text else f"left empty{unit}"
    name = f"{_literal(entry.name)}: " if named else ""
    return f"{name}{typed}, not accepted: {_literal(entry.reason)}"


def fenced(text: str) -> str:
    """A fenced code block no line of `text` can close: the fence outruns every backtick run."""
    body = neutralise(text)
    longest = max((len(run) for run in _BACKTICK_RUN.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body.rstrip(chr(10))}\n{fence}"


def _num(value: float) -> str:
    """A figure as stored (the clinical layer already rounded it), without float noise."""
    if value == int(value):
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _when(moment: datetime | None) -> str:
    return moment.isoformat(sep=" ", timespec="seconds") if moment else "not saved"


def _unit(unit: str) -> str:
    return _UNITS.get(unit, unit)


def _cite(source: str) -> str:
    return f" [{_inline(source)}]"


def to_markdown(note: SessionNote) -> str:
    """The note as Markdown for a clinical record; every figure carries its unit."""
    out: list[str] = ["# magtui session note", ""]
    out += [
        f"- Note: {note.note_id or 'draft, not saved'}",
        f"- Started: {_when(note.started_at)}",
        f"- Saved: {_when(note.saved_at)}",
        "- Patient reference: " + _reference_text(note),
        f"- magtui {_inline(note.magtui_version)}, knowledge base {_inline(note.kb_version)}",
        "",
    ]
    out += _referral_lines(note)
    out += _patient_lines(note)
    out += _finding_lines(note)
    out += _serum_lines(note)
    out += _intake_lines(note)
    out += _dose_lines(note)
    out += _caution_lines(note)
    out += ["## Clinician's note", ""]
    if note.clinician_text.strip():
        out += [fenced(note.clinician_text), ""]
    else:
        out += ["No free text.", ""]
    out += ["## Sources", ""]
    for source in note.sources:
        parts = [f"[{_inline(source.id)}] {_inline(source.title)}"]
        if source.publisher:
            parts.append(_inline(source.publisher))
        if source.url:
            parts.append(f"<{_inline(source.url)}>")
        out.append("- " + ", ".join(parts))
    if not note.sources:
        out.append("None cited.")
    out += ["", "---", "", _inline(note.disclaimer), ""]
    return "\n".join(out)


def _referral_lines(note: SessionNote) -> list[str]:
    """The plan first: an emergency note starts with the emergency action."""
    referral = note.referral
    if referral is None:
        return ["## Referral", "", "No triage was recorded.", ""]
    summary = referral.summary or f"{referral.headline} — {referral.meaning}"
    out = [f"## Referral: {_inline(summary)}", ""]
    if referral.unasked_note:
        out += [f"**Provisional:** {_inline(referral.unasked_note)}", ""]
    if referral.advice:
        out += ["What to do now:", ""]
        out += [f"{i}. {_inline(a.text)}{_cite(a.source)}"
                for i, a in enumerate(referral.advice, 1)]
        out.append("")
    out += ["Why this level:", ""]
    out += [f"- {_inline(reason)}" for reason in referral.reasons] or ["- none recorded"]
    if referral.context:
        # Lower case: a capitalised level word in the note is always the headline's.
        out += ["", "Also found, at a lower urgency (context, not the headline):", ""]
        out += [
            f"- ({c.urgency.replace('_', '-')}) {_inline(c.reason)}{_cite(c.source)}"
            for c in referral.context
        ]
    return [*out, ""]


def _reference_text(note: SessionNote) -> str:
    if note.patient_ref:
        return _escaped(note.patient_ref)
    refused = _not_accepted(note, "patient-ref")
    return _typed(refused[0], named=False) if refused else "none recorded"


def _not_accepted(note: SessionNote, *fields: str) -> list[NotAcceptedRecord]:
    return [entry for entry in note.not_accepted if entry.field in fields]


def _age_text(note: SessionNote) -> str:
    patient = note.patient
    if patient.age_years is not None:
        return f"{_num(patient.age_years)} years"
    if patient.age_months is not None:
        return f"{patient.age_months} months"
    refused = _not_accepted(note, "age-years", "age-months")
    return "; ".join(_typed(e, named=len(refused) > 1) for e in refused) or "not recorded"


def _patient_lines(note: SessionNote) -> list[str]:
    patient, kidney = note.patient, note.patient.kidney
    age = _age_text(note)
    out = [
        "## Patient and kidney function",
        "",
        f"- Age: {age}",
        f"- Sex: {patient.sex or 'not recorded'}",
        f"- Pregnancy or lactation: {patient.condition}",
        f"- KIDNEY RISK: {kidney.kidney_risk.upper()}"
        + (f" — {_inline(kidney.kidney_headline)}" if kidney.kidney_headline else ""),
    ]
    if kidney.egfr is not None:
        line = f"- eGFR: {_num(kidney.egfr)} {_inline(kidney.egfr_unit)}"
        if kidney.egfr_equation:
            detail = [_inline(kidney.egfr_equation)]
            if kidney.egfr_category:
                term = f", {kidney.egfr_category_term}" if kidney.egfr_category_term else ""
                detail.append(f"{kidney.egfr_category}{term}")
            line += f" ({'; '.join(detail)})"
        else:
            line += " (entered)"
        if kidney.creatinine is not None and kidney.creatinine_unit:
            line += f", from creatinine {_num(kidney.creatinine)} {_unit(kidney.creatinine_unit)}"
        out.append(line)
    # Typed but refused: recorded as typed, never as "not entered".
    out += [f"- {_typed(e)}" for e in _not_accepted(note, "egfr", "creatinine")]
    out.append(f"- Dialysis: {'yes' if kidney.dialysis else 'no'}")
    if kidney.kidney_caution:
        out.append(f"- Kidney caution: {_inline(kidney.kidney_caution)}")
    return [*out, ""]


def _finding_lines(note: SessionNote) -> list[str]:
    out = ["## Findings", ""]
    if not note.findings:
        return [*out, "No triage checklist was recorded.", ""]

    def named(finding_id: str) -> str:
        record = note.findings.get(finding_id)
        origin = (f" — from the patient details: {_inline(record.set_from)}"
                  if record and record.set_from else "")
        return f"{_inline(record.label) if record else finding_id} ({finding_id}){origin}"

    if note.unasked_red_flags:
        out.append("**Red flags NOT ASKED (unknown, not absent):**")
        out += ["", *(f"- {named(f)}" for f in note.unasked_red_flags)]
    else:
        out.append("Every red flag was asked.")
    if note.red_flags:
        out += ["", "**Red flags PRESENT:**", "", *(f"- {named(f)}" for f in note.red_flags)]
    together = [f for f, r in note.findings.items() if r.asked_together]
    if together:
        out += ["", "**Red flags asked together, all denied:** "
                + "; ".join(named(f) for f in together) + "."]
    listed = set(note.unasked_red_flags)
    sections = (("present", "Present"), ("absent", "Absent"), ("not_asked", "Not asked (other)"))
    for state, title in sections:
        ids = [f for f, r in note.findings.items() if r.state == state and f not in listed]
        out += ["", f"{title}:", ""]
        out += [f"- {named(f)}" for f in ids] or ["- none"]
    out += ["", f"## Pattern: {note.pattern or 'not assessed'}", ""]
    for line in note.explanation:
        weight = "counted" if line.counted else "not counted"
        out.append(
            f"- {_inline(line.label)}: supports {_inline(line.supports)}, {weight}. "
            f"{_inline(line.note)}{_cite(line.source)}"
        )
    if not note.explanation:
        out.append("No findings present.")
    return [*out, ""]


def _serum_lines(note: SessionNote) -> list[str]:
    serum = note.serum
    if serum is None:
        refused = _not_accepted(note, "serum")
        return ["## Serum magnesium", "", *(f"- {_typed(e)}" for e in refused), ""] \
            if refused else []
    entered = f"{_num(serum.value)} {_unit(serum.unit)}"
    converted = "" if serum.unit == "mmol/L" else f" = {_num(serum.mmol_per_l)} mmol/L"
    return [
        "## Serum magnesium",
        "",
        f"- {entered}{converted}: {_inline(serum.label)} (band {serum.band}, {serum.severity})",
        f"- {_inline(serum.action)}",
        "",
    ]


def _reference(rda_mg: float | None, ai_mg: float | None) -> str:
    if rda_mg is not None:
        return f"RDA {_num(rda_mg)} mg/day"
    return f"AI {_num(ai_mg)} mg/day" if ai_mg is not None else "no RDA or AI recorded"


def _ul(ul_mg: float | None) -> str:
    if ul_mg is None:
        return "no supplemental UL is set for this life stage"
    return f"supplemental UL {_num(ul_mg)} mg/day"


def _intake_lines(note: SessionNote) -> list[str]:
    intake = note.intake
    if intake is None:
        return []
    return [
        "## Intake reference",
        "",
        f"- {_inline(intake.life_stage)}: {_reference(intake.rda_mg, intake.ai_mg)} "
        f"(total intake); {_ul(intake.ul_supplemental_mg)} (supplements and medicines only)",
        "",
    ]


def _dose_lines(note: SessionNote) -> list[str]:
    dose = note.dose
    refused = [f"- {_typed(e)}" for e in note.not_accepted if e.area == "dose"]
    if dose is None:
        return ["## Dose checked", "", "No dose was computed.", *refused, ""] if refused else []
    per = "compound (salt)" if dose.entered_as == "compound" else "elemental magnesium"
    out = [
        "## Dose checked",
        "",
        f"- Form: {_inline(dose.form_name)} ({dose.form_id}), "
        f"{dose.elemental_fraction * 100:.1f} % elemental magnesium",
        f"- Entered: {_num(dose.entered_mg)} mg {per} per dose, "
        f"{dose.times_per_day} times per day",
        f"- Elemental magnesium: {_num(dose.elemental_mg_per_dose)} mg per dose, "
        f"{_num(dose.elemental_mg_per_day)} mg/day",
        f"- {_inline(dose.life_stage)}: {_reference(dose.rda_mg, dose.ai_mg)}"
        + (
            f"; this supplement alone is {_num(dose.percent_of_reference)} % of it"
            if dose.percent_of_reference is not None
            else ""
        ),
    ]
    if dose.ul_supplemental_mg is None:
        out.append(f"- UL: {_ul(None)}")
    else:
        verdict = "**EXCEEDS THE UL**" if dose.exceeds_ul else "within the UL"
        percent = _num(dose.percent_of_ul) if dose.percent_of_ul is not None else "?"
        out.append(f"- {_ul(dose.ul_supplemental_mg)}: {percent} % of the UL, {verdict}")
    out.append(f"- KIDNEY RISK: {dose.kidney_risk.upper()}")
    if dose.warnings:
        out += ["- Warnings:"]
        out += [
            f"  - `{w.code}` ({w.level}): {_inline(w.text)}{_cite(w.source)}"
            for w in dose.warnings
        ]
    return [*out, *refused, ""]


def _caution_lines(note: SessionNote) -> list[str]:
    if not (note.cautions_shown or note.interactions):
        return []
    out = ["## Cautions shown", ""]
    out += [f"- {_inline(text)}" for text in note.cautions_shown]
    out += [
        f"- {_inline(i.label)}: {_inline(i.effect)} {_inline(i.advice)}{_cite(i.source)}"
        for i in note.interactions
    ]
    return [*out, ""]


def to_json(note: SessionNote) -> str:
    """The note as JSON; `from_json` gives back an equal note, every string exact.

    Written as pydantic would write the schema (`magtui.notes.schema`): UTF-8 text, not
    escaped, two-space indent, UTC as `Z`. NaN or infinity cannot occur (the note refuses
    them), and `allow_nan=False` makes sure none is ever written as invalid JSON.
    """
    return json.dumps(note.as_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def from_json(text: str | bytes) -> SessionNote:
    """Parse a note; anything else raises `NoteFormatError` with a one-line reason."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NoteFormatError(
            f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError as exc:
        raise NoteFormatError(f"not UTF-8 text ({exc.reason})") from None
    if not isinstance(data, dict):
        raise NoteFormatError("not a magtui note: the top level must be an object")
    version = data.get("schema_version")
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise NoteFormatError(
            f"note schema {version} is newer than this magtui reads ({SCHEMA_VERSION}): "
            "upgrade magtui to open it"
        )
    # The schema, and pydantic with it, is loaded only to read a note file back.
    from pydantic import ValidationError

    from magtui.notes.schema import SessionNote as NoteSchema

    try:
        return NoteSchema.model_validate(data).to_record()  # type: ignore[no-any-return]
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        where = ".".join(str(part) for part in first["loc"]) or "note"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise NoteFormatError(f"not a valid magtui note: {where}: {first['msg']}{more}") from None
