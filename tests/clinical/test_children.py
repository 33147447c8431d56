"""Infants and children: intake without a sex where the tables do not depend on it, and the
under-18 kidney note (issue 13). Which ages need a sex is read from the KB, never assumed."""

from __future__ import annotations

import pytest

from magtui.clinical.intake import IntakeResult, lookup_intake
from magtui.clinical.limits import InputError
from magtui.clinical.renal import EQUATION_SOURCES, UNDER_18_KIDNEY_CAUTION
from magtui.consultation import Consultation, PatientInputs, evaluate_consultation
from magtui.knowledge.base import KnowledgeBase


def _figures(kb: KnowledgeBase, months: int, sex: str) -> tuple[object, ...]:
    return _figures_of(lookup_intake(kb, age_months=months, sex=sex))  # type: ignore[arg-type]


def test_six_month_old_without_sex_gets_the_reference_of_both_sexes(kb: KnowledgeBase) -> None:
    result = lookup_intake(kb, age_months=6, sex=None)
    assert result.sex is None and result.sex_text == "either sex"
    assert (result.reference_kind, result.reference_mg, result.ul_supplemental_mg) == (
        "AI", 30, None)
    assert _figures_of(result) == _figures(kb, 6, "female") == _figures(kb, 6, "male")


def test_where_the_sexes_differ_a_sex_is_asked_for(kb: KnowledgeBase) -> None:
    with pytest.raises(InputError) as caught:
        lookup_intake(kb, age_months=15 * 12, sex=None)
    assert caught.value.field == "sex"
    assert "choose female or male" in caught.value.message
    assert "14–18 years" in caught.value.message


def test_without_sex_the_reference_follows_the_data_at_every_age(kb: KnowledgeBase) -> None:
    """Given exactly where the female and male rows agree, asked for elsewhere."""
    for months in range(0, 100 * 12, 6):
        female, male = _figures(kb, months, "female"), _figures(kb, months, "male")
        if female == male:
            assert _figures_of(lookup_intake(kb, age_months=months, sex=None)) == female
        else:
            with pytest.raises(InputError, match="choose female or male"):
                lookup_intake(kb, age_months=months, sex=None)


def _figures_of(r: IntakeResult) -> tuple[object, ...]:
    return (r.life_stage, r.rda_mg, r.ai_mg, r.ul_supplemental_mg, r.row.note, r.sources)


@pytest.mark.parametrize("condition", ["pregnancy", "lactation"])
def test_pregnancy_and_lactation_still_need_female(kb: KnowledgeBase, condition: str) -> None:
    with pytest.raises(InputError, match="applies only with sex female"):
        lookup_intake(kb, age_months=16 * 12, sex=None, condition=condition)  # type: ignore[arg-type]


def test_consultation_infant_without_sex(kb: KnowledgeBase) -> None:
    results = evaluate_consultation(kb, Consultation(patient=PatientInputs(age_months=6)))
    assert results.intake is not None and results.intake.ai_mg == 30
    assert "sex" not in results.problems
    adult = evaluate_consultation(kb, Consultation(patient=PatientInputs(age_years=40)))
    assert adult.intake is None and "choose female or male" in adult.problems["sex"]


def test_child_kidney_note_names_the_paediatric_route(kb: KnowledgeBase) -> None:
    results = evaluate_consultation(
        kb, Consultation(patient=PatientInputs(age_years=10, creatinine=0.5)))
    kidney = results.kidney
    assert results.egfr is None and kidney.basis == "no_information"
    assert kidney.caution == UNDER_18_KIDNEY_CAUTION
    assert "not used under 18" in kidney.caution and "bedside Schwartz" in kidney.caution
    assert "enter it directly as eGFR" in kidney.caution
    assert "eGFR or creatinine" not in kidney.caution
    assert set(EQUATION_SOURCES) <= set(kidney.sources)
    assert all(s in kb.sources for s in kidney.sources)
    assert "paediatric equation" in results.problems["age"]
    # Without a sex too: the age is what rules the equation out.
    no_sex = evaluate_consultation(
        kb, Consultation(patient=PatientInputs(age_months=6, creatinine=0.3)))
    assert "6 months" in no_sex.problems["creatinine"]


def test_adult_kidney_note_is_unchanged(kb: KnowledgeBase) -> None:
    for patient in (PatientInputs(age_years=40), PatientInputs()):
        kidney = evaluate_consultation(kb, Consultation(patient=patient)).kidney
        assert kidney.caution == kb.kidney_band("no_information").caution
        assert "eGFR or creatinine" in kidney.caution
    entered = evaluate_consultation(
        kb, Consultation(patient=PatientInputs(age_years=10, egfr=40))).kidney
    assert entered.basis == "egfr" and entered.caution != UNDER_18_KIDNEY_CAUTION
