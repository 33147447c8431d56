"""The tests read the screen through one helper (`visible_text`, the one private Textual
use in the tests): it must keep giving the frame exactly as drawn."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.widgets import Static


class _Two(App[None]):
    CSS = "#b { offset: 5 3; }"

    def compose(self) -> ComposeResult:
        yield Static("first row", id="a")
        yield Static("moved text", id="b")


async def test_visible_text_is_the_screen(screen_text: Callable[[App[None]], str]) -> None:
    app = _Two()
    async with app.run_test(size=(30, 8)) as pilot:
        await pilot.pause()
        rows = screen_text(app).split("\n")
        assert len(rows) == 8 and all(len(row) == 30 for row in rows)
        assert rows[0].startswith("first row")
        assert rows[4][5:15] == "moved text"  # row 1 + offset 3, column 5
        # The same words as Textual's public (SVG) screenshot of the frame.
        svg = app.export_screenshot()
        assert "first&#160;row" in svg and "moved&#160;text" in svg
