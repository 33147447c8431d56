"""Properties any correct referral engine has (design.md §5), over random consultations."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from magtui.clinical.referral import urgency_rank
from magtui.clinical.serum import SerumResult, interpret_serum
from magtui.clinical.triage import FindingState, TriageResult, evaluate
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import (
    EMERGENCY_RED_FLAG_IDS,
    FINDING_IDS,
    RED_FLAG_IDS,
    URGENCY_ORDER,
)

STATES: tuple[FindingState, ...] = ("present", "absent", "not_asked")


@dataclass(frozen=True)
class Context:
    egfr: float | None
    dialysis: bool
    serum_mmol: float | None

    def run(self, kb: KnowledgeBase, states: dict[str, FindingState]) -> TriageResult:
        serum: SerumResult | None = (
            None if self.serum_mmol is None else interpret_serum(kb, self.serum_mmol, "mmol/L")
        )
        return evaluate(kb, states, egfr=self.egfr, dialysis=self.dialysis, serum=serum)


contexts = st.builds(
    Context,
    egfr=st.none() | st.floats(min_value=1, max_value=200, allow_nan=False),
    dialysis=st.booleans(),
    # Either a random value or one of the band edges of clinical-reference.md §4.
    serum_mmol=st.none()
    | st.floats(min_value=0.05, max_value=10, allow_nan=False)
    | st.sampled_from([0.49, 0.5, 0.75, 0.95, 1.05, 2.0, 3.0, 5.0]),
)
state_maps = st.fixed_dictionaries({f: st.sampled_from(STATES) for f in FINDING_IDS})


@settings(max_examples=200)
@given(state_maps, st.lists(st.sampled_from(FINDING_IDS), min_size=1, max_size=5), contexts)
def test_adding_findings_never_lowers_urgency(
    kb: KnowledgeBase, base: dict[str, FindingState], extra: list[str], context: Context
) -> None:
    more = dict(base)
    more.update(dict.fromkeys(extra, "present"))
    before = context.run(kb, base)
    after = context.run(kb, more)
    assert urgency_rank(after.referral.urgency) >= urgency_rank(before.referral.urgency), (
        f"adding {extra} lowered {before.referral.urgency} to {after.referral.urgency}"
    )


@settings(max_examples=200)
@given(st.sets(st.sampled_from(FINDING_IDS)), st.sampled_from(FINDING_IDS), contexts)
def test_adding_one_finding_never_lowers_urgency_from_not_asked(
    kb: KnowledgeBase, present: set[str], extra: str, context: Context
) -> None:
    # Random subsets of the vocabulary, everything else not asked; then tick one more.
    base: dict[str, FindingState] = {f: ("present" if f in present else "not_asked")
                                     for f in FINDING_IDS}
    more = {**base, extra: "present"}
    before, after = context.run(kb, base), context.run(kb, more)
    assert urgency_rank(after.referral.urgency) >= urgency_rank(before.referral.urgency)


@settings(max_examples=200)
@given(state_maps, st.sets(st.sampled_from(EMERGENCY_RED_FLAG_IDS), min_size=1), contexts)
def test_emergency_red_flag_always_emergency(
    kb: KnowledgeBase, states: dict[str, FindingState], flags: set[str], context: Context
) -> None:
    # §5: a cardiorespiratory or neurological emergency is `emergency`, whatever else.
    states = {**states, **dict.fromkeys(flags, "present")}
    result = context.run(kb, states)
    assert result.referral.urgency == "emergency"
    assert flags <= set(result.red_flags)
    assert all(r.urgency == "emergency" for r in result.referral.deciding)


@settings(max_examples=200)
@given(state_maps, contexts)
def test_every_referral_has_reasons_and_known_sources(
    kb: KnowledgeBase, states: dict[str, FindingState], context: Context
) -> None:
    result = context.run(kb, states)
    referral = result.referral
    assert referral.urgency in URGENCY_ORDER
    assert referral.reasons and all(r.strip() for r in referral.reasons)
    assert referral.sources
    assert all(s in kb.sources for s in referral.sources)
    assert all(s in kb.sources for s in result.sources)
    # The headline level is the most urgent of the rules that fired (§5 "most urgent wins").
    assert referral.urgency == max((r.urgency for r in referral.fired), key=urgency_rank)
    assert all(urgency_rank(r.urgency) < urgency_rank(referral.urgency)
               for r in referral.context)
    # Red flags and unasked red flags follow the states exactly (§5 "unknown is not absent").
    assert set(result.red_flags) == {f for f in RED_FLAG_IDS if states[f] == "present"}
    assert set(result.unasked_red_flags) == {f for f in RED_FLAG_IDS if states[f] == "not_asked"}


@settings(max_examples=200)
@given(state_maps, contexts)
def test_serum_severe_or_critical_high_always_emergency(
    kb: KnowledgeBase, states: dict[str, FindingState], context: Context
) -> None:
    for mmol in (3.0, 4.2, 5.0, 8.0):  # severe_high and critical_high (§4)
        result = Context(context.egfr, context.dialysis, mmol).run(kb, states)
        assert result.referral.urgency == "emergency"
