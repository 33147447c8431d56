"""Area-switch baseline: six Textual modes (kept screens) switched by F2…F7.

The same structure as magtui's areas with none of their content: each mode's screen is built
the first time it is opened and then kept (Textual's `MODES`, `App.switch_mode` on priority
F-key bindings), and each is a Header/Static/Footer-level screen whose top line is an area
bar marking the current mode exactly as magtui's does ("▶F3 Patient◀"), so the tmux poll
that times magtui's switches times these with the same marker and the same cost.
Run as `python -m benchmarks.baselines.modes_app` (from the repository) for tmux.

The footer is magtui's own (`AreaFooter`: Textual's Footer, rebuilt only when its keys
change, and without Textual's leak of removed keys' watchers): both apps pay the same footer
cost, so the ratio measures the areas themselves. With Textual's stock Footer this app
rebuilds a dozen keys on every switch (40–60 ms here), which made it slower than magtui
(0.6–0.7×) and would hide what magtui's own screens cost; and the stock footer's leak made
its switches slower and slower (169 → 266 ms over 72 switches).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from benchmarks.baselines import AREAS, area_marker
from magtui.ui.widgets.area_footer import AreaFooter


def bar_text(current: str) -> str:
    """`modes │ F2 Triage │▶F3 Patient◀│ …`: the same bar (and marker) as magtui's."""
    cells = [area_marker(key, label) if mode == current else f" {key.upper()} {label} "
             for mode, (key, label) in AREAS.items()]
    return " modes │" + "│".join(cells)


class AreaScreen(Screen[None]):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield Static(bar_text(self.mode), id="bar")
        yield Static(f"The {AREAS[self.mode][1]} area of the modes baseline.", id="body")
        yield AreaFooter(compact=True)


def _factory(mode: str) -> Any:
    return lambda: AreaScreen(mode)


class ModesApp(App[None]):
    TITLE = "modes baseline"
    MODES: ClassVar[dict[str, Any]] = {mode: _factory(mode) for mode in AREAS}
    DEFAULT_MODE = next(iter(AREAS))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit"),
        *(Binding(key, f"switch_mode('{mode}')", label, priority=True)
          for mode, (key, label) in AREAS.items()),
    ]


if __name__ == "__main__":
    ModesApp().run()
