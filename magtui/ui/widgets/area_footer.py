"""The footer of every area: Textual's Footer, rebuilt only when its keys change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class AreaFooter(Footer):
    """Footer rebuilt only when the keys it shows change (issue #6: time to interactive).

    Textual's Footer rebuilds all its keys for every bindings signal, and a start-up sends
    several before the first frame (screen mounted, checklist focused, app focused): three
    rebuilds of a dozen keys, each key styled as it mounts, all on the path to the first
    visible frame; later every focus move rebuilds it again. Here signals in a burst share
    one rebuild, and a rebuild that would show the same keys is skipped: the footer shown
    is exactly Textual's.
    """

    _rebuild_pending = False
    _shown: tuple[object, ...] | None = None
    """What the keys on show were built from (see `_rebuild`)."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        # Same conditions as Footer.bindings_changed (Textual 8.2.8), one pending rebuild.
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            # The keys are drawn once the checklist is on screen, not before it: an empty
            # footer bar for a frame costs the clinician nothing (issue #6).
            after_first_frame = getattr(self.app, "after_first_frame", None)
            if after_first_frame is not None and not getattr(self.app, "frame_shown", True):
                # Run by the footer itself: its keys are composed in its own context.
                after_first_frame(lambda: self.call_later(self._rebuild))
            else:
                self.call_after_refresh(self._rebuild)

    def _wanted(self) -> tuple[object, ...]:
        """Everything `Footer.compose` builds the keys from, as it would read it now."""
        return (
            self.compact,
            self.show_command_palette,
            tuple(
                (binding.key, binding.action, binding.description, binding.group, enabled,
                 tooltip, binding.tooltip, self.app.get_key_display(binding))
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show or binding.action == "command_palette"
            ),
        )

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return  # its area was left (and released) before the rebuild came round
        # Focus moves without changing the keys on show (from one field to the next): the
        # footer would be rebuilt key for key the same. Rebuild only when what it shows
        # would change.
        wanted = self._wanted()
        if wanted != self._shown:
            self._shown = wanted
            await self.recompose()
            # The keys just removed stay referenced by the footer's `compact` watcher list
            # until `compact` next changes, which it never does (Textual 8.2.8): ~25 KiB a
            # key, a dozen keys a rebuild, for the screen's life. Re-publishing the same
            # value makes Textual drop the watchers of removed keys (issue #6: memory).
            self.mutate_reactive(Footer.compact)
