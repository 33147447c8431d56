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
    facts = _Facts(provisional=provisional, pattern=pattern, present=present,
                   kidney_risk=kidney_risk, serum_band=serum_band, age_months=age_months)
    if urgency == "emergency":
        steps = _emergency_steps(facts)
    elif urgency == "urgent":
        steps = _urgent_steps(facts)
    elif urgency == "routine":
        steps = _routine_steps(facts)
    else:
        steps = _self_care_steps(facts)
    chosen = (_with_safety_net(kb.advice[s], present) for s in dict.fromkeys(steps) if s)
    return tuple(a for a in chosen if a is not None)


class _Facts:
    """What the plan is chosen from: the result's inputs and what follows from them."""

    def __init__(self, *, provisional: bool, pattern: Pattern, present: Set[str],
                 kidney_risk: KidneyRisk, serum_band: str | None,
                 age_months: int | None) -> None:
        self.provisional = provisional
        self.present = present
        self.kidney_risk = kidney_risk
        self.serum_band = serum_band
        self.excess = pattern in ("excess", "mixed")
        self.deficiency = pattern == "deficiency"
        self.products = bool(present & set(MG_PRODUCT_IDS))
        self.neuro_red_flag = bool(present & set(NEURO_RED_FLAG_IDS))
        self.kidney_high = kidney_risk == "high"
        self.serum_low = serum_band in SERUM_LOW_BANDS
        self.serum_high = serum_band in SERUM_HIGH_BANDS
        self.adult = age_months is not None and age_months >= ADULT_MONTHS
        # Stop (not merely review) when excess is suspected, or a product meets failing kidneys.
        self.stop = self.excess or (self.products and self.kidney_high)
        self.product_review = _product_review(self.products and not self.stop, self.serum_low,
                                              kidney_risk)


# Each level's advice ids in order; None where a step does not apply.


def _emergency_steps(f: _Facts) -> list[str | None]:
    return [
        "emergency_now",
        "stop_mg_products" if f.stop else None,
        "hospital_treatment" if f.deficiency else None,
        "neurology_referral" if f.neuro_red_flag else None,
    ]


def _urgent_steps(f: _Facts) -> list[str | None]:
    same_day = (f.stop or f.serum_high or f.serum_band == "severe_low"
                or "confusion" in f.present)
    return [
        "neurology_referral" if f.neuro_red_flag else None,
        "stop_mg_products" if f.stop else None,
        "hospital_treatment" if f.serum_band == "severe_low" else None,
        "same_day_bloods" if same_day else "blood_test" if f.deficiency else None,
        f.product_review,
        "renal_team_review" if f.kidney_high and not f.stop else None,
        "ask_red_flags_first" if f.provisional else None,
        "emergency_if_worse",
    ]


def _routine_steps(f: _Facts) -> list[str | None]:
    # `more` only with a deficiency direction and nothing that forbids it (§5).
    more = f.deficiency and not f.products and not f.kidney_high
    present = f.present
    return [
        "ask_red_flags_first" if f.provisional else None,
        "stop_mg_products" if f.stop else None,
        f.product_review,
        "check_kidney_function"
        if (f.products or f.excess) and f.kidney_risk in ("unknown", "caution") else None,
        "renal_team_review" if f.kidney_high and not f.stop else None,
        "blood_test" if f.deficiency else None,
        "review_ppi" if f.deficiency and "ppi_long_term" in present else None,
        "review_diuretic" if f.deficiency and "diuretic_loop_thiazide" in present else None,
        "diet_sources" if more else None,
        ("therapeutic_doses_doctor" if f.adult else "replacement_by_doctor")
        if more and f.serum_low else None,
        "renal_dose_reduction" if more and f.serum_low and f.kidney_risk == "caution" else None,
        "normal_serum_caveat" if f.deficiency and f.serum_band in (None, "normal") else None,
        "examine_neuro"
        if "numbness_tingling" in present and present & set(TWITCH_IDS) else None,
        "gp_review_persistent" if "persistent_twitching" in present else None,
        "gp_review_weakness" if "weakness" in present else None,
        "reduce_caffeine" if "caffeine_stimulants" in present else None,
        "emergency_if_worse" if f.stop or f.serum_high else None,
        "return_if_persists",
    ]


def _self_care_steps(f: _Facts) -> list[str | None]:
    return [
        "ask_red_flags_first" if f.provisional else None,
        "twitch_usually_benign",
        "reduce_caffeine" if "caffeine_stimulants" in f.present else None,
        "sleep_rest_stretch",
        None if f.provisional else "no_blood_test",
        "return_if_persists",
    ]


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
