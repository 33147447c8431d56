"""Shown instead of the consultation when the knowledge base fails validation (exit 3)."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

EXIT_KB = 3


class KBErrorApp(App[int]):
    """No clinical content is shown from a KB that did not validate: only what is wrong."""

    TITLE = "magtui — knowledge base invalid"
    CSS = """
    #kb-error-title { padding: 1 2; text-style: bold; background: $error; color: $text; }
    #kb-error-list { padding: 0 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape,ctrl+q", "quit_error", "Quit", id="kb_error.quit", priority=True),
    ]

    def __init__(self, path: str, problems: list[str]) -> None:
        super().__init__()
        self.kb_path = path
        self.problems = problems

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            f"✗ The knowledge base {escape(self.kb_path)} failed validation "
            f"({len(self.problems)} problem(s)). magtui will not advise from it.",
            id="kb-error-title",
        )
        with VerticalScroll(id="kb-error-list"):
            yield Static("\n".join(f"• {escape(p)}" for p in self.problems))
            yield Static("\nFix the file (or choose another with --kb / MAGTUI_KB) and "
                         "check it with `magtui kb validate`. Press q to quit.")
        yield Footer()

    def action_quit_error(self) -> None:
        self.exit(EXIT_KB, return_code=EXIT_KB)
