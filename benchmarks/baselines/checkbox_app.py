"""Keystroke baseline: 32 checkboxes and one Static that is rewritten on every toggle.

The same shape of work as the triage checklist (a list of toggles and a summary that follows
them) with none of magtui's clinical evaluation, so the ratio isolates magtui's own cost.
The checkboxes scroll in a stock VerticalScroll: this app and magtui's checklist share
Textual's scroll behaviour, with no patch on either side.
"""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, Footer, Header, Static

BOXES = 32


def summary_text(checked: int) -> str:
    """What the summary Static shows; the benchmark waits for this text in a frame."""
    return f"Checked: {checked} of {BOXES}"


class CheckboxApp(App[None]):
    TITLE = "checkbox baseline"
    CSS = """
    #boxes { width: 3fr; height: 1fr; }
    #summary { width: 2fr; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal():
            with VerticalScroll(id="boxes"):
                for i in range(BOXES):
                    yield Checkbox(f"Finding number {i + 1}", id=f"box-{i}")
            yield Static(summary_text(0), id="summary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#box-0", Checkbox).focus()

    @on(Checkbox.Changed)
    def _changed(self) -> None:
        checked = sum(box.value for box in self.query(Checkbox))
        self.query_one("#summary", Static).update(summary_text(checked))


if __name__ == "__main__":
    CheckboxApp().run()
