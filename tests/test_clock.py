"""One clock: the KB review warning follows `magtui.clock.today`, never the real date."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from magtui import clock
from magtui.cli import main
from magtui.knowledge.base import KnowledgeBase


@pytest.mark.parametrize("days_after_review", [-1, 0, 1, 400])
def test_review_warning_follows_the_clock(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    days_after_review: int,
) -> None:
    today = kb.meta.next_review + timedelta(days=days_after_review)
    monkeypatch.setattr(clock, "today", lambda: today)
    assert main(["intake", "--age", "40", "--sex", "male", "--json"]) == 0
    warning = json.loads(capsys.readouterr().out).get("kb_review_warning")
    # Warned only once the review date has passed (design.md §2).
    assert bool(warning) == (days_after_review > 0)


def test_the_suite_runs_on_a_fixed_day() -> None:
    # tests/conftest.py fixes the day: a snapshot cannot change when the calendar does.
    assert clock.today() == date(2026, 11, 30)
    assert clock.now().tzinfo is not None
