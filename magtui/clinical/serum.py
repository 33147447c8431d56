"""Serum magnesium: unit conversion and the interpretation band (adult, non-obstetric)."""

from __future__ import annotations

from magtui.clinical.limits import SERUM_MG
from magtui.clinical.units import (
    SerumUnit,
    mmol_l_to_meq_l,
    mmol_l_to_mg_dl,
    round_half_up,
    serum_to_mmol_l,
)
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import SerumBand
from magtui.values import Value

DEFICIENCY_BANDS = frozenset({"severe_low", "low"})
EXCESS_BANDS = frozenset({"high", "moderate_high", "severe_high", "critical_high"})


def in_band(band: SerumBand, mmol_l: float) -> bool:
    if band.low_mmol_l is not None and (
        mmol_l < band.low_mmol_l or (mmol_l == band.low_mmol_l and not band.low_inclusive)
    ):
        return False
    return not (
        band.high_mmol_l is not None
        and (mmol_l > band.high_mmol_l or (mmol_l == band.high_mmol_l and not band.high_inclusive))
    )


def classify_serum(kb: KnowledgeBase, mmol_l: float) -> SerumBand:
    """Classify the unrounded mmol/L value (the loader guarantees the bands tile the line)."""
    return next(band for band in kb.serum_bands if in_band(band, mmol_l))


class SerumResult(Value):
    value: float
    unit: SerumUnit
    mmol_per_l_exact: float
    band: SerumBand

    @property
    def mmol_per_l(self) -> float:
        return round_half_up(self.mmol_per_l_exact, 2)

    @property
    def mg_per_dl(self) -> float:
        return round_half_up(mmol_l_to_mg_dl(self.mmol_per_l_exact), 2)

    @property
    def meq_per_l(self) -> float:
        return round_half_up(mmol_l_to_meq_l(self.mmol_per_l_exact), 2)

    @property
    def suggests(self) -> str:
        if self.band.id in DEFICIENCY_BANDS:
            return "deficiency"
        return "excess" if self.band.id in EXCESS_BANDS else "neither"

    @property
    def sources(self) -> tuple[str, ...]:
        return self.band.source_ids


def interpret_serum(kb: KnowledgeBase, value: float, unit: SerumUnit) -> SerumResult:
    SERUM_MG[unit].check(value, "value")
    mmol_l = serum_to_mmol_l(value, unit)
    return SerumResult(value, unit, mmol_l, classify_serum(kb, mmol_l))
