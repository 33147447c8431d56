"""Context for the dose-digit figure: one Input whose value is echoed into one Static.

Not a budget baseline (the issue fixes that as the 32-checkbox app); it shows what typing
into a Textual `Input` costs by itself. `Input` repaints the typed character first and posts
`Input.Changed` after, so any result that follows typing lands a refresh or two later —
a floor no app built on `Input.Changed` can go below.
"""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Input, Static


def echo_text(value: str) -> str:
    """What the Static shows; the benchmark waits for this text in a frame."""
    return f"Amount entered: {value} mg"


class InputApp(App[None]):
    TITLE = "input baseline"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Input(id="amount", compact=True)
        yield Static(echo_text(""), id="echo")
        yield Footer()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#echo", Static).update(echo_text(event.value))


if __name__ == "__main__":
    InputApp().run()
