"""F1 — help for what has focus, then every key the app answers to."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Markdown

GENERAL = """\
magtui supports a clinician's judgement during a consultation; it does not diagnose or
prescribe. Every figure carries its unit and its source (F6 shows every record).
"""


def _focused_help(widget: Widget | None) -> str:
    node: Widget | None = widget
    while node is not None:
        text = getattr(node, "HELP", None)
        if text:
            return str(text)
        node = node.parent if isinstance(node.parent, Widget) else None
    return "Nothing with its own help has focus. Tab moves focus between fields."


def keys_markdown(app: App[object]) -> str:
    """Every key active where the user pressed F1 (focused widget, area, app), one per line.

    Read before the help screen opens: once it is open, its own bindings are the active ones.
    """
    main: list[str] = []
    other: list[str] = []
    for active in app.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        line = f"- **{app.get_key_display(binding)}** — {binding.tooltip or binding.description}"
        # The footer's keys (areas, save, quit, the finding marks) first; scrolling and
        # the like after them.
        (main if binding.show else other).append(line)
    main.append("- **ctrl+p** — Command palette: findings, forms, areas, KB records")
    return "\n".join(main + other)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, focused: Widget | None, keys: str) -> None:
        super().__init__()
        self._focused = focused
        self._keys = keys

    def compose(self) -> ComposeResult:
        keys = self._keys
        text = (
            f"# Help\n\n## What has focus\n\n{_focused_help(self._focused)}\n\n"
            f"## Keys\n\n{keys}\n\n## About\n\n{GENERAL}"
        )
        with VerticalScroll(id="help-box"):
            yield Markdown(text)

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
