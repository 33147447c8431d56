"""The cache of the validated KB (issue 11): plain JSON, never a pickle; only an intact entry
of this key, in a private folder, owned by this user, is ever served — anything planted,
damaged or stale is ignored and the KB validated afresh."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import magtui
from magtui.cli import main
from magtui.knowledge import cache
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import DEFAULT_KB, load_kb

REAL_FRACTION = load_kb(DEFAULT_KB).forms["oxide"].elemental_fraction
FORGED_FRACTION = 0.99


@pytest.fixture
def kb_file(tmp_path: Path) -> Path:
    path = tmp_path / "kb.json"
    path.write_bytes(DEFAULT_KB.read_bytes())
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "kb-cache"  # MAGTUI_KB_CACHE, set by tests/conftest.py


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Each full validation, by KB path: empty after a load means the cache served it."""
    from magtui.knowledge import validate

    calls: list[Path] = []
    real = validate.validate_bytes

    def spy(kb_path: Path, where: str, data: bytes) -> KnowledgeBase:
        calls.append(kb_path)
        return real(kb_path, where, data)

    monkeypatch.setattr(validate, "validate_bytes", spy)
    return calls


def _forged(kb: KnowledgeBase, key: str) -> bytes:
    """A well-formed entry for `key` whose oxide figure is wrong: only the checks on where it
    lives and who wrote it can stop it."""
    forms = dict(kb.forms)
    forms["oxide"] = forms["oxide"].replace(elemental_fraction=FORGED_FRACTION)
    return cache.encode(key, kb.replace(forms=forms))


def _entry(folder: Path) -> Path:
    (entry,) = folder.glob("*.json")
    return entry


def _served_from_validation(kb_file: Path, validations: list[Path]) -> None:
    validations.clear()
    kb = load_kb(kb_file)
    assert validations == [kb_file], "the entry must be ignored and the KB validated"
    assert kb.forms["oxide"].elemental_fraction == REAL_FRACTION


