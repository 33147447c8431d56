"""`show_text`: update a Static without laying out the whole screen when its size stays."""

from __future__ import annotations

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
