"""The plan: one coherent set of advice chosen from the whole triage result (design.md §5).

Rules decide the urgency and its reasons; they do not add advice. The plan is chosen here,
afterwards, from the urgency, the direction (pattern), kidney risk, the serum band, the
patient's age and any magnesium product, so nothing enters because a lower rule fired:

- never `more` beside `less`: with suspected excess, kidney risk high or a magnesium product
  under review there is no `more` advice at all;
- an emergency plan starts with the emergency action and holds no diet, food or routine
  follow-up; diet and replacement advice only at routine level with a deficiency direction;
- a safety net never names a finding that is already present.

The texts, their sources and their direction live in the KB (`advice`); the loader checks
that every id used here exists (`vocabulary.ENGINE_ADVICE_IDS`).
"""

from __future__ import annotations

from collections.abc import Set

from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import Advice, KidneyRisk, Pattern, Urgency
from magtui.knowledge.vocabulary import (
    MG_PRODUCT_IDS,
    NEURO_RED_FLAG_IDS,
    SERUM_HIGH_BANDS,
    SERUM_LOW_BANDS,
    TWITCH_IDS,
)

ADULT_MONTHS = 18 * 12
"""The adult replacement figure is quoted only from 18 years, and only when age is known."""


def build_plan(
    kb: KnowledgeBase,
    *,
    urgency: Urgency,
    provisional: bool,
    pattern: Pattern,
    present: Set[str],
    kidney_risk: KidneyRisk,
    serum_band: str | None,
    age_months: int | None = None,
) -> tuple[Advice, ...]:
    """The advice for this result, in the order a clinician acts on it."""
    excess = pattern in ("excess", "mixed")
    deficiency = pattern == "deficiency"
    products = bool(present & set(MG_PRODUCT_IDS))
    kidney_high = kidney_risk == "high"
    serum_low = serum_band in SERUM_LOW_BANDS
    serum_high = serum_band in SERUM_HIGH_BANDS
    # Stop (not merely review) when excess is suspected, or a product meets failing kidneys.
    stop = excess or (products and kidney_high)
    product_review = _product_review(products and not stop, serum_low, kidney_risk)
    steps: list[str | None] = []

    if urgency == "emergency":
        steps += [
            "emergency_now",
            "stop_mg_products" if stop else None,
            "hospital_treatment" if deficiency else None,
            "neurology_referral" if present & set(NEURO_RED_FLAG_IDS) else None,
        ]
    elif urgency == "urgent":
        same_day = stop or serum_high or serum_band == "severe_low" or "confusion" in present
        steps += [
            "neurology_referral" if present & set(NEURO_RED_FLAG_IDS) else None,
            "stop_mg_products" if stop else None,
            "hospital_treatment" if serum_band == "severe_low" else None,
            "same_day_bloods" if same_day else "blood_test" if deficiency else None,
            product_review,
            "renal_team_review" if kidney_high and not stop else None,
            "ask_red_flags_first" if provisional else None,
            "emergency_if_worse",
        ]
    elif urgency == "routine":
        # `more` only with a deficiency direction and nothing that forbids it (§5).
        more = deficiency and not products and not kidney_high
        adult = age_months is not None and age_months >= ADULT_MONTHS
        steps += [
            "ask_red_flags_first" if provisional else None,
            "stop_mg_products" if stop else None,
            product_review,
            "check_kidney_function"
            if (products or excess) and kidney_risk in ("unknown", "caution") else None,
            "renal_team_review" if kidney_high and not stop else None,
            "blood_test" if deficiency else None,
            "review_ppi" if deficiency and "ppi_long_term" in present else None,
            "review_diuretic" if deficiency and "diuretic_loop_thiazide" in present else None,
            "diet_sources" if more else None,
            ("therapeutic_doses_doctor" if adult else "replacement_by_doctor")
            if more and serum_low else None,
            "renal_dose_reduction" if more and serum_low and kidney_risk == "caution" else None,
            "normal_serum_caveat" if deficiency and serum_band in (None, "normal") else None,
            "examine_neuro"
            if "numbness_tingling" in present and present & set(TWITCH_IDS) else None,
            "gp_review_persistent" if "persistent_twitching" in present else None,
            "gp_review_weakness" if "weakness" in present else None,
            "reduce_caffeine" if "caffeine_stimulants" in present else None,
            "emergency_if_worse" if stop or serum_high else None,
            "return_if_persists",
        ]
    else:
        steps += [
            "ask_red_flags_first" if provisional else None,
            "twitch_usually_benign",
            "reduce_caffeine" if "caffeine_stimulants" in present else None,
            "sleep_rest_stretch",
            None if provisional else "no_blood_test",
            "return_if_persists",
        ]
    chosen = (_with_safety_net(kb.advice[s], present) for s in dict.fromkeys(steps) if s)
    return tuple(a for a in chosen if a is not None)


def _product_review(review: bool, serum_low: bool, kidney_risk: KidneyRisk) -> str | None:
    """How a magnesium product is reviewed when it is not simply stopped."""
    if not review:
        return None
    if serum_low:
        # Low despite the product: stopping it would be wrong, raising it is the doctor's call.
        return "products_despite_low_serum"
    return "review_mg_products_kidney" if kidney_risk == "caution" else "review_mg_products"


def _with_safety_net(advice: Advice, present: Set[str]) -> Advice | None:
    """A "come back if …" text keeps only the items that name no finding already present;
    with none left it is dropped."""
    if not advice.watch_for:
        return advice
    items = [w.text for w in advice.watch_for if not present & set(w.findings)]
    if not items:
        return None
    # Semicolons: an item may itself hold "or" and a comma.
    listed = items[0] if len(items) == 1 else f"{'; '.join(items[:-1])}; or {items[-1]}"
    shown: Advice = advice.replace(text=f"{advice.text} {listed}.", watch_for=())
    return shown
