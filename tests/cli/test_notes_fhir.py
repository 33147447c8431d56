"""`magtui notes export ID --format fhir --to PATH` through `magtui.cli.main`: a new 0600 file
holding the validated FHIR R4B document, never an overwrite, the export's exit codes, and
fhir.resources imported for this format only."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from magtui.cli import main
from magtui.consultation import (
    Consultation,
    PatientInputs,
    consultation_note,
    evaluate_consultation,
)
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.notes.fhir import to_fhir_json
from magtui.notes.store import SavedNote, load_note, save_note

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 17, 15, 30, tzinfo=timezone(timedelta(hours=1)))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, out: str, err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert (code, out, len(lines)) == (2, "", 1), (code, out, err)
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def saved(kb: KnowledgeBase) -> SavedNote:
    """Scenario 1 of scenarios.md (creatinine 95 µmol/L, every red flag asked), saved."""
    consultation = Consultation(
        patient=PatientInputs(age_years=68, sex="female", creatinine=95,
                              creatinine_unit="umol/L"),
        states={**dict.fromkeys(("cramps_spasms", "eyelid_twitch", "ppi_long_term",
                                 "diuretic_loop_thiazide", "low_intake"), "present"),
                **dict.fromkeys(RED_FLAG_IDS, "absent")},
        patient_ref="clinic 4471", started_at=NOW - timedelta(minutes=10))
    note = consultation_note(kb, consultation, evaluate_consultation(kb, consultation), now=NOW)
    return save_note(note, now=NOW)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    return folder


def test_writes_a_new_private_file_holding_the_validated_document(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, out_dir: Path,
) -> None:
    target = out_dir / "note.fhir.json"
    old_umask = os.umask(0)  # the most permissive umask: 0600 must not depend on the shell
    try:
        code, out, err = run(capsys, "notes", "export", saved.note_id, "--format", "fhir",
                             "--to", str(target))
    finally:
        os.umask(old_umask)
    assert (code, err, out) == (0, "", f"{target}\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(out_dir) == [target.name], "no temporary file may be left behind"
    text = target.read_text(encoding="utf-8")
    # Built from the saved JSON twin, exactly as the library builds it.
    assert text == to_fhir_json(load_note(saved.note_id))
    bundle = Bundle.model_validate_json(text)
    assert bundle.type == "document"
    assert bundle.entry is not None
    assert bundle.entry[0].resource.get_resource_type() == "Composition"
    codes = {entry["resource"]["code"]["coding"][0]["code"]
             for entry in json.loads(text)["entry"]
             if entry["resource"]["resourceType"] == "Observation"}
    assert codes == {"14682-9", "98979-8"}
    assert "56.3" in text


def test_json_output_names_the_format_and_the_path(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, out_dir: Path,
) -> None:
    target = out_dir / "note.json"
    code, out, err = run(capsys, "notes", "export", saved.note_id, "--format", "fhir",
                         "--to", str(target), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"id": saved.note_id, "format": "fhir", "path": str(target)}


def test_two_exports_of_one_note_are_identical(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, out_dir: Path,
) -> None:
    first, second = out_dir / "a.json", out_dir / "b.json"
    for target in (first, second):
        assert run(capsys, "notes", "export", saved.note_id, "--format", "fhir",
                   "--to", str(target))[0] == 0
    assert first.read_bytes() == second.read_bytes()


def test_never_overwrites_an_existing_file(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, out_dir: Path,
) -> None:
    target = out_dir / "existing.json"
    target.write_bytes(b"someone else's record\n")
    before = (target.read_bytes(), target.stat().st_ino)
    line = one_line_error(*run(capsys, "notes", "export", saved.note_id, "--format", "fhir",
                               "--to", str(target)))
    assert "--to" in line and "exists" in line
    assert (target.read_bytes(), target.stat().st_ino) == before
    assert os.listdir(out_dir) == ["existing.json"]


@pytest.mark.parametrize("note_id", ["20991231-235959-abcdef", "not-an-id", "../../etc/passwd"])
def test_an_unknown_or_bad_id_exits_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, out_dir: Path, note_id: str,
) -> None:
    target = out_dir / "note.json"
    line = one_line_error(*run(capsys, "notes", "export", note_id, "--format", "fhir",
                               "--to", str(target)))
    assert "note" in line
    assert not target.exists()


def test_a_missing_folder_exits_2(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, tmp_path: Path,
) -> None:
    target = tmp_path / "no" / "such" / "note.json"
    line = one_line_error(*run(capsys, "notes", "export", saved.note_id, "--format", "fhir",
                               "--to", str(target)))
    assert "does not exist" in line


def test_a_note_that_is_not_valid_fhir_exits_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, out_dir: Path,
) -> None:
    # A saved note whose KB version is blank (hand-edited): a FHIR version needs a value.
    broken = save_note(saved.note.replace(kb_version="", note_id="", saved_at=None),
                       now=NOW + timedelta(seconds=1))
    target = out_dir / "note.json"
    line = one_line_error(*run(capsys, "notes", "export", broken.note_id, "--format", "fhir",
                               "--to", str(target)))
    assert line.startswith("magtui: note: ") and "not valid FHIR" in line
    assert os.listdir(out_dir) == []


def _loads_fhir(*argv: str) -> bool:
    """Run the CLI in a fresh interpreter; True when it imported the fhir package."""
    code = (
        "import sys, io, contextlib\n"
        "from magtui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main({list(argv)!r}) == 0\n"
        "print(any(m == 'fhir' or m.startswith('fhir.') for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=REPO, stdin=subprocess.DEVNULL,
                            env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() == "True"


def test_fhir_resources_is_imported_for_the_fhir_format_only(
    saved: SavedNote, out_dir: Path,
) -> None:
    assert not _loads_fhir("notes", "list")
    assert not _loads_fhir("notes", "export", saved.note_id, "--to", str(out_dir / "n.md"))
    assert not _loads_fhir("serum", "--value", "0.6", "--unit", "mmol/L", "--json")
    assert _loads_fhir("notes", "export", saved.note_id, "--format", "fhir",
                       "--to", str(out_dir / "n.json"))
