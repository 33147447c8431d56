"""The app's keys by binding id, and the checks a user's `[keymap]` must pass (no Textual).

Every `Binding` in the app has a stable id (design.md §7); a keymap maps ids to keys, as
Posting does, and Textual applies it (`App.set_keymap`). The table below names every id
with its default keys and where it is active, so the command line can check and show a
keymap without importing Textual; `tests/test_settings.py` proves it equals the app's own
bindings. A keymap is refused, entry by entry and named, when it would break the app rather
than change it: an unknown id or key name, an app-wide key that would be taken from every
text box (a plain character, a field's editing key, the palette's ctrl+p), or a key that
another binding active at the same time already has.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from magtui.ui.areas import AREAS  # a plain table: imports no Textual

APP = "app"
"""App-wide priority bindings: they act everywhere, dialogs and text boxes included."""
AREA_SCREENS = "areas"
"""App bindings that are not priority (escape): active on every area, not in dialogs."""
_AREAS_SCOPES = frozenset({"triage", "patient", "knowledge", "referral", "dose", "note"})


@dataclass(frozen=True, slots=True)
class BindingSpec:
    keys: str
    """Default keys, comma-separated as in Textual's `Binding`."""
    scope: str
    what: str


BINDINGS: dict[str, BindingSpec] = {
    "help": BindingSpec("f1", APP, "help for what has focus, and every key"),
    "save": BindingSpec("ctrl+s", APP, "save the session note"),
    "quit": BindingSpec("ctrl+q", APP, "quit (asks to save unsaved changes)"),
    "copy": BindingSpec("f8", APP, "copy the whole note to the clipboard"),
    "save_as": BindingSpec("f9", APP, "save the note's Markdown to a chosen file"),
    **{f"area.{mode}": BindingSpec(key, APP, f"go to {label}")
       for mode, (key, _, label) in AREAS.items()},
    "back": BindingSpec("escape", AREA_SCREENS, "back to the previous area"),
    "focus.next": BindingSpec("tab", APP, "next field"),
    "focus.previous": BindingSpec("shift+tab", APP, "previous field"),
    "finding.present": BindingSpec("y", "triage", "mark the finding present"),
    "finding.absent": BindingSpec("n", "triage", "mark the finding absent"),
    "finding.not_asked": BindingSpec("u", "triage", "mark the finding not asked"),
    "finding.cycle": BindingSpec("space", "triage", "cycle the finding's mark"),
    "finding.deny_unasked_red_flags": BindingSpec("D", "triage",
                                                  "deny every unasked red flag"),
    "patient.switch_unit": BindingSpec("ctrl+o", "patient", "switch a refused value's unit"),
    "kb.search": BindingSpec("ctrl+f", "knowledge", "search the knowledge base"),
    "referral.ask_red_flags": BindingSpec("a", "referral", "ask the unasked red flags"),
    "help.close": BindingSpec("escape,f1,q", "help", "close help"),
    "quit.cancel": BindingSpec("escape", "quit-dialog", "cancel quitting"),
    "quit.save": BindingSpec("s", "quit-dialog", "save and quit"),
    "quit.discard": BindingSpec("d", "quit-dialog", "quit without saving"),
    "save_as.cancel": BindingSpec("escape", "save-as-dialog", "cancel save as"),
    "draft.discard": BindingSpec("escape", "draft-dialog", "start afresh (draft dialog)"),
}

MODIFIERS = ("ctrl", "alt", "shift", "super", "meta", "hyper")
NAMED_KEYS = frozenset({
    "escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end",
    "pageup", "pagedown", "up", "down", "left", "right", *(f"f{n}" for n in range(1, 25)),
})
RESERVED_KEYS = frozenset({
    # Textual's command palette and copy; then what text boxes, lists, choices and scrolling
    # use to edit and move (Input, TextArea, OptionList, RadioSet, Checkbox, VerticalScroll).
    "ctrl+p", "ctrl+c", "super+c", "super+x", "super+y", "super+z",
    "enter", "space", "backspace", "delete", "home", "end", "pageup", "pagedown",
    "up", "down", "left", "right", "ctrl+left", "ctrl+right", "ctrl+pageup", "ctrl+pagedown",
    "shift+left", "shift+right", "shift+up", "shift+down", "shift+home", "shift+end",
    "ctrl+shift+left", "ctrl+shift+right", "ctrl+shift+a", "ctrl+shift+k",
    "alt+backspace", "alt+delete", "ctrl+backspace", "super+backspace",
    "ctrl+a", "ctrl+d", "ctrl+e", "ctrl+k", "ctrl+u", "ctrl+v", "ctrl+w", "ctrl+x",
    "ctrl+y", "ctrl+z",
})
MAX_KEY_CHARS = 40
_NAME_REPLACEMENTS = {"solidus": "slash", "reverse_solidus": "backslash",
                      "commercial_at": "at", "hyphen_minus": "minus", "plus_sign": "plus",
                      "low_line": "underscore"}
"""Textual's friendlier names for some characters (textual.keys.KEY_NAME_REPLACEMENTS)."""


