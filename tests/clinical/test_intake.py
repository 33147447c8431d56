"""RDA/AI and supplemental UL by life stage (clinical-reference.md §1.1, §1.2: ODS Tables 1
and 3, from the IOM 1997 DRI report)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magtui.clinical.intake import age_to_months, lookup_intake
from magtui.clinical.limits import InputError
from magtui.knowledge.base import KnowledgeBase

# (age in completed months, sex, condition, rda, ai, ul) — values from §1.1 (RDA/AI) and
# §1.2 (UL, supplements and medications only). Ages probe both ends of each life stage.
Y = 12
TABLE = [
    # Infants: AI only, no UL (§1.1 notes; §1.2 "none established").
    (0, "female", "none", None, 30, None),
    (6, "male", "none", None, 30, None),  # scenario 7: a 6-month-old, AI 30 mg
    (6, "female", "none", None, 30, None),
    (7, "female", "none", None, 75, None),
    (11, "male", "none", None, 75, None),
    # Children: the UL (supplements only) is below the RDA (total intake) — §1.2 note.
    (1 * Y, "female", "none", 80, None, 65),
    (3 * Y + 11, "male", "none", 80, None, 65),
    (4 * Y, "male", "none", 130, None, 110),
    (8 * Y + 11, "female", "none", 130, None, 110),
    (9 * Y, "female", "none", 240, None, 350),
    (13 * Y + 11, "male", "none", 240, None, 350),
    # Teens: sex differs.
    (14 * Y, "male", "none", 410, None, 350),
    (18 * Y, "male", "none", 410, None, 350),
    (14 * Y, "female", "none", 360, None, 350),
    (18 * Y + 11, "female", "none", 360, None, 350),
    # Adults.
    (19 * Y, "male", "none", 400, None, 350),
    (30 * Y + 11, "male", "none", 400, None, 350),
    (19 * Y, "female", "none", 310, None, 350),
    (30 * Y, "female", "none", 310, None, 350),
    (31 * Y, "male", "none", 420, None, 350),
    (50 * Y, "male", "none", 420, None, 350),
    (31 * Y, "female", "none", 320, None, 350),
    (50 * Y + 11, "female", "none", 320, None, 350),
    # 51+.
    (51 * Y, "male", "none", 420, None, 350),
    (90 * Y, "male", "none", 420, None, 350),
    (51 * Y, "female", "none", 320, None, 350),
    (68 * Y, "female", "none", 320, None, 350),  # scenario 1: RDA 320 mg, UL 350 mg
    # Pregnancy.
    (14 * Y, "female", "pregnancy", 400, None, 350),
    (18 * Y, "female", "pregnancy", 400, None, 350),
    (19 * Y, "female", "pregnancy", 350, None, 350),
    (30 * Y, "female", "pregnancy", 350, None, 350),  # scenario 6
    (31 * Y, "female", "pregnancy", 360, None, 350),
    (50 * Y, "female", "pregnancy", 360, None, 350),
    # Lactation.
    (14 * Y, "female", "lactation", 360, None, 350),
    (18 * Y, "female", "lactation", 360, None, 350),
    (19 * Y, "female", "lactation", 310, None, 350),
    (30 * Y, "female", "lactation", 310, None, 350),
    (31 * Y, "female", "lactation", 320, None, 350),
    (50 * Y, "female", "lactation", 320, None, 350),
]


@pytest.mark.parametrize(("months", "sex", "condition", "rda", "ai", "ul"), TABLE)
def test_life_stage_values(
    kb: KnowledgeBase,
    months: int,
    sex: str,
    condition: str,
    rda: float | None,
    ai: float | None,
    ul: float | None,
) -> None:
    result = lookup_intake(kb, age_months=months, sex=sex, condition=condition)  # type: ignore[arg-type]
    assert (result.rda_mg, result.ai_mg, result.ul_supplemental_mg) == (rda, ai, ul)
    assert result.reference_mg == (rda if rda is not None else ai)
    assert result.reference_kind == ("RDA" if rda is not None else "AI")
    assert result.life_stage
    assert result.sources and all(s in kb.sources for s in result.sources)


@pytest.mark.parametrize(
    ("years", "months"),
    # Completed months: 0.5 y is 6 months (0–6 row), 30 y is 360 months.
    [(0, 0), (0.5, 6), (1, 12), (30, 360), (68, 816), (18.99, 227)],
)
def test_age_to_months(years: float, months: int) -> None:
    assert age_to_months(years) == months


def test_years_and_months_agree(kb: KnowledgeBase) -> None:
    a = lookup_intake(kb, age_months=age_to_months(0.5), sex="female")
    assert a.ai_mg == 30 and a.ul_supplemental_mg is None


@pytest.mark.parametrize("condition", ["pregnancy", "lactation"])
def test_pregnancy_or_lactation_with_male_refused(kb: KnowledgeBase, condition: str) -> None:
    with pytest.raises(InputError) as err:
        lookup_intake(kb, age_months=30 * Y, sex="male", condition=condition)  # type: ignore[arg-type]
    assert err.value.field == {"pregnancy": "pregnant", "lactation": "lactating"}[condition]


def test_pregnancy_below_table_refused(kb: KnowledgeBase) -> None:
    # The pregnancy rows start at 14 years; a 10-year-old is refused, never guessed.
    with pytest.raises(InputError) as err:
        lookup_intake(kb, age_months=10 * Y, sex="female", condition="pregnancy")
    assert err.value.field == "pregnant"


@pytest.mark.parametrize("months", [-1, 1441, 6.5])
def test_bad_age_months_refused(kb: KnowledgeBase, months: float) -> None:
    with pytest.raises(InputError) as err:
        lookup_intake(kb, age_months=months, sex="female")  # type: ignore[arg-type]
    assert err.value.field == "age-months"


@given(st.integers(0, 1440), st.sampled_from(["female", "male"]))
def test_every_age_has_exactly_one_row(kb: KnowledgeBase, months: int, sex: str) -> None:
    rows = [
        r for r in kb.intake
        if r.sex == sex and r.condition == "none" and r.age_min_months <= months
        and (r.age_max_months is None or months < r.age_max_months)
    ]
    assert len(rows) == 1
    assert lookup_intake(kb, age_months=months, sex=sex).row == rows[0]  # type: ignore[arg-type]
    # §1.2: no UL before 12 months; 65 / 110 for 1–8 y; 350 from 9 y.
    ul = rows[0].ul_supplemental_mg
    expected_ul = None if months < 12 else 65 if months < 48 else 110 if months < 108 else 350
    assert ul == expected_ul
