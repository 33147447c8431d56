"""Unit names and conversions (clinical-reference.md §3)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from magtui.clinical.limits import InputError

MG_MOLAR_MASS_G_PER_MOL = 24.305
CREATININE_UMOL_PER_MG_DL = 88.4

CreatinineUnit = Literal["mg/dL", "umol/L"]
SerumUnit = Literal["mmol/L", "mg/dL", "mEq/L"]

_CREATININE_UNITS: dict[str, CreatinineUnit] = {
    "mg/dl": "mg/dL", "umol/l": "umol/L", "µmol/l": "umol/L", "μmol/l": "umol/L",
}
_SERUM_UNITS: dict[str, SerumUnit] = {"mmol/l": "mmol/L", "mg/dl": "mg/dL", "meq/l": "mEq/L"}


def creatinine_unit(text: str, field: str = "unit") -> CreatinineUnit:
    unit = _CREATININE_UNITS.get(text.strip().casefold())
    if unit is None:
        raise InputError(field, f"unknown creatinine unit {text!r}; use mg/dL or umol/L")
    return unit


def serum_unit(text: str, field: str = "unit") -> SerumUnit:
    unit = _SERUM_UNITS.get(text.strip().casefold())
    if unit is None:
        raise InputError(
            field, f"unknown serum magnesium unit {text!r}; use mmol/L, mg/dL or mEq/L"
        )
    return unit


def creatinine_to_mg_dl(value: float, unit: CreatinineUnit) -> float:
    return value if unit == "mg/dL" else value / CREATININE_UMOL_PER_MG_DL


def creatinine_to_umol_l(value_mg_dl: float) -> float:
    return value_mg_dl * CREATININE_UMOL_PER_MG_DL


def serum_to_mmol_l(value: float, unit: SerumUnit) -> float:
    """mg/dL → mmol/L divides by 2.4305 (24.305 mg/L per mmol/L); mEq/L is 2 × mmol/L."""
    if unit == "mmol/L":
        return value
    if unit == "mg/dL":
        # Decimal, rounded to float once: a value typed exactly on a band edge (2.308975 mg/dL
        # is 0.95 mmol/L) must land on the edge, not one float ulp above it.
        return float(Decimal(repr(value)) * 10 / Decimal(repr(MG_MOLAR_MASS_G_PER_MOL)))
    return value / 2


def mmol_l_to_mg_dl(mmol_l: float) -> float:
    return mmol_l * MG_MOLAR_MASS_G_PER_MOL / 10


def mmol_l_to_meq_l(mmol_l: float) -> float:
    return mmol_l * 2


def elemental_mg_to_mmol(mg: float) -> float:
    return mg / MG_MOLAR_MASS_G_PER_MOL


def round_half_up(value: float, places: int) -> float:
    """Round as a clinician would (0.125 → 0.13), not banker's rounding."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
