"""The plain note values and the pydantic schema of note files agree, field for field and
byte for byte; and building, rendering and saving a note never loads pydantic."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import load_kb
from magtui.notes import schema, session
from magtui.notes.render import from_json, to_json
from magtui.notes.session import SessionNote
from magtui.values import REQUIRED


def _schema_models() -> list[type[schema.NoteModel]]:
    return [m for m in vars(schema).values() if isinstance(m, type)
            and issubclass(m, schema.NoteModel) and m is not schema.NoteModel]


@pytest.mark.parametrize("model", _schema_models(), ids=lambda m: m.__name__)
def test_every_schema_model_mirrors_its_value(model: type[schema.NoteModel]) -> None:
    value = model.RECORD
    assert value is getattr(session, model.__name__)
    assert tuple(model.model_fields) == value.FIELDS  # same names, same order
    for name, info in model.model_fields.items():
        if info.is_required():
            assert value.DEFAULTS[name] is REQUIRED, f"{model.__name__}.{name}"
        else:
            default = info.get_default(call_default_factory=True)
            if isinstance(default, schema.NoteModel):
                default = default.to_record()
            assert value.DEFAULTS[name] == default, f"{model.__name__}.{name}"


def _notes(sample_note: SessionNote, hand_note: SessionNote) -> list[SessionNote]:
    saved = sample_note.replace(note_id="20261125-171530-a1b2c3",
                                saved_at=datetime(2026, 11, 25, 16, 15, 30, 250000, tzinfo=UTC))
    return [sample_note, hand_note, saved]


def test_json_is_exactly_what_the_schema_writes(
    sample_note: SessionNote, hand_note: SessionNote
) -> None:
    """Our JSON and pydantic's JSON of the same note are the same text (UTC as `Z`, floats
    as floats, UTF-8 unescaped), so files read the same whichever wrote them."""
    for note in _notes(sample_note, hand_note):
        ours = to_json(note)
        theirs = schema.SessionNote.model_validate(json.loads(ours)).model_dump_json(indent=2)
        # pydantic writes compact separators only when indent is None; with indent both
        # write ", " / ": " — compare the parsed data and the text alike.
        assert json.loads(ours) == json.loads(theirs)
        assert ours == json.dumps(json.loads(theirs), indent=2, ensure_ascii=False) + "\n"
        assert from_json(ours) == note


def test_whole_numbers_in_float_fields_are_written_as_floats(hand_note: SessionNote) -> None:
    patient = hand_note.patient.replace(age_years=79)
    assert isinstance(patient.age_years, float)
    assert json.loads(to_json(hand_note.replace(patient=patient)))["patient"]["age_years"] == 79.0
    assert '"age_years": 79.0' in to_json(hand_note.replace(patient=patient))


def test_findings_cannot_be_changed_in_place(sample_note: SessionNote) -> None:
    with pytest.raises(TypeError):
        sample_note.findings["cramps_spasms"] = sample_note.findings["cramps_spasms"]  # type: ignore[index]


def test_building_rendering_and_saving_never_load_pydantic(
    kb_or_skip: KnowledgeBase, tmp_path: Path
) -> None:
    """What the TUI does with notes (preview, save) runs without pydantic; reading a note
    file back (the CLI's `notes show`) is what loads the schema."""
    load_kb()  # fills this test's KB cache, so the child starts as a cached start does
    code = (
        "import sys\n"
        "from magtui.knowledge.loader import load_kb\n"
        "from magtui.notes.build import build_note\n"
        "from magtui.notes.render import to_markdown, to_json\n"
        "from magtui.notes.store import save_note, load_note\n"
        "note = build_note(load_kb(), clinician_text='x', patient_ref='A-1')\n"
        "to_markdown(note); to_json(note)\n"
        f"saved = save_note(note, {str(tmp_path)!r})\n"
        "print('pydantic' in sys.modules)\n"
        "assert load_note(saved.note_id, " + repr(str(tmp_path)) + ") == saved.note\n"
        "print('pydantic' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "True"]
