"""Triage: tri-state findings → pattern (deficiency / excess / mixed / unclear) → referral.

A finding is present, absent or not asked. Only present findings are evidence; absent ones
are recorded; red flags not yet asked are reported, never assumed absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal

from magtui.clinical.facts import PatientFact, patient_facts
from magtui.clinical.limits import InputError
from magtui.clinical.plan import build_plan
from magtui.clinical.referral import Referral, derive_facts, refer
from magtui.clinical.renal import KidneyAssessment, assess_kidney
from magtui.clinical.serum import SerumResult, mmol_display
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import Advice, Finding, Interaction, Pattern
from magtui.knowledge.vocabulary import (
    KIDNEY_DISEASE_ID,
    MG_PRODUCT_IDS,
    NEURO_RED_FLAG_IDS,
    RED_FLAG_IDS,
)
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
    """The plan (`magtui.clinical.plan`): one coherent set, never `more` beside `less`."""
    interactions: tuple[Interaction, ...]
    unasked_labels: tuple[str, ...] = ()
    """Labels of the red flags not yet asked, in `unasked_red_flags` order."""
    from_patient: Mapping[str, PatientFact] = MappingProxyType({})
    """Findings the patient details answer present (`magtui.clinical.facts`): `states`
    holds them present, whatever the checklist said, and only the patient details change
    them."""

    @property
    def provisional(self) -> bool:
        return self.referral.provisional

    @property
    def headline(self) -> str:
        """The urgency as every output states it: "so far" while red flags are unasked (an
        emergency is never lowered by more answers, so it is never "so far")."""
        referral = self.referral
        prefix = "so far " if referral.provisional and referral.urgency != "emergency" else ""
        return f"{prefix}{referral.headline} — {referral.meaning}"

    @property
    def unasked_note(self) -> str | None:
        """Which red flags are still to ask, or None when every one has been asked."""
        if not self.unasked_labels:
            return None
        n = len(self.unasked_labels)
        flags = f"{n} red flag{'s' if n > 1 else ''} not yet asked"
        why = ("none of them can lower an emergency" if self.referral.urgency == "emergency"
               else "ask before relying on this")
        return f"{flags} ({why}): {' · '.join(self.unasked_labels)}"

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


NEUROMUSCULAR_IDS = frozenset(
    {"muscle_twitching", "persistent_twitching", "weakness", "cramps_spasms"}
)
"""Read as part of the neurological picture, not as magnesium evidence, while a neurological
red flag (wasting, bulbar features, progressive weakness) is present (design.md §5)."""


class Direction(Value):
    """What the findings, the kidneys and the serum value say about magnesium."""

    deficiency: bool
    excess: bool
    route_in: bool
    """Magnesium has a way in to accumulate: a product, failing kidneys or a high serum."""
    serum_decides: bool
    neuro: bool

    @property
    def pattern(self) -> Pattern:
        if self.deficiency and self.excess:
            return "mixed"
        return "deficiency" if self.deficiency else "excess" if self.excess else "unclear"


def assess_direction(
    present: list[Finding], serum: SerumResult | None, kidney_risk: str
) -> Direction:
    """Serum decides when measured low or high. Otherwise a pattern needs a specific risk
    factor plus a consistent symptom, and excess also a route in: a magnesium product or
    kidney risk high (hypermagnesaemia with working kidneys and no intake is rare)."""
    ids = {f.id for f in present}
    neuro = bool(ids & set(NEURO_RED_FLAG_IDS))
    route_in = bool(ids & set(MG_PRODUCT_IDS)) or kidney_risk == "high"
    if serum is not None and serum.suggests != "neither":
        high = serum.suggests == "excess"
        return Direction(deficiency=not high, excess=high, route_in=route_in or high,
                         serum_decides=True, neuro=neuro)
    counted = [f for f in present if not (neuro and f.id in NEUROMUSCULAR_IDS)]
    excess = route_in and any(
        f.kind == "symptom" and f.supports in ("excess", "both") for f in counted
    )
    # With excess suspected (a route in and a fitting symptom), a symptom that fits both
    # pictures is read as excess: deficiency then needs a symptom of its own. Otherwise an
    # older adult on a magnesium laxative with failing kidneys and weakness read MIXED, and
    # the plan noted "the findings fit low magnesium" beside "stop every magnesium product".
    deficiency = _risk_and_symptom(counted, "deficiency", both_fit=not excess)
    return Direction(deficiency=deficiency, excess=excess, route_in=route_in,
                     serum_decides=False, neuro=neuro)


def _risk_and_symptom(present: list[Finding], which: str, *, both_fit: bool = True) -> bool:
    fitting = (which, "both") if both_fit else (which,)
    has_risk = any(f.kind == "risk_factor" and f.supports == which for f in present)
    has_symptom = any(f.kind == "symptom" and f.supports in fitting for f in present)
    return has_risk and has_symptom


def assess_pattern(
    present: list[Finding], serum: SerumResult | None, kidney_risk: str = "unknown"
) -> tuple[Pattern, tuple[Explanation, ...]]:
    direction = assess_direction(present, serum, kidney_risk)
    explanation = [_explain(f, direction) for f in present]
    if serum is not None:
        explanation.append(Explanation(
            finding=SERUM_ENTRY,
            label=f"Serum magnesium {mmol_display(serum)} mmol/L ({serum.band.label})",
            supports=serum.suggests,
            counted=serum.suggests != "neither",
            note=_serum_note(serum),
            source=serum.band.source,
        ))
    return direction.pattern, tuple(explanation)


def _serum_note(serum: SerumResult) -> str:
    if serum.suggests == "neither":
        return f"Does not set the direction. {serum.band.action}"
    return f"Sets the direction ({serum.suggests}), whatever the symptoms suggest. " \
        f"{serum.band.action}"


def _explain(finding: Finding, d: Direction) -> Explanation:
    """Why this finding counts, or why it does not, followed by its mechanism (KB `why`)."""
    counted = False
    if finding.kind == "red_flag":
        role = "Red flag: decides the urgency, not the magnesium pattern."
    elif finding.kind == "amplifier":
        role = "Raises the danger of excess; not evidence of it by itself."
    elif finding.kind == "benign_context":
        role = "A common harmless trigger; points away from a magnesium problem."
    elif d.neuro and finding.id in NEUROMUSCULAR_IDS:
        role = ("Not counted: with a neurological red flag present it is read as part of "
                "that picture, not as a magnesium pattern.")
    elif finding.supports == "neither":
        role = "Decides the urgency, not the direction."
    elif d.serum_decides:
        agrees = finding.supports in ("both", "deficiency" if d.deficiency else "excess")
        counted = agrees
        role = ("Agrees with the measured serum magnesium, which sets the direction."
                if agrees else
                "Context only: the measured serum magnesium sets the direction.")
    else:
        counted, role = _symptom_role(finding, d)
    return Explanation(finding=finding.id, label=finding.label, supports=finding.supports,
                       counted=counted, note=f"{role} {finding.why}", source=finding.source)


def _symptom_role(finding: Finding, d: Direction) -> tuple[bool, str]:
    targets = ("deficiency", "excess") if finding.supports == "both" else (finding.supports,)
    met = [t for t in targets if (d.deficiency if t == "deficiency" else d.excess)]
    if met:
        return True, f"Counts towards {' and '.join(met)}."
    if finding.kind == "risk_factor" and d.excess:
        return False, (f"A risk factor for {finding.supports}; no symptom of its own, and "
                       "symptoms that fit both are read as excess while magnesium has a "
                       "route in.")
    if finding.kind == "risk_factor":
        return False, f"A risk factor for {finding.supports}; no consistent symptom yet."
    if "excess" in targets and not d.route_in and "deficiency" not in targets:
        return False, ("Fits excess, but magnesium has no route in (no magnesium product, "
                       "kidney risk not high, no high serum value).")
    wanted = " or ".join(targets)
    return False, f"Fits {wanted}, but not enough on its own without a matching risk factor."


def evaluate(
    kb: KnowledgeBase,
    states: Mapping[str, FindingState],
    *,
    egfr: float | None = None,
    dialysis: bool = False,
    serum: SerumResult | None = None,
    age_months: int | None = None,
    egfr_computed: bool = False,
) -> TriageResult:
    """The whole triage decision; kidney risk counts a reported `kidney_disease` finding.

    `age_months`, when known, lets the plan quote an adult replacement figure to adults only,
    gives a child the child's kidney caution, and answers the findings the age decides; a
    measured kidney function in the caution or high band answers `kidney_disease`
    (`magtui.clinical.facts`). `egfr_computed`: the eGFR came from creatinine."""
    kidney = assess_kidney(
        kb,
        egfr=egfr,
        dialysis=dialysis,
        kidney_disease_reported=states.get(KIDNEY_DISEASE_ID) == "present",
        egfr_computed=egfr_computed,
        age_months=age_months,
    )
    facts = patient_facts(kb, age_months=age_months, kidney=kidney)
    # Entered once: what the patient details answer is not asked again, and not overruled.
    answered: dict[str, FindingState] = dict(states)
    for finding_id in facts:
        answered[finding_id] = "present"
    states = answered
    present = [kb.findings[f] for f, s in states.items() if s == "present"]
    pattern, explanation = assess_pattern(present, serum, kidney.risk)
    rule_facts = derive_facts(pattern, kidney.risk, serum.band.id if serum else None)
    present_ids = frozenset(f.id for f in present)
    unasked = tuple(f for f in RED_FLAG_IDS if states.get(f, "not_asked") == "not_asked")
    referral = refer(kb.referral_rules, present_ids, rule_facts).replace(provisional=bool(unasked))
    advice = build_plan(
        kb, urgency=referral.urgency, provisional=referral.provisional, pattern=pattern,
        present=present_ids, kidney_risk=kidney.risk,
        serum_band=serum.band.id if serum else None, age_months=age_months,
    )
    interaction_ids = dict.fromkeys(i for f in present for i in f.interactions)
    interactions = tuple(kb.interactions[i] for i in interaction_ids)
    return TriageResult(
        states=dict(states),
        pattern=pattern,
        explanation=tuple(_with_origin(line, facts.get(line.finding)) for line in explanation),
        referral=referral,
        kidney=kidney,
        serum=serum,
        advice=advice,
        interactions=interactions,
        unasked_labels=tuple(kb.findings[f].label for f in unasked),
        from_patient=MappingProxyType(facts),
    )


def _with_origin(line: Explanation, fact: PatientFact | None) -> Explanation:
    """A finding the patient details answered says so first, wherever it is explained."""
    if fact is None:
        return line
    return line.replace(note=f"Answered by the patient details ({fact.because}). {line.note}")
