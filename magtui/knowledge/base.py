"""`KnowledgeBase`: the validated, read-only knowledge base handed to the clinical layer.

It holds plain records (`magtui.knowledge.records`), never pydantic models.
"""

from __future__ import annotations

from pathlib import Path

from magtui.knowledge.records import (
    Advice,
    Finding,
    Food,
    IntakeRow,
    Interaction,
    KidneyBand,
    Meta,
    Record,
    ReferralRule,
    SerumBand,
    Source,
    SupplementForm,
)
from magtui.values import Value


class KnowledgeBase(Value):
    path: Path
    meta: Meta
    sources: dict[str, Source]
    intake: tuple[IntakeRow, ...]
    forms: dict[str, SupplementForm]
    findings: dict[str, Finding]
    serum_bands: tuple[SerumBand, ...]
    """Ordered from lowest to highest, contiguous (checked on load)."""
    kidney: tuple[KidneyBand, ...]
    interactions: dict[str, Interaction]
    referral_rules: tuple[ReferralRule, ...]
    foods: tuple[Food, ...]
    advice: dict[str, Advice]

    def source(self, source_id: str) -> Source:
        return self.sources[source_id]

    def kidney_band(self, basis: str) -> KidneyBand:
        """The single band of a non-eGFR basis (dialysis, reported_disease, no_information)."""
        return next(b for b in self.kidney if b.basis == basis)

    def tables(self) -> dict[str, tuple[Record, ...]]:
        """Every table's records, for browsing and search."""
        return {
            "sources": tuple(self.sources.values()),
            "intake": self.intake,
            "forms": tuple(self.forms.values()),
            "findings": tuple(self.findings.values()),
            "serum_bands": self.serum_bands,
            "kidney": self.kidney,
            "interactions": tuple(self.interactions.values()),
            "referral_rules": self.referral_rules,
            "foods": self.foods,
            "advice": tuple(self.advice.values()),
        }
