"""The footer of every area: Textual's Footer, rebuilt only when its keys change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class AreaFooter(Footer):
    """Textual's Footer, rebuilt only when the keys it shows would change.

    Textual's Footer rebuilds all its keys for every bindings signal, and each focus move
    sends one: Tab from one field to the next rebuilt a dozen keys that read the same,
    work on the path of the keys typed next. A signal whose keys equal those on show is
    dropped here; any other goes to Footer as it is.
    """

    _shown: tuple[object, ...] | None = None
    """What the keys on show were built from (see `_wanted`)."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not getattr(screen.app, "shown", True):
            # Not before the first frame: start-up sends several signals, each a rebuild of
            # a dozen keys on the path to the checklist. The app asks again once it is up.
            return
        # The conditions under which Footer.bindings_changed (Textual 8.2.8) rebuilds.
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            wanted = self._wanted()
            if wanted == self._shown:
                return
            self._shown = wanted
        super().bindings_changed(screen)

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

    async def recompose(self) -> None:
        await super().recompose()
        # Each key binds to the footer's `compact`, and a removed key's watcher stays in
        # the footer's list until `compact` next changes, which it never does (Textual
        # 8.2.8): ~25 KiB a key, a dozen keys a rebuild, for the app's life (the screens
        # are kept). Re-publishing the same value makes Textual drop the removed keys'
        # watchers, so memory stays flat however often the clinician switches areas.
        self.mutate_reactive(Footer.compact)
