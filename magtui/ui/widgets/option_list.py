"""`SteadyOptionList`: an OptionList redrawn after a style update only if its look changed."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList


class SteadyOptionList(OptionList):
    """Textual's OptionList repaints every line whenever its styles are applied again (its
    `notify_style_update`, Textual 8.2.8), and Textual applies them again to every widget of
    an area each time the area is opened. For the 30-finding checklist and the KB list that
    repaint was most of what an F2 or F6 switch cost (~12 ms a switch at 120×40).

    Here the list is redrawn only when what it is drawn with changed: its styles (border,
    colours, padding…), its background and its text style. A style value that really
    changes also makes Textual repaint the widget by itself, and the per-option styles
    (highlight, disabled, separators) are component classes Textual compares and redraws on
    after this hook; the comparison here is the guard for anything else. What this replaces
    is pinned by `tests/ui/test_area_redraw.py` (an upgrade that adds to OptionList's hook
    fails it).
    """

    _look: tuple[Any, ...] | None = None

    def notify_style_update(self) -> None:
        # What the classes below OptionList do (clearing the widget's style caches) always
        # runs; only OptionList's own unconditional repaint is replaced.
        super(OptionList, self).notify_style_update()
        look = (*self.styles.get_render_rules().values(), self.background_colors,
                self.rich_style)
        if look != self._look:
            self._look = look
            self.refresh()
