"""The pydantic schema of a saved note's JSON: what a note file read back must satisfy.

magtui builds notes as plain values (`magtui.notes.session`); a note file read from disk
(`notes show`, `notes list`, `notes export`) is untrusted input and is validated here first,
then handed on as those values (`to_record`).

Each model is derived from the value of the same name (`_derive`), so a field is written once,
in `magtui.notes.session`: its name, order, type and default are the value's, with

- a nested note value validated by its own derived model;
- `datetime` as `AwareDatetime` (every date and time in a note carries its time zone);
- `Mapping` as `dict`, its default given fresh (`default_factory`);
- the value's `NOT_NEGATIVE` fields declared `ge=0`;
- the value's other checks added as validators (`_CHECKS`), calling the same functions.

`tests/notes/test_note_schema.py` checks that the two agree.
"""

from __future__ import annotations

import functools
import operator
import types
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from magtui.notes import session
from magtui.notes.session import (
    NoteValue,
    check_clinician_text,
    check_note_id_form,
    check_patient_ref,
    check_saved_together,
    check_typed_text,
)
from magtui.values import REQUIRED, Value


class NoteModel(BaseModel):
    # extra="forbid": a misspelt key in a hand-edited or newer note must not pass silently.
    # allow_inf_nan=False: JSON has no NaN/Infinity, so they could not round-trip.
    # defer_build: validators are built when a note is first read, not at import time.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              defer_build=True)
    RECORD: ClassVar[type[Value]] = Value

    def to_record(self) -> Any:
        """The plain note value of this validated document (nested models converted too)."""
        return self.RECORD(**{name: _value(getattr(self, name))
                              for name in type(self).model_fields})


def _value(value: object) -> object:
    if isinstance(value, NoteModel):
        return value.to_record()
    if isinstance(value, tuple):
        return tuple(_value(item) for item in value)
    if isinstance(value, dict):
        return {key: _value(item) for key, item in value.items()}
    return value


# ----------------------------------------------------------------------------- checks
# What a value checks in its `__init__` beyond its fields' types, as pydantic validators:
# the same functions, so a file read back obeys exactly the rules a note built by magtui does.
# (Finite numbers are `allow_inf_nan=False`; `NOT_NEGATIVE` is `ge=0`.)


def _short_reference(cls: type[NoteModel], value: str | None) -> str | None:
    return check_patient_ref(value)


def _encodable(cls: type[NoteModel], value: str) -> str:
    return check_clinician_text(value)


def _note_id_format(cls: type[NoteModel], value: str) -> str:
    return check_note_id_form(value)


def _typed_text(cls: type[NoteModel], value: str) -> str:
    return check_typed_text(value)


def _saved_together(note: Any) -> Any:
    check_saved_together(note.note_id, note.saved_at)
    return note


_CHECKS: dict[type[NoteValue], dict[str, Any]] = {
    session.SessionNote: {
        "_short_reference": field_validator("patient_ref")(_short_reference),
        "_encodable": field_validator("clinician_text")(_encodable),
        "_note_id_format": field_validator("note_id")(_note_id_format),
        "_saved_together": model_validator(mode="after")(_saved_together),
    },
    session.NotAcceptedRecord: {
        "_typed_text": field_validator("text")(_typed_text),
    },
}


# ----------------------------------------------------------------------------- derivation


_MODELS: dict[type[NoteValue], type[NoteModel]] = {}
"""Each value's derived model, made once: a nested value's model is the one of its name."""


def _derive(value: type[NoteValue]) -> type[NoteModel]:
    """The pydantic model of a note value: its fields, in order, as described above."""
    if value in _MODELS:
        return _MODELS[value]
    hints = get_type_hints(value)
    fields: dict[str, Any] = {name: _field(value, name, hints[name]) for name in value.FIELDS}
    _MODELS[value] = create_model(
        value.__name__,
        __base__=NoteModel,
        __module__=__name__,
        __doc__=value.__doc__,
        __validators__=_CHECKS.get(value),
        __namespace__={"RECORD": value},
        **fields,
    )
    return _MODELS[value]


def _field(value: type[NoteValue], name: str, hint: Any) -> tuple[Any, Any]:
    """(type, default and constraints) of one field of the derived model."""
    schema_type = _schema_type(hint)
    default = value.DEFAULTS[name]
    constraints: dict[str, Any] = {"ge": 0} if name in value.NOT_NEGATIVE else {}
    if default is REQUIRED:
        return schema_type, Field(**constraints)
    if isinstance(default, NoteValue):
        # A nested value's default, validated only when first used (defer_build).
        model, data = _derive(type(default)), default.as_dict()
        return schema_type, Field(default_factory=lambda: model.model_validate(data))
    if isinstance(default, Mapping):  # a read-only mapping in the value, a dict here
        return schema_type, Field(default_factory=lambda: dict(default), **constraints)
    return schema_type, Field(default=default, **constraints)


def _schema_type(hint: Any) -> Any:
    """The type pydantic validates a field's JSON against."""
    if isinstance(hint, type) and issubclass(hint, NoteValue):
        return _derive(hint)
    if hint is datetime:
        return AwareDatetime
    origin, args = get_origin(hint), get_args(hint)
    if origin is None or origin is Literal:
        return hint
    mapped = tuple(_schema_type(arg) for arg in args)
    if origin is Union or origin is types.UnionType:
        return functools.reduce(operator.or_, mapped)
    if origin is Mapping:
        return types.GenericAlias(dict, mapped)
    return origin[mapped]


# ----------------------------------------------------------------------------- models

KidneyRecord = _derive(session.KidneyRecord)
PatientRecord = _derive(session.PatientRecord)
FindingRecord = _derive(session.FindingRecord)
ExplanationRecord = _derive(session.ExplanationRecord)
AdviceRecord = _derive(session.AdviceRecord)
ContextReason = _derive(session.ContextReason)
ReferralRecord = _derive(session.ReferralRecord)
InteractionRecord = _derive(session.InteractionRecord)
IntakeRecord = _derive(session.IntakeRecord)
DoseWarningRecord = _derive(session.DoseWarningRecord)
DoseRecord = _derive(session.DoseRecord)
SerumRecord = _derive(session.SerumRecord)
NotAcceptedRecord = _derive(session.NotAcceptedRecord)
SourceRecord = _derive(session.SourceRecord)
SessionNote = _derive(session.SessionNote)
"""One consultation as a note file holds it; `SessionNote.model_validate(data).to_record()`."""
