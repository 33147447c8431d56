"""What issue #6 made faster still shows the right thing at the right moment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from magtui.consultation import DoseInputs, PatientInputs
from magtui.ui.app import MagtuiApp
from magtui.ui.widgets.text import show_text


async def test_a_typed_digit_updates_the_dose_before_the_changed_message(
    app_for: Callable[..., MagtuiApp],
) -> None:
    """The figure follows the digit synchronously, so both are drawn in the same frame."""
    app = app_for(autosave=False, patient=PatientInputs(age_years=40, sex="female"),
                  dose=DoseInputs(form_id="glycinate", entered_as="compound", amount_mg=4.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        amount = app.screen.query_one("#amount", Input)
        amount.focus()
        amount.cursor_position = len(amount.value)
        before = str(app.screen.query_one("#dose-summary", Static).content)
        amount.insert_text_at_cursor("5")  # no await: no message has been handled yet
        assert app.consultation.dose.amount_mg == 45.0
        after = str(app.screen.query_one("#dose-summary", Static).content)
        assert after != before and app.results is not None
        assert f"{app.results.dose.elemental_mg_per_day:.10g} mg/day" in after
        await pilot.pause()  # the Changed message that follows changes nothing more
        assert str(app.screen.query_one("#dose-summary", Static).content) == after


class _One(App[None]):
    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("one line", id="text")


async def test_show_text_lays_out_only_when_the_height_changes(
    screen_text: Callable[[App[None]], str],
) -> None:
    app = _One()
    async with app.run_test(size=(40, 10)) as pilot:
        static = app.query_one("#text", Static)
        await pilot.pause()
        # Every layout a Static asks for goes through its public `refresh(layout=True)`.
        layouts: list[bool] = []
        refresh = static.refresh

        def counting_refresh(*regions: Any, layout: bool = False, **kwargs: Any) -> Static:
            layouts.append(layout)
            return refresh(*regions, layout=layout, **kwargs)

        static.refresh = counting_refresh  # type: ignore[method-assign]
        show_text(static, "one line")  # unchanged: nothing at all
        assert layouts == []
        show_text(static, "another line")  # same height: repaint only
        assert True not in layouts and static.content == "another line"
        await pilot.pause()
        show_text(static, "two\nlines")  # taller: the screen is laid out again
        assert True in layouts
        await pilot.pause()
        assert static.size.height == 2
        assert "lines" in screen_text(app)
