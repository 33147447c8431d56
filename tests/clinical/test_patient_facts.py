"""Issue 13, facts entered once: the age and kidney function answer the findings they decide.

`older_adult` is present from the age the KB's finding states (`from_age_years`, 65 in the
shipped KB: its label says "about 65+"); `kidney_disease` is present when measured kidney
function is in a caution or high band (eGFR below 60 in the shipped KB) or on dialysis.
Only "present" is ever derived; the triage result, its explanation and the kidney caution
say where the answer came from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from magtui.clinical.facts import patient_facts
from magtui.clinical.renal import (
    UNDER_18_KIDNEY_CAUTION,
    assess_kidney,
    for_unused_entry,
)
from magtui.clinical.triage import FindingState, evaluate, finding_states
from magtui.consultation import Consultation, PatientInputs, evaluate_consultation
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import DEFAULT_KB, KBError, load_kb


def older_age_months(kb: KnowledgeBase) -> int:
    """The KB's own threshold, in months: the tests never restate 65."""
    threshold = kb.findings["older_adult"].from_age_years
    assert threshold is not None, "the KB's older-adult finding must state its age"
    return int(threshold * 12)


def low_band_egfr(kb: KnowledgeBase) -> float:
    """The lowest eGFR of the KB's low-risk band (60 in the shipped KB)."""
    band = next(b for b in kb.kidney if b.basis == "egfr" and b.risk == "low")
    assert band.egfr_min is not None
    return band.egfr_min


def test_the_threshold_is_the_one_the_label_states(kb: KnowledgeBase) -> None:
    finding = kb.findings["older_adult"]
    assert f"{finding.from_age_years:g}+" in finding.label  # "Older adult (about 65+)"


@pytest.mark.parametrize(("offset", "present"), [(0, True), (-1, False), (12 * 20, True)])
def test_age_answers_older_adult_from_the_kb_threshold(
    kb: KnowledgeBase, offset: int, present: bool
) -> None:
    months = older_age_months(kb) + offset
    result = evaluate(kb, finding_states(kb), age_months=months)
    assert (result.states["older_adult"] == "present") is present
    assert ("older_adult" in result.from_patient) is present
    if present:
        fact = result.from_patient["older_adult"]
        assert fact.field == "age" and fact.because == f"age {months // 12} years"
    else:
        # Below the threshold it stays the clinician's to mark: never derived absent.
        assert result.states["older_adult"] == "not_asked"


def test_another_kb_threshold_is_followed(kb: KnowledgeBase) -> None:
    older = kb.findings["older_adult"].replace(from_age_years=70)
    other = kb.replace(findings={**kb.findings, "older_adult": older})
    assert evaluate(other, finding_states(other), age_months=68 * 12).states["older_adult"] \
        == "not_asked"
    assert evaluate(other, finding_states(other), age_months=70 * 12).states["older_adult"] \
        == "present"


def test_no_age_answers_nothing(kb: KnowledgeBase) -> None:
    result = evaluate(kb, finding_states(kb))
    assert dict(result.from_patient) == {}
    assert result.states["older_adult"] == "not_asked"


def test_age_makes_the_deficiency_picture_without_a_second_tick(kb: KnowledgeBase) -> None:
    """Scenario 1's risk factor: cramps in a 68-year-old count towards deficiency."""
    states = finding_states(kb, ["cramps_spasms"])
    assert evaluate(kb, states, age_months=20 * 12).pattern == "unclear"
    result = evaluate(kb, states, age_months=68 * 12)
    assert result.pattern == "deficiency"
    line = next(e for e in result.explanation if e.finding == "older_adult")
    assert line.counted
    assert line.note.startswith("Answered by the patient details (age 68 years).")


@pytest.mark.parametrize(("below", "present"), [(0.1, True), (0.0, False), (-15.0, False)])
def test_measured_egfr_below_the_low_band_answers_kidney_disease(
    kb: KnowledgeBase, below: float, present: bool
) -> None:
    egfr = low_band_egfr(kb) - below
    result = evaluate(kb, finding_states(kb), egfr=egfr)
    assert (result.states["kidney_disease"] == "present") is present
    if present:
        fact = result.from_patient["kidney_disease"]
        assert fact.field == "egfr"
        assert fact.because == f"eGFR {egfr:g} mL/min/1.73 m², entered"
    else:
        # eGFR 60 or more does not rule kidney disease out (G1–G2 with albuminuria).
        assert result.states["kidney_disease"] == "not_asked"


def test_dialysis_answers_kidney_disease(kb: KnowledgeBase) -> None:
    result = evaluate(kb, finding_states(kb), dialysis=True)
    assert result.states["kidney_disease"] == "present"
    assert result.from_patient["kidney_disease"].because == "on dialysis"
    assert result.from_patient["kidney_disease"].field == "dialysis"


