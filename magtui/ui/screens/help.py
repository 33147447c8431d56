"""F1 — help for what has focus, then every key the app answers to."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from magtui.ui.screens.base import DIALOGS_CSS

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


_BOLD = re.compile(r"\*\*(.+?)\*\*")
"""The one piece of Markdown that HELP texts use: **key** for a key to press."""

Key = tuple[str, str]
"""(key as displayed, what it does)"""


def emphasised(text: str) -> Text:
    """A HELP text as shown: `**y**` becomes a bold `y` (no other markup is interpreted)."""
    out = Text()
    last = 0
    for match in _BOLD.finditer(text):
        out.append(text[last:match.start()])
        out.append(match.group(1), style="bold")
        last = match.end()
    out.append(text[last:])
    return out


def active_keys(app: App[Any]) -> list[Key]:
    """Every key active where the user pressed F1 (focused widget, area, app), in order.

    Read before the help screen opens: once it is open, its own bindings are the active ones.
    """
    main: list[Key] = []
    other: list[Key] = []
    for active in app.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        key = (app.get_key_display(binding), binding.tooltip or binding.description)
        # The footer's keys (save, quit, the finding marks) and the area keys (in the area
        # bar, not the footer) first; scrolling and the like after them.
        (main if binding.show or binding.action.startswith("area(") else other).append(key)
    main.append(("ctrl+p", "Command palette: findings, forms, areas, KB records"))
    return main + other


def help_text(focused: Widget | None, keys: list[Key]) -> Text:
    """The whole help as one rich Text: one Static draws it (a Markdown widget per block
    cost tens of MiB for a page of text)."""
    text = Text()
    text.append("What has focus\n", style="bold underline")
    text.append_text(emphasised(_focused_help(focused)))
    text.append("\n\n")
    text.append("Keys\n", style="bold underline")
    for key, description in keys:
        text.append("• ")
        text.append(key, style="bold")
        text.append(f" — {description}\n")
    text.append("\n")
    text.append("About\n", style="bold underline")
    text.append(" ".join(GENERAL.split()))  # one paragraph, wrapped to the box
    return text


class HelpScreen(ModalScreen[None]):
    CSS_PATH = DIALOGS_CSS
    CLOSES_ON_AREA_SWITCH: ClassVar[bool] = True
    """Nothing to answer here: an area key closes help and goes on (`MagtuiApp.action_area`)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, focused: Widget | None, keys: list[Key]) -> None:
        super().__init__()
        self._focused = focused
        self._keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Help (escape closes)"
            yield Static(help_text(self._focused, self._keys), id="help-text")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
