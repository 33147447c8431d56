"""What a paste may put into a field: plain text that fits (issue #11).

A paste is the one way control characters reach a field (keys insert only printable
characters), and the one way a huge text arrives at once. `MagtuiApp.on_event` asks
`paste_refusal` before any widget sees the paste.
"""

from __future__ import annotations

from textual.widget import Widget

from magtui.text import invisible_char

PASTE_MAX_CHARS = 100_000
"""No field takes more at once; fields with their own limit say so (`max_length`,
`max_chars`)."""


def normalise_newlines(text: str) -> str:
    """Windows and old Mac line ends become "\\n" (they are not controls to refuse)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def paste_refusal(text: str, target: Widget | None) -> str | None:
    """Why this paste cannot go into `target`, in words for the user; None when it can."""
    text = normalise_newlines(text)
    multiline = getattr(target, "max_chars", None) is not None  # the free-text box
    bad = invisible_char(text, multiline=multiline)
    if bad is not None:
        return (f"The pasted text holds {bad}, a control or invisible character. "
                "Paste plain text only.")
    limit = getattr(target, "max_length", 0) or getattr(target, "max_chars", None)
    limit = limit or PASTE_MAX_CHARS
    room = limit - _length_after_selection(target)
    if len(text) > room:
        return (f"The pasted text has {len(text):,} characters; this field takes at most "
                f"{limit:,} ({max(room, 0):,} left). Nothing was pasted.")
    return None


def _length_after_selection(target: Widget | None) -> int:
    """How many characters the field keeps once the paste replaces its selection."""
    text = getattr(target, "text", None)
    if not isinstance(text, str):
        text = getattr(target, "value", "")
    selected = getattr(target, "selected_text", "")
    return len(str(text)) - len(str(selected))
