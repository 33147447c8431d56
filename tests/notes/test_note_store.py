"""Saving is atomic and never overwrites; errors leave nothing behind; drafts are never lost."""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from magtui.notes import store
from magtui.notes.errors import (
    DraftCorrupt,
    NoteError,
    NoteFormatError,
    NoteNotFound,
    NoteSaveError,
)
from magtui.notes.render import from_json, to_json, to_markdown
from magtui.notes.session import NOTE_ID_RE, SessionNote
from magtui.notes.store import (
    discard_draft,
    list_notes,
    load_draft,
    load_note,
    notes_dir,
    save_draft,
    save_note,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _files(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "notes"


@pytest.fixture
def umask_000() -> Iterator[None]:
    # The most permissive umask: the 0600/0700 modes must not depend on a careful shell.
    old = os.umask(0)
    yield
    os.umask(old)


# Where notes go --------------------------------------------------------------------------


def test_notes_dir_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAGTUI_NOTES_DIR", str(tmp_path / "elsewhere"))
    assert notes_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("MAGTUI_NOTES_DIR")
    assert notes_dir().parts[-2:] == ("magtui", "notes")


def test_default_folder_is_the_environments(
    sample_note: SessionNote, tmp_path: Path
) -> None:
    # The suite's autouse fixture points MAGTUI_NOTES_DIR at tmp_path / "notes".
    saved = save_note(sample_note)
    assert saved.json_path.parent == tmp_path / "notes"
    assert [n.note_id for n in list_notes()] == [saved.note_id]


# Saving ----------------------------------------------------------------------------------


def test_save_creates_private_files_in_a_private_folder(
    sample_note: SessionNote, folder: Path, umask_000: None, now: datetime
) -> None:
    saved = save_note(sample_note, folder, now=now)
    assert _mode(folder) == 0o700
    assert _mode(saved.markdown_path) == 0o600
    assert _mode(saved.json_path) == 0o600
    assert NOTE_ID_RE.match(saved.note_id)
    assert saved.note_id.startswith("20261125-171530-")
    assert _files(folder) == sorted([f"{saved.note_id}.md", f"{saved.note_id}.json"])
    assert saved.markdown_path.read_text(encoding="utf-8") == to_markdown(saved.note)
    assert saved.json_path.read_text(encoding="utf-8") == to_json(saved.note)
    assert (saved.note.note_id, saved.note.saved_at) == (saved.note_id, now)
    assert f"- Note: {saved.note_id}" in saved.markdown_path.read_text(encoding="utf-8")


def test_an_existing_folder_keeps_its_mode(
    sample_note: SessionNote, folder: Path
) -> None:
    # Documented decision: only a folder magtui creates is made 0700.
    folder.mkdir(mode=0o750)
    os.chmod(folder, 0o750)
    saved = save_note(sample_note, folder)
    assert _mode(folder) == 0o750
    assert _mode(saved.json_path) == 0o600


def test_saving_twice_never_overwrites(
    sample_note: SessionNote, folder: Path, now: datetime
) -> None:
    first = save_note(sample_note, folder, now=now)
    before = first.json_path.read_bytes(), first.markdown_path.read_bytes()
    second = save_note(sample_note, folder, now=now)
    assert first.note_id != second.note_id
    assert (first.json_path.read_bytes(), first.markdown_path.read_bytes()) == before
    assert {n.note_id for n in list_notes(folder)} == {first.note_id, second.note_id}
    assert load_note(first.note_id, folder) == first.note


def test_a_saved_note_holds_the_same_note_built_later_but_not_a_changed_one(
    sample_note: SessionNote, folder: Path, now: datetime
) -> None:
    # What the TUI asks before a save (issue 13): would this note record anything new?
    saved = save_note(sample_note, folder, now=now)
    later = now + timedelta(minutes=3)
    rebuilt = sample_note.replace(updated_at=later)  # built again, nothing else changed
    assert saved.holds(rebuilt) and saved.holds(sample_note)
    assert saved.holds(saved.note)  # a note holds itself, id and save time included
    assert {"note_id", "saved_at", "updated_at"} == store.SAVE_STAMPS
    # Anything else the note records is a change, however small.
    for change in ({"clinician_text": sample_note.clinician_text + "."},
                   {"patient_ref": "other ref"},
                   {"started_at": sample_note.started_at - timedelta(seconds=1)},
                   {"cautions_shown": (*sample_note.cautions_shown, "a new caution")}):
        assert not saved.holds(rebuilt.replace(**change)), change
    # Read back from its file, the note still holds the same content.
    assert saved.holds(load_note(saved.note_id, folder).replace(note_id="", saved_at=None))


def test_a_taken_id_is_never_reused(
    sample_note: SessionNote, folder: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    suffixes = iter(["aaaaaa", "aaaaaa", "aaaaaa", "bbbbbb"])
    monkeypatch.setattr(store, "_random_suffix", lambda: next(suffixes))
    first = save_note(sample_note, folder, now=now)
    before = first.json_path.read_bytes()
    other = sample_note.replace(clinician_text="later")
    second = save_note(other, folder, now=now)
    assert (first.note_id, second.note_id) == ("20261125-171530-aaaaaa", "20261125-171530-bbbbbb")
    assert first.json_path.read_bytes() == before
    assert load_note(second.note_id, folder).clinician_text == "later"
    assert len(_files(folder)) == 4


def test_a_half_taken_id_is_left_alone(
    sample_note: SessionNote, folder: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone else's JSON under the id we drew: our Markdown is withdrawn, theirs untouched.
    folder.mkdir()
    foreign = folder / "20261125-171530-aaaaaa.json"
    foreign.write_text("not ours")
    suffixes = iter(["aaaaaa", "cccccc"])
    monkeypatch.setattr(store, "_random_suffix", lambda: next(suffixes))
    saved = save_note(sample_note, folder, now=now)
    assert saved.note_id.endswith("cccccc")
    assert foreign.read_text() == "not ours"
    assert not (folder / "20261125-171530-aaaaaa.md").exists()


def test_no_free_id_is_an_error_not_an_overwrite(
    sample_note: SessionNote, folder: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_random_suffix", lambda: "abcdef")
    first = save_note(sample_note, folder, now=now)
    with pytest.raises(NoteSaveError, match="no free note id"):
        save_note(sample_note, folder, now=now)
    assert _files(folder) == sorted([f"{first.note_id}.md", f"{first.note_id}.json"])


def test_many_saves_in_a_tight_loop_all_survive(
    sample_note: SessionNote, folder: Path, now: datetime
) -> None:
    ids = [save_note(sample_note, folder, now=now).note_id for _ in range(300)]
    assert len(set(ids)) == 300
    listed = list_notes(folder)
    assert {n.note_id for n in listed} == set(ids)
    assert all(n.problem is None for n in listed)
    assert len(_files(folder)) == 600  # no temporary files left


def test_concurrent_saves_all_survive(
    sample_note: SessionNote, folder: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Few suffixes, many writers: ids collide constantly and each must still be unique.
    import random

    monkeypatch.setattr(store, "_random_suffix", lambda: random.choice(["a" * 6, "b" * 6] +
                                                                        [f"{i:06x}" for i in
                                                                         range(40)]))
    saved: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        for _ in range(5):
            try:
                saved.append(save_note(sample_note, folder, now=now).note_id)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [e for e in errors if not isinstance(e, NoteSaveError)]
    assert len(saved) == len(set(saved))
    assert {n.note_id for n in list_notes(folder)} == set(saved)
    assert len(_files(folder)) == 2 * len(saved)


def test_file_systems_without_hard_links_still_never_overwrite(
    sample_note: SessionNote, folder: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FAT and some network shares refuse hard links: exclusive creation takes over.
    def no_links(src: Any, dst: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    suffixes = iter(["aaaaaa", "aaaaaa", "bbbbbb"])
    monkeypatch.setattr(store, "_random_suffix", lambda: next(suffixes))
    first = save_note(sample_note, folder, now=now)
    before = first.json_path.read_bytes()
    second = save_note(sample_note, folder, now=now)
    assert second.note_id.endswith("bbbbbb") and first.json_path.read_bytes() == before
    assert _mode(second.json_path) == 0o600
    assert len(_files(folder)) == 4
    assert load_note(second.note_id, folder) == second.note


def test_save_needs_an_aware_time(sample_note: SessionNote, folder: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        save_note(sample_note, folder, now=datetime(2026, 11, 25, 17, 0))
    assert not folder.exists()


# Failures leave nothing behind -----------------------------------------------------------


def _fail_on_call(
    monkeypatch: pytest.MonkeyPatch, name: str, call: int, error: int = errno.ENOSPC
) -> None:
    real: Callable[..., Any] = getattr(os, name)
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == call:
            raise OSError(error, os.strerror(error))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, flaky)


def _count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> dict[str, int]:
    real: Callable[..., Any] = getattr(os, name)
    calls = {"n": 0}

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, counting)
    return calls


@pytest.mark.parametrize("name", ["write", "fsync", "link", "open"])
def test_a_failure_at_any_step_leaves_no_partial_note(
    sample_note: SessionNote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    with monkeypatch.context() as patch:
        counter = _count_calls(patch, name)
        save_note(sample_note, tmp_path / "count")
    assert counter["n"] >= 2
    for call in range(1, counter["n"] + 1):
        folder = tmp_path / f"{name}-{call}"
        folder.mkdir()
        earlier = save_note(sample_note, folder)
        with monkeypatch.context() as patch:
            _fail_on_call(patch, name, call)
            with pytest.raises(NoteSaveError) as caught:
                save_note(sample_note, folder)
        message = str(caught.value)
        assert "\n" not in message and str(folder) in message
        assert "no space left on the device" in message
        # Only the earlier note: no temp file, no Markdown without its JSON.
        assert _files(folder) == sorted([f"{earlier.note_id}.md", f"{earlier.note_id}.json"])


def test_enospc_on_write_names_the_path(
    sample_note: SessionNote, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder.mkdir()

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(NoteSaveError, match=r"could not save the note to .*\.md: no space left"):
        save_note(sample_note, folder)
    assert _files(folder) == []


def test_read_only_folder_by_injected_permission_error(
    sample_note: SessionNote, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests often run as root, where chmod does not stop writes: refuse the create instead.
    folder.mkdir()
    real_open = os.open

    def refuse(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(NoteSaveError, match="permission denied") as caught:
        save_note(sample_note, folder)
    assert str(folder) in str(caught.value)
    assert _files(folder) == []


def test_read_only_file_system(
    sample_note: SessionNote, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on_call(monkeypatch, "open", 1, errno.EROFS)
    folder.mkdir()
    with pytest.raises(NoteSaveError, match="read-only file system"):
        save_note(sample_note, folder)
    assert _files(folder) == []


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: chmod 0500 does not stop root writing (see the injected variant)",
)
def test_read_only_folder_for_real(sample_note: SessionNote, folder: Path) -> None:
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        with pytest.raises(NoteSaveError, match="permission denied"):
            save_note(sample_note, folder)
        assert _files(folder) == []
    finally:
        os.chmod(folder, 0o700)


def test_folder_that_cannot_be_created(sample_note: SessionNote, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(NoteSaveError) as caught:
        save_note(sample_note, blocker / "notes")
    assert str(blocker) in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(NoteSaveError, match="not a folder"):
        save_note(sample_note, blocker)


# Listing and loading ---------------------------------------------------------------------


def test_list_is_newest_first_and_survives_bad_files(
    sample_note: SessionNote, folder: Path, now: datetime
) -> None:
    times = [now, now + timedelta(hours=2), now + timedelta(minutes=5)]
    ids = [save_note(sample_note, folder, now=t).note_id for t in times]
    (folder / "20200101-000000-000000.json").write_text("{ truncated")
    (folder / "20200101-000000-000001.json").write_bytes(b"\xff\xfe")
    (folder / "draft.json").write_text(to_json(sample_note))
    (folder / "notes.txt").write_text("ignored")
    (folder / "x.json").write_text("ignored too")
    listed = list_notes(folder)
    good = [n for n in listed if n.problem is None]
    bad = [n for n in listed if n.problem is not None]
    assert [n.note_id for n in good] == [ids[1], ids[2], ids[0]]
    assert {n.note_id for n in bad} == {"20200101-000000-000000", "20200101-000000-000001"}
    assert listed[-len(bad):] == bad
    assert all(str(folder) in (n.problem or "") for n in bad)
    assert good[0].patient_ref == sample_note.patient_ref
    assert good[0].urgency == (sample_note.referral.urgency if sample_note.referral else None)
    assert good[0].path.suffix == ".md" and good[0].path.exists()


def test_list_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert list_notes(tmp_path / "never-created") == []
    assert not (tmp_path / "never-created").exists()


def test_load_round_trips(sample_note: SessionNote, folder: Path) -> None:
    saved = save_note(sample_note, folder)
    assert load_note(saved.note_id, folder) == saved.note
    assert load_note(f"  {saved.note_id}\n", folder) == saved.note


@pytest.mark.parametrize("bad_id", [
    "../x", "../../etc/passwd", "20261125-171530-a1b2c3/../../x", "/etc/passwd", "",
    "20261125-171530-A1B2C3", "20261125-171530-a1b2c3.json", "..", "draft",
])
def test_load_rejects_ids_that_are_not_note_ids(
    sample_note: SessionNote, tmp_path: Path, bad_id: str
) -> None:
    (tmp_path / "x.json").write_text(to_json(sample_note))  # bait outside the folder
    folder = tmp_path / "notes"
    folder.mkdir()
    with pytest.raises(NoteError, match="is not a note id") as caught:
        load_note(bad_id, folder)
    assert not isinstance(caught.value, NoteNotFound)


def test_load_unknown_and_corrupt(sample_note: SessionNote, folder: Path) -> None:
    folder.mkdir()
    with pytest.raises(NoteNotFound, match="no saved note 20261125-171530-a1b2c3"):
        load_note("20261125-171530-a1b2c3", folder)
    broken = folder / "20261125-171530-a1b2c3.json"
    broken.write_text('{"schema_version": 1}')
    with pytest.raises(NoteFormatError) as caught:
        load_note("20261125-171530-a1b2c3", folder)
    assert str(broken) in str(caught.value) and "\n" not in str(caught.value)
    # A valid note filed under another id is not passed off as this one.
    saved = save_note(sample_note, folder)
    os.replace(saved.json_path, broken)
    with pytest.raises(NoteFormatError, match="holds note"):
        load_note("20261125-171530-a1b2c3", folder)


# Drafts ----------------------------------------------------------------------------------


def test_draft_round_trip_and_discard(
    sample_note: SessionNote, folder: Path, umask_000: None
) -> None:
    assert load_draft(from_json, folder) is None
    path = save_draft(to_json(sample_note), folder)
    assert path == folder / "draft.json"
    assert _mode(path) == 0o600 and _mode(folder) == 0o700
    assert load_draft(from_json, folder) == sample_note
    changed = sample_note.replace(clinician_text="more")
    save_draft(to_json(changed), folder)
    assert load_draft(from_json, folder) == changed
    assert _files(folder) == ["draft.json"]
    assert list_notes(folder) == []
    assert discard_draft(folder) is True
    assert discard_draft(folder) is False
    assert load_draft(from_json, folder) is None


def test_corrupt_draft_is_set_aside_and_reported(folder: Path, now: datetime) -> None:
    folder.mkdir()
    draft = folder / "draft.json"
    draft.write_bytes(b'{"schema_version": 1, "clinician_text": "half writ')
    with pytest.raises(DraftCorrupt) as caught:
        load_draft(from_json, folder, now=now)
    aside = caught.value.aside_path
    assert aside == folder / "draft.corrupt-20261125-171530.json"
    assert aside.read_bytes() == b'{"schema_version": 1, "clinician_text": "half writ'
    assert aside.name in str(caught.value) and "\n" not in str(caught.value)
    assert not draft.exists()
    assert load_draft(from_json, folder) is None
    # A second corrupt draft in the same second keeps the first one aside too.
    draft.write_text("[]")
    with pytest.raises(DraftCorrupt) as again:
        load_draft(from_json, folder, now=now)
    assert again.value.aside_path != aside and aside.exists()
    assert again.value.aside_path.read_text() == "[]"


def test_a_failed_draft_save_keeps_the_previous_draft(
    sample_note: SessionNote, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_draft(to_json(sample_note), folder)
    before = (folder / "draft.json").read_bytes()
    changed = sample_note.replace(clinician_text="new")
    for name in ("write", "fsync", "replace"):
        with monkeypatch.context() as patch:
            _fail_on_call(patch, name, 1)
            with pytest.raises(NoteSaveError, match=r"could not save the draft to .*draft\.json"):
                save_draft(to_json(changed), folder)
        assert (folder / "draft.json").read_bytes() == before
        assert _files(folder) == ["draft.json"]
