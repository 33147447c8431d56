"""CKD-EPI 2021 eGFR, KDIGO categories and kidney risk (clinical-reference.md §5, §6;
design.md §3 `kidney_risk`)."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from magtui.clinical.limits import InputError
from magtui.clinical.renal import (
    assess_kidney,
    ckd_epi_2021,
    egfr_basis_text,
    estimate_egfr,
    kdigo_category,
)
from magtui.knowledge.base import KnowledgeBase


def reference_ckd_epi_2021(age: float, sex: str, scr_mg_dl: float) -> float:
    """Piecewise form, written out from clinical-reference.md §5 (Inker et al., NEJM 2021):

    Female Scr <= 0.7: 142 x (Scr/0.7)^-0.241 x 0.9938^Age x 1.012
    Female Scr >  0.7: 142 x (Scr/0.7)^-1.200 x 0.9938^Age x 1.012
    Male   Scr <= 0.9: 142 x (Scr/0.9)^-0.302 x 0.9938^Age
    Male   Scr >  0.9: 142 x (Scr/0.9)^-1.200 x 0.9938^Age
    """
    if sex == "female":
        exponent = -0.241 if scr_mg_dl <= 0.7 else -1.200
        return 142 * (scr_mg_dl / 0.7) ** exponent * 0.9938**age * 1.012
    exponent = -0.302 if scr_mg_dl <= 0.9 else -1.200
    return 142 * (scr_mg_dl / 0.9) ** exponent * 0.9938**age


def reference_kidney_risk(egfr: float) -> str:
    # design.md §3: low (eGFR >= 60), caution (30–59), high (< 30).
    return "low" if egfr >= 60 else "caution" if egfr >= 30 else "high"


def reference_kdigo(egfr: float) -> str:
    # clinical-reference.md §5, KDIGO 2012 Table 5, ">= lower bound" convention.
    for lower, category in ((90, "G1"), (60, "G2"), (45, "G3a"), (30, "G3b"), (15, "G4")):
        if egfr >= lower:
            return category
    return "G5"


# clinical-reference.md §5 "Worked examples [C]": age, sex, Scr mg/dL, 1 dp, integer, KDIGO G.
WORKED_EXAMPLES = [
    (50, "female", 1.0, 68.6, 69, "G2"),
    (70, "male", 2.0, 35.2, 35, "G3b"),
    (30, "male", 0.8, 122.1, 122, "G1"),
    (80, "female", 1.5, 35.0, 35, "G3b"),
    (55, "male", 1.2, 71.4, 71, "G2"),  # NKF check value: 71 mL/min/1.73 m²
]


@pytest.mark.parametrize(("age", "sex", "scr", "one_dp", "integer", "category"), WORKED_EXAMPLES)
def test_worked_examples(
    kb: KnowledgeBase, age: int, sex: str, scr: float, one_dp: float, integer: int, category: str
) -> None:
    result = estimate_egfr(kb, age_years=age, sex=sex, creatinine=scr)  # type: ignore[arg-type]
    assert result.egfr == one_dp
    assert round(result.egfr_exact) == integer
    assert result.egfr_exact == pytest.approx(reference_ckd_epi_2021(age, sex, scr), rel=1e-12)
    assert result.category == category
    assert result.equation == "CKD-EPI 2021"
    assert result.kidney.risk == reference_kidney_risk(one_dp)


def test_nkf_check_value() -> None:
    # kidney.org check value quoted in clinical-reference.md §5: 55 y male, Scr 1.2 → 71.
    assert round(ckd_epi_2021(55, "male", 1.2)) == 71


def test_scenario_1_umol_input(kb: KnowledgeBase) -> None:
    # scenarios.md §1: 68-year-old woman, creatinine 95 umol/L → eGFR ≈ 56, G3a, caution.
    result = estimate_egfr(kb, age_years=68, sex="female", creatinine=95, unit="umol/L")
    expected = reference_ckd_epi_2021(68, "female", 95 / 88.4)  # §3: mg/dL = umol/L / 88.4
    assert result.creatinine_mg_dl == pytest.approx(95 / 88.4, rel=1e-12)
    assert result.egfr_exact == pytest.approx(expected, rel=1e-12)
    assert round(result.egfr) == 56
    assert result.category == "G3a"
    assert result.kidney.risk == "caution"


def test_umol_and_mg_dl_agree(kb: KnowledgeBase) -> None:
    in_mg = estimate_egfr(kb, age_years=55, sex="male", creatinine=1.2)
    in_umol = estimate_egfr(kb, age_years=55, sex="male", creatinine=1.2 * 88.4, unit="umol/L")
    assert in_umol.egfr_exact == pytest.approx(in_mg.egfr_exact, rel=1e-12)


@pytest.mark.parametrize("age", [0, 5, 17, 17.99])
def test_refuses_under_18(kb: KnowledgeBase, age: float) -> None:
    # clinical-reference.md §5: valid for adults >= 18 y; the TUI should refuse for < 18.
    with pytest.raises(InputError) as err:
        estimate_egfr(kb, age_years=age, sex="female", creatinine=0.6)
    assert err.value.field == "age"


def test_accepts_18(kb: KnowledgeBase) -> None:
    result = estimate_egfr(kb, age_years=18, sex="male", creatinine=0.9)
    # Scr/kappa = 1 exactly: 142 x 0.9938^18.
    assert result.egfr_exact == pytest.approx(142 * 0.9938**18, rel=1e-12)


@pytest.mark.parametrize(
    ("value", "unit"), [(0, "mg/dL"), (-1, "mg/dL"), (math.nan, "mg/dL"), (math.inf, "umol/L"),
                        (30, "mg/dL"), (5000, "umol/L")],
)
def test_bad_creatinine_names_creatinine(kb: KnowledgeBase, value: float, unit: str) -> None:
    with pytest.raises(InputError) as err:
        estimate_egfr(kb, age_years=50, sex="male", creatinine=value, unit=unit)  # type: ignore[arg-type]
    assert err.value.field == "creatinine"


@pytest.mark.parametrize(
    ("egfr", "category"),
    # KDIGO 2012 (clinical-reference.md §5): an edge belongs to the higher category.
    [(120, "G1"), (90, "G1"), (89.9, "G2"), (60.0, "G2"), (59.9, "G3a"), (45, "G3a"),
     (44.9, "G3b"), (30, "G3b"), (29.9, "G4"), (15, "G4"), (14.9, "G5"), (1, "G5")],
)
def test_kdigo_edges(egfr: float, category: str) -> None:
    assert kdigo_category(egfr)[0] == category


@pytest.mark.parametrize(
    ("egfr", "risk"),
    [(120, "low"), (60, "low"), (59.9, "caution"), (45, "caution"), (30, "caution"),
     (29.9, "high"), (15, "high"), (14.9, "high"), (1, "high")],
)
def test_kidney_risk_edges(kb: KnowledgeBase, egfr: float, risk: str) -> None:
    # design.md §3: low >= 60, caution 30–59, high < 30.
    assessment = assess_kidney(kb, egfr=egfr)
    assert assessment.risk == risk
    assert assessment.basis == "egfr"
    assert assessment.impaired == (risk in ("caution", "high"))


def test_dialysis_is_high_whatever_the_egfr(kb: KnowledgeBase) -> None:
    # design.md §3: high (< 30, or --dialysis).
    assert assess_kidney(kb, dialysis=True).risk == "high"
    assert assess_kidney(kb, dialysis=True, egfr=95).risk == "high"


def test_reported_kidney_disease_without_egfr_is_caution(kb: KnowledgeBase) -> None:
    # design.md §3: the kidney_disease finding with no eGFR counts as at least caution.
    assessment = assess_kidney(kb, kidney_disease_reported=True)
    assert assessment.risk in ("caution", "high")
    assert assessment.impaired


def test_no_kidney_information_is_unknown(kb: KnowledgeBase) -> None:
    assessment = assess_kidney(kb)
    assert assessment.risk == "unknown"
    assert not assessment.known


@pytest.mark.parametrize("egfr", [0, -5, math.nan, math.inf, 250])
def test_bad_egfr_refused(kb: KnowledgeBase, egfr: float) -> None:
    with pytest.raises(InputError) as err:
        assess_kidney(kb, egfr=egfr)
    assert err.value.field == "egfr"


def test_egfr_result_sources_exist(kb: KnowledgeBase) -> None:
    # design.md §2: every cited source id exists in `sources`.
    result = estimate_egfr(kb, age_years=50, sex="female", creatinine=1.0)
    assert result.sources
    missing = [s for s in result.sources if s not in kb.sources]
    assert not missing, f"eGFR result cites source ids absent from the KB: {missing}"


@pytest.mark.parametrize("kwargs", [{"egfr": 75}, {"egfr": 40}, {"egfr": 10}, {"dialysis": True},
                                    {"kidney_disease_reported": True}, {}])
def test_kidney_assessment_sources_exist(kb: KnowledgeBase, kwargs: dict[str, object]) -> None:
    assessment = assess_kidney(kb, **kwargs)  # type: ignore[arg-type]
    assert assessment.sources
    assert all(s in kb.sources for s in assessment.sources)
    assert assessment.headline and assessment.caution


# --- properties --------------------------------------------------------------------------

sexes = st.sampled_from(["female", "male"])
ages = st.floats(min_value=18, max_value=120, allow_nan=False)
creatinines = st.floats(min_value=0.1, max_value=25, allow_nan=False)


@given(ages, sexes, creatinines, creatinines)
def test_egfr_strictly_falls_as_creatinine_rises(
    age: float, sex: str, c1: float, c2: float
) -> None:
    low, high = sorted((c1, c2))
    assume(high > low * (1 + 1e-9))
    assert ckd_epi_2021(age, sex, high) < ckd_epi_2021(age, sex, low)  # type: ignore[arg-type]


@given(ages, ages, sexes, creatinines)
def test_egfr_strictly_falls_as_age_rises(a1: float, a2: float, sex: str, scr: float) -> None:
    young, old = sorted((a1, a2))
    assume(old - young > 1e-6)
    assert ckd_epi_2021(old, sex, scr) < ckd_epi_2021(young, sex, scr)  # type: ignore[arg-type]


@given(ages, sexes, creatinines)
def test_egfr_matches_reference_and_classifies_shown_value(
    kb: KnowledgeBase, age: float, sex: str, scr: float
) -> None:
    result = estimate_egfr(kb, age_years=age, sex=sex, creatinine=scr)  # type: ignore[arg-type]
    assert result.egfr_exact == pytest.approx(reference_ckd_epi_2021(age, sex, scr), rel=1e-12)
    assert result.egfr == pytest.approx(result.egfr_exact, abs=0.05 + 1e-9)
    # The category and kidney risk are read from the value shown (1 dp), so what the
    # clinician sees and what is classified never disagree.
    assert result.category == reference_kdigo(result.egfr)
    assert result.kidney.risk == reference_kidney_risk(result.egfr)


# --- how the eGFR was obtained (issue 10) --------------------------------------------------


def test_entered_egfr_is_described_as_entered(kb: KnowledgeBase) -> None:
    kidney = assess_kidney(kb, egfr=45)
    assert kidney.egfr_computed is False
    text = egfr_basis_text(kidney)
    assert text == "eGFR 45 mL/min/1.73 m² (entered), KDIGO G3a"
    assert "CKD-EPI" not in text
    assert egfr_basis_text(kidney, short=True) == "eGFR 45 mL/min/1.73 m², entered"


def test_computed_egfr_names_the_equation(kb: KnowledgeBase) -> None:
    # NKF check value: 55-year-old man, creatinine 1.2 mg/dL → 71.4 (G2).
    result = estimate_egfr(kb, age_years=55, sex="male", creatinine=1.2)
    assert result.kidney.egfr_computed is True
    text = egfr_basis_text(result.kidney)
    assert text == ("eGFR 71.4 mL/min/1.73 m² (computed from creatinine by the CKD-EPI 2021 "
                    "equation), KDIGO G2")
    assert "CKD-EPI 2021" in egfr_basis_text(result.kidney, short=True)
    # How it was obtained changes the words, never the risk.
    entered = assess_kidney(kb, egfr=71.4)
    assert not entered.egfr_computed and entered.risk == result.kidney.risk
    assert "(entered)" in egfr_basis_text(entered)


@pytest.mark.parametrize("kwargs", [{"dialysis": True, "egfr": 20}, {"dialysis": True},
                                    {"kidney_disease_reported": True}, {}])
def test_no_egfr_basis_without_an_egfr_assessment(kb: KnowledgeBase,
                                                  kwargs: dict[str, object]) -> None:
    assert egfr_basis_text(assess_kidney(kb, **kwargs)) == ""  # type: ignore[arg-type]


def test_kb_kidney_texts_claim_no_equation_and_no_internal_remarks(kb: KnowledgeBase) -> None:
    # Whether an eGFR came from CKD-EPI 2021 is known only where it is shown, not in the KB.
    for band in kb.kidney:
        for text in (band.headline, band.caution):
            assert "CKD-EPI" not in text and "in brackets" not in text, band.id
            lowered = text.casefold()
            for remark in ("magtui", "not re-verified", "design choice", "suggest doses"):
                assert remark not in lowered, (band.id, remark)
