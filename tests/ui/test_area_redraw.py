"""What an area switch and start-up redraw, and what they leave alone (issue #12's budgets).

Start-up: the checklist is the app's default screen, so Textual styles it once as it mounts
instead of re-parsing and re-applying the whole stylesheet (what it does for a mode's first
screen). Switching back to an area: Textual applies every style again, and its OptionList
repaints every line on that; magtui's lists repaint only when their look changed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import OptionList

from magtui.ui.app import MagtuiApp
from magtui.ui.screens.knowledge import KbResults
from magtui.ui.screens.triage import TriageScreen
from magtui.ui.widgets.finding_list import FindingList
from tests.ui.conftest import go, visible_text

SIZE = (120, 40)
AppFor = Callable[..., MagtuiApp]


def count_calls(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> list[int]:
    """Counts calls to `target.name` (a public method) from now on; the count is calls[0]."""
    calls = [0]
    original = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, counted)
    return calls


async def test_start_up_styles_the_checklist_once(
    app_for: AppFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(autosave=False)
    refreshes = count_calls(monkeypatch, app, "refresh_css")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Muscle cramps or spasms" in visible_text(app)
        # As a mode's first screen it would be re-parsed and re-styled whole (Textual 8.2.8
        # `App._init_mode`); as the default screen it is styled once, as it mounts.
        assert refreshes[0] == 0
        assert isinstance(app.screen, TriageScreen)
        assert app.current_mode == "triage"


async def test_the_first_screen_is_the_triage_area_kept_across_switches(
    app_for: AppFor,
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        checklist = app.screen
        await pilot.press("y")  # the first finding present
        await pilot.pause()
        marked = checklist.query_one(FindingList).states.copy()
        assert "present" in marked.values()
        await go(pilot, "f3")
        assert app.current_mode == "patient"
        await go(pilot, "f2")
        assert app.screen is checklist  # the same screen, not a second checklist
        assert app.current_mode == "triage"
        assert checklist.query_one(FindingList).states == marked
        await go(pilot, "f3")
        await go(pilot, "escape")  # back, through the history, to the first screen too
        assert app.screen is checklist


@pytest.mark.parametrize(("key", "widget"), [("f2", FindingList), ("f6", KbResults)])
async def test_reopening_an_area_does_not_repaint_its_list(
    app_for: AppFor, monkeypatch: pytest.MonkeyPatch, key: str, widget: type[OptionList]
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, key)
        listing = app.screen.query_one(widget)
        await go(pilot, "f3")
        lines_drawn = count_calls(monkeypatch, listing, "render_line")
        await go(pilot, key)
        assert app.screen is listing.screen
        # Drawn from the lines it already had: nothing about the list changed.
        assert lines_drawn[0] == 0
        assert listing.region.height > 0
        # ... and shown: the start of its first entry is on screen (the KB's may be cut).
        assert str(listing.get_option_at_index(1).prompt)[:24] in visible_text(app)


def test_the_checklist_brings_no_stylesheet_of_its_own() -> None:
    # Textual loads the CSS_PATH and CSS of a mode's screen, not of the default screen: the
    # checklist's rules must stay in app.tcss, or they would silently never apply.
    assert TriageScreen.CSS_PATH is None
    assert not TriageScreen.CSS


def test_what_the_lists_replace_is_only_textuals_repaint() -> None:
    # SteadyOptionList replaces OptionList's hook and calls the one above it: should an
    # upgrade make OptionList's hook do more than repaint, that would be skipped silently.
    body = inspect.getsource(OptionList.notify_style_update).split(":", 1)[1].split()
    assert body == ["self.refresh()", "super().notify_style_update()"]


async def test_a_new_theme_repaints_the_list(
    app_for: AppFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        # What the clinician needs, whichever part repaints it: Textual itself (a style
        # value that changes) or the list's own comparison of its look.
        listing = app.screen.query_one(FindingList)
        before = listing.background_colors
        lines_drawn = count_calls(monkeypatch, listing, "render_line")
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        assert listing.background_colors != before
        # Its look changed, so every visible line is drawn again in the new colours.
        assert lines_drawn[0] >= listing.region.height - 2
