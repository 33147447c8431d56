"""FHIR R4B export of saved notes (issue #14): the seven consultations of scenarios.md, each
saved and read back from its JSON twin, exported as a document Bundle and checked with the
fhir.resources R4B models; then the units, the hostile text and the determinism."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magtui import __version__
from magtui.consultation import (
    Consultation,
    DoseInputs,
    PatientInputs,
    SerumInputs,
    consultation_note,
    evaluate_consultation,
)
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.notes import fhir
from magtui.notes.errors import NoteError
from magtui.notes.render import to_markdown
from magtui.notes.session import FindingRecord, SessionNote
from magtui.notes.store import load_note, save_note
from magtui.text import neutralise

JSON = dict[str, Any]
XHTML = "{http://www.w3.org/1999/xhtml}"
EGFR_UCUM = "mL/min/{1.73_m2}"
SAVED_ID = "20261125-171530-a1b2c3"


# ----------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    """A consultation of scenarios.md as the clinician enters it, and what its export holds."""

    number: int
    consultation: Callable[[], Consultation]
    observations: dict[str, tuple[float, str]] = field(default_factory=dict)
    """LOINC code → (value, UCUM unit) of every Observation the Bundle must hold."""
    denied_together: bool = False
    """The red flags were denied in one step: the checklist must say "asked together"."""


def _present(*ids: str) -> dict[str, Any]:
    return dict.fromkeys(ids, "present")


def _all_denied_together(consultation: Consultation) -> Consultation:
    consultation.deny_together(RED_FLAG_IDS)  # the checklist's `D`: asked together
    return consultation


SCENARIOS = [
    Scenario(1, lambda: Consultation(  # night cramps on a PPI and a thiazide
        patient=PatientInputs(age_years=68, sex="female", creatinine=95,
                              creatinine_unit="umol/L"),
        states={**_present("cramps_spasms", "eyelid_twitch", "ppi_long_term",
                           "diuretic_loop_thiazide", "low_intake"),
                **dict.fromkeys(RED_FLAG_IDS, "absent")},  # each asked on its own
        patient_ref="clinic 4471", clinician_text="Cramps worse at night."),
        {"14682-9": (95, "umol/L"), "98979-8": (56.3, EGFR_UCUM)}),
    Scenario(2, lambda: Consultation(  # laxative every day, kidneys failing
        patient=PatientInputs(age_years=79, sex="male", egfr=21),
        states={**_present("mg_laxative_antacid", "nausea", "weakness"),
                **dict.fromkeys(("breathing_difficulty", "chest_pain_palpitations",
                                 "fainting_low_bp"), "absent")},
        dose=DoseInputs(form_id="hydroxide", amount_mg=2400, times_per_day=2),
        patient_ref="ward 7 bed 3"),
        {"69405-9": (21, EGFR_UCUM)}),
    Scenario(3, lambda: _all_denied_together(Consultation(  # exam-week eyelid twitch
        patient=PatientInputs(age_years=22, sex="female"),
        states=_present("eyelid_twitch", "caffeine_stimulants"), patient_ref="S-22")),
        denied_together=True),
    Scenario(4, lambda: Consultation(  # twitching that is not about magnesium: no reference
        patient=PatientInputs(age_years=61, sex="male"),
        states=_present("persistent_twitching", "muscle_twitching", "weakness",
                        "muscle_wasting", "bulbar_symptoms", "high_dose_supplements"))),
    Scenario(5, lambda: Consultation(  # seizure this morning
        patient=PatientInputs(age_years=45, sex="female"),
        states=_present("alcohol_use", "cramps_spasms", "numbness_tingling", "seizure"),
        patient_ref="ED-0045")),
    Scenario(6, lambda: Consultation(  # pregnant, asking about a supplement
        patient=PatientInputs(age_years=30, sex="female", condition="pregnancy"),
        states=_present("cramps_spasms"),
        dose=DoseInputs(form_id="glycinate", amount_mg=500, times_per_day=2),
        patient_ref="ANC 24w")),
    Scenario(7, lambda: _all_denied_together(Consultation(  # a 6-month-old
        patient=PatientInputs(age_months=6, sex="male"),
        states=_present("cramps_spasms", "low_intake"),
        dose=DoseInputs(form_id="citrate", entered_as="elemental", amount_mg=20),
        patient_ref="child 6m")),
        denied_together=True),
]


def saved_note(kb: KnowledgeBase, consultation: Consultation, now: datetime) -> SessionNote:
    """The consultation's note saved, then read back from its JSON twin, as export reads it."""
    consultation.started_at = now.replace(minute=5)
    note = consultation_note(kb, consultation, evaluate_consultation(kb, consultation), now=now)
    return load_note(save_note(note, now=now).note_id)


