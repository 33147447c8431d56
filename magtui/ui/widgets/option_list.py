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
    colours, padding…), its background and its text style. The per-option styles
    (highlight, disabled, separators) are Textual's component classes, which Textual itself
    compares and redraws on after this hook.
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
