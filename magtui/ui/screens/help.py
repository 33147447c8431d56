"""F1 — help for what has focus, then every key the app answers to."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
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


def _keys(widget: Widget | None) -> str:
    """Every active binding, as the footer would show them, plus the hidden ones."""
    rows = ["| Key | Does |", "|---|---|"]
    seen: set[str] = set()
    app = widget.app if widget is not None else None
    if app is None:
        return ""
    for key, active in app.active_bindings.items():
        binding = active.binding
        if binding.description and key not in seen:
            seen.add(key)
            rows.append(f"| {binding.key_display or app.get_key_display(binding)} | "
                        f"{binding.tooltip or binding.description} |")
    rows.append("| ctrl+p | Command palette: findings, forms, areas, KB records |")
    return "\n".join(rows)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, focused: Widget | None) -> None:
        super().__init__()
        self._focused = focused

    def compose(self) -> ComposeResult:
        keys = _keys(self._focused) if self._focused is not None else ""
        text = (
            f"# Help\n\n## What has focus\n\n{_focused_help(self._focused)}\n\n"
            f"## Keys\n\n{keys}\n\n## About\n\n{GENERAL}"
        )
        with VerticalScroll(id="help-box"):
            yield Markdown(text)

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
