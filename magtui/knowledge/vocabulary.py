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

URGENCY_ORDER: Final = ("self_care", "routine", "urgent", "emergency")
"""Least to most urgent; the most urgent level triggered always wins."""
KIDNEY_RISKS: Final = ("unknown", "low", "caution", "high")
PATTERNS: Final = ("deficiency", "excess", "mixed", "unclear")
SERUM_BAND_IDS: Final = (
    "severe_low", "low", "normal", "high_normal", "high", "moderate_high", "severe_high",
    "critical_high",
)

FACTS: Final = frozenset(
    {f"pattern:{p}" for p in PATTERNS}
    | {f"kidney_risk:{r}" for r in KIDNEY_RISKS}
    | {f"serum:{b}" for b in SERUM_BAND_IDS}
    | {"suspected_excess", "suspected_deficiency", "kidney_impaired"}
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
    "therapeutic_doses_doctor": "the dose warning above the UL",
    "label_elemental_wins": "the dose note on salt forms of uncertain hydration",
}
"""Advice texts the dose calculator quotes; the KB must hold each (no silent blank text)."""
