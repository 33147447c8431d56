"""Files planted in the notes folder, and a folder others control (issue 11).

A FIFO, a device, a symlink to /dev/zero or a huge file planted as a note or draft is reported
as unreadable, never waited for or read whole; a notes folder owned by another user or
writable by group/others is refused with a message naming it and the fix. Through
`magtui.cli.main`, and through a real `python -m magtui` with a timeout where a regression
would hang, so that a hang fails the test instead of freezing the run.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from magtui.cli import main
from magtui.notes import store
from magtui.notes.errors import DraftCorrupt, NoteError, UnsafeNotesFolder
from magtui.notes.render import from_json, to_json
from magtui.notes.session import SessionNote
from magtui.notes.store import (
    list_notes,
    load_draft,
    lock_draft,
    save_draft,
    save_note,
)
from magtui.safe_open import READ_LIMIT_BYTES, RefusedFile, read_regular_file

REPO = Path(__file__).resolve().parents[2]
HANG_TIMEOUT_S = 60
BAD_ID = "20270101-000000-abcdef"

posix_only = pytest.mark.skipif(os.name == "nt", reason="FIFOs, modes and owners are POSIX")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_magtui(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """A real `python -m magtui …`; a hang is a failure after HANG_TIMEOUT_S, not a freeze."""
    env = {**os.environ, "MAGTUI_NOTES_DIR": str(folder), "PYTHONPATH": str(REPO)}
    try:
        return subprocess.run([sys.executable, "-m", "magtui", *argv], capture_output=True,
                              text=True, env=env, cwd=REPO, timeout=HANG_TIMEOUT_S,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`magtui {' '.join(argv)}` hung on a planted file")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    # tests/conftest.py points MAGTUI_NOTES_DIR here for every test.
    path = tmp_path / "notes"
    path.mkdir(mode=0o700)
    os.chmod(path, 0o700)
    return path


@pytest.fixture
def good(sample_note: SessionNote, folder: Path, now: datetime) -> str:
    return save_note(sample_note, folder, now=now).note_id


Planter = Callable[[Path], None]


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    os.symlink("/dev/zero", path)


def _huge(path: Path) -> None:
    with path.open("wb") as out:
        out.truncate(READ_LIMIT_BYTES + 1)  # sparse: costs no disk


def _deep(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000)


def _long_number(path: Path) -> None:
    path.write_text('{"schema_version": ' + "9" * 5_000 + "}")


PLANTED: dict[str, tuple[Planter, str]] = {
    "fifo": (_fifo, "not a regular file but a FIFO"),
    "symlink-to-dev-zero": (_dev_zero, "symbolic link (not followed)"),
    "larger-than-the-limit": (_huge, "larger than 2 MiB"),
    "nested-too-deeply": (_deep, "nested too deeply"),
    "5000-digit-number": (_long_number, "not a magtui note"),
}


# Safe reading ------------------------------------------------------------------------------


@posix_only
def test_read_regular_file_refuses_what_is_not_a_small_regular_file(tmp_path: Path) -> None:
    (tmp_path / "ok").write_bytes(b"x" * 10)
    assert read_regular_file(tmp_path / "ok") == b"x" * 10
    assert read_regular_file(tmp_path / "ok", limit=10) == b"x" * 10
    with pytest.raises(RefusedFile, match="larger than 9 bytes"):
        read_regular_file(tmp_path / "ok", limit=9)
    for name, (plant, why) in PLANTED.items():
        if name in ("fifo", "symlink-to-dev-zero", "larger-than-the-limit"):
            plant(tmp_path / name)
            with pytest.raises(RefusedFile, match=re.escape(why.split(" but ")[0])):
                read_regular_file(tmp_path / name)
    with pytest.raises(RefusedFile, match="a folder"):
        read_regular_file(tmp_path)
    os.symlink(tmp_path / "ok", tmp_path / "link-to-ok")
    with pytest.raises(RefusedFile, match="symbolic link"):
        read_regular_file(tmp_path / "link-to-ok")
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing")


# notes list / notes show -------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("kind", PLANTED)
def test_a_planted_note_is_listed_as_unreadable(
    capsys: pytest.CaptureFixture[str], folder: Path, good: str, kind: str
) -> None:
    plant, why = PLANTED[kind]
    plant(folder / f"{BAD_ID}.json")
    code, out, err = run(capsys, "notes", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(good)
    assert lines[1].startswith(BAD_ID) and "unreadable" in lines[1] and why in lines[1]
    listed = json.loads(run(capsys, "notes", "list", "--json")[1])["notes"]
    assert [n["id"] for n in listed] == [good, BAD_ID] and why in listed[1]["problem"]
    # Nothing is lost or moved: the planted file is still there, as it was.
    assert os.path.lexists(folder / f"{BAD_ID}.json")


@posix_only
@pytest.mark.parametrize("kind", PLANTED)
def test_notes_show_of_a_planted_note_is_one_line(
    capsys: pytest.CaptureFixture[str], folder: Path, kind: str
) -> None:
    plant, why = PLANTED[kind]
    plant(folder / f"{BAD_ID}.json")
    code, out, err = run(capsys, "notes", "show", BAD_ID)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and why in err and "Traceback" not in err


@posix_only
def test_a_fifo_note_does_not_hang_a_real_notes_list_or_show(folder: Path, good: str) -> None:
    os.mkfifo(folder / f"{BAD_ID}.json")
    os.mkfifo(folder / f"{BAD_ID}.md")
    listed = run_magtui(folder, "notes", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0].startswith(good)
    assert f"{BAD_ID}  unreadable:" in listed.stdout and "FIFO" in listed.stdout
    shown = run_magtui(folder, "notes", "show", BAD_ID)
    assert shown.returncode == 2 and "FIFO" in shown.stderr
    assert len(shown.stderr.splitlines()) == 1
    # The good note is still shown, and exported, whole.
    assert run_magtui(folder, "notes", "show", good).returncode == 0
    assert stat.S_ISFIFO((folder / f"{BAD_ID}.json").lstat().st_mode)


@pytest.mark.skipif(not hasattr(os, "mknod") or os.geteuid() != 0,
                    reason="creating a device node needs root")
def test_a_device_planted_as_a_note_is_never_opened(
    capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    try:  # /dev/zero's numbers (1, 5) on Linux
        os.mknod(folder / f"{BAD_ID}.json", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except OSError as exc:  # e.g. a container without CAP_MKNOD
        pytest.skip(f"cannot create a device node here: {exc}")
    code, out, _ = run(capsys, "notes", "list")
    assert code == 0 and "not a regular file but a character device" in out


# An unsafe notes folder --------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_notes_folder_others_can_write_is_refused(
    capsys: pytest.CaptureFixture[str], sample_note: SessionNote, folder: Path, good: str,
    mode: int,
) -> None:
    os.chmod(folder, mode)
    for argv in (("notes", "list"), ("notes", "show", good)):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "", argv
        assert len(err.splitlines()) == 1
        assert f"refusing the notes folder {folder}" in err
        assert "writable by" in err and f"chmod 700 {folder}" in err
    with pytest.raises(UnsafeNotesFolder, match="writable by"):
        save_note(sample_note, folder)
    with pytest.raises(UnsafeNotesFolder):
        save_draft("{}", folder)
    with pytest.raises(UnsafeNotesFolder):
        store.list_drafts(folder)
    with pytest.raises(UnsafeNotesFolder):
        load_draft(from_json, folder)
    # Nothing was changed: the folder keeps its mode, and only the one note is there.
    assert stat.S_IMODE(folder.stat().st_mode) == mode
    assert sorted(os.listdir(folder)) == [f"{good}.json", f"{good}.md"]
    os.chmod(folder, 0o700)  # the fix the message gives
    assert run(capsys, "notes", "list")[0] == 0


@posix_only
def test_a_notes_folder_owned_by_another_user_is_refused(
    capsys: pytest.CaptureFixture[str], sample_note: SessionNote, folder: Path, good: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if os.geteuid() == 0:
        os.chown(folder, 65534, -1)  # nobody
    else:
        me = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: me + 1)
    code, out, err = run(capsys, "notes", "list")
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert f"refusing the notes folder {folder}: it is owned by another user" in err
    assert "use a folder you own" in err and "MAGTUI_NOTES_DIR" in err
    with pytest.raises(UnsafeNotesFolder, match="owned by another user"):
        save_note(sample_note, folder)


@posix_only
def test_a_folder_that_is_only_group_readable_is_accepted(
    sample_note: SessionNote, folder: Path
) -> None:
    os.chmod(folder, 0o750)  # e.g. a clinic group that may read, not write
    assert save_note(sample_note, folder).note_id in {n.note_id for n in list_notes(folder)}


# Drafts ------------------------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("kind", PLANTED)
def test_a_planted_draft_is_set_aside_not_read(
    folder: Path, now: datetime, kind: str
) -> None:
    plant, why = PLANTED[kind]
    draft = folder / "draft-4242.json"
    plant(draft)
    before = draft.lstat()
    with pytest.raises(DraftCorrupt) as caught:
        load_draft(from_json, folder, name=draft.name, now=now)
    message = str(caught.value)
    assert (why if kind != "5000-digit-number" else "digits") in message
    assert "\n" not in message
    aside = caught.value.aside_path
    assert aside.name.startswith("draft.corrupt-") and aside.name in str(caught.value)
    assert not os.path.lexists(draft)
    # Kept, not deleted: the very same file (a FIFO stays a FIFO, a symlink a symlink).
    after = aside.lstat()
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (before.st_ino,
                                                          stat.S_IFMT(before.st_mode))
    assert load_draft(from_json, folder, name=draft.name) is None


def test_a_draft_note_over_the_text_limit_is_set_aside(
    sample_note: SessionNote, folder: Path, now: datetime
) -> None:
    data = json.loads(to_json(sample_note))
    data["clinician_text"] = "x" * 20_001
    (folder / "draft.json").write_text(json.dumps(data))
    with pytest.raises(DraftCorrupt, match="at most 20,000 characters"):
        load_draft(from_json, folder, now=now)


# Draft locks -------------------------------------------------------------------------------


@posix_only
def test_a_draft_lock_is_held_against_every_other_open_file(folder: Path) -> None:
    ours = lock_draft("draft-77.json", folder)
    assert ours is not None and (folder / "draft-77.lock").exists()
    assert stat.S_IMODE((folder / "draft-77.lock").stat().st_mode) == 0o600
    # Another open file description (another window, or this process again) cannot take it.
    assert lock_draft("draft-77.json", folder) is None
    ours.release(remove=False)
    again = lock_draft("draft-77.json", folder)
    assert again is not None
    again.release()
    assert not (folder / "draft-77.lock").exists()


@posix_only
def test_a_lock_on_a_removed_lock_file_is_not_taken(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The holder removes its lock file between our open and our lock: the lock we would get
    # guards a file nobody else can find any more, so lock_draft tries again on the new one.
    real_flock = store._try_os_lock
    removed: list[bool] = []

    def flock_after_removal(fd: int) -> bool:
        if not removed:
            removed.append(True)
            os.unlink(folder / "draft-5.lock")
        return real_flock(fd)

    monkeypatch.setattr(store, "_try_os_lock", flock_after_removal)
    lock = lock_draft("draft-5.json", folder)
    assert lock is not None and removed
    assert os.fstat(lock.fd or -1).st_ino == (folder / "draft-5.lock").stat().st_ino
    lock.release()


@posix_only
def test_a_planted_lock_file_is_an_error_not_a_hang(folder: Path) -> None:
    os.mkfifo(folder / "draft-8.lock")
    with pytest.raises(NoteError, match="not a regular file"):
        lock_draft("draft-8.json", folder)
    os.symlink("/dev/zero", folder / "draft-9.lock")
    with pytest.raises(NoteError, match=r"draft-9\.lock"):
        lock_draft("draft-9.json", folder)


@posix_only
def test_stale_lock_files_are_pruned_live_ones_kept(folder: Path) -> None:
    live = lock_draft("draft-1.json", folder)
    assert live is not None
    (folder / "draft-2.lock").write_text("")  # a run that ended without a draft
    (folder / "draft-3.lock").write_text("")  # a crash that left its draft
    (folder / "draft-3.json").write_text("{}")
    store.prune_draft_locks(folder)
    assert sorted(os.listdir(folder)) == ["draft-1.lock", "draft-3.json", "draft-3.lock"]
    live.release()
