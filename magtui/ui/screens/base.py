"""`AreaScreen`: what every consultation area shares (header, kidney banner, footer)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from magtui.consultation import Results
from magtui.ui.areas import AREAS
from magtui.ui.widgets.area_footer import AreaFooter
from magtui.ui.widgets.kidney_banner import KidneyBanner

if TYPE_CHECKING:
    from magtui.ui.app import MagtuiApp

CSS_DIR = Path(__file__).parent.parent / "css"
DIALOGS_CSS = CSS_DIR / "dialogs.tcss"
"""Every dialog's rules, parsed when the first dialog opens (not for the first frame)."""
"""Each area's stylesheet, loaded when the area first opens (not at start-up)."""
DISCLAIMER = "Supports a clinician's judgement; does not diagnose or prescribe."


def area_bar(current: str) -> Text:
    """`magtui │ ▶F2 Triage◀ │ F3 Patient │ …`: the current area marked by arrows and style."""
    bar = Text(" magtui ", style="bold")
    for key, target, label in AREAS.values():
        bar.append("│")
        if target.split(":")[1] == current:
            bar.append(f"▶{key.upper()} {label}◀", style="bold reverse")
        else:
            bar.append(f" {key.upper()} ", style="bold")
            bar.append(f"{label} ")
    return bar


class AreaScreen(Screen[None]):
    """A top-level area (F2–F7). Subclasses compose `body()` and render `Results`."""

    AREA_TITLE: ClassVar[str] = ""

    @property
    def magtui(self) -> MagtuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        # The top line is the area bar: where you are, and the key to every other area.
        yield Static(area_bar(type(self).__name__), id="area-bar")
        banner = KidneyBanner(id="kidney-banner")
        if self.magtui.results is not None:
            # Drawn with its words in the very first frame, not one refresh later.
            banner.show_kidney(self.magtui.results.kidney)
        yield banner
        with Vertical(id="area-body"):
            yield from self.body()
        stale = self.magtui.kb_review_warning
        yield Static(
            f"⚠ KB REVIEW OVERDUE (next review was {self.magtui.kb.meta.next_review}) · "
            f"{DISCLAIMER}" if stale else DISCLAIMER,
            id="disclaimer",
            classes="-stale" if stale else "",
        )
        # Compact: every area key must fit in the footer at 80 columns.
        yield AreaFooter(compact=True)

    def body(self) -> ComposeResult:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.sub_title = self.AREA_TITLE
        self.watch(self.app, "results", self._results_changed, init=True)

    def focus_first(self, widget: Widget) -> None:
        """Give the area's first focus at once. `Widget.focus()` only queues the change
        behind the keys already waiting, so "F3 6 8" typed in one burst would send the
        digits to no field (issue #12); the app waits for this screen's mount before it
        handles the next key (`MagtuiApp._go_to`)."""
        self.set_focus(widget, scroll_visible=False)

    def _results_changed(self, results: Results | None) -> None:
        if results is None:
            return
        self.query_one(KidneyBanner).show_kidney(results.kidney)
        self.show_results(results)

    def show_results(self, results: Results) -> None:
        """Render the latest results; called on mount and after every change."""