class KeymapProblem(ValueError):
    """One keymap entry refused; `key` names it as the file does (`keymap.save`)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def character_key(character: str) -> str:
    """A character as Textual names its key: `?` → `question_mark`, `/` → `slash`, `a` → `a`
    (textual.keys._character_to_key, which `App.set_keymap` applies)."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return _NAME_REPLACEMENTS.get(name, name)


_CHARACTER_NAMES = {character_key(c): c for c in string.punctuation}


def _is_character_name(name: str) -> bool:
    if name in _CHARACTER_NAMES:
        return True
    try:
        return len(unicodedata.lookup(name.replace("_", " ").upper())) == 1
    except KeyError:
        return False


def _check_key(key: str) -> str | None:
    """Why `key` (one key, Textual's form) is not a key, or None if it is one."""
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            return f"unknown modifier {modifier!r} (use {', '.join(MODIFIERS)})"
    if len(set(modifiers)) != len(modifiers):
        return "a modifier given twice"
    if len(base) == 1:
        return None if base.isprintable() and not base.isspace() else "not a printable key"
    if not base:
        return "a modifier with no key after it"
    if base in NAMED_KEYS or _is_character_name(base):
        return None
    return ("unknown key name (e.g. f10, ctrl+s, alt+h, escape, pageup, question_mark, "
            "or one character)")


def plain_character(key: str) -> bool:
    """True for a key that types a character into a text box (no modifier but shift)."""
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    if set(modifiers) - {"shift"}:
        return False
    return len(base) == 1 or base == "space" or (
        base not in NAMED_KEYS and _is_character_name(base))


def normalise_keys(binding_id: str, value: object) -> str:
    """A keymap value (a string of comma-separated keys, or a list of keys) checked and in
    the form Textual compares (`?` → `question_mark`); `KeymapProblem` says what is wrong."""
    where = f"keymap.{binding_id}"
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = list(value)
    else:
        raise KeymapProblem(where, "must be a key such as \"f10\", or a list of keys, got "
                                   f"{type(value).__name__}")
    keys: list[str] = []
    for raw in parts:
        key = raw.strip()
        if not key:
            raise KeymapProblem(where, "an empty key (a binding cannot be removed, only moved)")
        if len(key) > MAX_KEY_CHARS:
            raise KeymapProblem(where, f"a key of {len(key)} characters is not a key")
        key = character_key(key) if len(key) == 1 else key
        problem = _check_key(key)
        if problem is not None:
            raise KeymapProblem(where, f"{key!r} is not a key: {problem}")
        if key not in keys:
            keys.append(key)
    return ",".join(keys)


def _scopes_meet(a: str, b: str) -> bool:
    if APP in (a, b) or a == b:
        return True
    return {a, b} & {AREA_SCREENS} != set() and bool({a, b} & _AREAS_SCOPES)


def check_keymap(raw: Mapping[str, object]) -> dict[str, str]:
    """The keymap, checked and normalised; the first entry that is refused raises
    `KeymapProblem` naming it."""
    keymap: dict[str, str] = {}
    for binding_id, value in raw.items():
        if binding_id not in BINDINGS:
            raise KeymapProblem(f"keymap.{binding_id}", "no binding has this id (`magtui "
                                                        "config show` lists every id)")
        keymap[binding_id] = keys = normalise_keys(binding_id, value)
        spec = BINDINGS[binding_id]
        own = set(spec.keys.split(","))
        for key in keys.split(","):
            if key in RESERVED_KEYS and key not in own:
                raise KeymapProblem(f"keymap.{binding_id}", f"{key!r} is kept for the text "
                                    "boxes, lists and the command palette; choose another key")
            if spec.scope == APP and plain_character(key) and key not in own:
                raise KeymapProblem(f"keymap.{binding_id}", f"{key!r} types a character: an "
                                    "app-wide key needs ctrl or alt, or a key such as f10")
    _check_clashes(keymap)
    return keymap


def effective_keys(keymap: Mapping[str, str]) -> dict[str, str]:
    """Every binding id with the keys it answers to under `keymap`."""
    return {binding_id: keymap.get(binding_id, spec.keys)
            for binding_id, spec in BINDINGS.items()}


def _check_clashes(keymap: Mapping[str, str]) -> None:
    """A moved key must not land on a key that another binding active with it has."""
    keys_of = effective_keys(keymap)
    for binding_id in keymap:
        scope = BINDINGS[binding_id].scope
        moved = set(keys_of[binding_id].split(",")) - set(BINDINGS[binding_id].keys.split(","))
        # Keys a binding keeps from its defaults met the others by design (f1 opens help,
        # and closes it); only a key moved onto must be free.
        for key in sorted(moved):
            for other, spec in BINDINGS.items():
                if other != binding_id and _scopes_meet(scope, spec.scope) and (
                        key in keys_of[other].split(",")):
                    raise KeymapProblem(f"keymap.{binding_id}",
                                        f"{key!r} is already the key of {other!r}; move that "
                                        "one too, or choose another key")


def first_key(keys: str) -> str:
    """The key shown for a binding with several (as the footer shows the first)."""
    return keys.split(",")[0]

