"""Issue 13: the note records what was typed and not accepted, never "not entered".

A field whose text was refused is recorded as typed, with its unit and the reason in the
form's own words (`magtui.clinical.entry`), in the Markdown and in the JSON twin; the kidney
caution then says what was not used. Typed text is untrusted: it is neutralised and
bounded before it is recorded. Findings the patient details answer say where they came from.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from magtui.consultation import (
    Consultation,
    DoseInputs,
    PatientInputs,
    SerumInputs,
    consultation_note,
    evaluate_consultation,
    not_accepted,
)
from magtui.knowledge.base import KnowledgeBase
from magtui.notes.errors import NoteFormatError
from magtui.notes.render import from_json, to_json, to_markdown
from magtui.notes.session import NOT_ACCEPTED_TEXT_MAX_CHARS, NotAcceptedRecord, SessionNote

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NOT_ENTERED = "No eGFR, creatinine or dialysis status has been entered"


def note_of(kb: KnowledgeBase, consultation: Consultation) -> SessionNote:
    results = evaluate_consultation(kb, consultation)
    return consultation_note(kb, consultation, results, now=NOW)


def adult(**typed: str) -> Consultation:
    return Consultation(patient=PatientInputs(age_years=68, sex="female"), typed=typed,
                        started_at=NOW)


def test_implausible_creatinine_is_recorded_as_typed(kb: KnowledgeBase) -> None:
    note = note_of(kb, adult(creatinine="95"))
    markdown = to_markdown(note)
    line = ('- Creatinine: typed "95" (mg/dL), not accepted: 95 mg/dL is outside the '
            "plausible range 0.1–25 mg/dL; plausible as µmol/L")
    assert line in markdown.splitlines()
    assert NOT_ENTERED not in markdown
    kidney = note.patient.kidney
    assert kidney.kidney_risk == "unknown"
    assert 'Not used — Creatinine: typed "95" (mg/dL), not accepted' in (kidney.kidney_caution
                                                                        or "")
    twin = json.loads(to_json(note))
    assert twin["not_accepted"] == [{
        "field": "creatinine", "name": "Creatinine", "text": "95", "unit": "mg/dL",
        "reason": "95 mg/dL is outside the plausible range 0.1–25 mg/dL; plausible as µmol/L",
        "area": "patient", "quoted": True,
    }]
    assert NOT_ENTERED not in twin["patient"]["kidney"]["kidney_caution"]
    assert from_json(to_json(note)) == note


def test_the_reason_follows_the_unit_chosen(kb: KnowledgeBase) -> None:
    consultation = adult(creatinine="0.9")
    consultation.patient.creatinine_unit = "umol/L"
    (entry,) = not_accepted(consultation)
    assert entry.unit == "µmol/L"
    assert entry.reason == ("0.9 µmol/L is outside the plausible range 8.8–2210 µmol/L; "
                            "plausible as mg/dL")


def test_a_separated_dose_amount_says_how_to_write_it(kb: KnowledgeBase) -> None:
    consultation = adult(amount="2,400")
    consultation.dose = DoseInputs(form_id="hydroxide", times_per_day=2)
    markdown = to_markdown(note_of(kb, consultation))
    assert "## Dose checked" in markdown and "No dose was computed." in markdown
    assert ('- Amount per dose: typed "2,400" (mg compound), not accepted: the comma is not '
            "read (a thousands separator, or a decimal comma?): write 2400 or 2.400") in markdown


def test_an_emptied_doses_a_day_is_recorded_left_empty(kb: KnowledgeBase) -> None:
    consultation = adult()
    consultation.dose = DoseInputs(form_id="oxide", amount_mg=400, times_per_day=None)
    markdown = to_markdown(note_of(kb, consultation))
    assert ("- Doses a day: left empty (doses/day), not accepted: a value is required"
            in markdown)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ({"age-years": "abc"}, '- Age: typed "abc" (years), not accepted: must be a number in '
                               "plain digits 0-9 (e.g. 68 or 1.2), got 'abc'"),
        ({"age-years": "200"}, '- Age: typed "200" (years), not accepted: 200 years is '
                               "outside the plausible range 0–120 years"),
        ({"serum": "12"}, '- Serum magnesium: typed "12" (mmol/L), not accepted: 12 mmol/L '
                          "is outside the plausible range 0.05–10 mmol/L; plausible as mg/dL "
                          "or mEq/L"),
        ({"egfr": "0"}, '- eGFR: typed "0" (mL/min/1.73 m²), not accepted: must be greater '
                        "than 0 mL/min/1.73 m²"),
    ],
)
def test_every_number_field_is_recorded(
    kb: KnowledgeBase, typed: dict[str, str], expected: str
) -> None:
    consultation = adult(**typed)
    if "age-years" in typed:
        consultation.patient.age_years = None
    if "serum" in typed:
        consultation.serum = SerumInputs(unit="mmol/L")  # 12 fits mg/dL and mEq/L
    markdown = to_markdown(note_of(kb, consultation))
    assert expected in markdown.splitlines()
    assert "- Age: not recorded" not in markdown


def test_two_ways_to_one_fact_are_both_recorded(kb: KnowledgeBase) -> None:
    markdown = to_markdown(note_of(kb, adult(egfr="45", creatinine="1.1")))
    assert ('- eGFR: typed "45" (mL/min/1.73 m²), not accepted: give eGFR or creatinine, '
            "not both") in markdown
    assert ('- Creatinine: typed "1.1" (mg/dL), not accepted: give eGFR or creatinine, '
            "not both") in markdown
    assert NOT_ENTERED not in markdown


def test_kept_text_that_is_now_valid_is_not_a_refusal(kb: KnowledgeBase) -> None:
    assert not_accepted(adult(egfr="45")) == ()


def test_hostile_typed_text_is_neutralised_and_bounded(kb: KnowledgeBase) -> None:
    hostile = "\x1b]52;c;aGk=\x07\u202e12" + "9" * 900
    note = note_of(kb, adult(creatinine=hostile))
    (entry,) = note.not_accepted
    assert len(entry.text) <= NOT_ACCEPTED_TEXT_MAX_CHARS and entry.text.endswith("…")
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in entry.text and raw not in entry.reason
    assert "␛" in entry.text
    for text in (to_markdown(note), to_json(note)):
        assert "\x1b" not in text and "\u202e" not in text and "9" * 100 not in text
    assert from_json(to_json(note)) == note


def test_markup_in_typed_text_stays_literal(kb: KnowledgeBase) -> None:
    markdown = to_markdown(note_of(kb, adult(egfr="[x](y) *1*")))
    assert r'typed "\[x\](y) \*1\*"' in markdown


def test_a_refused_patient_reference_is_not_quoted(kb: KnowledgeBase) -> None:
    name = "Jane Example Smith of 12 Long Road, Town"  # too long: perhaps a name
    note = note_of(kb, adult(**{"patient-ref": name}))
    markdown = to_markdown(note)
    assert "Jane" not in markdown and "Jane" not in to_json(note)
    assert ("- Patient reference: typed text (not recorded), not accepted: patient reference "
            "must be at most 32 characters") in markdown


def test_a_note_file_with_controls_in_typed_text_is_refused(kb: KnowledgeBase) -> None:
    twin = json.loads(to_json(note_of(kb, adult(creatinine="95"))))
    twin["not_accepted"][0]["text"] = "9\x1b[2J5"
    with pytest.raises(NoteFormatError, match="not_accepted"):
        from_json(json.dumps(twin))
    with pytest.raises(ValueError, match="control or invisible"):
        NotAcceptedRecord(field="egfr", name="eGFR", text="\u202e9", reason="x")


def test_findings_from_the_patient_details_say_so(kb: KnowledgeBase) -> None:
    consultation = Consultation(patient=PatientInputs(age_years=79, sex="male", egfr=21),
                                states={"nausea": "present"}, started_at=NOW)
    note = note_of(kb, consultation)
    assert note.findings["older_adult"].set_from == "age 79 years"
    assert note.findings["kidney_disease"].set_from == "eGFR 21 mL/min/1.73 m², entered"
    assert note.findings["nausea"].set_from is None
    markdown = to_markdown(note)
    assert ("- Older adult (about 65+) (older_adult) — from the patient details: age 79 years"
            in markdown.splitlines())
    assert ("- Kidney disease (kidney_disease) — from the patient details: eGFR 21 "
            "mL/min/1.73 m², entered") in markdown
    twin = json.loads(to_json(note))
    assert twin["findings"]["older_adult"] == {
        "state": "present", "label": "Older adult (about 65+)", "red_flag": None,
        "asked_together": False, "set_from": "age 79 years"}
    assert from_json(to_json(note)) == note


def test_notes_written_before_keep_reading(kb: KnowledgeBase) -> None:
    twin = json.loads(to_json(note_of(kb, adult(creatinine="95"))))
    del twin["not_accepted"]
    for record in twin["findings"].values():
        del record["set_from"]
    old = from_json(json.dumps(twin))
    assert old.not_accepted == ()
    assert not any(line.startswith("- Creatinine: typed")
                   for line in to_markdown(old).splitlines())
