"""Save the note's Markdown to a file of the clinician's choosing (F9, or after a failed save).

The fallback when the notes folder is unwritable or full, or when the terminal cannot take
the clipboard: the note stays in memory until it is written somewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from magtui.notes.store import write_new_file
from magtui.ui.screens.base import DIALOGS_CSS


class SaveAs(ModalScreen[Path | None]):
    CSS_PATH = DIALOGS_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="save_as.cancel"),
    ]

    def __init__(self, markdown: str, suggestion: Path, reason: str = "") -> None:
        super().__init__()
        self._markdown = markdown
        self._suggestion = suggestion
        self._reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="save-as-box"):
            if self._reason:
                yield Static(f"[b]✗ {escape(self._reason)}[/b]", id="save-as-reason")
            yield Static("Save the note (Markdown) to this file — an existing file is never "
                         "overwritten. enter saves, escape cancels (the note stays in memory).")
            yield Input(str(self._suggestion), id="save-as-path")
            yield Static(id="save-as-error")

    def on_mount(self) -> None:
        field = self.query_one("#save-as-path", Input)
        field.cursor_blink = not getattr(self.app, "cursor_blink_disabled", False)
        field.focus()

    @on(Input.Submitted, "#save-as-path")
    def _save(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        try:
            write_new_file(path, self._markdown.encode("utf-8"))
        except FileExistsError:
            self._problem(f"{path} already exists; choose another name (nothing is overwritten)")
            return
        except OSError as exc:
            self._problem(f"could not write {path}: {exc.strerror or exc}")
            return
        self.dismiss(path)

    def _problem(self, message: str) -> None:
        self.query_one("#save-as-error", Static).update(f"✗ {escape(message)}")

    def action_cancel(self) -> None:
        self.dismiss(None)
