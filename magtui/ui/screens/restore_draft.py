"""Asked at start when an interrupted consultation left a draft: enter restores it."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from magtui.consultation import Consultation
from magtui.text import one_line
from magtui.ui.screens.base import DIALOGS_CSS


def draft_summary(draft: Consultation) -> str:
    present = sum(1 for s in draft.states.values() if s == "present")
    absent = sum(1 for s in draft.states.values() if s == "absent")
    parts = [f"started {draft.started_at:%Y-%m-%d %H:%M} UTC"]
    if draft.patient_ref:
        parts.append(f"patient ref {one_line(draft.patient_ref)}")
    parts.append(f"{present} findings present, {absent} absent")
    if draft.clinician_text:
        parts.append(f"{len(draft.clinician_text)} characters of note text")
    return "; ".join(parts)


class RestoreDraft(ModalScreen[bool]):
    CSS_PATH = DIALOGS_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose(False)", "Start afresh", id="draft.discard"),
    ]

    def __init__(self, draft: Consultation) -> None:
        super().__init__()
        self._draft = draft

    def compose(self) -> ComposeResult:
        with Vertical(id="restore-box"):
            yield Static("[b]An interrupted consultation was found.[/b]", id="restore-title")
            yield Static(escape(draft_summary(self._draft)), id="restore-summary")
            yield Static("Restore it? enter restores everything typed; escape starts afresh "
                         "(the draft is then removed).")
            with Horizontal(id="restore-buttons"):
                yield Button("Restore (enter)", id="restore", variant="primary")
                yield Button("Start afresh (esc)", id="discard")

    def on_mount(self) -> None:
        self.query_one("#restore", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "restore")

    def action_choose(self, restore: bool) -> None:
        self.dismiss(restore)
