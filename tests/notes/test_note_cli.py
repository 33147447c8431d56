"""`magtui notes list | show | export` through `magtui.cli.main`, on notes built from real
clinical results: newest first, exact JSON round trip, exports that are new 0600 files and
never overwrite, and bad ids refused with one line (exit 2), never a traceback."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from magtui.cli import main
from magtui.knowledge.base import KnowledgeBase
from magtui.notes.render import from_json
from magtui.notes.session import SessionNote
from magtui.notes.store import SavedNote, save_note


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str, *needles: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (code, out, err)
    assert len(lines) == 1, lines
    assert "Traceback" not in out + err
    assert out == "", "nothing may be printed on stdout for bad input"
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def triage_note(
    kb: KnowledgeBase, *, present: list[str], patient_ref: str, now: datetime,
    clinician_text: str = "",
) -> SessionNote:
    """A note from a real triage of `present` (every other red flag asked and absent)."""
    from magtui.clinical.triage import evaluate, finding_states
    from magtui.knowledge.vocabulary import RED_FLAG_IDS
    from magtui.notes.build import NoteResults, build_note

    states = finding_states(kb, present, [f for f in RED_FLAG_IDS if f not in present])
    return build_note(kb, NoteResults(triage=evaluate(kb, states)), patient_ref=patient_ref,
                      clinician_text=clinician_text, started_at=now - timedelta(minutes=9),
                      now=now)


@pytest.fixture
def notes_folder(tmp_path: Path) -> Path:
    # tests/conftest.py points MAGTUI_NOTES_DIR here for every test.
    return tmp_path / "notes"


@pytest.fixture
def saved(
    kb_or_skip: KnowledgeBase, scenario_1: Callable[..., SessionNote], now: datetime,
    notes_folder: Path,
) -> SavedNote:
    """Scenario 1 (real eGFR, triage, intake and dose results), saved in the notes folder."""
    return save_note(scenario_1(kb_or_skip), now=now)


@pytest.fixture
def umask_000() -> Iterator[None]:
    # The most permissive umask: 0600 must not depend on a careful shell.
    old = os.umask(0)
    yield
    os.umask(old)


# notes list --------------------------------------------------------------------------------


def test_list_is_newest_first_with_time_reference_and_urgency(
    capsys: pytest.CaptureFixture[str], kb_or_skip: KnowledgeBase, now: datetime
) -> None:
    # Saved out of order, each at its own time, with different urgencies.
    plan = [
        (now, ["cramps_spasms"], "ref middle", "SELF-CARE"),
        (now + timedelta(hours=1), ["seizure"], "ref newest", "EMERGENCY"),
        (now - timedelta(days=1), ["muscle_wasting"], "ref oldest", "URGENT"),
    ]
    ids = {}
    for moment, present, ref, _ in plan:
        note = triage_note(kb_or_skip, present=present, patient_ref=ref, now=moment)
        ids[ref] = save_note(note, now=moment).note_id
    newest_first = sorted(plan, key=lambda p: p[0], reverse=True)

    code, out, err = run(capsys, "notes", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 3
    for line, (moment, _, ref, urgency) in zip(lines, newest_first, strict=True):
        assert line.startswith(ids[ref])
        assert f"{moment:%Y-%m-%d %H:%M}" in line
        assert ref in line
        assert line.rstrip().endswith(urgency)
        assert "so far" not in line  # every red flag was asked: a settled result

    code, out, err = run(capsys, "notes", "list", "--json")
    assert (code, err) == (0, "")
    listed = json.loads(out)["notes"]
    assert [n["id"] for n in listed] == [ids[p[2]] for p in newest_first]
    for entry, (moment, _, ref, urgency) in zip(listed, newest_first, strict=True):
        assert datetime.fromisoformat(entry["saved_at"]) == moment
        assert entry["patient_ref"] == ref
        assert entry["urgency"] == urgency.lower().replace("-", "_")
        assert entry["provisional"] is False
        assert entry["problem"] is None


def test_list_says_so_far_for_a_provisional_note(
    capsys: pytest.CaptureFixture[str], kb_or_skip: KnowledgeBase, now: datetime
) -> None:
    from magtui.clinical.triage import evaluate, finding_states
    from magtui.notes.build import NoteResults, build_note

    # Nothing asked at all: red flags unknown, so the level was only "so far SELF-CARE".
    triage = evaluate(kb_or_skip, finding_states(kb_or_skip))
    note = build_note(kb_or_skip, NoteResults(triage=triage),
                      patient_ref="ref", started_at=now - timedelta(minutes=1), now=now)
    save_note(note, now=now)
    code, out, _ = run(capsys, "notes", "list")
    assert code == 0 and out.rstrip().endswith("so far SELF-CARE")
    listed = json.loads(run(capsys, "notes", "list", "--json")[1])["notes"]
    assert listed[0]["provisional"] is True and listed[0]["urgency"] == "self_care"


def test_list_of_no_notes(capsys: pytest.CaptureFixture[str], notes_folder: Path) -> None:
    code, out, err = run(capsys, "notes", "list")
    assert (code, err) == (0, "")
    assert out.startswith("no saved notes")
    assert json.loads(run(capsys, "notes", "list", "--json")[1]) == {"notes": []}
    assert not notes_folder.exists(), "listing must not create the folder"


def test_list_shows_an_unreadable_note_after_the_good_ones(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, notes_folder: Path
) -> None:
    broken = notes_folder / "20270101-000000-abcdef.json"
    broken.write_text("{not json", encoding="utf-8")
    code, out, _ = run(capsys, "notes", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(saved.note_id)
    assert lines[1].startswith("20270101-000000-abcdef") and "unreadable" in lines[1]
    listed = json.loads(run(capsys, "notes", "list", "--json")[1])["notes"]
    assert [n["id"] for n in listed] == [saved.note_id, "20270101-000000-abcdef"]
    assert listed[1]["saved_at"] is None and "not valid JSON" in listed[1]["problem"]


# notes show --------------------------------------------------------------------------------


def test_show_prints_the_saved_markdown(
    capsys: pytest.CaptureFixture[str], saved: SavedNote
) -> None:
    code, out, err = run(capsys, "notes", "show", saved.note_id)
    assert (code, err) == (0, "")
    assert out == saved.markdown_path.read_text(encoding="utf-8")


def test_show_json_is_the_saved_json_twin_and_round_trips(
    capsys: pytest.CaptureFixture[str], saved: SavedNote
) -> None:
    code, out, err = run(capsys, "notes", "show", saved.note_id, "--json")
    assert (code, err) == (0, "")
    assert out == saved.json_path.read_text(encoding="utf-8")
    assert isinstance(json.loads(out), dict)  # exactly one JSON object
    assert from_json(out) == saved.note


# notes export ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "suffix"), [("md", "md"), ("json", "json"), (None, "md")])
def test_export_writes_a_new_private_file_with_the_saved_content(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, tmp_path: Path,
    umask_000: None, fmt: str | None, suffix: str,
) -> None:
    out_dir = tmp_path / "export"
    out_dir.mkdir()
    target = out_dir / f"note.{suffix}"
    argv = ["notes", "export", saved.note_id, "--to", str(target)]
    if fmt is not None:
        argv += ["--format", fmt]
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert out == f"{target}\n"
    source = saved.markdown_path if suffix == "md" else saved.json_path
    assert target.read_bytes() == source.read_bytes()
    assert _mode(target) == 0o600
    assert os.listdir(out_dir) == [target.name], "no temporary file may be left behind"
    if suffix == "json":
        assert from_json(target.read_bytes()) == saved.note


def test_export_json_output_and_relative_path(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "notes", "export", saved.note_id, "--to", "rel.json",
                         "--format", "json", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"id": saved.note_id, "format": "json",
                               "path": str(tmp_path / "rel.json")}
    assert (tmp_path / "rel.json").read_bytes() == saved.json_path.read_bytes()


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_export_never_overwrites_an_existing_file(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, tmp_path: Path, fmt: str
) -> None:
    out_dir = tmp_path / "export"
    out_dir.mkdir()
    target = out_dir / "existing.txt"
    target.write_bytes(b"someone else's record\n")
    target.chmod(0o644)
    before = (target.read_bytes(), _mode(target), target.stat().st_ino)
    code, out, err = run(capsys, "notes", "export", saved.note_id, "--to", str(target),
                         "--format", fmt)
    line = assert_one_line_error(code, out, err, "--to", str(target))
    assert "exists" in line
    assert (target.read_bytes(), _mode(target), target.stat().st_ino) == before
    assert os.listdir(out_dir) == ["existing.txt"], "no temporary file may be left behind"


def test_export_never_writes_through_a_symlink(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, tmp_path: Path
) -> None:
    # A dangling symlink is an existing name: following it would write somewhere else.
    elsewhere = tmp_path / "elsewhere.md"
    link = tmp_path / "link.md"
    link.symlink_to(elsewhere)
    code, out, err = run(capsys, "notes", "export", saved.note_id, "--to", str(link))
    assert_one_line_error(code, out, err, "--to")
    assert link.is_symlink() and not elsewhere.exists()


def test_export_into_an_existing_folder_path_is_refused(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, tmp_path: Path
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for to in (str(folder), f"{folder}/", ""):
        code, out, err = run(capsys, "notes", "export", saved.note_id, "--to", to)
        assert_one_line_error(code, out, err, "--to")
    assert os.listdir(folder) == []


def test_export_to_a_missing_folder_names_to(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "folder" / "note.md"
    code, out, err = run(capsys, "notes", "export", saved.note_id, "--to", str(target))
    line = assert_one_line_error(code, out, err, "--to")
    assert "does not exist" in line
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("bad_id", [
    "../../etc/passwd",
    "../notes/{id}",
    "{id}/../{id}",
    "20991231-235959-abcdef",  # well formed, but no such note
    "not-an-id",
    "",
    "{id}.json",
    "x\x1b[31mred\nsecond line",
])
@pytest.mark.parametrize("command", ["show", "show --json", "export", "export --json"])
def test_bad_or_unknown_ids_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, tmp_path: Path,
    bad_id: str, command: str,
) -> None:
    note_id = bad_id.format(id=saved.note_id)
    action, *flags = command.split()
    target = tmp_path / "export.md"
    argv = ["notes", action, note_id, *flags]
    if action == "export":
        argv += ["--to", str(target)]
    code, out, err = run(capsys, *argv)
    line = assert_one_line_error(code, out, err, "note")
    assert "\x1b" not in line, "control characters from the id must not reach the terminal"
    assert not target.exists(), "nothing may be written for a bad id"


def test_export_argument_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], saved: SavedNote, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "notes", "export", saved.note_id)
    assert_one_line_error(code, out, err, "--to")
    code, out, err = run(capsys, "notes", "export", saved.note_id, "--to",
                         str(tmp_path / "x.pdf"), "--format", "pdf")
    assert_one_line_error(code, out, err, "--format")
    assert not (tmp_path / "x.pdf").exists()
