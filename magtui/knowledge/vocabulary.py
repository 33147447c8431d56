"""The fixed vocabularies of design.md §3–§4: the contract the KB and the engine share."""

from __future__ import annotations

from typing import Final

SYMPTOM_IDS: Final = (
    "cramps_spasms", "eyelid_twitch", "muscle_twitching", "numbness_tingling", "weakness",
    "fatigue", "diarrhea", "nausea", "confusion", "persistent_twitching",
)
CONTEXT_IDS: Final = (
    "low_intake", "malabsorption", "alcohol_use", "type2_diabetes", "older_adult",
    "diuretic_loop_thiazide", "ppi_long_term", "high_dose_supplements", "mg_laxative_antacid",
    "kidney_disease", "caffeine_stimulants", "recent_exercise", "anxiety_stress",
)
EMERGENCY_RED_FLAG_IDS: Final = (
    "breathing_difficulty", "chest_pain_palpitations", "seizure", "fainting_low_bp",
)
URGENT_RED_FLAG_IDS: Final = ("severe_weakness", "muscle_wasting", "bulbar_symptoms")
RED_FLAG_IDS: Final = EMERGENCY_RED_FLAG_IDS + URGENT_RED_FLAG_IDS
FINDING_IDS: Final = SYMPTOM_IDS + CONTEXT_IDS + RED_FLAG_IDS
MG_PRODUCT_IDS: Final = ("high_dose_supplements", "mg_laxative_antacid")
"""Routes of magnesium in: a product under review rules out any `more` advice (§5)."""
NEURO_RED_FLAG_IDS: Final = URGENT_RED_FLAG_IDS
"""Reported as neurological red flags, never read as a magnesium pattern (§5)."""
TWITCH_IDS: Final = ("muscle_twitching", "eyelid_twitch", "persistent_twitching")
KIDNEY_DISEASE_ID: Final = "kidney_disease"
"""Reported kidney disease counts as kidney risk at least caution (§3); measured kidney
function in the caution or high band answers it (`magtui.clinical.facts`)."""

URGENCY_ORDER: Final = ("self_care", "routine", "urgent", "emergency")
"""Least to most urgent; the most urgent level triggered always wins."""
KIDNEY_RISKS: Final = ("unknown", "low", "caution", "high")
PATTERNS: Final = ("deficiency", "excess", "mixed", "unclear")
SERUM_BAND_IDS: Final = (
    "severe_low", "low", "normal", "high_normal", "high", "moderate_high", "severe_high",
    "critical_high",
)
SERUM_LOW_BANDS: Final = frozenset({"severe_low", "low"})
SERUM_HIGH_BANDS: Final = frozenset({"high", "moderate_high", "severe_high", "critical_high"})
"""Serum *low* and *high* of design.md §5 (`high_normal` is neither)."""

FACTS: Final = frozenset(
    {f"pattern:{p}" for p in PATTERNS}
    | {f"kidney_risk:{r}" for r in KIDNEY_RISKS}
    | {f"serum:{b}" for b in SERUM_BAND_IDS}
    | {"suspected_excess", "suspected_deficiency", "kidney_impaired", "serum_low", "serum_high"}
)
"""Derived facts a referral rule may test (see `RuleCondition`)."""

ENGINE_SOURCE_IDS: Final = {
    "ods_magnesium": "the NIH ODS fact sheet (UL, toxicity threshold)",
    "inker_2021_nejm": "the CKD-EPI 2021 equation",
    "nkf_ckd_epi_2021": "the CKD-EPI 2021 equation (NKF)",
    "kdigo_2012_ckd": "the KDIGO G categories",
}
"""Sources the engine cites for its own formulas; the KB must hold each of them."""

ENGINE_ADVICE_IDS: Final = {
    "no_ul_infants": "the dose warning when no UL is set for the age",
    "therapeutic_doses_doctor": "the dose warning above the UL, and adult replacement",
    "label_elemental_wins": "the dose note on salt forms of uncertain hydration",
    "above_ul_child": "the dose warning above a child's UL",
    "renal_dose_reduction": "dose and replacement advice with reduced kidney function",
    "kidney_high_above_ul": "the dose warning above the UL with failing kidneys",
    "emergency_now": "the emergency plan's first step",
    "stop_mg_products": "the plan with suspected excess",
    "hospital_treatment": "the plan for severe or symptomatic low magnesium",
    "neurology_referral": "the plan with neurological red flags",
    "same_day_bloods": "the urgent plan's blood tests",
    "blood_test": "the plan with a deficiency direction",
    "check_kidney_function": "the plan with magnesium products and unchecked kidneys",
    "review_mg_products": "the plan with magnesium products",
    "review_mg_products_kidney": "the plan with magnesium products and reduced kidneys",
    "products_despite_low_serum": "the plan with magnesium products and a low serum value",
    "renal_team_review": "the plan with kidney risk high",
    "examine_neuro": "the plan with numbness and twitching",
    "review_ppi": "the plan with a long-term PPI",
    "review_diuretic": "the plan with a loop or thiazide diuretic",
    "diet_sources": "the plan's diet advice (deficiency)",
    "replacement_by_doctor": "replacement advice without an adult figure",
    "normal_serum_caveat": "the caveat on a normal serum value",
    "gp_review_persistent": "the plan with twitching for weeks",
    "gp_review_weakness": "the plan with weakness",
    "ask_red_flags_first": "a provisional plan",
    "twitch_usually_benign": "the self-care plan",
    "reduce_caffeine": "the plan with stimulants",
    "sleep_rest_stretch": "the self-care plan",
    "no_blood_test": "a settled self-care plan",
    "return_if_persists": "the plan's safety net",
    "emergency_if_worse": "the safety net when excess is suspected",
}
"""Advice texts the engine quotes (dose warnings and the plan of §5); the KB must hold each,
so no plan ever has a silent blank step."""
