"""The consultation app: one mode per area (F2–F7), app-wide keys, one shared consultation.

Each area is a mode (the checklist, shown at start, is Textual's default screen named as the
triage mode: `get_default_screen`). An area's screen is built the first time the user opens
it and then kept (Textual's modes), so coming back finds it exactly as left: fields, focus,
highlighted finding, search and scroll. Every input, even invalid typed text, also lives in
`app.consultation` (a restored draft or the palette changes it from outside). Every change
goes through `update()`, which re-evaluates the consultation through `magtui.clinical` and
publishes the new `Results`; each screen watches `app.results`, shown or hidden, and only
renders them.
"""

from __future__ import annotations

import gc
import importlib
import re
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import ModalScreen, Screen
from textual.timer import Timer

from magtui import clock
from magtui.consultation import Consultation, Results, evaluate_consultation
from magtui.keymap import BINDINGS, first_key
from magtui.knowledge.base import KnowledgeBase
from magtui.settings import LoadedSettings, load_settings
from magtui.text import neutralise, one_line
from magtui.ui.areas import AREAS
from magtui.ui.key_order import KeysInOrderApp
from magtui.ui.paste import normalise_newlines, paste_refusal

if TYPE_CHECKING:
    from magtui.notes.store import SavedNote


def _screen_factory(target: str) -> Callable[[], Screen[Any]]:
    """Import an area's screen on first use: start-up pays only for the triage checklist."""

    def make() -> Screen[Any]:
        module, name = target.split(":")
        screen: Screen[Any] = getattr(importlib.import_module(module), name)()
        return screen

    return make


FIRST_AREA = "triage"
_first_screen = _screen_factory(AREAS[FIRST_AREA][1])


def _magtui_commands() -> type[Provider]:
    # Imported when the palette first opens, not at start-up.
    from magtui.ui.commands import MagtuiCommands

    return MagtuiCommands


