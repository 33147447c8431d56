"""What issue #6 made faster still shows the right thing at the right moment."""

from __future__ import annotations

from collections.abc import Callable

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


async def test_show_text_lays_out_only_when_the_height_changes() -> None:
    app = _One()
    async with app.run_test(size=(40, 10)) as pilot:
        static = app.query_one("#text", Static)
        await pilot.pause()
        layouts = static._layout_updates
        show_text(static, "one line")  # unchanged: nothing at all
        assert static._layout_updates == layouts
        show_text(static, "another line")  # same height: repaint only
        assert static._layout_updates == layouts and static.content == "another line"
        await pilot.pause()
        show_text(static, "two\nlines")  # taller: the screen is laid out again
        assert static._layout_updates == layouts + 1
        await pilot.pause()
        assert static.size.height == 2
        assert "lines" in "\n".join(s.text for s in app.screen._compositor.render_strips())
