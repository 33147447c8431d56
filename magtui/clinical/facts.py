"""Findings the patient details answer: a fact entered once (age, kidney function) is never
asked again on the checklist.

- A finding with `from_age_years` in the KB ("Older adult (about 65+)": 65) is present from
  that age; the threshold is the KB's, written nowhere else.
- `kidney_disease` is present when *measured* kidney function is impaired: an eGFR in a KB
  band of risk caution or high (below 60 mL/min/1.73 m² in the shipped KB), or dialysis.

Only "present" is ever set. Below the age, or with an eGFR of 60 or more, the finding stays
the clinician's to mark: "about 65" is a judgement at the edge (a frail 63-year-old), and an
eGFR of 60 or more does not rule out kidney disease (KDIGO G1–G2 with albuminuria). So a
derived answer only ever adds evidence or caution, never removes what the clinician said.
While the patient details set a finding, they decide it; a mark made on the checklist is kept
underneath and counts again once they no longer do (the age cleared or lowered).
"""

from __future__ import annotations

from typing import Literal

from magtui.clinical.intake import age_text
from magtui.clinical.renal import KidneyAssessment, egfr_basis_text
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import KIDNEY_DISEASE_ID
from magtui.values import Value

PatientField = Literal["age", "egfr", "creatinine", "dialysis"]


class PatientFact(Value):
    """A finding answered present by the patient details, and from what."""

    finding: str
    field: PatientField
    """The patient detail that sets it: where to change it."""
    because: str
    """What was entered, as a clinician reads it: "age 68 years",
    "eGFR 21 mL/min/1.73 m², entered", "on dialysis"."""
    brief: str
    """The same in a few characters, for a checklist row: "age 68 y", "eGFR 21", "dialysis"."""


def patient_facts(
    kb: KnowledgeBase, *, age_months: int | None, kidney: KidneyAssessment
) -> dict[str, PatientFact]:
    """Finding id → the fact that answers it present (empty when none does)."""
    facts: dict[str, PatientFact] = {}
    if age_months is not None:
        for finding in kb.findings.values():
            threshold = finding.from_age_years
            if threshold is not None and age_months >= threshold * 12:
                facts[finding.id] = PatientFact(
                    finding=finding.id, field="age", because=f"age {age_text(age_months)}",
                    brief=f"age {age_text(age_months).replace(' years', ' y')}")
    kidney_fact = _kidney_fact(kidney)
    if kidney_fact is not None and KIDNEY_DISEASE_ID in kb.findings:
        facts[KIDNEY_DISEASE_ID] = kidney_fact
    return facts


def _kidney_fact(kidney: KidneyAssessment) -> PatientFact | None:
    # Measured only: a reported kidney disease is the finding itself, not a fact about it.
    if not kidney.impaired or kidney.basis not in ("egfr", "dialysis"):
        return None
    if kidney.basis == "dialysis":
        return PatientFact(finding=KIDNEY_DISEASE_ID, field="dialysis", because="on dialysis",
                           brief="dialysis")
    return PatientFact(finding=KIDNEY_DISEASE_ID,
                       field="creatinine" if kidney.egfr_computed else "egfr",
                       because=egfr_basis_text(kidney, short=True),
                       brief=f"eGFR {kidney.egfr:g}")

