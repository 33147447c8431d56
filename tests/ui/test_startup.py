"""Start-up work that issue #6 took off the path to the first frame, still correct."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from textual.color import Color
from textual.widgets import OptionList

from magtui.ui.app import MagtuiApp

SIZE = (120, 40)


async def test_no_frame_is_drawn_only_to_be_dropped(app_for: Callable[..., MagtuiApp]) -> None:
    """Frames drawn while Textual's start-up batch is open are thrown away by the app; the
    areas wait for the batch instead, and the first frame drawn has the checklist."""
    app = app_for(autosave=False)
    frames: list[tuple[int, bool]] = []
    original = app._display

    def display(screen: Any, update: Any) -> None:
        if update is not None:
            frames.append((app._batch_count, "Muscle cramps or spasms" in
                           update.render_segments(app.console)))
        original(screen, update)

    app._display = display  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert frames, "nothing was drawn"
    assert all(batch == 0 for batch, _ in frames)
    assert frames[0][1], "the first frame drawn shows the findings"


def _expected(app: MagtuiApp, variable: str) -> Color:
    return Color.parse(app.get_css_variables()[variable])


async def test_a_theme_change_reaches_every_area(app_for: Callable[..., MagtuiApp]) -> None:
    """Areas skip Textual's re-parse when they are created; a later theme change must still
    restyle them: the area in the background, and one opened afterwards."""
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.screen.query_one(OptionList).styles.border_top[1]
        assert first == _expected(app, "primary")  # #findings { border: round $primary }
        await pilot.press("f3")
        await pilot.pause()
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        assert _expected(app, "primary") != first
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen.query_one(OptionList).styles.border_top[1] == _expected(app, "primary")
        assert app.screen.query_one("#area-bar").styles.background == _expected(app, "panel")
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.query_one("#area-bar").styles.background == _expected(app, "panel")


async def test_the_collector_paused_for_start_up_resumes_with_the_first_frame(
    app_for: Callable[..., MagtuiApp],
) -> None:
    """`run` pauses the cycle collector while the first frame is built; it must come back."""
    gc.disable()
    try:
        app = app_for(autosave=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_work_put_after_the_first_frame_runs_once_it_is_drawn(
    app_for: Callable[..., MagtuiApp],
) -> None:
    """The footer's keys wait for the first frame (issue #6); they must still come, and work
    asked for later runs at once."""
    app = app_for(autosave=False)
    ran: list[str] = []
    app.after_first_frame(lambda: ran.append("early"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.frame_shown and ran == ["early"]
        app.after_first_frame(lambda: ran.append("late"))
        await pilot.pause()
        assert ran == ["early", "late"]
        footer_keys = [key.key for key in app.screen.query("FooterKey")]
        assert "y" in footer_keys and "ctrl+s" in footer_keys