@dataclass(frozen=True)
class Exported:
    note: SessionNote
    text: str
    bundle: Bundle
    data: JSON

    def resources(self, kind: str) -> list[JSON]:
        return [e["resource"] for e in self.data["entry"]
                if e["resource"]["resourceType"] == kind]

    def one(self, kind: str) -> JSON:
        (resource,) = self.resources(kind)
        return resource


def export(note: SessionNote) -> Exported:
    text = fhir.to_fhir_json(note)
    return Exported(note, text, Bundle.model_validate_json(text), json.loads(text))


@pytest.fixture(params=SCENARIOS, ids=lambda s: f"scenario-{s.number}")
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def exported(kb_or_skip: KnowledgeBase, scenario: Scenario, now: datetime) -> Exported:
    return export(saved_note(kb_or_skip, scenario.consultation(), now))


def walk(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path of keys, value) in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), item
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, path)


def observations(result: Exported) -> dict[str, JSON]:
    out = {}
    for resource in result.resources("Observation"):
        (coding,) = resource["code"]["coding"]
        assert coding["system"] == "http://loinc.org"
        out[coding["code"]] = resource
    return out


# ----------------------------------------------------------------------------- every scenario


def test_bundle_is_a_valid_document_that_round_trips(exported: Exported) -> None:
    bundle = exported.bundle
    assert bundle.type == "document"
    assert Bundle.model_validate_json(bundle.model_dump_json()) == bundle
    # What was written is the validated model's own JSON, so it reads back to itself.
    assert exported.text == bundle.model_dump_json(indent=2) + "\n"
    assert bundle.entry is not None
    assert bundle.entry[0].resource.get_resource_type() == "Composition"
    # A document carries an identifier with a system and a value (FHIR bdl-9).
    assert bundle.identifier is not None
    assert bundle.identifier.system == "urn:ietf:rfc:3986"
    assert bundle.identifier.value == f"urn:uuid:{bundle.id}"
    # Times are the note's own, never the time of export.
    assert bundle.timestamp == exported.note.saved_at
    assert bundle.entry[0].resource.date == exported.note.saved_at


def test_every_reference_resolves_inside_the_document(exported: Exported) -> None:
    urls = [entry["fullUrl"] for entry in exported.data["entry"]]
    assert len(set(urls)) == len(urls)
    for entry in exported.data["entry"]:
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", entry["fullUrl"])
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    references = [value for path, value in walk(exported.data) if path[-1] == "reference"]
    assert references and set(references) <= set(urls)


def test_composition_holds_the_note_sections_in_order_and_the_disclaimer(
    exported: Exported,
) -> None:
    composition = exported.one("Composition")
    headings = [line[3:] for line in to_markdown(exported.note).splitlines()
                if line.startswith("## ")]
    titles = [section["title"] for section in composition["section"]]
    assert titles == [*headings, "Disclaimer"]
    disclaimer = _text(composition["section"][-1]["text"]["div"])
    assert "does not diagnose or prescribe" in disclaimer
    assert composition["identifier"]["value"] == exported.note.note_id
    for section in composition["section"]:
        _text(section["text"]["div"])  # well-formed XHTML, or this raises
    # Each section points to the resources that hold its values.
    url = {e["resource"]["resourceType"] + e["resource"].get("code", {}).get("text", ""):
           e["fullUrl"] for e in exported.data["entry"]}
    entries = {s["title"]: [e["reference"] for e in s.get("entry", [])]
               for s in composition["section"]}
    assert entries["Findings"] == [url["QuestionnaireResponse"]]
    kidney = [url[k] for k in ("ObservationSerum creatinine", "ObservationeGFR") if k in url]
    assert entries["Patient and kidney function"] == kidney


def test_observations_have_the_right_codes_values_and_units(
    exported: Exported, scenario: Scenario,
) -> None:
    found = observations(exported)
    assert set(found) == set(scenario.observations)
    for code, (value, ucum) in scenario.observations.items():
        quantity = found[code]["valueQuantity"]
        assert (quantity["value"], quantity["code"]) == (value, ucum)
        assert quantity["system"] == "http://unitsofmeasure.org"
        assert found[code]["status"] == "final"
    if "98979-8" in found:  # computed: the equation is named, from the creatinine entered
        assert found["98979-8"]["method"]["text"] == "CKD-EPI 2021"
        (derived,) = found["98979-8"]["derivedFrom"]
        creatinine = next(e for e in exported.data["entry"]
                          if e["resource"] is found["14682-9"])
        assert derived["reference"] == creatinine["fullUrl"]
        assert found["14682-9"]["valueQuantity"]["unit"] == "µmol/L"
    if "69405-9" in found:  # entered: no equation claimed
        assert "method" not in found["69405-9"]
        assert "Entered by the clinician" in found["69405-9"]["note"][0]["text"]


