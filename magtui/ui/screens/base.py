"""`AreaScreen`: what every consultation area shares (header, kidney banner, footer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from magtui.consultation import Results
from magtui.ui.areas import AREAS, area_of
from magtui.ui.widgets.area_footer import AreaFooter
from magtui.ui.widgets.kidney_banner import KidneyBanner

if TYPE_CHECKING:
    from magtui.ui.app import MagtuiApp

CSS_DIR = Path(__file__).parent.parent / "css"
DIALOGS_CSS = CSS_DIR / "dialogs.tcss"
"""Every dialog's rules, parsed when the first dialog opens (not for the first frame)."""
"""Each area's stylesheet, loaded when the area first opens (not at start-up)."""
DISCLAIMER = "Supports a clinician's judgement; does not diagnose or prescribe."


def area_bar(current: str, keys: Mapping[str, str] | None = None) -> Text:
    """`magtui │ ▶F2 Triage◀ │ F3 Patient │ …`: the current area marked by arrows and style;
    `keys` (mode → key as shown) when a keymap has moved them."""
    bar = Text(" magtui ", style="bold")
    for mode, (default, target, label) in AREAS.items():
        key = keys[mode] if keys is not None else default.upper()
        bar.append("│")
        if target.split(":")[1] == current:
            bar.append(f"▶{key} {label}◀", style="bold reverse")
        else:
            bar.append(f" {key} ", style="bold")
            bar.append(f"{label} ")
    return bar


@dataclass(frozen=True)
class InvalidField:
    """A field whose text was not accepted: its name, the text as typed, and why."""

    name: str
    text: str
    reason: str

    def sentence(self) -> str:
        if not self.text.strip():
            return f"{self.name} is empty ({self.reason}) — not used"
        return f"{self.name} {self.text.strip()!r} was not accepted ({self.reason}) — not used"


def leaving_notice(area: str, fields: list[InvalidField]) -> str:
    """One line naming the area and each field, e.g.
    "Patient: Creatinine '95' was not accepted (outside 0.1–25 mg/dL) — not used"."""
    return f"{area}: " + "; ".join(field.sentence() for field in fields)


class AreaScreen(Screen[None]):
    """A top-level area (F2–F7). Subclasses compose `body()` and render `Results`."""

    AREA_TITLE: ClassVar[str] = ""
    # Each area gives its first focus itself (`focus_first`). Textual's auto focus would
    # first focus the first focusable widget, on F3 the form's scroll box, and restyle its
    # 60 descendants on the way in and again on the way out (~70 ms of a first F3).
    AUTO_FOCUS: ClassVar[str | None] = ""

    @property
    def magtui(self) -> MagtuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        # The top line is the area bar: where you are, and the key to every other area.
        keys = {mode: self.magtui.key_label(f"area.{mode}") for mode in AREAS}
        yield Static(area_bar(type(self).__name__, keys), id="area-bar")
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

    def on_screen_suspend(self) -> None:
        """Leaving the area with refused input says so; the switch itself is never held up.

        A dialog over the area (help, the palette, a save or quit question) also suspends
        it, but the area is still on its stack then: only a switch away notifies.
        """
        if self in self.app.screen_stack:
            return
        fields = self.invalid_fields()
        if fields:
            area = AREAS[mode][2] if (mode := area_of(self)) else self.AREA_TITLE
            self.app.notify(leaving_notice(area, fields), severity="warning", timeout=10,
                            markup=False)

    def invalid_fields(self) -> list[InvalidField]:
        """The fields whose text was not accepted (and so is not used); none by default."""
        return []

    def _results_changed(self, results: Results | None) -> None:
        if results is None:
            return
        self.query_one(KidneyBanner).show_kidney(results.kidney)
        self.show_results(results)

    def show_results(self, results: Results) -> None:
        """Render the latest results; called on mount and after every change."""
