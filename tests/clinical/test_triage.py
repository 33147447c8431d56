"""Triage and referral for the consultations of scenarios.md, against design.md §5."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from magtui.clinical.limits import InputError
from magtui.clinical.referral import urgency_rank
from magtui.clinical.renal import estimate_egfr
from magtui.clinical.serum import interpret_serum
from magtui.clinical.triage import TriageResult, evaluate, finding_states
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import EMERGENCY_RED_FLAG_IDS, FINDING_IDS, RED_FLAG_IDS


def triage(
    kb: KnowledgeBase,
    present: Iterable[str],
    absent: Iterable[str] = (),
    **context: object,
) -> TriageResult:
    return evaluate(kb, finding_states(kb, present, absent), **context)  # type: ignore[arg-type]


def advice_ids(result: TriageResult) -> set[str]:
    return {a.id for a in result.advice}


def assert_well_formed(kb: KnowledgeBase, result: TriageResult) -> None:
    # design.md §5: every result lists its reasons and the sources.
    assert result.referral.reasons
    assert all(reason.strip() for reason in result.referral.reasons)
    assert result.referral.sources
    assert all(s in kb.sources for s in result.sources)


# --- scenarios.md ---------------------------------------------------------------------------


def test_scenario_1_night_cramps_on_ppi_and_thiazide(kb: KnowledgeBase) -> None:
    egfr = estimate_egfr(kb, age_years=68, sex="female", creatinine=95, unit="umol/L")
    assert round(egfr.egfr) == 56  # scenarios.md §1: eGFR ≈ 56, G3a
    result = triage(
        kb,
        ["cramps_spasms", "eyelid_twitch", "ppi_long_term", "diuretic_loop_thiazide",
         "low_intake"],
        RED_FLAG_IDS,
        egfr=egfr.egfr,
    )
    assert result.pattern == "deficiency"
    assert result.referral.urgency == "routine"
    assert result.kidney_risk == "caution"
    assert result.unasked_red_flags == ()
    assert result.red_flags == ()
    # Blood test, food sources, the normal-serum caveat, and PPI review (scenarios.md §1).
    assert {"blood_test", "diet_sources", "normal_serum_caveat", "review_ppi"} <= advice_ids(
        result)
    # Sources: the ODS fact sheet and the FDA PPI safety communication.
    assert {"ods_magnesium", "fda_ppi_2011"} <= set(result.sources)
    # The explanation lists every present finding, and the deficiency evidence counts.
    explained = {e.finding: e for e in result.explanation}
    assert set(result.present) <= set(explained)
    assert explained["low_intake"].counted and explained["cramps_spasms"].counted
    assert_well_formed(kb, result)


def test_scenario_2_laxative_with_failing_kidneys(kb: KnowledgeBase) -> None:
    result = triage(
        kb,
        ["mg_laxative_antacid", "nausea", "weakness"],
        ["breathing_difficulty", "chest_pain_palpitations", "fainting_low_bp"],
        egfr=21,
    )
    assert result.pattern == "excess"
    assert result.kidney_risk == "high"
    assert result.referral.urgency == "urgent"  # suspected excess + impaired kidneys (§5)
    assert "stop_mg_products" in advice_ids(result)
    # Not asked yet: seizure, severe weakness, wasting, bulbar symptoms.
    assert set(result.unasked_red_flags) == {
        "seizure", "severe_weakness", "muscle_wasting", "bulbar_symptoms"}
    assert_well_formed(kb, result)


def test_scenario_2_without_kidney_information_is_routine(kb: KnowledgeBase) -> None:
    # Same picture, normal kidneys: excess without the §5 escalations is routine.
    result = triage(kb, ["mg_laxative_antacid", "nausea", "weakness"], RED_FLAG_IDS, egfr=90)
    assert result.pattern == "excess"
    assert result.referral.urgency == "routine"
    assert "stop_mg_products" in advice_ids(result)


def test_scenario_3_exam_week_eyelid_twitch(kb: KnowledgeBase) -> None:
    result = triage(kb, ["eyelid_twitch", "caffeine_stimulants", "anxiety_stress"], RED_FLAG_IDS)
    assert result.referral.urgency == "self_care"
    assert result.pattern == "unclear"
    assert result.unasked_red_flags == ()
    assert result.red_flags == ()
    # §5: self-care comes with the advice to return if it persists or new symptoms appear.
    assert "return_if_persists" in advice_ids(result)
    assert "blood_test" not in advice_ids(result)  # "No blood test needed."
    assert_well_formed(kb, result)


@pytest.mark.parametrize("extra", [[], ["high_dose_supplements"]])
def test_scenario_4_twitching_not_about_magnesium(kb: KnowledgeBase, extra: list[str]) -> None:
    result = triage(
        kb,
        ["muscle_twitching", "persistent_twitching", "weakness", "muscle_wasting",
         "bulbar_symptoms", *extra],
        EMERGENCY_RED_FLAG_IDS,
    )
    # §5: twitching with wasting or bulbar symptoms is urgent (neurology); the supplement
    # does not lower the urgency.
    assert result.referral.urgency == "urgent"
    assert "neurology_referral" in advice_ids(result)
    assert set(result.red_flags) == {"muscle_wasting", "bulbar_symptoms"}
    assert result.unasked_red_flags == ("severe_weakness",)
    assert_well_formed(kb, result)


def test_scenario_5_seizure_with_deficiency_context(kb: KnowledgeBase) -> None:
    picture = ["alcohol_use", "cramps_spasms", "numbness_tingling"]
    without = triage(kb, picture)
    result = triage(kb, [*picture, "seizure"])
    assert result.referral.urgency == "emergency"
    assert "emergency_now" in advice_ids(result)
    # The deficiency picture is kept, as context rather than headline.
    assert result.pattern == "deficiency"
    assert without.referral.urgency == "routine"
    context_ids = {r.id for r in result.referral.context}
    assert result.referral.context
    assert {r.id for r in without.referral.deciding} <= context_ids
    assert all(r.urgency != "emergency" for r in result.referral.context)
    assert all(r.urgency == "emergency" for r in result.referral.deciding)
    assert_well_formed(kb, result)


# --- further design.md §5 rules ------------------------------------------------------------


def test_cramps_with_low_intake_is_routine_deficiency_with_diet_advice(kb: KnowledgeBase) -> None:
    result = triage(kb, ["cramps_spasms", "low_intake"], RED_FLAG_IDS)
    assert result.pattern == "deficiency"
    assert result.referral.urgency == "routine"
    assert "diet_sources" in advice_ids(result)
    assert "normal_serum_caveat" in advice_ids(result)  # §5 "Remind that a normal serum…"


@pytest.mark.parametrize("product", ["mg_laxative_antacid", "high_dose_supplements"])
def test_severe_weakness_with_mg_products_is_emergency(kb: KnowledgeBase, product: str) -> None:
    # §5: severe weakness with high-dose magnesium, laxatives or antacids is an emergency.
    result = triage(kb, ["severe_weakness", product])
    assert result.referral.urgency == "emergency"


def test_severe_weakness_with_suspected_excess_is_emergency(kb: KnowledgeBase) -> None:
    # §5: severe weakness with pattern excess (here from the serum value alone).
    serum = interpret_serum(kb, 1.5, "mmol/L")
    result = triage(kb, ["severe_weakness"], serum=serum)
    assert result.pattern == "excess"
    assert result.referral.urgency == "emergency"


def test_severe_weakness_alone_is_urgent(kb: KnowledgeBase) -> None:
    # §5: severe weakness without suspected excess is urgent (neurological assessment).
    result = triage(kb, ["severe_weakness", "muscle_twitching"])
    assert result.referral.urgency == "urgent"


@pytest.mark.parametrize(("mmol", "urgency"), [(3.5, "emergency"), (6.0, "emergency"),
                                               (2.5, "urgent"), (0.4, "urgent")])
def test_serum_band_urgency(kb: KnowledgeBase, mmol: float, urgency: str) -> None:
    # §5: serum severe_high / critical_high → emergency; severe_low / moderate_high → urgent.
    result = triage(kb, [], RED_FLAG_IDS, serum=interpret_serum(kb, mmol, "mmol/L"))
    assert result.referral.urgency == urgency
    assert any(e.finding == "serum_magnesium" for e in result.explanation)
    assert_well_formed(kb, result)


def test_serum_severe_high_given_in_mg_dl(kb: KnowledgeBase) -> None:
    # 8 mg/dL = 8 / 2.4305 = 3.29 mmol/L → severe_high → emergency.
    serum = interpret_serum(kb, 8.0, "mg/dL")
    assert serum.band.id == "severe_high"
    assert triage(kb, ["eyelid_twitch"], serum=serum).referral.urgency == "emergency"


def test_kidney_disease_without_egfr_is_caution(kb: KnowledgeBase) -> None:
    result = triage(kb, ["kidney_disease"])
    assert result.kidney_risk == "caution"
    # With a measured eGFR, the measurement decides.
    assert triage(kb, ["kidney_disease"], egfr=20).kidney_risk == "high"


def test_dialysis_is_high_kidney_risk(kb: KnowledgeBase) -> None:
    assert triage(kb, ["cramps_spasms"], dialysis=True).kidney_risk == "high"


def test_excess_with_reported_kidney_disease_is_urgent(kb: KnowledgeBase) -> None:
    # §5: suspected excess with kidney_risk caution (here from the reported disease) → urgent.
    result = triage(kb, ["high_dose_supplements", "diarrhea", "kidney_disease"])
    assert result.pattern == "excess"
    assert result.kidney_risk == "caution"
    assert result.referral.urgency == "urgent"


def test_mixed_pattern(kb: KnowledgeBase) -> None:
    result = triage(kb, ["low_intake", "cramps_spasms", "mg_laxative_antacid", "nausea"])
    assert result.pattern == "mixed"


def test_severe_weakness_with_serum_excess_is_emergency(kb: KnowledgeBase) -> None:
    # §5: "severe_weakness with suspected excess" → emergency. A high serum value sets the
    # direction (pattern excess) whatever the deficiency-type findings suggest.
    serum = interpret_serum(kb, 1.5, "mmol/L")
    result = triage(kb, ["low_intake", "cramps_spasms", "severe_weakness"], serum=serum)
    assert result.pattern == "excess"
    assert result.referral.urgency == "emergency"


def test_severe_weakness_with_mixed_pattern_is_emergency(kb: KnowledgeBase) -> None:
    # Numbness, not cramps: with a neurological red flag, cramps and twitching are read as
    # part of the neurological picture (§5), so they would not count towards deficiency.
    result = triage(kb, ["low_intake", "numbness_tingling", "mg_laxative_antacid", "nausea",
                         "severe_weakness"])
    assert result.pattern == "mixed"
    assert result.referral.urgency == "emergency"


def test_mixed_pattern_with_impaired_kidneys_is_urgent(kb: KnowledgeBase) -> None:
    # §5: suspected excess (mixed included) with kidney_risk caution → urgent.
    findings = ["low_intake", "cramps_spasms", "mg_laxative_antacid", "nausea"]
    result = triage(kb, findings, RED_FLAG_IDS, egfr=40)
    assert result.pattern == "mixed"
    assert result.referral.urgency == "urgent"
    normal_kidneys = triage(kb, findings, RED_FLAG_IDS, egfr=75)
    assert normal_kidneys.referral.urgency == "routine"


def test_symptom_without_specific_risk_is_unclear(kb: KnowledgeBase) -> None:
    assert triage(kb, ["cramps_spasms"]).pattern == "unclear"
    assert triage(kb, []).pattern == "unclear"


def test_unasked_red_flags(kb: KnowledgeBase) -> None:
    nothing = triage(kb, ["cramps_spasms"])
    assert nothing.unasked_red_flags == RED_FLAG_IDS
    some = triage(kb, ["cramps_spasms", "seizure"], ["breathing_difficulty", "muscle_wasting"])
    assert set(some.unasked_red_flags) == set(RED_FLAG_IDS) - {
        "seizure", "breathing_difficulty", "muscle_wasting"}
    assert some.red_flags == ("seizure",)
    assert set(some.absent) == {"breathing_difficulty", "muscle_wasting"}


def test_absent_findings_are_not_evidence(kb: KnowledgeBase) -> None:
    # Unknown is not absent, and absent is not present: absent findings never count.
    result = triage(kb, ["cramps_spasms"], ["low_intake", "seizure"])
    assert result.pattern == "unclear"
    assert result.referral.urgency != "emergency"


def test_finding_both_present_and_absent_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(InputError) as err:
        finding_states(kb, ["cramps_spasms", "seizure"], ["seizure"])
    assert err.value.field == "absent"
    assert "seizure" in err.value.message


@pytest.mark.parametrize(("present", "absent", "field"),
                         [(["cramps"], [], "answer"), ([], ["no_such_flag"], "absent")])
def test_unknown_finding_id_refused(
    kb: KnowledgeBase, present: list[str], absent: list[str], field: str
) -> None:
    with pytest.raises(InputError) as err:
        finding_states(kb, present, absent)
    assert err.value.field == field


def test_states_cover_the_whole_vocabulary(kb: KnowledgeBase) -> None:
    states = finding_states(kb, ["cramps_spasms"], ["seizure"])
    assert set(states) == set(FINDING_IDS)
    assert states["cramps_spasms"] == "present"
    assert states["seizure"] == "absent"
    assert states["weakness"] == "not_asked"


def test_rules_in_kb_reference_vocabulary_only(kb: KnowledgeBase) -> None:
    for rule in kb.referral_rules:
        for finding in (*rule.when.all_present, *rule.when.any_present):
            assert finding in FINDING_IDS, (rule.id, finding)


def test_urgency_ranks_in_order() -> None:
    assert [urgency_rank(u) for u in ("self_care", "routine", "urgent", "emergency")] == [
        0, 1, 2, 3]


def test_symptoms_fitting_both_are_read_as_excess_while_excess_is_suspected(
    kb: KnowledgeBase,
) -> None:
    # Scenario 2 with F3's age: older age is a deficiency risk factor and weakness fits
    # both pictures, but with a magnesium laxative and failing kidneys the picture is
    # excess, and the plan does not note that "the findings fit low magnesium".
    findings = ["older_adult", "mg_laxative_antacid", "nausea", "weakness"]
    result = triage(kb, findings, egfr=21)
    assert result.pattern == "excess"
    assert result.referral.urgency == "urgent"
    older = next(e for e in result.explanation if e.finding == "older_adult")
    assert not older.counted and "read as excess" in older.note
    # A deficiency-specific symptom still makes the picture mixed.
    assert triage(kb, [*findings, "cramps_spasms"], egfr=21).pattern == "mixed"
    # Without a route in, the same symptoms still count towards deficiency.
    assert triage(kb, ["older_adult", "weakness"]).pattern == "deficiency"
