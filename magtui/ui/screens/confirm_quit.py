"""Asked on ctrl+q when the note has unsaved changes."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from magtui.ui.screens.base import DIALOGS_CSS


class ConfirmQuit(ModalScreen[str | None]):
    CSS_PATH = DIALOGS_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="quit.cancel"),
        Binding("s", "choose('save')", "Save & quit", id="quit.save"),
        Binding("d", "choose('discard')", "Quit without saving", id="quit.discard"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-box"):
            yield Static("The session note has unsaved changes.", id="quit-question")
            with Horizontal(id="quit-buttons"):
                yield Button("Save and quit (s)", id="save", variant="primary")
                yield Button("Quit without saving (d)", id="discard", variant="error")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