class MagtuiApp(KeysInOrderApp[int]):
    # App-wide rules (and the triage area's, shown first). Every other area brings its own
    # stylesheet (ui/css/<area>.tcss) when first opened, so start-up parses only this one.
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "magtui"
    SUB_TITLE = "magnesium · twitching · kidney risk"
    # The triage area is the app's default screen (below); every other area is a mode,
    # built when first opened and then kept.
    MODES: ClassVar[dict[str, Any]] = {
        mode: _screen_factory(target)
        for mode, (_, target, _) in AREAS.items() if mode != FIRST_AREA
    }
    DEFAULT_MODE = FIRST_AREA
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
            # Not in the footer: the area bar on every area's top line shows every area's
            # key, and at 80 columns the footer then keeps help, save, quit and the palette.
            Binding(key, f"area('{mode}')", label, id=f"area.{mode}", priority=True,
                    show=False, tooltip=f"Go to {label}")
            for mode, (key, _, label) in AREAS.items()
        ),
        Binding("escape", "back", "Back", id="back", show=False),
        # Textual's own Tab (a Screen binding) runs only after the key has been offered to
        # the focused field and bubbled back up, while the keys typed after it are already
        # on their way to that field: "7 1 Tab 6" put 716 in Age. As app priority bindings
        # they move focus before the next key is handed on (no widget here uses Tab).
        Binding("tab", "focus_next", "Next field", id="focus.next", priority=True,
                show=False),
        Binding("shift+tab", "focus_previous", "Previous field", id="focus.previous",
                priority=True, show=False),
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
        settings: LoadedSettings | None = None,
    ) -> None:
        super().__init__()
        # Tests and snapshots turn the wall-clock cursor blink off so frames are stable.
        self.cursor_blink_disabled = not cursor_blink
        self.kb = kb
        self.consultation = consultation or Consultation()
        self.loaded_settings = settings if settings is not None else load_settings()
        self.settings = self.loaded_settings.settings
        # An explicit folder (tests) first; then MAGTUI_NOTES_DIR, then the settings file
        # (both in `settings.notes_dir`); None: the platform's folder (notes.store).
        self.notes_dir = notes_dir if notes_dir is not None else self.settings.notes_dir
        self._apply_settings()
        # Prefilled context counts as typed: quitting without saving it must ask. Once a
        # note is saved, `unsaved` means the note differs from it (magtui.ui.saving).
        self.unsaved = self.consultation.has_input()
        self.last_saved: SavedNote | None = None
        self.draft_timer: Timer | None = None
        self.autosave = autosave
        self._history: list[str] = []
        self.results = evaluate_consultation(kb, self.consultation)
        from magtui.clinical.review import review_warning

        self.kb_review_warning = review_warning(kb.meta, clock.today())

    # ------------------------------------------------------------------ settings

    def _apply_settings(self) -> None:
        """The theme and keymap of the settings (units: PatientScreen; notes: __init__)."""
        if self.settings.keymap:
            # By binding id, as Posting does: the footer and help then show the new keys.
            self.set_keymap(dict(self.settings.keymap))
        theme = self.settings.theme
        if theme is not None and theme in self.available_themes:
            self.theme = theme

    def key_label(self, binding_id: str) -> str:
        """A binding's key as shown (the first, when a keymap gives several): F3, ^o."""
        key = first_key(self.settings.keymap.get(binding_id, BINDINGS[binding_id].keys))
        if re.fullmatch(r"f\d+", key):
            return key.upper()
        return self.get_key_display(Binding(key, ""))

    # ------------------------------------------------------------------ state

    shown = False
    """True once the first frame is on screen (Textual's Ready event)."""

    def on_ready(self) -> None:
        # Start-up is over: what waited for the first frame (the footer's keys, the cycle
        # collector paused by `run`) comes now.
        self.shown = True
        gc.enable()
        self.screen.refresh_bindings()

    def get_default_screen(self) -> Screen[Any]:
        # Textual builds a mode's first screen and then re-parses and re-applies the whole
        # stylesheet (`App._init_mode` → `refresh_css`, Textual 8.2.8; upstream calls it a
        # stopgap, textual PR #5211); its default screen is only styled as it mounts, as any
        # app's first screen. So the checklist comes up as the default screen, and becomes
        # the triage mode once it is there (`on_mount`). Textual loads no CSS_PATH or CSS of
        # a default screen: the checklist's rules live in app.tcss (a test keeps it so).
        return _first_screen()

    def on_mount(self) -> None:
        # The default screen's stack is already the triage mode's (DEFAULT_MODE): naming
        # the mode lets F2 switch back to it; its factory is never called.
        self.add_mode(FIRST_AREA, _first_screen)
        problem = self.loaded_settings.problem
        if problem:
            # At start, where it is seen: what was refused, and that magtui goes on with
            # the defaults for it (drawn once the first screen is mounted).
            self.notify(f"{problem}. Their defaults are used; everything else applies.",
                        title="Settings not applied", severity="error", timeout=30)
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
        screens: list[Screen[Any]] = []
        for mode in AREAS:
            with suppress(KeyError):  # an area not opened yet has no stack
                screens.extend(self.get_screen_stack(mode))
        return screens

    def update(self, change: Callable[[Consultation], None]) -> None:
        """Apply one edit to the consultation and publish the re-evaluated results."""
        change(self.consultation)
        self.unsaved = True
        self.results = evaluate_consultation(self.kb, self.consultation)
        if self.autosave:
            from magtui.ui.drafts import schedule_autosave

            schedule_autosave(self)

    # ------------------------------------------------------------------ hostile input

    async def on_event(self, event: events.Event) -> None:
        # Every paste, into any field (the palette's too), passes here first: one with a
        # control or invisible character, or too long for its field, is refused whole with a
        # message, never inserted (an escape sequence would reach the terminal raw).
        if isinstance(event, events.Paste) and not event.is_forwarded:
            refusal = paste_refusal(event.text, self.focused)
            if refusal is not None:
                self.notify(refusal, title="Paste refused", severity="error", timeout=10)
                return
            text = normalise_newlines(event.text)
            if text != event.text:
                event = events.Paste(text)
        await super().on_event(event)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        # Messages quote paths, error texts and file content: shown as plain, visible text.
        super().notify(neutralise(message), title=one_line(title), severity=severity,
                       timeout=timeout, markup=False)

    # ------------------------------------------------------------------ actions

    async def _close_palette(self) -> None:
        """Close the command palette before an app key opens anything else. Textual (8.2.8)
        gives every palette the same id and checks only the top screen for an open one, so a
        dialog over a palette, then ctrl+p, raised DuplicateIds and ended the app (issue #11)."""
        while isinstance(self.screen, CommandPalette):
            # Its own escape action: it also stops the command search it may be running.
            await self.screen.run_action("escape")

    def action_command_palette(self) -> None:
        if not any(isinstance(screen, CommandPalette) for screen in self.screen_stack):
            super().action_command_palette()

    async def _dialog_blocks_switch(self) -> bool:
        """Close the palette or help before an area switch; any other dialog (restore a
        draft, quit, save as) must be answered first, not left behind in the area."""
        await self._close_palette()
        while getattr(self.screen, "CLOSES_ON_AREA_SWITCH", False):
            self.pop_screen()
        if isinstance(self.screen, ModalScreen):
            self.bell()
            self.notify("Answer the dialog first (escape closes it).", severity="warning")
            return True
        return False

    async def action_area(self, mode: str) -> None:
        if await self._dialog_blocks_switch():
            return
        if mode != self.current_mode:
            self._history.append(self.current_mode)
            await self._go_to(mode)

    async def action_back(self) -> None:
        if self._history and not await self._dialog_blocks_switch():
            await self._go_to(self._history.pop())

    async def _go_to(self, mode: str) -> None:
        # Every area's screen is built the first time it is opened and then kept (Textual's
        # modes); it renders `app.results` whenever they change, shown or not. Waiting for
        # the mount here holds back the keys typed right after the F-key until the area has
        # its fields and focus, so "F3 6 8" puts 68 in Age even on the first visit.
        await self.switch_mode(mode)

    async def action_help(self) -> None:
        await self._close_palette()
        from magtui.ui.screens.help import HelpScreen, active_keys

        self.push_screen(HelpScreen(self.focused, active_keys(self)))

    async def action_save_note(self) -> None:
        await self._close_palette()
        from magtui.ui.saving import save_note_now

        save_note_now(self)

    async def action_copy_note(self) -> None:
        await self._close_palette()
        from magtui.ui.saving import copy_note

        copy_note(self)

    async def action_save_as(self) -> None:
        await self._close_palette()
        from magtui.ui.saving import save_elsewhere

        save_elsewhere(self)

    async def action_quit_app(self) -> None:
        await self._close_palette()
        from magtui.ui.saving import nothing_to_save

        if nothing_to_save(self):
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

    def on_unmount(self) -> None:
        # The app is ending (however it ends): let go of the draft locks, so a draft left
        # behind is an orphan the next start offers (magtui.ui.drafts).
        if self.autosave:
            from magtui.ui.drafts import release_draft_locks

            release_draft_locks(self)

    def _clean_exit(self) -> None:
        """A clean quit removes the draft: only a crash or kill leaves one behind."""
        if self.autosave:
            from magtui.ui.drafts import remove_draft

            remove_draft(self)
        self.exit(0)


def run(kb: KnowledgeBase, prefill: dict[str, Any],
        settings: LoadedSettings | None = None) -> int:
    # Everything alive now (Textual's modules, the validated KB) lives as long as the app:
    # keep it out of the cycle collector's passes, which would otherwise walk it again and
    # again, a pause of 12–24 ms each, between the clinician's keys. And no collection
    # until the first frame is up (`on_ready`): building it allocates heavily, and a pass
    # would find only the few cycles it leaves.
    gc.freeze()
    gc.disable()
    try:
        app = MagtuiApp(kb, Consultation.from_prefill(prefill), settings=settings)
        code = app.run()
    finally:
        gc.enable()
    return code if isinstance(code, int) else 0
