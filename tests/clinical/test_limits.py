"""Plausible-range checks (design.md §3: never a guessed value, never clamping)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magtui.clinical import limits
from magtui.clinical.limits import InputError, Limit

ALL_LIMITS: list[Limit] = [
    limits.AGE_YEARS,
    limits.AGE_MONTHS,
    *limits.CREATININE.values(),
    limits.EGFR,
    *limits.SERUM_MG.values(),
    limits.COMPOUND_MG,
    limits.ELEMENTAL_MG,
    limits.TIMES_PER_DAY,
]
POSITIVE_LIMITS = [lim for lim in ALL_LIMITS if lim.positive]
limit_st = st.sampled_from(ALL_LIMITS)
field_st = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20)


def test_positive_limits_cover_every_dose_and_lab_value() -> None:
    # design.md §3: a zero creatinine, eGFR, serum value, dose or dose count is not a value.
    expected = {*limits.CREATININE.values(), limits.EGFR, *limits.SERUM_MG.values(),
                limits.COMPOUND_MG, limits.ELEMENTAL_MG, limits.TIMES_PER_DAY}
    assert expected <= set(POSITIVE_LIMITS)


@given(limit_st, field_st, st.sampled_from([math.nan, math.inf, -math.inf]))
def test_non_finite_refused_naming_field(limit: Limit, field: str, value: float) -> None:
    with pytest.raises(InputError) as err:
        limit.check(value, field)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")


@given(limit_st, field_st, st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False))
def test_negative_refused_naming_field(limit: Limit, field: str, value: float) -> None:
    with pytest.raises(InputError) as err:
        limit.check(value, field)
    assert err.value.field == field
    assert "negative" in err.value.message  # says why, not just "out of range"


@given(st.sampled_from(POSITIVE_LIMITS), field_st, st.sampled_from([0, 0.0, -0.0]))
def test_zero_refused_for_positive_limits(limit: Limit, field: str, value: float) -> None:
    with pytest.raises(InputError) as err:
        limit.check(value, field)
    assert err.value.field == field
    assert "greater than 0" in err.value.message


def test_zero_refused_even_when_minimum_is_zero() -> None:
    dose = Limit("dose", "mg", 0, 100)
    with pytest.raises(InputError) as err:
        dose.check(0)
    assert err.value.field == "dose"
    assert dose.check(0.5) == 0.5


@given(limit_st)
def test_default_field_name_is_the_limits_own(limit: Limit) -> None:
    with pytest.raises(InputError) as err:
        limit.check(math.nan)
    assert err.value.field == limit.field


@given(limit_st, st.data())
def test_in_range_accepted_unchanged(limit: Limit, data: st.DataObject) -> None:
    low = max(limit.minimum, 1e-6) if limit.positive else limit.minimum
    if limit.integer:
        value: float = data.draw(st.integers(math.ceil(low), math.floor(limit.maximum)))
    else:
        value = data.draw(st.floats(low, limit.maximum, allow_nan=False, allow_infinity=False))
    assert limit.check(value) == float(value)


@given(limit_st, st.floats(min_value=1e-9, max_value=1e6, allow_nan=False))
def test_above_maximum_refused_not_clamped(limit: Limit, excess: float) -> None:
    value = limit.maximum + max(excess, limit.maximum * 1e-9)
    with pytest.raises(InputError) as err:
        limit.check(value, "x")
    assert err.value.field == "x"


@pytest.mark.parametrize("limit", [lim for lim in ALL_LIMITS if lim.minimum > 0])
def test_below_plausible_minimum_refused(limit: Limit) -> None:
    with pytest.raises(InputError):
        limit.check(limit.minimum / 2)


@pytest.mark.parametrize("value", [True, "1", None, [1]])
def test_non_numbers_refused(value: object) -> None:
    with pytest.raises(InputError) as err:
        limits.EGFR.check(value, "egfr")  # type: ignore[arg-type]
    assert err.value.field == "egfr"


def test_age_zero_is_an_age() -> None:
    # A newborn is 0 years / 0 months old: zero is refused only for positive quantities.
    assert limits.AGE_YEARS.check(0) == 0.0
    assert limits.AGE_MONTHS.check(0) == 0.0


def test_integer_limits_refuse_fractions() -> None:
    with pytest.raises(InputError) as err:
        limits.TIMES_PER_DAY.check(1.5, "times-per-day")
    assert err.value.field == "times-per-day"
    with pytest.raises(InputError):
        limits.AGE_MONTHS.check(6.5)


@pytest.mark.parametrize("text", ["", "   ", "abc", "1,5", "2 mg", "nan", "inf", "-1", "0"])
def test_parse_refuses_bad_text(text: str) -> None:
    with pytest.raises(InputError) as err:
        limits.COMPOUND_MG.parse(text, "compound-mg")
    assert err.value.field == "compound-mg"


def test_parse_accepts_plain_number() -> None:
    assert limits.COMPOUND_MG.parse(" 400 ") == 400.0
