"""Area-switch baseline: six Textual modes (kept screens) switched by F2…F7.

The same structure as magtui's areas with none of their content: each mode's screen is built
the first time it is opened and then kept (Textual's `MODES`, `App.switch_mode` on priority
F-key bindings), and each is a Header/Static/Footer-level screen whose top line is an area
bar marking the current mode exactly as magtui's does ("▶F3 Patient◀"), so the tmux poll
that times magtui's switches times these with the same marker and the same cost.
Run as `python -m benchmarks.baselines.modes_app` (from the repository) for tmux.

The footer is Textual's own, rebuilt on every switch as Textual rebuilds it, with one
difference: Textual's Footer (8.2.8) leaks every rebuild's keys (each key's `compact`
binding stays in the footer's watcher list, ~25 KiB a key), and a stock footer made this
app grow ~330 KiB per switch and its switches slower and slower as the heap grew (169 ms →
266 ms over 72 switches), so the figure depended on how many switches were timed.
`SteadyFooter` drops the stale watchers the way magtui's AreaFooter does; the rebuild
itself — Textual's per-switch cost, which magtui's AreaFooter skips when its keys are
unchanged — stays.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from benchmarks.baselines import AREAS, area_marker


def bar_text(current: str) -> str:
    """`modes │ F2 Triage │▶F3 Patient◀│ …`: the same bar (and marker) as magtui's."""
    cells = [area_marker(key, label) if mode == current else f" {key.upper()} {label} "
             for mode, (key, label) in AREAS.items()]
    return " modes │" + "│".join(cells)


class SteadyFooter(Footer):
    """Textual's Footer without the leak (see the module's docstring)."""

    async def recompose(self) -> None:
        await super().recompose()
        self.mutate_reactive(Footer.compact)  # Textual then forgets removed keys' watchers


class AreaScreen(Screen[None]):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield Static(bar_text(self.mode), id="bar")
        yield Static(f"The {AREAS[self.mode][1]} area of the modes baseline.", id="body")
        yield SteadyFooter(compact=True)


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
