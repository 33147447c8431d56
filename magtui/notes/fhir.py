"""A saved note as a FHIR R4B *document* Bundle (`magtui notes export ID --format fhir`).

The Bundle is built from the note alone (its JSON twin, already validated by the schema):

1. a `Composition` (always first): the note's Markdown sections, in order, each as a
   narrative, then the disclaimer; the note id, saved time and patient reference;
2. an `Observation` for each laboratory value the note holds: serum magnesium, creatinine and
   eGFR, with LOINC codes and UCUM units (`LOINC_CODES` lists them, with when each is used);
3. a `QuestionnaireResponse`: the triage checklist, every finding present, absent or not asked
   (never dropped: unknown is not absent), and the red flags "asked together, all denied";
4. a `Device` (magtui, its version and the KB version) and a `Provenance` naming it and the KB.

Nothing identifies the patient beyond the note's own short reference: no Patient resource,
no name, no date of birth. Every id and `fullUrl` is a `urn:uuid:` derived from the note id,
and every time is the note's own, so exporting one note twice gives the same bytes.

`bundle_data` is pure (plain JSON-ready data, no FHIR library); `to_fhir_json` validates it
with `fhir.resources` (R4B models), imported only here and only when called, so the command
line does not pay for it. Codes local to magtui use `urn:magtui:…` systems.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from magtui.notes.errors import NoteError
from magtui.notes.render import to_markdown
from magtui.notes.session import KidneyRecord, SerumRecord, SessionNote
from magtui.text import neutralise

JSON = dict[str, Any]

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
XHTML = "http://www.w3.org/1999/xhtml"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
NOTE_ID_SYSTEM = "urn:magtui:note-id"
KB_VERSION_SYSTEM = "urn:magtui:kb-version"
FINDING_STATE_SYSTEM = "urn:magtui:finding-state"
_NAMESPACE = uuid.UUID("edb0dbc1-bb11-56ea-a462-70be098fbf32")
"""uuid5(NAMESPACE_URL, "urn:magtui:fhir-export"): fixed, so ids never change between runs."""


@dataclass(frozen=True, slots=True)
class LoincCode:
    code: str
    display: str
    """The LOINC long common name, as an HL7 publication quotes it (see the README table)."""
    unit: str
    """The UCUM code of the value; the unit as magtui shows it goes in `Quantity.unit`."""
    used_when: str


SERUM_MG_MASS = LoincCode(
    "19123-9", "Magnesium [Mass/volume] in Serum or Plasma", "mg/dL",
    "serum magnesium entered in mg/dL")
SERUM_MG_MOLES = LoincCode(
    "2601-3", "Magnesium [Moles/volume] in Serum or Plasma", "mmol/L",
    "serum magnesium entered in mmol/L, or in mEq/L (exported as the note's mmol/L figure)")
CREATININE_MASS = LoincCode(
    "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL",
    "creatinine entered in mg/dL")
CREATININE_MOLES = LoincCode(
    "14682-9", "Creatinine [Moles/volume] in Serum or Plasma", "umol/L",
    "creatinine entered in µmol/L")
EGFR_CKD_EPI_2021 = LoincCode(
    "98979-8",
    "Glomerular filtration rate [Volume Rate/Area] in Serum, Plasma or Blood by "
    "Creatinine-based formula (CKD-EPI 2021)/1.73 sq M",
    "mL/min/{1.73_m2}", "eGFR that magtui computed from creatinine (CKD-EPI 2021)")
EGFR_UNSPECIFIED = LoincCode(
    "69405-9",
    "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood",
    "mL/min/{1.73_m2}", "eGFR entered as a figure (no equation is claimed)")
PROGRESS_NOTE = LoincCode("11506-3", "Progress note", "", "the Composition's type")
LOINC_CODES = (SERUM_MG_MASS, SERUM_MG_MOLES, CREATININE_MASS, CREATININE_MOLES,
               EGFR_CKD_EPI_2021, EGFR_UNSPECIFIED, PROGRESS_NOTE)

_EGFR_UNIT = "mL/min/1.73 m²"
_CKD_EPI_2021 = "CKD-EPI 2021"
_SHOWN_UNITS = {"umol/L": "µmol/L"}
_STATE_DISPLAY = {"present": "present", "absent": "absent", "not_asked": "not asked"}
# Which resources each Markdown section points to (Composition.section.entry).
_SECTION_ENTRIES = {
    "Patient and kidney function": ("creatinine", "egfr"),
    "Findings": ("checklist",),
    "Serum magnesium": ("serum",),
}
_FENCE = re.compile(r"(`{3,})text")
_LIST_ITEM = re.compile(r"\s*(-|\d+\.)\s+(.*)")
_AUTOLINK = re.compile(r"<(https?://[^<>\s]+)>")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_NOT_XML = re.compile("[\ufffe\uffff]")


# ----------------------------------------------------------------------------- the bundle


def bundle_data(note: SessionNote) -> JSON:
    """The document Bundle of a saved note, as JSON-ready data (not yet validated)."""
    if not note.note_id or note.saved_at is None:
        raise NoteError("only a saved note can be exported as FHIR (it has no id yet)")
    ids = _Ids(note.note_id)
    parts: dict[str, JSON] = {}  # name → resource, in the order the Bundle lists them
    parts.update(_observations(note, ids))
    if note.findings:
        parts["checklist"] = _checklist(note)
    resources: dict[str, JSON] = {
        "composition": _composition(note, ids, present=set(parts)),
        **parts,
        "device": _device(note),
    }
    resources["provenance"] = _provenance(note, ids, targets=[n for n in resources
                                                                if n != "device"])
    return _clean({
        "resourceType": "Bundle",
        "id": ids.id("bundle"),
        # A document's identifier is its own: the same note always gives the same one.
        "identifier": {"system": "urn:ietf:rfc:3986", "value": ids.url("bundle")},
        "type": "document",
        "timestamp": _instant(note.saved_at),
        "entry": [{"fullUrl": ids.url(name), "resource": {**resource, "id": ids.id(name)}}
                  for name, resource in resources.items()],
    })


def to_fhir_json(note: SessionNote) -> str:
    """The note's document Bundle as JSON text, validated against the FHIR R4B models.

    Raises `NoteError` (one line) if the note cannot be exported.
    """
    data = bundle_data(note)
    try:
        # Generated models, slow to import: loaded for this export only, never at start.
        from fhir.resources.R4B.bundle import Bundle
        from pydantic import ValidationError
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise NoteError(f"FHIR export needs the fhir.resources package ({exc})") from None
    try:
        bundle = Bundle.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "Bundle"
        raise NoteError(f"note {note.note_id} is not valid FHIR: {where}: "
                        f"{first['msg']}") from None
    return bundle.model_dump_json(indent=2) + "\n"


@dataclass(frozen=True, slots=True)
class _Ids:
    """Deterministic ids: the same note and part always give the same UUID."""

    note_id: str

    def id(self, part: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.note_id}/{part}"))

    def url(self, part: str) -> str:
        return f"urn:uuid:{self.id(part)}"

    def ref(self, part: str, display: str | None = None) -> JSON:
        return _clean({"reference": self.url(part), "display": display})


# ----------------------------------------------------------------------------- composition


def _composition(note: SessionNote, ids: _Ids, present: set[str]) -> JSON:
    sections = [_section(title, lines, ids, present)
                for title, lines in _markdown_sections(to_markdown(note))]
    sections.append({"title": "Disclaimer",
                     "text": _narrative(note.disclaimer.split("\n"), status="additional")})
    return {
        "resourceType": "Composition",
        "identifier": {"system": NOTE_ID_SYSTEM, "value": note.note_id},
        "status": "final",
        "type": _concept(PROGRESS_NOTE, "magtui session note"),
        "subject": _subject(note),
        "date": _instant(note.saved_at),
        "author": [ids.ref("device", f"magtui {_plain(note.magtui_version)}")],
        "title": "magtui session note",
        "event": [{"period": {"start": _instant(note.started_at),
                              "end": _instant(note.updated_at)}}],
        "section": sections,
    }


def _section(title: str, lines: list[str], ids: _Ids, present: set[str]) -> JSON:
    entries = [ids.ref(name) for name in _SECTION_ENTRIES.get(title, ()) if name in present]
    # "additional": the narrative is the record; the entries carry only part of it.
    return {"title": _plain(title), "text": _narrative(lines, status="additional"),
            "entry": entries}


def _markdown_sections(markdown: str) -> list[tuple[str, list[str]]]:
    """The note's `## ` sections in order (title, body lines), up to the closing rule.

    The clinician's text is fenced; a fence is skipped whole, so nothing typed there can
    start a section of its own.
    """
    sections: list[tuple[str, list[str]]] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        if fence is not None:
            fence = None if line == fence else fence
        elif (opening := _FENCE.fullmatch(line)) is not None:
            fence = opening.group(1)
        elif line.startswith("## "):
            sections.append((line[3:].strip(), []))
            continue
        elif line == "---" and sections:
            break  # the disclaimer follows: a section of its own
        if sections:
            sections[-1][1].append(line)
    return sections


# ----------------------------------------------------------------------------- narrative


def _narrative(lines: list[str], status: str) -> JSON:
    """FHIR narrative: lists, paragraphs and fenced text as escaped XHTML."""
    body = "".join(_block_xhtml(kind, block) for kind, block in _blocks(lines))
    return {"status": status, "div": f'<div xmlns="{XHTML}">{body or "<p>-</p>"}</div>'}


def _blocks(lines: list[str]) -> Iterator[tuple[str, list[str]]]:
    """Blocks of Markdown lines: ("pre" | "ul" | "ol" | "p", lines)."""
    block: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is not None:
            if line == fence:
                yield "pre", block
                block, fence = [], None
            else:
                block.append(line)
            continue
        opening = _FENCE.fullmatch(line)
        if opening is not None or not line.strip():
            if block:
                yield _kind(block), block
            block, fence = [], (opening.group(1) if opening else None)
            continue
        block.append(line)
    if block:
        yield ("pre" if fence is not None else _kind(block)), block


def _kind(block: list[str]) -> str:
    items = [_LIST_ITEM.fullmatch(line) for line in block]
    if not all(items):
        return "p"
    return "ul" if items[0] and items[0].group(1) == "-" else "ol"


def _block_xhtml(kind: str, block: list[str]) -> str:
    if kind == "pre":
        return f"<pre>{_escaped(chr(10).join(block))}</pre>"
    if kind == "p":
        return f"<p>{'<br/>'.join(_inline(line) for line in block)}</p>"
    items = (_LIST_ITEM.fullmatch(line) for line in block)
    return f"<{kind}>" + "".join(f"<li>{_inline(m.group(2))}</li>" for m in items if m) + \
        f"</{kind}>"


def _inline(line: str) -> str:
    # The Markdown's own marks (code, bold, <url>) become XHTML, everything else is text.
    # Bold is applied inside the stretches between code spans only, so tags always nest.
    parts = _CODE.split(_AUTOLINK.sub(r"\1", line))
    return "".join(f"<code>{_escaped(part)}</code>" if index % 2 else
                   _BOLD.sub(r"<b>\1</b>", _escaped(part))
                   for index, part in enumerate(parts))


def _escaped(text: str) -> str:
    return html.escape(_plain(text), quote=False)


def _plain(text: str) -> str:
    """Text fit for FHIR and XML: controls shown as symbols, non-characters replaced."""
    return _NOT_XML.sub("\ufffd", neutralise(text))


# ----------------------------------------------------------------------------- observations


def _observations(note: SessionNote, ids: _Ids) -> dict[str, JSON]:
    """Serum magnesium, creatinine and eGFR: only what the note holds, never a guess."""
    out: dict[str, JSON] = {}
    if note.serum is not None:
        out["serum"] = _serum_observation(note, note.serum)
    kidney = note.patient.kidney
    creatinine = _creatinine_observation(note, kidney)
    if creatinine is not None:
        out["creatinine"] = creatinine
    if kidney.egfr is not None and not kidney.dialysis:
        derived = [ids.ref("creatinine")] if creatinine is not None else []
        out["egfr"] = _egfr_observation(note, kidney, kidney.egfr, derived)
    return out


def _serum_observation(note: SessionNote, serum: SerumRecord) -> JSON:
    if serum.unit == "mg/dL":
        code, value, remark = SERUM_MG_MASS, serum.value, None
    elif serum.unit == "mmol/L":
        code, value, remark = SERUM_MG_MOLES, serum.value, None
    else:
        # UCUM counts an equivalent as a mole, so "meq/L" would read as mmol/L: twice the
        # true value for Mg²⁺. The note's mmol/L figure is sent instead, and the entry said.
        code, value = SERUM_MG_MOLES, serum.mmol_per_l
        remark = (f"Entered as {_number(serum.value)} {_plain(serum.unit)}; given here in "
                  "mmol/L as magtui converted it (Mg2+ is divalent: 1 mmol = 2 mEq).")
    return _observation(note, code, value, "Serum magnesium",
                        interpretation=f"{serum.label} (band {serum.band})", remark=remark)


def _creatinine_observation(note: SessionNote, kidney: KidneyRecord) -> JSON | None:
    codes = {"mg/dL": CREATININE_MASS, "umol/L": CREATININE_MOLES}
    if kidney.creatinine is None or kidney.creatinine_unit not in codes:
        return None
    return _observation(note, codes[kidney.creatinine_unit], kidney.creatinine,
                        "Serum creatinine")


def _egfr_observation(note: SessionNote, kidney: KidneyRecord, egfr: float,
                      derived_from: list[JSON]) -> JSON:
    # Only an eGFR magtui computed with CKD-EPI 2021 is coded as such; an entered figure
    # gets the code that names no equation.
    computed = kidney.egfr_equation == _CKD_EPI_2021
    code = EGFR_CKD_EPI_2021 if computed else EGFR_UNSPECIFIED
    remark = None if computed else (
        f"Computed with {_plain(kidney.egfr_equation)}." if kidney.egfr_equation
        else "Entered by the clinician as a figure; magtui did not compute it.")
    resource = _observation(note, code, egfr, "eGFR", remark=remark,
                            shown_unit=kidney.egfr_unit)
    if computed:
        resource["method"] = {"text": _CKD_EPI_2021}
        resource["derivedFrom"] = derived_from
    return resource


def _observation(note: SessionNote, code: LoincCode, value: float, text: str, *,
                 interpretation: str | None = None, remark: str | None = None,
                 shown_unit: str | None = None) -> JSON:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory",
                                  "display": "Laboratory"}]}],
        "code": _concept(code, text),
        "subject": _subject(note),
        "issued": _instant(note.saved_at),
        "valueQuantity": _quantity(value, code.unit, shown_unit),
        "interpretation": [{"text": _plain(interpretation)}] if interpretation else [],
        "note": [{"text": remark}] if remark else [],
    }


def _quantity(value: float, ucum: str, shown_unit: str | None) -> JSON:
    if ucum != EGFR_CKD_EPI_2021.unit:
        return {"value": value, "unit": _SHOWN_UNITS.get(ucum, ucum), "system": UCUM,
                "code": ucum}
    if shown_unit == _EGFR_UNIT:
        return {"value": value, "unit": _EGFR_UNIT, "system": UCUM, "code": ucum}
    # An eGFR unit magtui does not know (a hand-edited note): kept as text, no UCUM claimed.
    return {"value": value, "unit": _plain(shown_unit or "")}


# ----------------------------------------------------------------------------- checklist


def _checklist(note: SessionNote) -> JSON:
    """Every finding the note holds, in its order, with its state (not asked included)."""
    items = []
    for finding_id, record in note.findings.items():
        answer: JSON = {"valueCoding": {"system": FINDING_STATE_SYSTEM, "code": record.state,
                                        "display": _STATE_DISPLAY[record.state]}}
        if record.asked_together:
            answer["item"] = [{
                "linkId": f"{finding_id}.asked_together",
                "text": "Red flags asked together, all denied",
                "answer": [{"valueBoolean": True}],
            }]
        items.append({"linkId": finding_id, "text": _plain(record.label) or finding_id,
                      "answer": [answer]})
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "subject": _subject(note),
        "authored": _instant(note.saved_at),
        "item": items,
    }


# ----------------------------------------------------------------------------- provenance


def _device(note: SessionNote) -> JSON:
    return {
        "resourceType": "Device",
        "deviceName": [{"name": "magtui", "type": "user-friendly-name"}],
        "version": [
            {"type": {"text": "magtui"}, "value": _plain(note.magtui_version)},
            {"type": {"text": "knowledge base"}, "value": _plain(note.kb_version)},
        ],
    }


def _provenance(note: SessionNote, ids: _Ids, targets: list[str]) -> JSON:
    magtui = f"magtui {_plain(note.magtui_version)}"
    return {
        "resourceType": "Provenance",
        "target": [ids.ref(name) for name in targets],
        "recorded": _instant(note.saved_at),
        "agent": [{
            "type": {"coding": [{"system": PARTICIPANT_TYPE, "code": "assembler",
                                 "display": "Assembler"}]},
            "who": ids.ref("device", magtui),
        }],
        "entity": [{
            "role": "source",
            "what": {"identifier": {"system": KB_VERSION_SYSTEM,
                                    "value": _plain(note.kb_version)},
                     "display": f"magtui knowledge base {_plain(note.kb_version)}"},
        }],
    }


# ----------------------------------------------------------------------------- small parts


def _concept(code: LoincCode, text: str) -> JSON:
    return {"coding": [{"system": LOINC, "code": code.code, "display": code.display}],
            "text": text}


def _subject(note: SessionNote) -> JSON | None:
    """The note's patient reference, exactly as saved, or nothing: no name, no birth date."""
    if note.patient_ref is None:
        return None
    return {"identifier": {"type": {"text": "patient reference (de-identified)"},
                           "value": note.patient_ref}}


def _instant(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _clean(data: JSON) -> JSON:
    """`data` without None, empty strings, lists or objects: FHIR has no empty elements."""
    cleaned = {key: _cleaned(value) for key, value in data.items()}
    return {key: value for key, value in cleaned.items() if not _empty(value)}


def _cleaned(value: Any) -> Any:
    if isinstance(value, Mapping):
        return _clean(dict(value))
    if isinstance(value, list):
        return [item for item in map(_cleaned, value) if not _empty(item)]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)
