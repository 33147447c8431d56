"""The consultation app: one mode per area (F2–F7), app-wide keys, one shared consultation.

Modes keep each area's screen alive, so a half-filled dose form survives a trip to the
knowledge base. Every change goes through `update()`, which re-evaluates the consultation
through `magtui.clinical` and publishes the new `Results`; screens only render them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer

from magtui.consultation import Consultation, Results, evaluate_consultation
from magtui.knowledge.base import KnowledgeBase
from magtui.ui.areas import AREAS


def _screen_factory(target: str) -> Callable[[], Screen[Any]]:
    """Import an area's screen on first use: start-up pays only for the triage checklist."""

    def make() -> Screen[Any]:
        module, name = target.split(":")
        return getattr(importlib.import_module(module), name)()

    return make


def _magtui_commands() -> type[Provider]:
    # Imported when the palette first opens, not at start-up.
    from magtui.ui.commands import MagtuiCommands

    return MagtuiCommands


class MagtuiApp(App[int]):
    # App-wide rules (and the triage area's, shown first). Every other area brings its own
    # stylesheet (ui/css/<area>.tcss) when first opened, so start-up parses only this one.
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "magtui"
    SUB_TITLE = "magnesium · twitching · kidney risk"
    MODES: ClassVar[dict[str, Any]] = {
        mode: _screen_factory(target) for mode, (_, target, _) in AREAS.items()
    }
    DEFAULT_MODE = "triage"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = (
        App.COMMANDS | {_magtui_commands}
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        # Order is footer order: help, save and quit first so 80 columns always show them.
        Binding("f1", "help", "Help", id="help", priority=True,
                tooltip="Help for what has focus, and every key"),
        Binding("ctrl+s", "save_note", "Save", id="save", priority=True,
                tooltip="Save the session note (from anywhere)"),
        Binding("ctrl+q", "quit_app", "Quit", id="quit", priority=True,
                tooltip="Quit (asks to save unsaved changes)"),
        Binding("f8", "copy_note", "Copy", id="copy", priority=True, show=False,
                tooltip="Copy the whole note (Markdown) to the clipboard (OSC 52)"),
        Binding("f9", "save_as", "Save as", id="save_as", priority=True, show=False,
                tooltip="Save the note's Markdown to a file you choose"),
        *(
            Binding(key, f"area('{mode}')", label, id=f"area.{mode}", priority=True,
                    tooltip=f"Go to {label}")
            for mode, (key, _, label) in AREAS.items()
        ),
        Binding("escape", "back", "Back", id="back", show=False),
    ]

    results: var[Results | None] = var(None, always_update=True)
    """The latest clinical results; every area watches this."""

    def __init__(
        self,
        kb: KnowledgeBase,
        consultation: Consultation | None = None,
        *,
        notes_dir: Path | None = None,
        cursor_blink: bool = True,
        autosave: bool = True,
    ) -> None:
        super().__init__()
        # Tests and snapshots turn the wall-clock cursor blink off so frames are stable.
        self.cursor_blink_disabled = not cursor_blink
        self.kb = kb
        self.consultation = consultation or Consultation()
        self.notes_dir = notes_dir
        # Prefilled context counts as typed: quitting without saving it must ask.
        self.unsaved = self.consultation.has_input()
        self.last_saved: Any = None
        self.draft_timer: Timer | None = None
        self.autosave = autosave
        self._history: list[str] = []
        self.results = evaluate_consultation(kb, self.consultation)
        from datetime import date

        from magtui.clinical.review import review_warning

        self.kb_review_warning = review_warning(kb.meta, date.today())

    # ------------------------------------------------------------------ state

    def on_mount(self) -> None:
        if not self.autosave:
            return
        from magtui.ui.drafts import read_draft

        found = read_draft(self)
        if found is not None:
            from magtui.ui.screens.restore_draft import RestoreDraft

            draft, orphan = found
            self.push_screen(
                RestoreDraft(draft), lambda restore: self._restored(draft, orphan, restore)
            )

    def _restored(self, draft: Consultation, orphan: str, restore: bool | None) -> None:
        from magtui.ui.drafts import adopt_draft, remove_draft

        if not restore:
            remove_draft(self, orphan)
            return
        self.consultation = draft
        self.unsaved = True
        self.results = evaluate_consultation(self.kb, self.consultation)
        adopt_draft(self, orphan)
        # Areas already open read their fields again; the rest read them when first opened.
        for screen in self._all_area_screens():
            reload = getattr(screen, "reload_inputs", None)
            if reload is not None:
                reload()
        self.notify("Draft restored: everything typed before the interruption is back.")

    def _all_area_screens(self) -> list[Screen[Any]]:
        return [screen for stack in self._screen_stacks.values() for screen in stack]

    def update(self, change: Callable[[Consultation], None]) -> None:
        """Apply one edit to the consultation and publish the re-evaluated results."""
        change(self.consultation)
        self.unsaved = True
        self.results = evaluate_consultation(self.kb, self.consultation)
        if self.autosave:
            from magtui.ui.drafts import schedule_autosave

            schedule_autosave(self)

    # ------------------------------------------------------------------ actions

    def action_area(self, mode: str) -> None:
        if mode != self.current_mode:
            self._history.append(self.current_mode)
            self.switch_mode(mode)

    def action_back(self) -> None:
        if self._history:
            self.switch_mode(self._history.pop())

    def action_help(self) -> None:
        from magtui.ui.screens.help import HelpScreen, keys_markdown

        self.push_screen(HelpScreen(self.focused, keys_markdown(self)))

    def action_save_note(self) -> None:
        from magtui.ui.saving import save_note_now

        save_note_now(self)

    def action_copy_note(self) -> None:
        from magtui.ui.saving import copy_note

        copy_note(self)

    def action_save_as(self) -> None:
        from magtui.ui.saving import save_elsewhere

        save_elsewhere(self)

    def action_quit_app(self) -> None:
        if not self.unsaved:
            self._clean_exit()
            return
        from magtui.ui.screens.confirm_quit import ConfirmQuit

        def decided(choice: str | None) -> None:
            if choice == "save":
                from magtui.ui.saving import save_note_now

                if save_note_now(self):
                    self._clean_exit()
            elif choice == "discard":
                self._clean_exit()

        self.push_screen(ConfirmQuit(), decided)

    def _clean_exit(self) -> None:
        """A clean quit removes the draft: only a crash or kill leaves one behind."""
        if self.autosave:
            from magtui.ui.drafts import remove_draft

            remove_draft(self)
        self.exit(0)


def run(kb: KnowledgeBase, prefill: dict[str, Any]) -> int:
    app = MagtuiApp(kb, Consultation.from_prefill(prefill))
    code = app.run()
    return code if isinstance(code, int) else 0
