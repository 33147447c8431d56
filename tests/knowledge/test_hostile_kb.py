"""Hostile KB files (issue 11): each is refused with exit 3 and one line per problem naming
the table, document and field (or the file and what is wrong) — never a traceback, a hang or
a raw control character — and the file is left exactly as it was.

Through the real entry point: `magtui.cli.main` in-process where nothing can block, and a
subprocess with a timeout for the files that could hang (FIFO, devices), so a hang fails the
test instead of freezing the suite.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magtui.cli import main
from magtui.knowledge.loader import DEFAULT_KB, MAX_KB_BYTES
from magtui.knowledge.validate import may_hold_controls
from magtui.text import invisible_char

RAW: dict[str, Any] = json.loads(DEFAULT_KB.read_text(encoding="utf-8"))
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What must never reach a terminal raw (tab and newline aside)."""


def _key(table: str, record_id: str) -> str:
    return str(next(k for k, d in RAW[table].items() if d.get("id") == record_id))


OXIDE = _key("forms", "oxide")
FIRST_SOURCE = next(iter(RAW["sources"]))
NET = _key("advice", "return_if_persists")


def _validate(path: Path | str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Exit code and the problem lines of `magtui --kb PATH kb validate`."""
    code = main(["--kb", str(path), "kb", "validate"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert not RAW_CONTROL.search(out + err), repr(out + err)
    lines = err.splitlines()
    if code == 3:
        assert lines[0].startswith("magtui: the knowledge base is invalid ("), err
        assert all(line.startswith("  ") for line in lines[1:]), err
        assert len(lines) - 1 == int(lines[0].split("(")[1].split(" ")[0]), err
    return code, [line.strip() for line in lines[1:]]


def _refused(path: Path, capsys: pytest.CaptureFixture[str], *fragments: str) -> list[str]:
    before = path.read_bytes()
    code, problems = _validate(path, capsys)
    assert code == 3, problems
    text = "\n".join(problems)
    for fragment in fragments:
        assert fragment in text, (fragment, problems)
    assert path.read_bytes() == before, "the KB file must be left untouched"
    return problems


def _write(tmp_path: Path, raw: Any) -> Path:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def _mutated(mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    mutate(raw)
    return raw


def test_json_nested_100k_deep_is_refused(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    problems = _refused(path, capsys, "nested too deeply")
    assert problems == [f"{path}: not a KB: JSON nested too deeply"]


def test_deep_nesting_inside_a_document_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nesting the parser still takes (900 deep) is refused by the field's model."""
    text = json.dumps(RAW)
    deep = "[" * 900 + "]" * 900
    text = text.replace('"formula": ', f'"formula": {deep}, "was": ', 1)
    path = tmp_path / "deep-field.json"
    path.write_text(text, encoding="utf-8")
    _refused(path, capsys, "forms[doc 1].formula: input should be a valid string")


def test_a_5000_digit_number_is_refused(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    text = json.dumps(RAW)
    text = text.replace('"elemental_fraction": ', '"elemental_fraction": ' + "1" * 5000 + ", "
                        '"was": ', 1)
    path = tmp_path / "digits.json"
    path.write_text(text, encoding="utf-8")
    _refused(path, capsys, f"{path}: not a KB: a number has more than")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      constant: str) -> None:
    text = json.dumps(RAW).replace('"elemental_fraction": ',
                                   f'"elemental_fraction": {constant}, "was": ', 1)
    path = tmp_path / "nan.json"
    path.write_text(text, encoding="utf-8")
    _refused(path, capsys, f"{constant} is not a number a KB may hold")


@pytest.mark.parametrize(
    ("table", "doc", "field", "value", "expected"),
    [
        ("forms", OXIDE, "elemental_fraction", "0.6", "input should be a valid number"),
        ("forms", OXIDE, "elemental_fraction", True, "input should be a valid number"),
        ("forms", OXIDE, "laxative_effect", 1, "input should be a valid boolean"),
        ("forms", OXIDE, "laxative_effect", "true", "input should be a valid boolean"),
        ("sources", FIRST_SOURCE, "year", 2020.0, "input should be a valid integer"),
        ("sources", FIRST_SOURCE, "year", "2020", "input should be a valid integer"),
        ("sources", FIRST_SOURCE, "accessed", 1_700_000_000, "must be a date written"),
        ("sources", FIRST_SOURCE, "accessed", "2025-13-01", "month must be in 1..12"),
        ("forms", OXIDE, "see_also", "ods_magnesium", "input should be a valid tuple"),
    ],
)
def test_values_of_the_wrong_type_are_refused_not_converted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, doc: str, field: str,
    value: Any, expected: str,
) -> None:
    path = _write(tmp_path, _mutated(lambda raw: raw[table][doc].update({field: value})))
    _refused(path, capsys, f"{table}[doc {doc}].{field}: {expected}")


def test_dates_are_still_read_from_iso_text(kb: Any) -> None:
    assert kb.meta.reviewed.isoformat() == RAW["meta"]["1"]["reviewed"]


