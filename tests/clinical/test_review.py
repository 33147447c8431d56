"""KB review date (design.md §2: the app warns once the review date has passed)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from magtui.clinical.review import review_warning
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import Meta


@pytest.fixture
def meta(kb: KnowledgeBase) -> Meta:
    # A fixed review period, independent of the shipped KB's dates.
    return kb.meta.replace(reviewed=date(2025, 1, 1), next_review=date(2026, 1, 1))


@pytest.mark.parametrize("today", [date(2025, 1, 1), date(2025, 6, 30), date(2025, 12, 31),
                                   date(2026, 1, 1)])
def test_no_warning_before_or_on_next_review(meta: Meta, today: date) -> None:
    assert review_warning(meta, today) is None


@pytest.mark.parametrize(("today", "days"), [(date(2026, 1, 2), 1), (date(2027, 1, 1), 365)])
def test_warning_after_next_review(meta: Meta, today: date, days: int) -> None:
    message = review_warning(meta, today)
    assert message is not None
    assert "2026-01-01" in message  # names the missed review date
    assert meta.kb_version in message
    assert f"{days} day" in message


def test_shipped_kb_dates(kb: KnowledgeBase) -> None:
    meta = kb.meta
    assert meta.next_review > meta.reviewed
    assert review_warning(meta, meta.next_review) is None
    assert review_warning(meta, meta.next_review + timedelta(days=1)) is not None
