"""Form widgets shared by the patient (F3) and dose (F4) areas.

Each carries its own F1 help text, and every choice shows a symbol, not only a colour.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from typing import Any, ClassVar

from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Checkbox, Input, RadioButton, RadioSet, Static


def cursor_blink(screen: Screen[Any]) -> bool:
    """Tests and snapshots turn the wall-clock blink off so frames are stable."""
    return not getattr(screen.app, "cursor_blink_disabled", False)


def show_field_errors(screen: Screen[Any], local_errors: dict[str, str],
                      problems: dict[str, str], slots: dict[str, str]) -> None:
    """Under each field (`#<id>-error`): its own error in the Limit's words (✗), or else what
    the clinical layer said about it (⚠, `Results.problems` mapped by `slots`)."""
    by_slot: dict[str, list[str]] = {}
    for field, message in problems.items():
        if field in slots:
            by_slot.setdefault(slots[field], []).append(message)
    for widget in screen.query(".field-error").results(Static):
        field_id = (widget.id or "").removesuffix("-error")
        if field_id in local_errors:
            # The field's own error explains it; a follow-on problem would only repeat it.
            lines = [f"✗ {escape(local_errors[field_id])}"]
        else:
            lines = [f"⚠ {escape(message)}" for message in by_slot.get(field_id, [])]
        widget.update("\n".join(lines))
        widget.display = bool(lines)



def invalid_text(screen: Screen[Any], field_ids: Iterable[str],
                 errors: Mapping[str, str]) -> dict[str, str]:
    """Mark each field invalid or not; return the text of the invalid ones that hold any.

    Invalid text is never used, but it was typed: the consultation (and so the draft) keeps
    it, so a restore brings back exactly what the clinician saw.
    """
    typed: dict[str, str] = {}
    for field_id in field_ids:
        field = screen.query_one(f"#{field_id}", Input)
        field.set_class(field_id in errors, "-invalid")
        if field_id in errors and field.value.strip():
            typed[field_id] = field.value
    return typed


def typed_in(typed: Mapping[str, str], field_ids: Container[str]) -> dict[str, str]:
    """The consultation's kept invalid text that belongs to these fields."""
    return {k: v for k, v in typed.items() if k in field_ids}


def with_typed(typed: Mapping[str, str], field_ids: Container[str],
               new: Mapping[str, str]) -> dict[str, str]:
    """The consultation's kept invalid text, with these fields' replaced by `new`."""
    return {**{k: v for k, v in typed.items() if k not in field_ids}, **new}


def sync_as_typed(screen: Screen[Any], sync: Callable[[], None]) -> None:
    """Run `sync` the moment any field's text changes (a key, a paste, a restored draft).

    Input announces a change with a Changed message, handled after the next refresh has
    already drawn the typed digit: the figures it changes would follow one frame (~17 ms)
    later (issue #6: keystroke budget). A watcher on the value runs at once, after Input's
    own validation, so the digit and what it changes are drawn in the same frame. Screens
    then ignore FieldInput's Changed messages (see `typed_already`).
    """
    for field in screen.query(FieldInput):
        screen.watch(field, "value", lambda _value: sync(), init=False)


def typed_already(event: object) -> bool:
    """True for a Changed message `sync_as_typed` has already acted on."""
    return isinstance(event, Input.Changed) and isinstance(event.input, FieldInput)


FIELD_MAX_CHARS = 40
"""Longest text a form field takes (numbers; the patient reference has its own limit)."""


class FieldInput(Input):
    """An Input that carries its own F1 help text (read by the help screen)."""

    HELP: ClassVar[str] = "Type a value; Tab or Enter moves to the next field."

    def __init__(self, *, help_text: str, cursor_blink: bool = True, **kwargs: Any) -> None:
        # Not on blur: the screen also marks fields invalid (years *and* months given), and a
        # blur-time re-check by the validator alone would clear that mark.
        kwargs.setdefault("validate_on", ["changed", "submitted"])
        # A number needs a few characters; the limit keeps what a draft keeps of invalid
        # text within what a draft may hold (`magtui.consultation.TYPED_TEXT_MAX_CHARS`).
        kwargs.setdefault("max_length", FIELD_MAX_CHARS)
        super().__init__(**kwargs)
        self.HELP = help_text  # type: ignore[misc]
        self.cursor_blink = cursor_blink


class MarkedRadioButton(RadioButton):
    """● when chosen, blank when not: the choice is a symbol, not only a colour (NO_COLOR)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # the constant Textual reads
        return "●" if self.value else " "


class MarkedCheckbox(Checkbox):
    """X when ticked, blank when not (the stock checkbox differs only by colour)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "


class HelpRadioSet(RadioSet):
    HELP: ClassVar[str] = "Arrow keys move, Enter or Space chooses."

    def __init__(self, *buttons: RadioButton, help_text: str, **kwargs: Any) -> None:
        super().__init__(*buttons, **kwargs)
        self.HELP = help_text  # type: ignore[misc]

    def on_mount(self) -> None:
        # RadioSet's own mount handler puts the keyboard cursor on the first button; put it on
        # the chosen one instead, so Enter on a prefilled set does not silently change it.
        self.call_later(self._cursor_to_pressed)

    def _cursor_to_pressed(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index


class HelpCheckbox(MarkedCheckbox):
    HELP: ClassVar[str] = "Space or Enter toggles."

    def __init__(self, label: str, value: bool, *, help_text: str, **kwargs: Any) -> None:
        super().__init__(label, value, **kwargs)
        self.HELP = help_text  # type: ignore[misc]