def test_a_key_given_twice_in_a_document_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(RAW, indent=1)
    at = text.index('"elemental_fraction"')
    path = tmp_path / "twice.json"
    path.write_text(text[:at] + '"elemental_fraction": 0.99,\n' + text[at:], encoding="utf-8")
    problems = _refused(path, capsys)
    assert problems == [f"{path}: forms[doc {OXIDE}].elemental_fraction: given more than once "
                        "(a key repeated in one JSON object; which one counts is unclear)"]


def test_a_document_or_table_given_twice_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    oxide = json.dumps(RAW["forms"][OXIDE])
    text = json.dumps(RAW).replace('"forms": {', f'"forms": {{"{OXIDE}": {oxide}, ', 1)
    text = text.replace('"foods": {', '"foods": {}, "foods": {', 1)
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    _refused(path, capsys, f"forms[doc {OXIDE}]: given more than once", "foods: given more")


def test_two_documents_with_the_same_id_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _mutated(lambda raw: raw["forms"].update(
        {"999": dict(raw["forms"][OXIDE])})))
    _refused(path, capsys, "forms[doc 999].id: duplicate id 'oxide'")


@pytest.mark.parametrize("key", ["01", "١", "１", "1.0", "-1"])
def test_document_ids_are_plain_integers(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         key: str) -> None:
    path = _write(tmp_path, _mutated(lambda raw: raw["forms"].update(
        {key: raw["forms"].pop(OXIDE)})))
    _refused(path, capsys, "]: document id must be an integer")


CONTROLS = {
    "ESC (CSI clear screen)": "\x1b[2J",
    "OSC 52 clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "C1 CSI": "\x9b31m",
    "NUL": "\x00",
    "bidi override": "\u202e",
    "bidi isolate": "\u2066",
    "soft hyphen": "\u00ad",
    "carriage return": "\r",
}


@pytest.mark.parametrize("name", sorted(CONTROLS))
@pytest.mark.parametrize(
    ("table", "doc", "field", "where"),
    [
        ("forms", OXIDE, "name", "name"),
        ("meta", "1", "follows", "follows.0"),
        ("advice", NET, "watch_for", "watch_for.0.text"),
    ],
)
def test_control_characters_in_kb_text_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, table: str, doc: str,
    field: str, where: str,
) -> None:
    bad = f"Magnesium {CONTROLS[name]}oxide"

    def mutate(raw: dict[str, Any]) -> None:
        document = raw[table][doc]
        if field == "watch_for":
            document["watch_for"][0]["text"] = bad
        elif field == "follows":
            document["follows"] = [bad]
        else:
            document[field] = bad

    path = _write(tmp_path, _mutated(mutate))
    problems = _refused(path, capsys, f"{table}[doc {doc}].{where}: text holds a control or "
                                      "invisible character (U+")
    assert len(problems) == 1, problems


def test_a_control_character_in_a_key_is_named_but_never_shown_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _mutated(lambda raw: raw["forms"][OXIDE].update(
        {"mg\x1b[2J\u202e": 1})))
    _refused(path, capsys, f"forms[doc {OXIDE}]: a key holds a control or invisible character",
             "mg␛[2J\ufffd: extra inputs are not permitted")


def test_a_kb_path_with_control_characters_is_shown_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, problems = _validate(tmp_path / "kb\x1b[2J.json", capsys)
    assert code == 3
    assert problems == [f"{tmp_path}/kb␛[2J.json: file not found"]


def test_a_file_larger_than_the_limit_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_KB_BYTES + 1)  # sparse: nothing is really written
    _refused(path, capsys, "too large", f"at most {MAX_KB_BYTES} bytes")


def _cli_subprocess(path: Path | str) -> subprocess.CompletedProcess[str]:
    """`magtui --kb PATH kb validate` in its own process: a hang is a timeout, not a freeze."""
    return subprocess.run(
        [sys.executable, "-m", "magtui", "--kb", str(path), "kb", "validate"],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        ("fifo", "is a FIFO (named pipe), not a regular KB file"),
        ("/dev/zero", "is a character device, not a regular KB file"),
        ("/dev/urandom", "is a character device, not a regular KB file"),
        ("symlink to /dev/zero", "is a character device, not a regular KB file"),
        ("directory", "is a directory, not a KB file"),
    ],
)
def test_fifos_devices_and_folders_are_refused_without_blocking(
    tmp_path: Path, make: str, expected: str
) -> None:
    if make == "fifo":
        path: Path = tmp_path / "kb.json"
        os.mkfifo(path)
    elif make == "symlink to /dev/zero":
        path = tmp_path / "kb.json"
        path.symlink_to("/dev/zero")
    elif make == "directory":
        path = tmp_path
    else:
        path = Path(make)
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    result = _cli_subprocess(path)
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "magtui: the knowledge base is invalid (1 problem(s)):",
        f"  {path}: {expected}",
    ]


@settings(max_examples=400, deadline=None)
@given(text=st.text(), key=st.text(max_size=5), ascii_only=st.booleans())
def test_the_fast_look_never_misses_a_control_character(text: str, key: str,
                                                         ascii_only: bool) -> None:
    """`may_hold_controls` lets a clean file skip the exact check: it may say True for a
    clean file, never False for one holding a control or invisible character."""
    document = json.dumps({key: [text]}, ensure_ascii=ascii_only)
    if invisible_char(text) or invisible_char(key):
        assert may_hold_controls(document)