def test_a_note_without_kidney_data_has_no_egfr(exported: Exported) -> None:
    kidney = exported.note.patient.kidney
    egfr_codes = {"98979-8", "69405-9"} & set(observations(exported))
    assert bool(egfr_codes) == (kidney.egfr is not None)
    assert len(egfr_codes) <= 1


def test_checklist_answers_match_the_note(exported: Exported, scenario: Scenario) -> None:
    response = exported.one("QuestionnaireResponse")
    findings = exported.note.findings
    answers = {item["linkId"]: item["answer"][0] for item in response["item"]}
    assert list(answers) == list(findings)  # every finding, in the note's order
    for finding_id, record in findings.items():
        coding = answers[finding_id]["valueCoding"]
        assert coding["code"] == record.state
        assert coding["display"] == record.state.replace("_", " ")
        together = answers[finding_id].get("item", [])
        assert bool(together) == record.asked_together
        if together:
            assert together[0]["answer"] == [{"valueBoolean": True}]
            assert together[0]["text"] == "Red flags asked together, all denied"
    denied = [f for f, item in answers.items() if item.get("item")]
    assert bool(denied) == scenario.denied_together
    if scenario.denied_together:
        assert set(denied) == set(RED_FLAG_IDS) - set(exported.note.red_flags)
    # Unknown is not absent: the unasked red flags are exported as not asked.
    for flag in exported.note.unasked_red_flags:
        assert answers[flag]["valueCoding"]["code"] == "not_asked"


def test_provenance_names_magtui_and_the_kb_version(exported: Exported) -> None:
    provenance, device = exported.one("Provenance"), exported.one("Device")
    (agent,) = provenance["agent"]
    assert agent["who"]["display"] == f"magtui {__version__}"
    (entity,) = provenance["entity"]
    assert entity["what"]["identifier"]["value"] == exported.note.kb_version
    assert exported.note.kb_version in entity["what"]["display"]
    assert {v["value"] for v in device["version"]} == {__version__, exported.note.kb_version}
    assert provenance["recorded"] == exported.note.saved_at.isoformat()  # type: ignore[union-attr]
    targets = {t["reference"] for t in provenance["target"]}
    assert exported.data["entry"][0]["fullUrl"] in targets


def test_no_name_or_birth_date_only_the_patient_reference(exported: Exported) -> None:
    kinds = {e["resource"]["resourceType"] for e in exported.data["entry"]}
    assert "Patient" not in kinds and "RelatedPerson" not in kinds
    for path, _ in walk(exported.data):
        assert path[-1] not in ("birthDate", "telecom", "address")
        assert path[-1] != "name" or path[-2] == "deviceName"  # the Device's, "magtui"
    subjects = [value for path, value in walk(exported.data) if path[-1] == "subject"]
    ref = exported.note.patient_ref
    if ref is None:
        assert subjects == []
    else:
        assert subjects and all(s["identifier"]["value"] == ref and set(s) == {"identifier"}
                                for s in subjects)


def test_the_same_note_always_gives_the_same_bytes(exported: Exported) -> None:
    assert fhir.to_fhir_json(exported.note) == exported.text
    other = exported.note.replace(note_id="20261125-171530-ffffff")
    other_urls = {e["fullUrl"] for e in fhir.bundle_data(other)["entry"]}
    assert other_urls.isdisjoint(e["fullUrl"] for e in exported.data["entry"])


# ----------------------------------------------------------------------------- values


@pytest.mark.parametrize(("value", "unit", "code", "exported_value", "ucum"), [
    (0.6, "mmol/L", "2601-3", 0.6, "mmol/L"),
    (1.5, "mg/dL", "19123-9", 1.5, "mg/dL"),
    # mEq/L: sent as mmol/L (half: Mg²⁺ is divalent), never as UCUM "meq/L".
    (1.5, "mEq/L", "2601-3", 0.75, "mmol/L"),
])
def test_serum_magnesium_code_follows_the_unit(
    kb_or_skip: KnowledgeBase, now: datetime, value: float, unit: str, code: str,
    exported_value: float, ucum: str,
) -> None:
    consultation = Consultation(patient=PatientInputs(age_years=50, sex="female"),
                                states=_present("cramps_spasms"),
                                serum=SerumInputs(value=value, unit=unit))  # type: ignore[arg-type]
    result = export(saved_note(kb_or_skip, consultation, now))
    serum = observations(result)[code]
    assert serum["valueQuantity"] == {"value": exported_value, "unit": ucum,
                                      "system": "http://unitsofmeasure.org", "code": ucum}
    assert serum["interpretation"][0]["text"].startswith(result.note.serum.label)  # type: ignore[union-attr]
    assert ("note" in serum) == (unit == "mEq/L")
    units = {value.lower() for path, value in walk(result.data)
             if path[-1] == "code" and isinstance(value, str)}
    assert "meq/l" not in units


