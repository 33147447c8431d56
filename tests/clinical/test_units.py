"""Unit conversions (clinical-reference.md §3; design.md §3 "Units accepted")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magtui.clinical.limits import InputError
from magtui.clinical.units import (
    creatinine_to_mg_dl,
    creatinine_to_umol_l,
    creatinine_unit,
    elemental_mg_to_mmol,
    mmol_l_to_meq_l,
    mmol_l_to_mg_dl,
    round_half_up,
    serum_to_mmol_l,
    serum_unit,
)

# clinical-reference.md §3: Mg 24.305 g/mol, so 1 mmol/L = 24.305 mg/L = 2.4305 mg/dL;
# Mg2+ is divalent, so mEq/L = 2 x mmol/L. Creatinine: 88.4 umol/L per mg/dL.
MG_DL_PER_MMOL_L = 2.4305
MEQ_PER_MMOL = 2
CREATININE_UMOL_PER_MG_DL = 88.4


# clinical-reference.md §3 "Reference points [C]": mmol/L, mg/dL (2 dp), mEq/L.
REFERENCE_POINTS = [
    (0.75, 1.82, 1.5),
    (0.95, 2.31, 1.9),
    (1.05, 2.55, 2.1),
    (0.5, 1.22, 1.0),
]


@pytest.mark.parametrize(("mmol", "mg_dl", "meq"), REFERENCE_POINTS)
def test_reference_points_from_mmol(mmol: float, mg_dl: float, meq: float) -> None:
    assert round_half_up(mmol_l_to_mg_dl(mmol), 2) == mg_dl
    assert round_half_up(mmol_l_to_meq_l(mmol), 2) == meq


@pytest.mark.parametrize(("mmol", "mg_dl", "meq"), REFERENCE_POINTS)
def test_reference_points_back_to_mmol(mmol: float, mg_dl: float, meq: float) -> None:
    # The published mg/dL figures are rounded to 2 dp, so going back is within 0.005 / 2.4305.
    assert serum_to_mmol_l(mg_dl, "mg/dL") == pytest.approx(mmol, abs=0.005 / MG_DL_PER_MMOL_L)
    assert serum_to_mmol_l(meq, "mEq/L") == pytest.approx(mmol, abs=1e-12)


def test_one_mg_dl_in_mmol_and_meq() -> None:
    # clinical-reference.md §3 (medicalalgorithms.com): 1 mg/dL = 0.4114 mmol/L = 0.8228 mEq/L.
    assert serum_to_mmol_l(1.0, "mg/dL") == pytest.approx(0.4114, abs=1e-4)
    assert mmol_l_to_meq_l(serum_to_mmol_l(1.0, "mg/dL")) == pytest.approx(0.8228, abs=1e-4)


def test_creatinine_88_4_umol_is_1_mg_dl() -> None:
    # clinical-reference.md §3: mg/dL = umol/L / 88.4.
    assert creatinine_to_mg_dl(88.4, "umol/L") == pytest.approx(1.0, rel=1e-12)
    assert creatinine_to_mg_dl(1.2, "mg/dL") == 1.2
    assert creatinine_to_umol_l(1.0) == pytest.approx(88.4, rel=1e-12)


def test_elemental_mg_to_mmol() -> None:
    # clinical-reference.md §8.3: 24 mmol x 24.305 = 583 mg elemental.
    assert elemental_mg_to_mmol(24 * 24.305) == pytest.approx(24.0, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "unit"),
    [("mg/dL", "mg/dL"), ("MG/DL", "mg/dL"), ("umol/L", "umol/L"), ("µmol/L", "umol/L"),
     (" umol/l ", "umol/L")],
)
def test_creatinine_unit_names(text: str, unit: str) -> None:
    # design.md §3: creatinine mg/dL | umol/L (also µmol/L).
    assert creatinine_unit(text) == unit


@pytest.mark.parametrize(
    ("text", "unit"), [("mmol/L", "mmol/L"), ("mg/dl", "mg/dL"), ("meq/l", "mEq/L")]
)
def test_serum_unit_names(text: str, unit: str) -> None:
    assert serum_unit(text) == unit


@pytest.mark.parametrize("text", ["mmol/L", "mg", "", "g/L"])
def test_unknown_creatinine_unit_names_the_field(text: str) -> None:
    with pytest.raises(InputError) as err:
        creatinine_unit(text, field="unit")
    assert err.value.field == "unit"


@pytest.mark.parametrize("text", ["umol/L", "g/L", "mEq", ""])
def test_unknown_serum_unit_names_the_field(text: str) -> None:
    with pytest.raises(InputError) as err:
        serum_unit(text, field="serum-unit")
    assert err.value.field == "serum-unit"


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    # Half-up rounding (design choice in units.round_half_up): halves go away from zero,
    # unlike Python's round() which gives round(0.125, 2) == 0.12.
    [(0.125, 2, 0.13), (2.675, 2, 2.68), (68.65, 1, 68.7), (40.25, 1, 40.3), (0.124, 2, 0.12)],
)
def test_round_half_up(value: float, places: int, expected: float) -> None:
    assert round_half_up(value, places) == expected


positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)


@given(positive)
def test_mmol_mg_dl_round_trip(mmol: float) -> None:
    mg_dl = mmol_l_to_mg_dl(mmol)
    assert mg_dl == pytest.approx(mmol * MG_DL_PER_MMOL_L, rel=1e-12)
    assert serum_to_mmol_l(mg_dl, "mg/dL") == pytest.approx(mmol, rel=1e-12)


@given(positive)
def test_mmol_meq_round_trip(mmol: float) -> None:
    meq = mmol_l_to_meq_l(mmol)
    assert meq == pytest.approx(mmol * MEQ_PER_MMOL, rel=1e-12)
    assert serum_to_mmol_l(meq, "mEq/L") == pytest.approx(mmol, rel=1e-12)


@given(positive)
def test_mg_dl_meq_round_trip_via_mmol(mg_dl: float) -> None:
    # mEq/L = mg/dL x 2 / 2.4305 (clinical-reference.md §3: factor 0.8229), and back.
    meq = mmol_l_to_meq_l(serum_to_mmol_l(mg_dl, "mg/dL"))
    assert meq == pytest.approx(mg_dl * 2 / MG_DL_PER_MMOL_L, rel=1e-12)
    assert mmol_l_to_mg_dl(serum_to_mmol_l(meq, "mEq/L")) == pytest.approx(mg_dl, rel=1e-12)


@given(positive)
def test_mmol_l_is_identity(mmol: float) -> None:
    assert serum_to_mmol_l(mmol, "mmol/L") == mmol


@given(st.floats(min_value=0.01, max_value=3000, allow_nan=False, allow_infinity=False))
def test_creatinine_round_trip(value: float) -> None:
    mg_dl = creatinine_to_mg_dl(value, "umol/L")
    assert mg_dl == pytest.approx(value / CREATININE_UMOL_PER_MG_DL, rel=1e-12)
    assert creatinine_to_umol_l(mg_dl) == pytest.approx(value, rel=1e-12)
    assert creatinine_to_mg_dl(creatinine_to_umol_l(value), "umol/L") == pytest.approx(
        value, rel=1e-12
    )
