"""Start-up: every area is styled by the current theme and shows its keys."""

from __future__ import annotations

from collections.abc import Callable

from textual.color import Color
from textual.widgets import OptionList

from magtui.ui.app import MagtuiApp

SIZE = (120, 40)


def _expected(app: MagtuiApp, variable: str) -> Color:
    return Color.parse(app.get_css_variables()[variable])


async def test_a_theme_change_reaches_every_area(app_for: Callable[..., MagtuiApp]) -> None:
    """A theme change restyles every area: the one in the background, and one opened
    afterwards (the screens are kept, not rebuilt)."""
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


async def test_the_footer_shows_the_area_keys_once_started(
    app_for: Callable[..., MagtuiApp],
) -> None:
    """The footer is rebuilt only when its keys change; it must still show them at start."""
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer_keys = [key.key for key in app.screen.query("FooterKey")]
        assert "y" in footer_keys and "ctrl+s" in footer_keys


async def test_the_collector_paused_for_start_up_resumes_with_the_first_frame(
    app_for: Callable[..., MagtuiApp],
) -> None:
    """`run` pauses the cycle collector while the first frame is built; Textual's Ready
    (the first frame is on screen) must bring it back."""
    import gc

    gc.disable()
    try:
        app = app_for(autosave=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.shown and gc.isenabled()
    finally:
        gc.enable()
