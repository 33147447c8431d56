"""Serum magnesium bands (clinical-reference.md §4 "Boundary convention"; design.md §3)."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magtui.clinical.limits import InputError
from magtui.clinical.serum import (
    classify_serum,
    in_band,
    interpret_serum,
    mmol_display,
    serum_display,
)
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import SERUM_BAND_IDS

MG_DL_PER_MMOL_L = 2.4305  # clinical-reference.md §3


def reference_band(x: float) -> str:
    """clinical-reference.md §4 "Boundary convention", exact intervals on unrounded mmol/L."""
    if x < 0.50:
        return "severe_low"
    if x < 0.75:
        return "low"
    if x <= 0.95:
        return "normal"
    if x <= 1.05:
        return "high_normal"
    if x < 2.0:
        return "high"
    if x < 3.0:
        return "moderate_high"
    if x < 5.0:
        return "severe_high"
    return "critical_high"


# clinical-reference.md §4 "Examples" (every one listed there).
EDGE_EXAMPLES = [
    (0.49, "severe_low"),
    (0.50, "low"),
    (0.74, "low"),
    (0.75, "normal"),
    (0.95, "normal"),
    (0.96, "high_normal"),
    (1.05, "high_normal"),
    (1.06, "high"),
    (2.0, "moderate_high"),
    (3.0, "severe_high"),
    (5.0, "critical_high"),
]


@pytest.mark.parametrize(("mmol", "band"), EDGE_EXAMPLES)
def test_boundary_examples(kb: KnowledgeBase, mmol: float, band: str) -> None:
    assert reference_band(mmol) == band  # the test's own table agrees with the reference
    result = interpret_serum(kb, mmol, "mmol/L")
    assert result.band.id == band
    assert result.mmol_per_l_exact == mmol


@pytest.mark.parametrize(
    ("mmol", "band"),
    # Just either side of each edge, where a wrong inclusive/exclusive flag would show.
    [(0.4999, "severe_low"), (0.7499, "low"), (0.9501, "high_normal"), (1.0501, "high"),
     (1.9999, "high"), (2.9999, "moderate_high"), (4.9999, "severe_high"), (9.9, "critical_high")],
)
def test_just_across_edges(kb: KnowledgeBase, mmol: float, band: str) -> None:
    assert classify_serum(kb, mmol).id == band


def test_mg_dl_classified_on_unrounded_value(kb: KnowledgeBase) -> None:
    # 1.82 mg/dL is shown as 0.75 mmol/L but is 1.82 / 2.4305 = 0.74882 mmol/L: still low.
    result = interpret_serum(kb, 1.82, "mg/dL")
    assert result.mmol_per_l_exact == pytest.approx(1.82 / MG_DL_PER_MMOL_L, rel=1e-12)
    assert result.mmol_per_l == 0.75
    assert result.band.id == "low"
    # 1.83 mg/dL = 0.75293 mmol/L: normal.
    assert interpret_serum(kb, 1.83, "mg/dL").band.id == "normal"
    # 2.31 mg/dL = 0.95042 mmol/L: shown 0.95 but above the ODS upper limit → high_normal.
    above = interpret_serum(kb, 2.31, "mg/dL")
    assert above.mmol_per_l == 0.95
    assert above.band.id == "high_normal"


@pytest.mark.parametrize(
    ("mg_dl", "edge_mmol"),
    # Each band edge of §4 written in mg/dL (edge x 2.4305, exact in decimal): a value typed
    # exactly on an edge must fall on the side the boundary convention says, not one float
    # ulp beside it (e.g. 2.308975 mg/dL is exactly 0.95 mmol/L: normal, not high_normal).
    [("1.21525", 0.5), ("1.822875", 0.75), ("2.308975", 0.95), ("2.552025", 1.05),
     ("4.861", 2.0), ("7.2915", 3.0), ("12.1525", 5.0)],
)
def test_mg_dl_typed_on_an_edge(kb: KnowledgeBase, mg_dl: str, edge_mmol: float) -> None:
    assert Decimal(mg_dl) / Decimal("2.4305") == Decimal(repr(edge_mmol))  # the test's own check
    result = interpret_serum(kb, float(mg_dl), "mg/dL")
    assert result.band.id == reference_band(edge_mmol)


@pytest.mark.parametrize(
    ("meq", "band"),
    # mEq/L = 2 x mmol/L (clinical-reference.md §3), so edges double: 1.0, 1.5, 1.9, 2.1, 4, 6, 10.
    [(0.98, "severe_low"), (1.0, "low"), (1.49, "low"), (1.5, "normal"), (1.9, "normal"),
     (1.91, "high_normal"), (2.1, "high_normal"), (2.11, "high"), (4.0, "moderate_high"),
     (6.0, "severe_high"), (10.0, "critical_high")],
)
def test_meq_classification(kb: KnowledgeBase, meq: float, band: str) -> None:
    result = interpret_serum(kb, meq, "mEq/L")
    assert result.mmol_per_l_exact == pytest.approx(meq / 2, rel=1e-12)
    assert result.band.id == band


def test_displayed_conversions(kb: KnowledgeBase) -> None:
    # clinical-reference.md §3 reference point: 1.05 mmol/L = 2.55 mg/dL = 2.1 mEq/L.
    result = interpret_serum(kb, 1.05, "mmol/L")
    assert (result.mmol_per_l, result.mg_per_dl, result.meq_per_l) == (1.05, 2.55, 2.1)


@pytest.mark.parametrize(
    ("mmol", "suggests"),
    [(0.4, "deficiency"), (0.6, "deficiency"), (0.85, "neither"), (1.0, "neither"),
     (1.5, "excess"), (2.5, "excess"), (4.0, "excess"), (6.0, "excess")],
)
def test_what_a_band_suggests(kb: KnowledgeBase, mmol: float, suggests: str) -> None:
    # Below 0.75 is hypomagnesaemia (ODS); above 1.05 is hypermagnesaemia (MSD).
    assert interpret_serum(kb, mmol, "mmol/L").suggests == suggests


@pytest.mark.parametrize(
    ("value", "unit"),
    [(0, "mmol/L"), (-0.5, "mmol/L"), (math.nan, "mg/dL"), (math.inf, "mEq/L"), (50, "mmol/L")],
)
def test_bad_values_name_value(kb: KnowledgeBase, value: float, unit: str) -> None:
    with pytest.raises(InputError) as err:
        interpret_serum(kb, value, unit)  # type: ignore[arg-type]
    assert err.value.field == "value"


def test_band_order_and_sources(kb: KnowledgeBase) -> None:
    assert tuple(b.id for b in kb.serum_bands) == SERUM_BAND_IDS
    for band in kb.serum_bands:
        assert all(s in kb.sources for s in band.source_ids)


@given(st.floats(min_value=1e-6, max_value=1e4, allow_nan=False, allow_infinity=False))
def test_any_positive_value_is_in_exactly_one_band(kb: KnowledgeBase, mmol: float) -> None:
    matching = [band.id for band in kb.serum_bands if in_band(band, mmol)]
    assert matching == [reference_band(mmol)]
    assert classify_serum(kb, mmol).id == reference_band(mmol)


@given(st.sampled_from(["mmol/L", "mg/dL", "mEq/L"]), st.floats(0.2, 9.0, allow_nan=False))
def test_every_unit_classifies_the_unrounded_mmol(
    kb: KnowledgeBase, unit: str, mmol: float
) -> None:
    value = {"mmol/L": mmol, "mg/dL": mmol * MG_DL_PER_MMOL_L, "mEq/L": mmol * 2}[unit]
    result = interpret_serum(kb, value, unit)  # type: ignore[arg-type]
    assert result.mmol_per_l_exact == pytest.approx(mmol, rel=1e-12)
    assert result.band.id == reference_band(result.mmol_per_l_exact)


# --- shown figures agree with the band (issue 10) ------------------------------------------


def shown_band(unit: str, shown: str) -> str:
    """The band the *shown* figure falls in, read the way a clinician would read it."""
    mmol = {"mmol/L": Decimal(shown), "mg/dL": Decimal(shown) / Decimal("2.4305"),
            "mEq/L": Decimal(shown) / 2}[unit]
    return reference_band(float(mmol))


@pytest.mark.parametrize(
    ("value", "unit", "mmol_shown", "band"),
    [
        # 7.29 mg/dL = 2.99938 mmol/L: moderately high; "3.00" would sit on the severe edge.
        (7.29, "mg/dL", "2.999", "moderate_high"),
        # 1.82 mg/dL = 0.74882 mmol/L: low; "0.75" would be the normal band's edge.
        (1.82, "mg/dL", "0.749", "low"),
        # 2.31 mg/dL = 0.95042 mmol/L: borderline high; "0.95" and "0.950" are still normal.
        (2.31, "mg/dL", "0.9504", "high_normal"),
        # 12.15 mg/dL = 4.99897 mmol/L: severe, not yet life-threatening.
        (12.15, "mg/dL", "4.999", "severe_high"),
        # Away from an edge, or exactly on one, two decimals as before.
        (0.8, "mmol/L", "0.80", "normal"),
        (3.0, "mmol/L", "3.00", "severe_high"),
        (0.95, "mmol/L", "0.95", "normal"),
        # 4.86 mg/dL = 1.99959 mmol/L: still mildly high; "2.00" and "2.000" are not.
        (4.86, "mg/dL", "1.9996", "high"),
    ],
)
def test_mmol_display_never_crosses_an_edge(
    kb: KnowledgeBase, value: float, unit: str, mmol_shown: str, band: str,
) -> None:
    result = interpret_serum(kb, value, unit)  # type: ignore[arg-type]
    assert result.band.id == band
    assert mmol_display(result) == mmol_shown
    assert shown_band("mmol/L", mmol_shown) == band


def test_json_figure_stays_at_two_decimals(kb: KnowledgeBase) -> None:
    result = interpret_serum(kb, 7.29, "mg/dL")
    assert result.mmol_per_l == 3.0  # the contract's 2-decimal figure is unchanged
    assert mmol_display(result) == "2.999"
    assert serum_display(result, "mEq/L") == "5.999"  # 6.00 would be the severe edge too


def test_a_value_within_a_hair_of_an_edge_rounds_towards_its_band(kb: KnowledgeBase) -> None:
    below = interpret_serum(kb, 2.999999, "mmol/L")
    above = interpret_serum(kb, 0.95000001, "mmol/L")
    assert (below.band.id, mmol_display(below)) == ("moderate_high", "2.9999")
    assert (above.band.id, mmol_display(above)) == ("high_normal", "0.9501")


@given(st.sampled_from(["mmol/L", "mg/dL", "mEq/L"]), st.sampled_from(["mmol/L", "mg/dL", "mEq/L"]),
       st.integers(min_value=20, max_value=1500))
def test_every_shown_figure_lies_in_the_band(
    kb: KnowledgeBase, entered: str, shown_unit: str, hundredths: int,
) -> None:
    # Values as labs report them (2 decimals), in any unit, shown in any unit.
    value = hundredths / 100
    try:
        result = interpret_serum(kb, value, entered)  # type: ignore[arg-type]
    except InputError:
        return  # outside the plausible range for that unit
    shown = serum_display(result, shown_unit)  # type: ignore[arg-type]
    assert shown_band(shown_unit, shown) == result.band.id, (value, entered, shown)
    places = len(shown.split(".")[1])
    assert 2 <= places <= 4


def test_band_actions_state_the_exact_mmol_edges_and_approximate_mg_dl(kb: KnowledgeBase) -> None:
    for band in kb.serum_bands:
        action = band.action
        mmol_part = action[: action.index(" mmol/L")]
        numbers = [float(n) for n in re.findall(r"\d+\.\d+", mmol_part)]
        edges = [e for e in (band.low_mmol_l, band.high_mmol_l) if e is not None]
        assert numbers == edges, (band.id, mmol_part)
        # The mg/dL equivalents are marked approximate; mmol/L edges are the exact ones.
        bracket = action[action.index("(") + 1: action.index(")")]
        assert bracket.startswith(("about", "below about")), (band.id, bracket)
        assert "mg/dL" in bracket
        assert "magtui" not in action.casefold()
        # The words say which side of each edge the band holds (clinical-reference §4).
        if band.low_mmol_l is None:
            assert action.startswith("Below")
        elif band.high_mmol_l is None:
            assert action.startswith(f"{band.low_mmol_l:.1f} mmol/L or above"), band.id
        elif not band.low_inclusive:
            assert action.startswith("Above")
        if band.high_mmol_l is not None and band.low_mmol_l is not None:
            assert ("to below" in mmol_part) == (not band.high_inclusive), band.id
