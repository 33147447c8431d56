"""Text that magtui did not write, made safe to show on a terminal or in a record.

Anything read from disk (KB, notes, drafts), typed, pasted or given on the command line may
hold control characters: an escape sequence could clear the screen or rewrite the clipboard
(OSC 52), and a bidirectional override could make a dose read backwards. Every such text
passes through `neutralise` (or `one_line`) before a terminal sees it; `invisible_char`
lets an input field refuse such characters as they are typed.
"""

from __future__ import annotations

import re
import unicodedata

# Other line breaks (CR, NEL, U+2028/9) become "\n", so a line that a renderer or a record
# system would break is a line that the caller also sees.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 (but tab and newline), DEL, C1 (ESC, CSI, OSC …), and the bidirectional controls."""


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␀, ␛, …
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls and bidi overrides have no picture


def neutralise(text: str) -> str:
    """Text safe to show: line breaks become "\\n", every other control (and every
    bidirectional override) a visible symbol; tab is kept."""
    return _CONTROL.sub(_visible, _LINE_BREAKS.sub("\n", text))


def one_line(text: str) -> str:
    """`neutralise`, with line breaks joined by spaces: one line of a listing or message."""
    return " ".join(neutralise(text).split("\n"))


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def invisible_char(text: str, *, multiline: bool = False) -> str | None:
    """Describe the first control or invisible character in `text` (e.g. "U+00AD SOFT
    HYPHEN"), or None when there is none. Tab and, with `multiline`, line feed are allowed."""
    allowed = "\t\n" if multiline else ""
    for ch in text:
        if ch in allowed:
            continue
        if unicodedata.category(ch)[0] == "C" or ch in "\u2028\u2029":
            name = unicodedata.name(ch, "control character")
            return f"U+{ord(ch):04X} {name}"
    return None