def test_a_computed_egfr_is_named_as_computed(kb: KnowledgeBase) -> None:
    consultation = Consultation(patient=PatientInputs(
        age_years=68, sex="female", creatinine=95, creatinine_unit="umol/L"))
    triage = evaluate_consultation(kb, consultation).triage
    fact = triage.from_patient["kidney_disease"]
    assert fact.field == "creatinine"
    assert fact.because == "eGFR 56.3 mL/min/1.73 m², CKD-EPI 2021"
    assert triage.kidney.egfr_computed  # said once, by `evaluate`, for every reader
    assert triage.states["older_adult"] == triage.states["kidney_disease"] == "present"


def test_a_reported_kidney_disease_is_the_clinicians_not_a_fact(kb: KnowledgeBase) -> None:
    result = evaluate(kb, finding_states(kb, ["kidney_disease"]))
    assert result.kidney.basis == "reported_disease"
    assert "kidney_disease" not in result.from_patient
    assert result.states["kidney_disease"] == "present"


@pytest.mark.parametrize("hand_mark", ["absent", "present"])
def test_the_patient_details_decide_while_set_and_a_hand_mark_returns_after(
    kb: KnowledgeBase, hand_mark: FindingState
) -> None:
    consultation = Consultation(patient=PatientInputs(age_years=68),
                                states={"older_adult": hand_mark})
    assert evaluate_consultation(kb, consultation).triage.states["older_adult"] == "present"
    assert consultation.states["older_adult"] == hand_mark  # kept underneath, not overwritten
    consultation.patient = PatientInputs()  # the age cleared on F3
    assert evaluate_consultation(kb, consultation).triage.states["older_adult"] == hand_mark


def test_derived_findings_are_answered_but_red_flags_are_still_asked(
    kb: KnowledgeBase,
) -> None:
    result = evaluate(kb, finding_states(kb), age_months=80 * 12, egfr=21)
    assert set(result.from_patient) == {"older_adult", "kidney_disease"}
    assert set(result.from_patient) <= set(result.present)
    assert result.provisional and len(result.unasked_red_flags) == 7


# ----------------------------------------------------------------------------- kidney cautions


def test_the_child_kidney_caution_is_applied_where_the_kidney_is_assessed(
    kb: KnowledgeBase,
) -> None:
    """One place: `assess_kidney` with the age (the app's triage and the CLI's dose)."""
    assert assess_kidney(kb, age_months=6).caution == UNDER_18_KIDNEY_CAUTION
    assert assess_kidney(kb, age_months=17 * 12 + 11).caution == UNDER_18_KIDNEY_CAUTION
    adult = assess_kidney(kb, age_months=18 * 12)
    assert adult.caution != UNDER_18_KIDNEY_CAUTION and "Enter eGFR or creatinine" in adult.caution
    # Known kidney function is never replaced: only "nothing known" gets the child's words.
    assert assess_kidney(kb, egfr=40, age_months=6).caution != UNDER_18_KIDNEY_CAUTION
    assert evaluate(kb, finding_states(kb), age_months=6).kidney.caution \
        == UNDER_18_KIDNEY_CAUTION


def test_an_unused_kidney_entry_replaces_not_entered(kb: KnowledgeBase) -> None:
    unknown = assess_kidney(kb)
    assert "has been entered" in unknown.caution
    said = for_unused_entry(unknown, 'Creatinine: typed "95" (mg/dL), not accepted: x')
    assert said.risk == "unknown" and said.headline == unknown.headline
    assert 'Creatinine: typed "95" (mg/dL), not accepted' in said.caution
    assert "has been entered" not in said.caution
    # Known function, or a child's caution (which says what to enter), is kept as it is.
    assert for_unused_entry(assess_kidney(kb, egfr=45), "x") == assess_kidney(kb, egfr=45)
    child = assess_kidney(kb, age_months=6)
    assert for_unused_entry(child, "x") == child


def test_a_creatinine_that_gives_no_egfr_is_said_so(kb: KnowledgeBase) -> None:
    consultation = Consultation(patient=PatientInputs(age_years=68, creatinine=1.1))
    results = evaluate_consultation(kb, consultation)
    assert results.egfr is None and results.kidney.risk == "unknown"
    caution = results.kidney.caution
    assert "creatinine 1.1 mg/dL was entered, but no eGFR was computed" in caution
    assert "sex are needed" in caution and "has been entered" not in caution


# ----------------------------------------------------------------------------- the KB field


def test_only_a_context_finding_can_be_answered_by_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAGTUI_KB_CACHE", "off")
    raw = json.loads(DEFAULT_KB.read_text(encoding="utf-8"))
    doc = next(d for d in raw["findings"].values() if d["id"] == "seizure")
    doc["from_age_years"] = 65
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(KBError) as caught:
        load_kb(path)
    assert any("from_age_years" in p and "context finding" in p for p in caught.value.problems)


def test_facts_need_no_ui(kb: KnowledgeBase) -> None:
    """Pure: the same facts for any caller that gives the age and kidney assessment."""
    facts = patient_facts(kb, age_months=70 * 12, kidney=assess_kidney(kb, dialysis=True))
    assert {f: (v.field, v.because, v.brief) for f, v in facts.items()} == {
        "older_adult": ("age", "age 70 years", "age 70 y"),
        "kidney_disease": ("dialysis", "on dialysis", "dialysis"),
    }
