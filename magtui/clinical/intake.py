"""RDA/AI and supplemental UL for a life stage (ODS / IOM 1997 tables in the KB)."""

from __future__ import annotations

import math

from magtui.clinical.limits import AGE_MONTHS, AGE_YEARS, InputError
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import Condition, IntakeRow, Sex
from magtui.values import Value


def age_to_months(age_years: float) -> int:
    """Completed months of age; the tables are keyed by completed months (6 months → 0–6 row)."""
    AGE_YEARS.check(age_years, "age")
    # A tiny epsilon so that 0.5 years is 6 months, not 5.999….
    return math.floor(age_years * 12 + 1e-9)


SEXES: tuple[Sex, ...] = ("female", "male")


class IntakeResult(Value):
    age_months: int
    sex: Sex | None
    """None when no sex was given and the tables' rows for this age are the same for both
    sexes (`lookup_intake`); `sex_text` then says "either sex"."""
    condition: Condition
    row: IntakeRow

    @property
    def sex_text(self) -> str:
        return self.sex if self.sex is not None else "either sex"

    @property
    def life_stage(self) -> str:
        return self.row.life_stage

    @property
    def rda_mg(self) -> float | None:
        return self.row.rda_mg

    @property
    def ai_mg(self) -> float | None:
        return self.row.ai_mg

    @property
    def reference_mg(self) -> float:
        """The RDA, or the AI where no RDA is set (infants)."""
        return self.row.rda_mg if self.row.rda_mg is not None else self.row.ai_mg  # type: ignore[return-value]

    @property
    def reference_kind(self) -> str:
        return "RDA" if self.row.rda_mg is not None else "AI"

    @property
    def ul_supplemental_mg(self) -> float | None:
        return self.row.ul_supplemental_mg

    @property
    def sources(self) -> tuple[str, ...]:
        return self.row.source_ids


def lookup_intake(
    kb: KnowledgeBase, *, age_months: int, sex: Sex | None, condition: Condition = "none"
) -> IntakeResult:
    """The one intake row covering this age, sex and condition; bad combinations name the field.

    Without a sex, the reference is given only where the tables' rows for both sexes at this
    age hold the same figures (RDA/AI, UL), the same age span and the same note: decided from
    the data, never from an age written here. Otherwise the `sex` field is asked for."""
    AGE_MONTHS.check(age_months, "age-months")
    field = {"pregnancy": "pregnant", "lactation": "lactating"}.get(condition, "age")
    if condition != "none" and sex != "female":
        raise InputError(field, f"{condition} applies only with sex female")
    if sex is None:
        rows = [_row(kb, age_months, each, condition, field) for each in SEXES]
        if len({_content(row) for row in rows}) == 1:
            return IntakeResult(age_months=age_months, sex=None, condition=condition,
                                row=rows[0])
        raise InputError(
            "sex",
            f"choose female or male: the intake tables differ by sex at {rows[0].life_stage}",
        )
    row = _row(kb, age_months, sex, condition, field)
    return IntakeResult(age_months=age_months, sex=sex, condition=condition, row=row)


def _content(row: IntakeRow) -> tuple[object, ...]:
    """What a row says, apart from its id and sex."""
    return (row.life_stage, row.age_min_months, row.age_max_months, row.rda_mg, row.ai_mg,
            row.ul_supplemental_mg, row.note, row.source_ids)


def _row(kb: KnowledgeBase, age_months: int, sex: Sex, condition: Condition,
         field: str) -> IntakeRow:
    for row in kb.intake:
        if row.sex != sex or row.condition != condition:
            continue
        if row.age_min_months <= age_months and (
            row.age_max_months is None or age_months < row.age_max_months
        ):
            return row
    rows = [r for r in kb.intake if r.sex == sex and r.condition == condition]
    youngest = min((r.age_min_months for r in rows), default=0)
    raise InputError(
        field,
        f"the intake tables have no {condition} row for age {age_text(age_months)} "
        f"(they start at {age_text(youngest)})",
    )


def age_text(months: int) -> str:
    """An age in completed months as a clinician says it: "6 months", "68 years"."""
    return f"{months} months" if months < 24 else f"{months // 12} years"
