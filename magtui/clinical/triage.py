"""Triage: tri-state findings → pattern (deficiency / excess / mixed / unclear) → referral.

A finding is present, absent or not asked. Only present findings are evidence; absent ones
are recorded; red flags not yet asked are reported, never assumed absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from magtui.clinical.limits import InputError
from magtui.clinical.referral import Referral, derive_facts, refer
from magtui.clinical.renal import KidneyAssessment, assess_kidney
from magtui.clinical.serum import SerumResult
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import Advice, Finding, Interaction, Pattern
from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.values import Value

FindingState = Literal["present", "absent", "not_asked"]
SERUM_ENTRY = "serum_magnesium"
PATTERN_MEANING: dict[str, str] = {
    "deficiency": "Pattern: DEFICIENCY (too little magnesium)",
    "excess": "Pattern: EXCESS (too much magnesium)",
    "mixed": "Pattern: MIXED (evidence for both)",
    "unclear": "Pattern: UNCLEAR (too little evidence either way)",
}
"""The pattern as every output says it: the word, and what it means."""


class Explanation(Value):
    """One line of 'why this pattern': a finding (or the serum value) and what it supports."""

    finding: str
    label: str
    supports: str
    counted: bool
    note: str
    source: str


class TriageResult(Value):
    states: Mapping[str, FindingState]
    pattern: Pattern
    explanation: tuple[Explanation, ...]
    referral: Referral
    kidney: KidneyAssessment
    serum: SerumResult | None
    advice: tuple[Advice, ...]
    interactions: tuple[Interaction, ...]

    @property
    def present(self) -> tuple[str, ...]:
        return tuple(f for f, s in self.states.items() if s == "present")

    @property
    def absent(self) -> tuple[str, ...]:
        return tuple(f for f, s in self.states.items() if s == "absent")

    @property
    def red_flags(self) -> tuple[str, ...]:
        return tuple(f for f in RED_FLAG_IDS if self.states.get(f) == "present")

    @property
    def unasked_red_flags(self) -> tuple[str, ...]:
        return tuple(f for f in RED_FLAG_IDS if self.states.get(f, "not_asked") == "not_asked")

    @property
    def kidney_risk(self) -> str:
        return self.kidney.risk

    @property
    def sources(self) -> tuple[str, ...]:
        ids = [*self.referral.sources, *self.kidney.sources]
        ids += [a.source for a in self.advice] + [i.source for i in self.interactions]
        if self.serum is not None:
            ids += self.serum.sources
        return tuple(dict.fromkeys(ids))


def finding_states(
    kb: KnowledgeBase, present: Iterable[str] = (), absent: Iterable[str] = ()
) -> dict[str, FindingState]:
    """Validate ids and build the tri-state map (every KB finding, default not asked)."""
    present, absent = list(present), list(absent)
    for field, ids in (("answer", present), ("absent", absent)):
        for finding_id in ids:
            if finding_id not in kb.findings:
                raise InputError(field, f"unknown finding id {finding_id!r}; see `magtui findings`")
    both = sorted(set(present) & set(absent))
    if both:
        raise InputError("absent", f"{both[0]!r} is given as both present and absent")
    states: dict[str, FindingState] = dict.fromkeys(kb.findings, "not_asked")
    states.update(dict.fromkeys(present, "present"))
    states.update(dict.fromkeys(absent, "absent"))
    return states


def _pattern_supported(
    which: str, present: list[Finding], serum: SerumResult | None
) -> bool:
    """A pattern needs a specific risk factor for it plus a consistent symptom, or the serum."""
    if serum is not None and serum.suggests == which:
        return True
    has_risk = any(f.kind == "risk_factor" and f.supports == which for f in present)
    has_symptom = any(f.kind == "symptom" and f.supports in (which, "both") for f in present)
    return has_risk and has_symptom


def assess_pattern(
    present: list[Finding], serum: SerumResult | None
) -> tuple[Pattern, tuple[Explanation, ...]]:
    deficiency = _pattern_supported("deficiency", present, serum)
    excess = _pattern_supported("excess", present, serum)
    pattern: Pattern = (
        "mixed" if deficiency and excess
        else "deficiency" if deficiency
        else "excess" if excess
        else "unclear"
    )
    explanation = [_explain(f, deficiency, excess) for f in present]
    if serum is not None:
        explanation.append(Explanation(
            SERUM_ENTRY,
            f"Serum magnesium {serum.mmol_per_l:.2f} mmol/L ({serum.band.label})",
            serum.suggests,
            serum.suggests != "neither",
            serum.band.action,
            serum.band.source,
        ))
    return pattern, tuple(explanation)


def _explain(finding: Finding, deficiency: bool, excess: bool) -> Explanation:
    supported = {"deficiency": deficiency, "excess": excess, "both": deficiency or excess}
    counted = finding.kind in ("symptom", "risk_factor") and supported.get(finding.supports, False)
    if finding.kind == "red_flag":
        note = "Red flag: decides urgency, not the pattern."
    elif finding.kind == "amplifier":
        note = "Raises the danger of excess; not evidence of it by itself."
    elif finding.kind == "benign_context":
        note = "Common benign cause of twitching; points away from a magnesium problem."
    elif counted:
        target = "pattern" if finding.supports == "both" else finding.supports
        note = f"Counts towards the {target}."
    else:
        note = "Consistent, but not enough on its own."
    return Explanation(finding.id, finding.label, finding.supports, counted, note, finding.source)


def evaluate(
    kb: KnowledgeBase,
    states: Mapping[str, FindingState],
    *,
    egfr: float | None = None,
    dialysis: bool = False,
    serum: SerumResult | None = None,
) -> TriageResult:
    """The whole triage decision; kidney risk counts a reported `kidney_disease` finding."""
    kidney = assess_kidney(
        kb,
        egfr=egfr,
        dialysis=dialysis,
        kidney_disease_reported=states.get("kidney_disease") == "present",
    )
    present = [kb.findings[f] for f, s in states.items() if s == "present"]
    pattern, explanation = assess_pattern(present, serum)
    facts = derive_facts(pattern, kidney.risk, serum.band.id if serum else None)
    referral = refer(kb.referral_rules, {f.id for f in present}, facts)
    advice = tuple(kb.advice[a] for a in referral.advice_ids if a in kb.advice)
    interaction_ids = dict.fromkeys(i for f in present for i in f.interactions)
    interactions = tuple(kb.interactions[i] for i in interaction_ids)
    return TriageResult(
        states=dict(states),
        pattern=pattern,
        explanation=explanation,
        referral=referral,
        kidney=kidney,
        serum=serum,
        advice=advice,
        interactions=interactions,
    )
