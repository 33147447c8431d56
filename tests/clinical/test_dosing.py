"""Elemental dose against the RDA/UL with kidney warnings (design.md §3 `dose`;
clinical-reference.md §2 salt fractions, §1.2 UL, §6.4 kidney rules; scenarios 2, 6, 7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magtui.clinical.dosing import DoseResult, calculate_dose
from magtui.clinical.intake import IntakeResult, age_to_months, lookup_intake
from magtui.clinical.limits import InputError
from magtui.clinical.renal import KidneyAssessment, assess_kidney
from magtui.knowledge.base import KnowledgeBase

# clinical-reference.md §2 "Recommended TUI constant" (% Mg of the compound, as a fraction).
REFERENCE_FRACTION = {
    "oxide": 0.603, "hydroxide": 0.417, "carbonate": 0.288, "chloride": 0.120,
    "citrate": 0.162, "lactate": 0.120, "glycinate": 0.141, "sulfate": 0.099,
    "gluconate": 0.054, "aspartate": 0.075, "malate": 0.155, "threonate": 0.072,
    "taurate": 0.089, "pidolate": 0.087,
}
MG_MOLAR_MASS = 24.305


def intake(kb: KnowledgeBase, years: float, sex: str = "female", condition: str = "none"
           ) -> IntakeResult:
    return lookup_intake(kb, age_months=age_to_months(years), sex=sex,  # type: ignore[arg-type]
                         condition=condition)  # type: ignore[arg-type]


def codes(result: DoseResult) -> list[str]:
    return [w.code for w in result.warnings]


@pytest.fixture(scope="module")
def normal_kidney(kb: KnowledgeBase) -> KidneyAssessment:
    return assess_kidney(kb, egfr=90)


@pytest.mark.parametrize(("form_id", "fraction"), sorted(REFERENCE_FRACTION.items()))
def test_kb_fractions_follow_reference(kb: KnowledgeBase, form_id: str, fraction: float) -> None:
    assert kb.forms[form_id].elemental_fraction == pytest.approx(fraction, abs=1e-9)


def test_orotate_fraction_in_reference_range(kb: KnowledgeBase) -> None:
    # §2: orotate dihydrate 6.56 %, constant "6.5–6.6 %".
    assert 0.065 <= kb.forms["orotate"].elemental_fraction <= 0.066


def test_oxide_400_twice_a_day(kb: KnowledgeBase, normal_kidney: KidneyAssessment) -> None:
    # §2: 400 mg MgO x 0.603 = 241.2 mg (Medscape: Mag-Ox 400 ≈ 240 mg elemental).
    result = calculate_dose(kb, form_id="oxide", intake=intake(kb, 40, "male"),
                            kidney=normal_kidney, compound_mg=400, times_per_day=2)
    assert result.elemental_mg_per_dose == 241.2
    assert result.elemental_mg_per_day == 482.4
    # 482.4 / 350 x 100 = 137.83 %, above the adult supplemental UL (§1.2).
    assert result.ul_supplemental_mg == 350
    assert result.percent_of_ul == 137.8
    assert result.exceeds_ul
    # 482.4 / 24.305 = 19.85 mmol.
    assert result.mmol_per_day == pytest.approx(482.4 / MG_MOLAR_MASS, abs=0.05)
    assert "exceeds_ul" in codes(result)
    assert not {"kidney_high", "kidney_caution", "kidney_unknown"} & set(codes(result))
    # Oxide is stoichiometric (high confidence): no "label figure wins" caveat needed.
    assert "label_elemental_wins" not in codes(result)


def test_scenario_2_hydroxide_with_egfr_21(kb: KnowledgeBase) -> None:
    # scenarios.md §2: Mg(OH)2 2,400 mg twice a day, eGFR 21 → ≈ 2,000 mg/day, > 5 x UL.
    kidney = assess_kidney(kb, egfr=21)
    result = calculate_dose(kb, form_id="hydroxide", intake=intake(kb, 79, "male"),
                            kidney=kidney, compound_mg=2400, times_per_day=2)
    expected_day = 2400 * 0.417 * 2  # §2 constant 41.7 % → 2001.6 mg
    assert result.elemental_mg_per_day == pytest.approx(expected_day, abs=0.05)
    assert result.exceeds_ul
    assert result.percent_of_ul == pytest.approx(expected_day / 350 * 100, abs=0.05)
    assert result.percent_of_ul > 500  # "over five times the 350 mg UL"
    assert result.kidney.risk == "high"
    assert {"kidney_high", "exceeds_ul"} <= set(codes(result))
    assert "kidney_caution" not in codes(result)
    # The kidney danger is the first thing shown (most dangerous first).
    assert codes(result)[0] == "kidney_high"


def test_scenario_6_glycinate_in_pregnancy(kb: KnowledgeBase) -> None:
    # scenarios.md §6: glycinate 14.1 %, 500 mg twice a day → 141 mg/day, ≈ 40 % of 350 mg.
    result = calculate_dose(kb, form_id="glycinate",
                            intake=intake(kb, 30, "female", "pregnancy"),
                            kidney=assess_kidney(kb), compound_mg=500, times_per_day=2)
    assert result.elemental_mg_per_day == 141.0
    assert result.intake.rda_mg == 350 and result.ul_supplemental_mg == 350
    assert result.percent_of_ul == 40.3  # 141 / 350 x 100 = 40.29
    assert not result.exceeds_ul
    assert "kidney_unknown" in codes(result)
    assert "exceeds_ul" not in codes(result)
    # Glycinate's percentage varies (buffered products): the label figure wins.
    assert "label_elemental_wins" in codes(result)


def test_scenario_7_infant_has_no_ul(kb: KnowledgeBase, normal_kidney: KidneyAssessment) -> None:
    # scenarios.md §7 / §1.2: no supplemental UL for infants; never invent one.
    result = calculate_dose(kb, form_id="citrate", intake=intake(kb, 0.5, "male"),
                            kidney=normal_kidney, elemental_mg=50)
    assert result.intake.ai_mg == 30
    assert result.ul_supplemental_mg is None
    assert result.percent_of_ul is None
    assert not result.exceeds_ul
    assert "no_ul_for_age" in codes(result)
    assert "exceeds_ul" not in codes(result)
    assert result.elemental_mg_per_day == 50.0


def test_elemental_input_is_used_directly(kb: KnowledgeBase, normal_kidney: KidneyAssessment
                                          ) -> None:
    # §2: when the label gives elemental magnesium, use that figure; the fraction is unused.
    result = calculate_dose(kb, form_id="citrate", intake=intake(kb, 40, "female"),
                            kidney=normal_kidney, elemental_mg=200, times_per_day=2)
    assert result.entered_as == "elemental"
    assert result.elemental_mg_per_dose == 200.0
    assert result.elemental_mg_per_day == 400.0
    assert result.exceeds_ul  # 400 > 350
    assert "label_elemental_wins" not in codes(result)


def test_exactly_at_ul_does_not_exceed(kb: KnowledgeBase, normal_kidney: KidneyAssessment) -> None:
    result = calculate_dose(kb, form_id="citrate", intake=intake(kb, 40, "male"),
                            kidney=normal_kidney, elemental_mg=175, times_per_day=2)
    assert result.percent_of_ul == 100.0
    assert not result.exceeds_ul


def test_child_ul_is_supplement_only(kb: KnowledgeBase, normal_kidney: KidneyAssessment) -> None:
    # §1.2: 4–8 y UL 110 mg (supplemental) is below the 130 mg RDA (total intake).
    child = intake(kb, 5, "female")
    under = calculate_dose(kb, form_id="citrate", intake=child, kidney=normal_kidney,
                           elemental_mg=100)
    over = calculate_dose(kb, form_id="citrate", intake=child, kidney=normal_kidney,
                          elemental_mg=120)
    assert not under.exceeds_ul and over.exceeds_ul
    assert over.percent_of_ul == pytest.approx(120 / 110 * 100, abs=0.05)


def test_kidney_caution_warning(kb: KnowledgeBase) -> None:
    result = calculate_dose(kb, form_id="oxide", intake=intake(kb, 68, "female"),
                            kidney=assess_kidney(kb, egfr=56), compound_mg=400)
    assert "kidney_caution" in codes(result)
    assert not {"kidney_high", "kidney_unknown"} & set(codes(result))


def test_dialysis_gives_kidney_high(kb: KnowledgeBase) -> None:
    result = calculate_dose(kb, form_id="oxide", intake=intake(kb, 60, "male"),
                            kidney=assess_kidney(kb, dialysis=True), compound_mg=100)
    assert "kidney_high" in codes(result)


def test_toxicity_range_over_5000(kb: KnowledgeBase, normal_kidney: KidneyAssessment) -> None:
    # §1.3: toxicity reported with very large doses, typically > 5,000 mg/day.
    adult = intake(kb, 40, "male")
    over = calculate_dose(kb, form_id="hydroxide", intake=adult, kidney=normal_kidney,
                          elemental_mg=2600, times_per_day=2)
    under = calculate_dose(kb, form_id="hydroxide", intake=adult, kidney=normal_kidney,
                           elemental_mg=2400, times_per_day=2)
    assert "toxicity_range" in codes(over)
    assert "toxicity_range" not in codes(under)


def test_every_warning_cites_a_known_source(kb: KnowledgeBase) -> None:
    cases = [
        calculate_dose(kb, form_id="hydroxide", intake=intake(kb, 79, "male"),
                       kidney=assess_kidney(kb, egfr=21), compound_mg=2400, times_per_day=2),
        calculate_dose(kb, form_id="glycinate", intake=intake(kb, 30, "female", "pregnancy"),
                       kidney=assess_kidney(kb), compound_mg=500, times_per_day=2),
        calculate_dose(kb, form_id="threonate", intake=intake(kb, 0.5, "female"),
                       kidney=assess_kidney(kb, egfr=40), compound_mg=30_000, times_per_day=12),
    ]
    for result in cases:
        assert result.warnings
        for warning in result.warnings:
            assert warning.text.strip()
            assert warning.source in kb.sources, warning
        assert all(s in kb.sources for s in result.sources)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"form_id": "unobtainium", "compound_mg": 100}, "form"),
     ({"form_id": "oxide"}, "compound-mg"),
     ({"form_id": "oxide", "compound_mg": 100, "elemental_mg": 60}, "compound-mg"),
     ({"form_id": "oxide", "compound_mg": 0}, "compound-mg"),
     ({"form_id": "oxide", "compound_mg": float("nan")}, "compound-mg"),
     ({"form_id": "oxide", "elemental_mg": -5}, "elemental-mg"),
     ({"form_id": "oxide", "compound_mg": 100, "times_per_day": 0}, "times-per-day"),
     ({"form_id": "oxide", "compound_mg": 100, "times_per_day": 1.5}, "times-per-day")],
)
def test_bad_dose_input_names_field(
    kb: KnowledgeBase, normal_kidney: KidneyAssessment, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as err:
        calculate_dose(kb, intake=intake(kb, 40), kidney=normal_kidney, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


# --- properties --------------------------------------------------------------------------


@given(
    st.data(),
    st.floats(min_value=1, max_value=15_000, allow_nan=False),
    st.integers(min_value=1, max_value=6),
)
def test_daily_dose_is_linear(kb: KnowledgeBase, data: st.DataObject, compound: float,
                              times: int) -> None:
    form_id = data.draw(st.sampled_from(sorted(kb.forms)))
    adult = intake(kb, 40, "male")
    kidney = assess_kidney(kb, egfr=90)
    fraction = kb.forms[form_id].elemental_fraction
    one = calculate_dose(kb, form_id=form_id, intake=adult, kidney=kidney,
                         compound_mg=compound, times_per_day=times)
    # elemental mg = compound mg x fraction; per day = per dose x doses (§2 "Dose arithmetic").
    assert one.elemental_mg_per_dose_exact == pytest.approx(compound * fraction, rel=1e-12)
    assert one.elemental_mg_per_day_exact == pytest.approx(compound * fraction * times, rel=1e-12)
    doubled = calculate_dose(kb, form_id=form_id, intake=adult, kidney=kidney,
                             compound_mg=compound * 2, times_per_day=times)
    assert doubled.elemental_mg_per_day_exact == pytest.approx(
        2 * one.elemental_mg_per_day_exact, rel=1e-12)
    more_often = calculate_dose(kb, form_id=form_id, intake=adult, kidney=kidney,
                                compound_mg=compound, times_per_day=times * 2)
    assert more_often.elemental_mg_per_day_exact == pytest.approx(
        2 * one.elemental_mg_per_day_exact, rel=1e-12)
    assert one.exceeds_ul == (compound * fraction * times > 350)
    assert ("exceeds_ul" in codes(one)) == one.exceeds_ul


# --- issue 10: age-appropriate, kidney-aware wording above the UL -------------------------

INTERNAL_REMARKS = (
    "not re-verified", "design choice", "does not suggest doses", "gives no iv doses",
    "does not invent", "none is invented", "magtui shows", "magtui",
)
ADULT_REPLACEMENT_FIGURES = ("583", "24 mmol", "20–30 mmol", "mmol a day")


def warning(result: DoseResult, code: str) -> str:
    return next(w.text for w in result.warnings if w.code == code)


def mg_figures(text: str) -> set[float]:
    """Every '<number> mg' figure in a text (1,000 separators allowed)."""
    import re

    return {float(m.replace(",", "")) for m in re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*mg\b", text)}


@pytest.mark.parametrize(("years", "stage"), [(1, "1–3 years"), (2, "1–3 years"),
                                              (5, "4–8 years"), (10, "9–13 years"),
                                              (17.9, "14–18 years")])
def test_child_above_ul_gets_the_childs_ul_and_no_adult_figure(
    kb: KnowledgeBase, normal_kidney: KidneyAssessment, years: float, stage: str,
) -> None:
    # clinical-reference.md §1.2: UL 65 mg (1–3 y), 110 mg (4–8 y), 350 mg (9–18 y), from the
    # intake row; the adult replacement dose (§8.3: 24 mmol ≈ 583 mg) never applies to a child.
    child = intake(kb, years, "male")
    ul = child.ul_supplemental_mg
    assert ul is not None and child.life_stage == stage
    result = calculate_dose(kb, form_id="citrate", intake=child, kidney=normal_kidney,
                            elemental_mg=ul + 100)
    assert result.for_child and result.exceeds_ul
    text = warning(result, "exceeds_ul")
    assert f"({ul:g} mg/day" in text and stage in text
    assert "paediatrician" in text
    for figure in ADULT_REPLACEMENT_FIGURES:
        assert figure not in text, figure
    assert kb.advice["therapeutic_doses_doctor"].text not in text
    assert mg_figures(text) <= {result.elemental_mg_per_day, ul}


def test_toddler_cli_case_names_65_mg(kb: KnowledgeBase, normal_kidney: KidneyAssessment) -> None:
    # The reported case: citrate 100 mg elemental, age 2 → UL 65 mg, 153.8 %; no adult figure.
    result = calculate_dose(kb, form_id="citrate", intake=intake(kb, 2, "male"),
                            kidney=assess_kidney(kb), elemental_mg=100)
    text = warning(result, "exceeds_ul")
    assert "153.8 % of the supplemental UL for 1–3 years (65 mg/day" in text
    assert "583" not in text and "mmol" not in text


def test_adult_above_ul_may_quote_the_adult_replacement_dose(
    kb: KnowledgeBase, normal_kidney: KidneyAssessment,
) -> None:
    result = calculate_dose(kb, form_id="citrate", intake=intake(kb, 18, "female"),
                            kidney=normal_kidney, elemental_mg=400)
    assert not result.for_child  # 18 years = 216 completed months: adult
    text = warning(result, "exceeds_ul")
    assert kb.advice["therapeutic_doses_doctor"].text in text
    assert "paediatrician" not in text
    assert "renal" not in text  # normal kidneys: no reduction wording


@pytest.mark.parametrize("years", [40, 8])
@pytest.mark.parametrize("kidney_kwargs", [{"egfr": 45}, {"kidney_disease_reported": True}])
def test_kidney_caution_above_ul_says_doses_are_reduced(
    kb: KnowledgeBase, years: float, kidney_kwargs: dict[str, object],
) -> None:
    # clinical-reference.md §8.3 (doses lower in renal failure, reduce 50–75%) and §6.2 BNF
    # (avoid or reduce dose and monitor).
    kidney = assess_kidney(kb, **kidney_kwargs)  # type: ignore[arg-type]
    assert kidney.risk == "caution"
    result = calculate_dose(kb, form_id="citrate", intake=intake(kb, years, "male"),
                            kidney=kidney, elemental_mg=500)
    exceeds = next(w for w in result.warnings if w.code == "exceeds_ul")
    assert "renal impairment" in exceeds.text and "reduc" in exceeds.text
    assert "50–75%" in exceeds.text and "BNF" in exceeds.text
    assert {"bnf_magnesium", "harrisons_manual"} <= set(exceeds.see_also)
    assert {"bnf_magnesium", "harrisons_manual"} <= set(result.sources)
    assert all(s in kb.sources for s in exceeds.see_also)


@pytest.mark.parametrize("years", [79, 6])
@pytest.mark.parametrize("kidney_kwargs", [{"egfr": 21}, {"egfr": 10}, {"dialysis": True}])
def test_kidney_high_above_ul_suggests_no_dose_figure(
    kb: KnowledgeBase, years: float, kidney_kwargs: dict[str, object],
) -> None:
    kidney = assess_kidney(kb, **kidney_kwargs)  # type: ignore[arg-type]
    assert kidney.risk == "high"
    result = calculate_dose(kb, form_id="hydroxide", intake=intake(kb, years, "male"),
                            kidney=kidney, compound_mg=2400, times_per_day=2)
    text = warning(result, "exceeds_ul")
    # Only the patient's own dose and the UL it is compared with: no suggested amount.
    assert mg_figures(text) <= {result.elemental_mg_per_day, result.ul_supplemental_mg}
    assert "mmol" not in text
    for figure in ADULT_REPLACEMENT_FIGURES:
        assert figure not in text
    assert "reduced dose" in text and "renal impairment" in text
    for w in result.warnings:
        if w.code in ("kidney_high", "exceeds_ul"):
            assert "mmol a day" not in w.text and "583" not in w.text


def test_dose_warnings_carry_no_internal_remarks(kb: KnowledgeBase) -> None:
    cases = [
        ("citrate", 2, {}, {"elemental_mg": 100}),
        ("citrate", 0.5, {"egfr": 90}, {"elemental_mg": 50}),
        ("threonate", 40, {"egfr": 45}, {"compound_mg": 9000}),
        ("hydroxide", 79, {"egfr": 21}, {"compound_mg": 2400}),
        ("oxide", 60, {"dialysis": True}, {"compound_mg": 1000}),
        ("oxide", 60, {"egfr": 10}, {"compound_mg": 10_000}),
        ("glycinate", 30, {"kidney_disease_reported": True}, {"compound_mg": 500}),
    ]
    for form_id, years, kidney_kwargs, amount in cases:
        result = calculate_dose(kb, form_id=form_id, intake=intake(kb, years, "male"),
                                kidney=assess_kidney(kb, **kidney_kwargs),  # type: ignore[arg-type]
                                **amount)  # type: ignore[arg-type]
        for w in result.warnings:
            lowered = w.text.casefold()
            for remark in INTERNAL_REMARKS:
                assert remark not in lowered, (w.code, remark)
            # An entered eGFR is never described as computed by the equation.
            assert "CKD-EPI" not in w.text and "in brackets" not in w.text


def test_no_ul_warning_for_infants_is_the_kb_advice(
    kb: KnowledgeBase, normal_kidney: KidneyAssessment,
) -> None:
    result = calculate_dose(kb, form_id="citrate", intake=intake(kb, 0.5, "male"),
                            kidney=normal_kidney, elemental_mg=50)
    text = warning(result, "no_ul_for_age")
    assert text == kb.advice["no_ul_infants"].text
    assert "invent" not in text


@pytest.mark.parametrize("form_id", ["citrate", "glycinate", "threonate", "lactate"])
def test_label_warning_names_the_formula_and_hydrate(
    kb: KnowledgeBase, normal_kidney: KidneyAssessment, form_id: str,
) -> None:
    form = kb.forms[form_id]
    result = calculate_dose(kb, form_id=form_id, intake=intake(kb, 40, "male"),
                            kidney=normal_kidney, compound_mg=500)
    text = warning(result, "label_elemental_wins")
    assert f"computed for {form.formula}" in text
    assert form.variability_note and form.variability_note in text
    assert kb.advice["label_elemental_wins"].text in text
