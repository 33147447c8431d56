"""The smallest honest Textual app: Header, one Static, Footer.

Baseline for time to interactive (tmux) and peak memory (`memory_peak`). It imports exactly
what a real Textual app cannot avoid, so a ratio against it measures what magtui adds on top.
Run as `python -m benchmarks.baselines.minimal_app` (from the repository) for tmux.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from benchmarks.baselines import READY_MARKER


class MinimalApp(App[None]):
    TITLE = "baseline"
    BINDINGS = [("ctrl+q", "quit", "Quit")]  # noqa: RUF012 - Textual's own idiom

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(READY_MARKER, id="body")
        yield Footer()


if __name__ == "__main__":
    MinimalApp().run()
