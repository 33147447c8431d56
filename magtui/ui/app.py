"""The consultation app: one mode per area (F2–F7), app-wide keys, one shared consultation.

Each area is a mode. An area's screen is released when the user leaves it and rebuilt when
they come back (`release_area`), so the app holds one area's widgets at a time, not six
(issue #6: memory; coming back costs a rebuild, ~60 ms more than a kept screen).
Nothing is lost by that: every input, even invalid typed text, lives in `app.consultation`,
and each screen builds its fields from it; what is only a view (focus, a search, a scroll
position) is kept in `app.area_views` and put back. Every change goes through `update()`,
which re-evaluates the consultation through `magtui.clinical` and publishes the new
`Results`; screens only render them.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, ClassVar

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
from magtui.knowledge.base import KnowledgeBase
from magtui.text import neutralise, one_line
from magtui.ui.areas import AREAS, area_of
from magtui.ui.paste import normalise_newlines, paste_refusal


def _screen_factory(target: str) -> Callable[[], Screen[Any]]:
    """Import an area's screen on first use: start-up pays only for the triage checklist."""

    def make() -> Screen[Any]:
        module, name = target.split(":")
        screen: Screen[Any] = getattr(importlib.import_module(module), name)()
        return screen

    return make


KEEP_ALIVE: frozenset[str] = frozenset()
"""Areas whose screen is never released. None since issue #6 (memory): the checklist too is
rebuilt on return, with its highlighted finding, focus and panel scroll put back
(`TriageScreen.view_state`); its keystrokes are as fast once it is built."""


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
        self._after_first_frame = []
        self.area_views: dict[str, dict[str, Any]] = {}
        """What a released area showed beyond the consultation (focus, search, scroll),
        by mode; the rebuilt screen takes it back (`restore_view`)."""
        self.results = evaluate_consultation(kb, self.consultation)
        from magtui.clinical.review import review_warning

        self.kb_review_warning = review_warning(kb.meta, clock.today())

    # ------------------------------------------------------------------ state

    def on_mount(self) -> None:
        if not gc.isenabled():
            # `run` paused the cycle collector for the start-up; the first frame resumes it
            # (`first_frame_drawn`), and this at the latest, should no frame come.
            self.set_timer(2.0, self.first_frame_drawn)
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

    frame_shown = False
    """True once an area has drawn its first frame (see `after_first_frame`)."""

    def first_frame_drawn(self) -> None:
        """Called by an area once it has drawn a frame: start-up is over."""
        if not gc.isenabled():
            gc.enable()
        if not self.frame_shown:
            self.frame_shown = True
            waiting, self._after_first_frame = self._after_first_frame, []
            for callback in waiting:
                self.call_later(callback)

    _after_first_frame: list[Callable[[], object]]

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the first frame is on screen (at once if it already is): work
        the clinician does not need to see first waits for the checklist (issue #6)."""
        if self.frame_shown:
            self.call_later(callback)
        else:
            self._after_first_frame.append(callback)

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
            self._go_to(mode)

    async def action_back(self) -> None:
        if self._history and not await self._dialog_blocks_switch():
            self._go_to(self._history.pop())

    def _go_to(self, mode: str) -> None:
        left = self.current_mode
        self.switch_mode(mode)
        self.release_area(left)

    def release_area(self, mode: str) -> None:
        """Free a left area's screen; its mode builds a new one from the consultation.

        Kept instead: any area in `KEEP_ALIVE`, and an area with a dialog open over it
        (e.g. "Save as" with a path half typed), so the user finds it as they left it.
        """
        if mode in KEEP_ALIVE or mode == self.current_mode:
            return
        try:
            stack = self.get_screen_stack(mode)
        except KeyError:
            return  # never opened, or already released
        if len(stack) != 1:
            return
        screen = stack[0]
        view: dict[str, Any] = {}
        remember = getattr(screen, "view_state", None)
        if remember is not None:
            view.update(remember())
        focused = screen.focused
        if focused is not None and focused.id is not None:
            view.setdefault("focus", focused.id)
        self.area_views[mode] = view
        removed = self.remove_mode(mode)
        self.add_mode(mode, self.MODES[mode])
        if self._compose_screen is screen:
            # The first screen shown stays referenced by Textual for the app's whole run
            # (`App._compose_screen`, and a local of the app's message loop); it would keep
            # every widget it had. Queries on the app go to the current screen instead.
            self._compose_screen = None

        async def removed_and_emptied() -> None:
            await removed
            # A removed screen still holds its widgets in caches Textual (8.2.8) does not
            # clear on removal: the widgets awaiting layout, and its children lists.
            screen._layout_widgets.clear()
            screen._nodes._displayed_nodes = (-1, [])
            screen._nodes._displayed_visible_nodes = (-1, [])

        self.call_next(self._collect_released, removed_and_emptied())
        # Textual drops a closed node's watcher only when the value next changes; until then
        # the watcher list would keep the whole released screen alive. Drop it now.
        watchers = getattr(self, "__watchers", {}).get("results", [])
        watchers[:] = [(node, callback) for node, callback in watchers if node is not screen]

    @staticmethod
    async def _collect_released(removed: Awaitable[Any]) -> None:
        """Once a released screen is removed, give its memory back for the next area."""
        await removed
        # Textual caches `StylesCache.get_inner_outer` per widget cache (an lru_cache on a
        # method, 1024 entries), so a removed widget's rendered lines stay referenced from
        # there; clear it (live widgets refill it on their next paint, at no visible cost).
        from textual._styles_cache import StylesCache

        StylesCache.get_inner_outer.cache_clear()
        # Widgets refer to each other (parent, children, screen): only the cycle collector
        # frees them, and a full pass may not come for a long while on its own.
        gc.collect()

    def restore_view(self, screen: Screen[Any]) -> dict[str, Any]:
        """Called by an area's `on_mount`: refocus what had focus when the user left it
        (if they did), and return the rest of its view for the screen to put back."""
        mode = area_of(screen)
        view = self.area_views.pop(mode, {}) if mode is not None else {}
        focus = view.get("focus")
        if isinstance(focus, str):
            from textual.css.query import NoMatches

            # A widget no longer there: the screen's own first focus stands.
            with suppress(NoMatches):
                screen.query_one(f"#{focus}").focus()
        return view

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


def run(kb: KnowledgeBase, prefill: dict[str, Any]) -> int:
    # Everything alive now (Textual's modules, the validated KB) lives as long as the app:
    # keep it out of the cycle collector's passes, which otherwise walk it again and again
    # while the first frame is built (issue #6: a 12–24 ms full pass at start-up, and
    # shorter pauses between keys later).
    gc.freeze()
    # And no collection at all until the first frame is up (`first_frame_drawn`): building
    # it allocates heavily, and a pass would only find the few cycles it leaves (~7 ms).
    gc.disable()
    try:
        app = MagtuiApp(kb, Consultation.from_prefill(prefill))
        code = app.run()
    finally:
        gc.enable()
    return code if isinstance(code, int) else 0
