"""Serum magnesium: unit conversion and the interpretation band (adult, non-obstetric)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

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
from magtui.knowledge.vocabulary import SERUM_HIGH_BANDS, SERUM_LOW_BANDS
from magtui.values import Value


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
        if self.band.id in SERUM_LOW_BANDS:
            return "deficiency"
        return "excess" if self.band.id in SERUM_HIGH_BANDS else "neither"

    @property
    def sources(self) -> tuple[str, ...]:
        return self.band.source_ids


SHOWN_PLACES = (2, 3, 4)
"""Decimals tried in turn by `serum_display`: 2 normally, more only near a band edge."""


def _from_mmol(mmol_l: float, unit: SerumUnit) -> float:
    if unit == "mg/dL":
        return mmol_l_to_mg_dl(mmol_l)
    return mmol_l_to_meq_l(mmol_l) if unit == "mEq/L" else mmol_l


def serum_display(result: SerumResult, unit: SerumUnit = "mmol/L") -> str:
    """A serum result in `unit` as shown beside its band, e.g. `"2.999"` (no unit).

    Two decimals, unless rounding would put the shown figure on or across an edge of a band
    the value is not in (7.29 mg/dL = 2.9994 mmol/L is moderately high, but "3.00 mmol/L"
    would sit on the severe band's edge); then 3, then 4 decimals. Should 4 still not do (a
    value within 0.00005 of an edge), the figure is rounded towards the value's own band, so
    the shown figure always converts back into the band the value was classified in."""
    exact = _from_mmol(result.mmol_per_l_exact, unit)

    def fits(shown: float) -> bool:
        return in_band(result.band, serum_to_mmol_l(shown, unit))

    for places in SHOWN_PLACES:
        shown = round_half_up(exact, places)
        if fits(shown):
            return f"{shown:.{places}f}"
    quantum = Decimal(1).scaleb(-SHOWN_PLACES[-1])
    rounded = Decimal(repr(exact)).quantize(quantum, rounding=ROUND_FLOOR)
    if not fits(float(rounded)):
        rounded = Decimal(repr(exact)).quantize(quantum, rounding=ROUND_CEILING)
    return f"{rounded:.{SHOWN_PLACES[-1]}f}"


def mmol_display(result: SerumResult) -> str:
    """The mmol/L figure as shown beside the band (`serum_display` in mmol/L), e.g. "2.999"."""
    return serum_display(result, "mmol/L")


def conversions_text(result: SerumResult) -> str:
    """`2.999 mmol/L = 7.29 mg/dL = 5.999 mEq/L`: every figure agrees with the band."""
    return " = ".join(f"{serum_display(result, unit)} {unit}"
                      for unit in ("mmol/L", "mg/dL", "mEq/L"))


def interpret_serum(kb: KnowledgeBase, value: float, unit: SerumUnit) -> SerumResult:
    SERUM_MG[unit].check(value, "value")
    mmol_l = serum_to_mmol_l(value, unit)
    return SerumResult(value=value, unit=unit, mmol_per_l_exact=mmol_l,
                       band=classify_serum(kb, mmol_l))