def test_creatinine_in_mg_per_dl(kb_or_skip: KnowledgeBase, now: datetime) -> None:
    consultation = Consultation(patient=PatientInputs(age_years=55, sex="male", creatinine=1.2,
                                                      creatinine_unit="mg/dL"))
    found = observations(export(saved_note(kb_or_skip, consultation, now)))
    assert found["2160-0"]["valueQuantity"]["code"] == "mg/dL"
    assert found["2160-0"]["valueQuantity"]["value"] == 1.2
    assert found["98979-8"]["valueQuantity"]["value"] == 71.4  # README's example


def test_dialysis_has_no_egfr(kb_or_skip: KnowledgeBase, now: datetime) -> None:
    consultation = Consultation(patient=PatientInputs(age_years=70, sex="male", dialysis=True),
                                states=_present("cramps_spasms"))
    assert not {"98979-8", "69405-9"} & set(
        observations(export(saved_note(kb_or_skip, consultation, now))))


def test_an_unsaved_note_is_refused(hand_note: SessionNote) -> None:
    with pytest.raises(NoteError, match="saved"):
        fhir.bundle_data(hand_note)


def test_a_note_that_cannot_be_valid_fhir_fails_with_one_line(
    hand_note: SessionNote, now: datetime,
) -> None:
    note = hand_note.replace(note_id=SAVED_ID, saved_at=now, kb_version="")
    with pytest.raises(NoteError, match=f"note {SAVED_ID} is not valid FHIR") as caught:
        fhir.to_fhir_json(note)
    assert "\n" not in str(caught.value)


def test_loinc_table_codes_are_the_ones_used() -> None:
    codes = {c.code for c in fhir.LOINC_CODES}
    assert codes == {"19123-9", "2601-3", "2160-0", "14682-9", "98979-8", "69405-9", "11506-3"}
    assert "33914-3" not in codes and "62238-1" not in codes  # MDRD, CKD-EPI 2009: not ours


# ----------------------------------------------------------------------------- hostile text


def _text(div: str) -> str:
    root = ET.fromstring(div)  # our own output: parsing proves it is well-formed XML
    assert root.tag == f"{XHTML}div"
    return "".join(root.itertext())


def _clinician_section(result: JSON) -> JSON:
    composition = result["entry"][0]["resource"]
    (section,) = [s for s in composition["section"] if s["title"] == "Clinician's note"]
    return section  # type: ignore[no-any-return]


_MARKUP = st.sampled_from(["**", "`", "```text", "## ", "- ", "1. ", "<", ">", "&", "---",
                           "\n", "\x1b[31m", "\u202e", "\ufffe", "<https://x.test>", " "])
_TEXT = st.lists(st.one_of(_MARKUP, st.text(max_size=8)), max_size=25).map("".join)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, label=_TEXT.filter(str.strip))
def test_any_typed_or_stored_text_gives_well_formed_valid_fhir(
    hand_note: SessionNote, now: datetime, text: str, label: str,
) -> None:
    findings = {**hand_note.findings,
                "cramps_spasms": FindingRecord(state="present", label=label)}
    note = hand_note.replace(note_id=SAVED_ID, saved_at=now, clinician_text=text,
                             findings=findings)
    result = export(note)
    composition = result.one("Composition")
    for section in composition["section"]:
        _text(section["text"]["div"])
    # Nothing typed can add or remove a section: the titles are those of the same note with
    # a harmless free text (a "## " line typed there is fenced text, not a heading).
    plain = to_markdown(note.replace(clinician_text="x"))
    assert [s["title"] for s in composition["section"]] == [
        *(line[3:] for line in plain.splitlines() if line.startswith("## ")), "Disclaimer"]
    shown = _text(_clinician_section(result.data)["text"]["div"])
    if text.strip():
        expected = neutralise(text).rstrip("\n").replace("\ufffe", "\ufffd")
        assert shown == expected
    else:
        assert shown == "No free text."
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", result.text)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ref=st.text(st.characters(categories=["L", "N", "P", "Zs"]), min_size=1, max_size=32)
       .filter(str.strip))
def test_the_patient_reference_is_exported_exactly(
    hand_note: SessionNote, now: datetime, ref: str,
) -> None:
    note = hand_note.replace(note_id=SAVED_ID, saved_at=now, patient_ref=ref)
    result = export(note)
    subjects = [value for path, value in walk(result.data) if path[-1] == "subject"]
    assert subjects and all(s["identifier"]["value"] == note.patient_ref for s in subjects)
