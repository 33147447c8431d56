"""The one clock of magtui: "now" and "today" come from here and nowhere else.

Tests fix it (tests/conftest.py) so that nothing they check depends on the day they run:
the KB review warning, for one, is worked out from `today()`.
"""

from __future__ import annotations

from datetime import date, datetime


def now() -> datetime:
    """The local time, with its offset."""
    return datetime.now().astimezone()


def today() -> date:
    return now().date()