def test_an_entry_is_plain_json_in_a_private_folder_and_serves_the_next_start(
    kb_file: Path, folder: Path, validations: list[Path]
) -> None:
    first = load_kb(kb_file)
    assert validations == [kb_file]
    entry = _entry(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    header, payload = entry.read_bytes().split(b"\n", 1)
    assert json.loads(header)["key"] == entry.stem == cache.cache_key(kb_file.read_bytes())
    assert set(json.loads(payload)) == set(first.tables()) | {"meta"}
    validations.clear()
    again = load_kb(kb_file)
    assert validations == [], "the second start is served from the cache"
    assert repr(again) == repr(first) and again.path == kb_file


def test_a_forged_entry_in_place_is_served_which_is_why_the_checks_matter(
    kb_file: Path, folder: Path, validations: list[Path]
) -> None:
    """Control: the forged entry of the other tests *would* be served if it passed the
    checks, so each of them proves its check, not a failure to decode."""
    kb = load_kb(kb_file)
    entry = _entry(folder)
    entry.write_bytes(_forged(kb, entry.stem))
    assert load_kb(kb_file).forms["oxide"].elemental_fraction == FORGED_FRACTION


def test_an_entry_owned_by_another_user_is_ignored(
    kb_file: Path, folder: Path, validations: list[Path]
) -> None:
    kb = load_kb(kb_file)
    entry = _entry(folder)
    entry.write_bytes(_forged(kb, entry.stem))
    try:
        os.chown(entry, 12345, 12345)
    except PermissionError:
        pytest.skip("chown needs root: another user's file cannot be made here")
    _served_from_validation(kb_file, validations)


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_an_entry_others_can_write_is_ignored(
    kb_file: Path, folder: Path, validations: list[Path], mode: int
) -> None:
    kb = load_kb(kb_file)
    entry = _entry(folder)
    entry.write_bytes(_forged(kb, entry.stem))
    entry.chmod(mode)
    _served_from_validation(kb_file, validations)


def test_a_symlink_in_place_of_the_entry_is_not_followed(
    kb_file: Path, folder: Path, tmp_path: Path, validations: list[Path]
) -> None:
    kb = load_kb(kb_file)
    entry = _entry(folder)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(_forged(kb, entry.stem))
    elsewhere.chmod(0o600)
    entry.unlink()
    entry.symlink_to(elsewhere)
    _served_from_validation(kb_file, validations)


@pytest.mark.parametrize("mode", [0o777, 0o755, 0o750, 0o701])
def test_a_cache_folder_others_can_enter_is_never_used(
    kb_file: Path, folder: Path, validations: list[Path], mode: int
) -> None:
    kb = load_kb(kb_file)
    entry = _entry(folder)
    entry.write_bytes(_forged(kb, entry.stem))
    folder.chmod(mode)
    _served_from_validation(kb_file, validations)
    assert entry.read_bytes() == _forged(kb, entry.stem), "nor written to"


def test_a_cache_folder_owned_by_another_user_is_never_used(
    kb_file: Path, folder: Path, validations: list[Path]
) -> None:
    kb = load_kb(kb_file)
    entry = _entry(folder)
    entry.write_bytes(_forged(kb, entry.stem))
    try:
        os.chown(folder, 12345, 12345)
    except PermissionError:
        pytest.skip("chown needs root: another user's folder cannot be made here")
    _served_from_validation(kb_file, validations)


def test_a_symlinked_cache_folder_is_never_used(
    kb_file: Path, folder: Path, tmp_path: Path, validations: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kb = load_kb(kb_file)
    entry = _entry(folder)
    entry.write_bytes(_forged(kb, entry.stem))
    link = tmp_path / "link-to-cache"
    link.symlink_to(folder)
    monkeypatch.setenv("MAGTUI_KB_CACHE", str(link))
    _served_from_validation(kb_file, validations)


CORRUPTIONS = ("garbage", "empty", "truncated", "one figure changed", "a field missing",
               "header only", "a pickle")


def _corruptions(data: bytes) -> dict[str, bytes]:
    header, payload = data.split(b"\n", 1)
    wrong_figure = payload.replace(str(REAL_FRACTION).encode(),
                                   str(FORGED_FRACTION).encode(), 1)
    tables = json.loads(payload)
    del tables["forms"][0]["elemental_fraction"]
    missing = json.dumps(tables).encode()
    rehashed = json.loads(header) | {"sha256": hashlib.sha256(missing).hexdigest()}
    return {
        "garbage": b"\x80\x04not an entry",
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "one figure changed": header + b"\n" + wrong_figure,  # checksum no longer matches
        "a field missing": json.dumps(rehashed).encode() + b"\n" + missing,  # checksum redone
        "header only": header,
        "a pickle": b"\x80\x05\x95\x00\x00\x00\x00\x00\x00\x00\x00.",
    }


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_a_corrupted_entry_is_ignored_and_rebuilt(
    kb_file: Path, folder: Path, validations: list[Path], name: str
) -> None:
    load_kb(kb_file)
    entry = _entry(folder)
    entry.write_bytes(_corruptions(entry.read_bytes())[name])
    _served_from_validation(kb_file, validations)
    validations.clear()
    assert load_kb(kb_file).forms["oxide"].elemental_fraction == REAL_FRACTION
    assert validations == [], "the entry was rebuilt by the validation"


def test_a_fifo_in_place_of_the_entry_neither_blocks_nor_is_read(
    kb_file: Path, folder: Path
) -> None:
    load_kb(kb_file)
    entry = _entry(folder)
    entry.unlink()
    os.mkfifo(entry, 0o600)
    result = subprocess.run(
        [sys.executable, "-m", "magtui", "--kb", str(kb_file), "forms", "--json"],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


@pytest.mark.parametrize("change", ["magtui", "pydantic", "tinydb", "format"])
def test_an_entry_from_another_version_is_never_used(
    kb_file: Path, folder: Path, validations: list[Path], monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    """An entry written by another magtui (or entry format), or under another pydantic or
    TinyDB, has another key; copied under this key, its header still gives it away."""
    kb = load_kb(kb_file)
    current = _entry(folder)
    with monkeypatch.context() as other:
        if change == "magtui":
            other.setattr(cache, "__version__", "0.0.1-other")
        elif change == "format":
            other.setattr(cache, "FORMAT", cache.FORMAT + 1)
        else:
            real = cache._version_file
            other.setattr(cache, "_version_file", lambda package: (
                b"VERSION = '0.0.1'" if package == change else real(package)))
        old_key = cache.cache_key(kb_file.read_bytes())
        forged = _forged(kb, old_key)
    assert old_key != current.stem
    (folder / f"{old_key}.json").write_bytes(forged)
    (folder / f"{old_key}.json").chmod(0o600)
    current.unlink()
    _served_from_validation(kb_file, validations)
    # The other version's entry copied under this version's key: refused by its header.
    current.write_bytes(forged)
    _served_from_validation(kb_file, validations)


def test_old_entries_pickles_and_stale_temporary_files_are_pruned(
    kb_file: Path, folder: Path
) -> None:
    folder.mkdir(mode=0o700)
    old = time.time() - 7200
    names = [f"{i:064x}.json" for i in range(6)]
    for age, name in enumerate(names):
        (folder / name).write_bytes(b"{}\n{}")
        os.utime(folder / name, (old - age, old - age))
    pickle_entry = folder / f"{'a' * 64}.pickle"
    stale_temp = folder / f".{'b' * 64}.123.tmp"
    fresh_temp = folder / f".{'c' * 64}.124.tmp"
    unrelated = folder / "notes.txt"
    for path in (pickle_entry, stale_temp, fresh_temp, unrelated):
        path.write_bytes(b"x")
    for path in (pickle_entry, stale_temp):
        os.utime(path, (old, old))
    load_kb(kb_file)
    current = f"{cache.cache_key(kb_file.read_bytes())}.json"
    left = sorted(p.name for p in folder.iterdir())
    kept = sorted([current, *names[: cache.KEEP - 1]])
    assert left == sorted([*kept, fresh_temp.name, unrelated.name])


@pytest.mark.parametrize("value", ["no", "1", "yes", "true", "relative/dir", "~/cache",
                                   "off ", "a\x1b[2J\u202e"])
def test_an_undocumented_cache_setting_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv("MAGTUI_KB_CACHE", value)
    assert main(["kb", "validate"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("magtui: MAGTUI_KB_CACHE=")
    assert "use 0 or off (no KB cache), an absolute folder path, or leave it unset" in line
    assert "\x1b" not in line and "\u202e" not in line
    assert main(["dose", "--form", "oxide", "--compound-mg", "400", "--age", "40", "--sex",
                 "male", "--json"]) == 2


@pytest.mark.parametrize("value", ["0", "off", "", "absolute"])
def test_documented_cache_settings_are_accepted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    value: str,
) -> None:
    if value == "absolute":
        value = str(tmp_path / "elsewhere")
    elif value == "":
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    monkeypatch.setenv("MAGTUI_KB_CACHE", value)
    assert main(["kb", "validate"]) == 0, capsys.readouterr().err
    if value.startswith("/"):
        assert list(Path(value).glob("*.json"))
    if value in ("0", "off"):
        assert not (tmp_path / "kb-cache").exists()


def _imported_modules(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            # __import__("pickle"), importlib.import_module("pickle")
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("__import__", "import_module") and isinstance(node.args[0].value, str):
                found.add(node.args[0].value.split(".")[0])
    return found


def test_no_pickle_marshal_or_shelve_anywhere_in_magtui() -> None:
    """Loading any of them from a file can run code: magtui reads only plain data."""
    package = Path(magtui.__file__).parent
    sources = sorted(package.rglob("*.py"))
    assert len(sources) > 20
    for source in sources:
        used = _imported_modules(ast.parse(source.read_text(encoding="utf-8")))
        forbidden = used & {"pickle", "marshal", "shelve", "_pickle", "dill", "cloudpickle"}
        assert not forbidden, f"{source.relative_to(package.parent)} imports {forbidden}"


def test_the_import_scan_finds_what_it_looks_for() -> None:
    tree = ast.parse("import pickle\nfrom shelve import open\n__import__('marshal')\n"
                     "import importlib\nimportlib.import_module('pickle')\n")
    assert _imported_modules(tree) >= {"pickle", "shelve", "marshal"}


def test_the_entry_round_trip_keeps_every_type(kb: Any) -> None:
    again = cache.decode(cache.encode("k" * 64, kb), "k" * 64, kb.path)
    assert repr(again) == repr(kb)
    assert cache.decode(cache.encode("k" * 64, kb), "j" * 64, kb.path) is None
