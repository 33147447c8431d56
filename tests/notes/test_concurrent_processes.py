"""Several real OS processes save notes into one folder at the same moment, in the same second.

Each child process saves its own numbered notes (a unique marker in the clinician's text)
with one fixed `now`, so every id shares its timestamp part and only the random suffix can
tell them apart. The children start together: each reports "ready" once everything is
imported and built, then blocks on its stdin until the parent releases them all. In one
variant the suffix is drawn from a small pool so that the processes keep racing for the very
same file names. Afterwards every note must be there exactly once, whole and paired, with
nothing overwritten and no temporary file left behind.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from magtui.notes.render import from_json, to_json
from magtui.notes.session import NOTE_ID_RE, SessionNote
from magtui.notes.store import list_notes

REPO = Path(__file__).resolve().parents[2]
WORKERS = 3
NOTES_EACH = 40
TIMEOUT_S = 180

# argv: folder, note file, worker number, how many notes, now (ISO), suffix pool (0 = real).
CHILD = r"""
import json, random, sys, time
from datetime import datetime
from pathlib import Path

from magtui.notes import store
from magtui.notes.render import from_json
from magtui.notes.session import SessionNote

folder, note_file, worker, count, now_text, pool = sys.argv[1:7]
worker, count, pool = int(worker), int(count), int(pool)
now = datetime.fromisoformat(now_text)

placed, foreign_collisions = set(), 0
if pool:
    # A small shared pool of suffixes, and enough tries to always find a free one.
    suffixes = [f"{i:06x}" for i in range(pool)]
    store._random_suffix = lambda: random.choice(suffixes)
    store._ID_ATTEMPTS = 10_000

real_place_new = store._place_new

def counting_place_new(path, data):
    global foreign_collisions
    note_id = path.name.rsplit(".", 1)[0]
    try:
        real_place_new(path, data)
    except FileExistsError:
        if note_id not in placed:
            foreign_collisions += 1  # a name another process took
        raise
    placed.add(note_id)

store._place_new = counting_place_new

base = from_json(Path(note_file).read_bytes())
notes = [
    base.replace(clinician_text=f"marker:{worker:02d}:{i:03d}:end")
    for i in range(count)
]
print("ready", flush=True)
if sys.stdin.read(1) != "g":
    sys.exit("not released")
started = time.time()
ids = [store.save_note(note, folder, now=now).note_id for note in notes]
print(json.dumps({"ids": ids, "started": started, "finished": time.time(),
                  "foreign_collisions": foreign_collisions}), flush=True)
"""

MARKER_RE = re.compile(r"marker:(\d{2}):(\d{3}):end")


def _run_workers(folder: Path, note_file: Path, now: datetime, pool: int) -> list[dict]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(folder), str(note_file), str(worker),
             str(NOTES_EACH), now.isoformat(), str(pool)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env, cwd=REPO,
        )
        for worker in range(WORKERS)
    ]
    try:
        for proc in procs:  # the barrier: every child imported, built and waiting
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line == "ready\n", (line, proc.stderr.read() if proc.stderr else "")
        for proc in procs:  # release them all at once
            assert proc.stdin is not None
            proc.stdin.write("g")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=TIMEOUT_S)
            assert proc.returncode == 0, err
            assert "Traceback" not in err, err
            results.append(json.loads(out))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.parametrize("pool", [WORKERS * NOTES_EACH + 40, 0],
                         ids=["racing-for-the-same-names", "real-random-suffixes"])
def test_processes_saving_in_the_same_second_lose_nothing(
    sample_note: SessionNote, tmp_path: Path, now: datetime, pool: int
) -> None:
    folder = tmp_path / "shared-notes"
    folder.mkdir(mode=0o700)
    note_file = tmp_path / "note.json"
    note_file.write_text(to_json(sample_note), encoding="utf-8")

    results = _run_workers(folder, note_file, now, pool)

    # They really ran at the same time: every one started before any one finished.
    assert max(r["started"] for r in results) < min(r["finished"] for r in results)
    if pool:
        assert sum(r["foreign_collisions"] for r in results) > 0, "no race for a name happened"

    reported = [note_id for r in results for note_id in r["ids"]]
    total = WORKERS * NOTES_EACH
    assert len(reported) == total
    assert len(set(reported)) == total, "an id was handed out twice"
    stamp = now.strftime("%Y%m%d-%H%M%S")
    assert all(note_id.startswith(stamp) for note_id in reported)

    # Exactly the notes' pairs: no temporary file, no stray or missing half.
    names = sorted(os.listdir(folder))
    assert names == sorted([f"{i}.md" for i in reported] + [f"{i}.json" for i in reported])
    for name in names:
        assert not name.startswith(".") and not name.endswith(".tmp"), name
        assert NOTE_ID_RE.match(name.rsplit(".", 1)[0]), name
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name

    # Nothing overwritten: each marker is in exactly one note, the one its worker reported,
    # and each Markdown file belongs to its own JSON twin.
    seen: dict[tuple[int, int], str] = {}
    for note_id in reported:
        note = from_json((folder / f"{note_id}.json").read_bytes())
        assert note.note_id == note_id
        assert note.saved_at == now
        match = MARKER_RE.fullmatch(note.clinician_text)
        assert match, note.clinician_text
        key = (int(match[1]), int(match[2]))
        assert key not in seen, f"marker {key} found in {seen[key]} and {note_id}"
        seen[key] = note_id
        markdown = (folder / f"{note_id}.md").read_text(encoding="utf-8")
        assert MARKER_RE.findall(markdown) == [match.groups()]
        assert f"- Note: {note_id}" in markdown
    assert set(seen) == {(w, i) for w in range(WORKERS) for i in range(NOTES_EACH)}
    for worker, result in enumerate(results):
        assert [seen[(worker, i)] for i in range(NOTES_EACH)] == result["ids"]

    listed = list_notes(folder)
    assert sorted(n.note_id for n in listed) == sorted(reported)
    assert all(n.problem is None for n in listed)
