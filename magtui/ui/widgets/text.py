"""`show_text`: update a Static without laying out the whole screen when its size stays;
`WholeTextBox`: a Static tall enough for the longest of the texts it may show."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Static


def show_text(static: Static, content: VisualType) -> None:
    """Show `content` in `static`; unchanged content costs nothing.

    `Static.update` lays out the whole screen on every change, though a changed figure
    (a new mg/day, another urgency) rarely changes how many lines it takes: on the dose
    form that layout was a third of each keystroke's work (issue #6). Here the screen is
    laid out again only when the height the text needs at its width changes, or when the
    width itself depends on the text.
    """
    if static.content == content:
        return
    width = static.content_size.width
    if not width or _width_follows_text(static):
        static.update(content)
        return
    height = static.content_size.height
    static.update(content, layout=False)
    if static.get_content_height(static.content_size, static.app.size, width) != height:
        static.refresh(layout=True)


def _width_follows_text(static: Static) -> bool:
    rule = static.styles.width
    if rule is not None:
        return rule.is_auto
    # No width set: as wide as a vertical container; sized to the text elsewhere.
    parent = static.parent
    layout = getattr(parent.styles, "layout", None) if parent is not None else None
    return getattr(layout, "name", "vertical") != "vertical"


class WholeTextBox(Static):
    """A Static at least as tall as the longest of `texts` (markup) at its width.

    None of them is ever cut off, and what sits above the box does not jump as one text
    replaces another (F2's question and why, under the checklist, issue #13). The texts
    are parsed and the height worked out after the frame that gave the box its width, so
    start-up does not wait for it (~6 ms for 30 texts); a text longer than all of `texts`
    still gets its lines.
    """

    def __init__(self, texts: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._markup = texts
        self._texts: list[Content] = []
        self._fitted_width = 0

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        width = self.content_size.width
        if not width or width == self._fitted_width:
            return
        self._fitted_width = width
        if not self._texts:
            self._texts = [Content.from_markup(text) for text in self._markup]
        # As `Widget.get_content_height` passes them (Textual types them more narrowly).
        rules = self.styles
        lines = max((text.get_height(rules, width)  # type: ignore[arg-type]
                     for text in self._texts), default=1)
        self.styles.min_height = lines + self.styles.gutter.height
