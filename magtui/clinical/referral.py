"""Referral urgency from the KB's rules (design.md §5): the most urgent rule that fires wins.

Rules decide the urgency and its reasons only; what to do is the plan (`magtui.clinical.plan`),
chosen afterwards from the whole result.
"""

from __future__ import annotations

from collections.abc import Iterable, Set

from magtui.knowledge.records import ReferralRule, RuleCondition, Urgency
from magtui.knowledge.vocabulary import SERUM_HIGH_BANDS, SERUM_LOW_BANDS, URGENCY_ORDER
from magtui.values import Value

URGENCY_HEADLINE: dict[str, str] = {
    "emergency": "EMERGENCY",
    "urgent": "URGENT",
    "routine": "ROUTINE",
    "self_care": "SELF-CARE",
}
URGENCY_SYMBOL: dict[str, str] = {
    "emergency": "⚠⚠", "urgent": "⚠", "routine": "●", "self_care": "○",
}
"""Shown beside the headline word, so the urgency never rests on colour alone."""
URGENCY_MEANING: dict[str, str] = {
    "emergency": "Call emergency services or go to the emergency department now.",
    "urgent": "Same-day assessment by a clinician or specialist.",
    "routine": "Planned clinician review, with the tests the plan names.",
    "self_care": "Self-care and watchful waiting; come back if it persists or worsens.",
}


def urgency_rank(urgency: str) -> int:
    return URGENCY_ORDER.index(urgency)


def condition_holds(when: RuleCondition, present: Set[str], facts: Set[str]) -> bool:
    if when.always:
        return True
    return (
        all(f in present for f in when.all_present)
        and (not when.any_present or any(f in present for f in when.any_present))
        and all(f in facts for f in when.all_fact)
        and (not when.any_fact or any(f in facts for f in when.any_fact))
    )


class Referral(Value):
    urgency: Urgency
    fired: tuple[ReferralRule, ...]
    """Every rule that fired, most urgent first (KB order within a level)."""
    provisional: bool = False
    """True while a red flag is not yet asked: the urgency is then only the least the
    answers so far demand, never a settled result (design.md §3)."""

    @property
    def headline(self) -> str:
        return URGENCY_HEADLINE[self.urgency]

    @property
    def meaning(self) -> str:
        return URGENCY_MEANING[self.urgency]

    @property
    def deciding(self) -> tuple[ReferralRule, ...]:
        """The rules at the winning level: these are the reasons."""
        return tuple(r for r in self.fired if r.urgency == self.urgency)

    @property
    def context(self) -> tuple[ReferralRule, ...]:
        """Rules that fired at lower levels: shown as context, never as the headline. The
        baseline (`always`) rule is context to nothing: its "usually settles" is a reason
        only when nothing else fired."""
        return tuple(r for r in self.fired if r.urgency != self.urgency and not r.when.always)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(r.reason for r in self.deciding)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for r in self.fired for s in r.source_ids))


def refer(rules: Iterable[ReferralRule], present: Set[str], facts: Set[str]) -> Referral:
    fired = [rule for rule in rules if condition_holds(rule.when, present, facts)]
    # Stable sort: most urgent first, KB order within a level.
    fired.sort(key=lambda rule: -urgency_rank(rule.urgency))
    if not fired:
        # The loader requires an `always` rule, so this is a broken KB, not a patient state.
        raise ValueError("no referral rule fired: the KB lacks its baseline rule")
    return Referral(urgency=fired[0].urgency, fired=tuple(fired))


def derive_facts(
    pattern: str, kidney_risk: str, serum_band: str | None
) -> frozenset[str]:
    facts = {f"pattern:{pattern}", f"kidney_risk:{kidney_risk}"}
    if pattern in ("excess", "mixed"):
        facts.add("suspected_excess")
    if pattern in ("deficiency", "mixed"):
        facts.add("suspected_deficiency")
    if kidney_risk in ("caution", "high"):
        facts.add("kidney_impaired")
    if serum_band is not None:
        facts.add(f"serum:{serum_band}")
        if serum_band in SERUM_LOW_BANDS:
            facts.add("serum_low")
        elif serum_band in SERUM_HIGH_BANDS:
            facts.add("serum_high")
    return frozenset(facts)


