"""Hostile input on the command line (issue 11): nothing is resolved silently, nothing reaches
the terminal raw, nothing gives a traceback.

- Options before a command, repeated options and numbers that are not ASCII decimal exit 2
  with exactly one stderr line naming the option (design.md §3).
- Text magtui did not write (a value the user gave, a path, KB text, a note file's content)
  reaches the terminal neutralised in human output and error lines, and escaped in JSON.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magtui.cli import json_safe, main
from magtui.clinical import limits
from magtui.clinical.limits import InputError
from magtui.knowledge.loader import DEFAULT_KB

REPO = Path(__file__).resolve().parents[2]

RAW = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    r"\ud800-\udfff]"
)
"""What must never reach a terminal raw: C0 (but tab and newline), DEL, C1, bidi controls,
line separators, lone surrogates."""
RAW_BYTES = (b"\x1b", b"\xc2\x9b", b"\xe2\x80\xae", b"\x07", b"\r")
"""ESC, CSI (U+009B), RIGHT-TO-LEFT OVERRIDE (U+202E), BEL, CR as UTF-8 bytes."""
HOSTILE = "\x1b[2J\x1b]52;c;ZWNobw==\x07\u202eevil\x9b31m\r"
"""Clear screen, OSC 52 (rewrite the clipboard), a bidi override, a C1 CSI, a carriage return."""

VALID_DOSE = ["dose", "--form", "citrate", "--compound-mg", "500", "--age", "40", "--sex", "male"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean(*texts: str) -> None:
    for text in texts:
        found = RAW.search(text)
        assert found is None, f"raw U+{ord(found.group()):04X} in {text!r}"


def assert_one_line(code: int, out: str, err: str, option: str) -> str:
    lines = err.splitlines()
    assert code == 2, (code, out, err)
    assert len(lines) == 1, lines
    assert option in lines[0], lines[0]
    assert "Traceback" not in out + err
    assert out == "", "nothing may be printed as a result of bad input"
    assert_clean(err)
    return lines[0]


def magtui_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m magtui`."""
    script = Path(sys.executable).with_name("magtui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "magtui"]


def run_process(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*magtui_command(), *argv], capture_output=True, timeout=60, cwd=REPO,
                          stdin=subprocess.DEVNULL, env=dict(os.environ))


def assert_no_raw_bytes(*streams: bytes) -> None:
    for stream in streams:
        for raw in RAW_BYTES:
            assert raw not in stream, (raw, stream)


# ------------------------------------------------------------ options before a command

BEFORE_COMMAND = [
    # the reproductions: each was silently dropped
    (["--answer", "seizure", "triage", "--answer", "cramps_spasms", "--json"], "--answer"),
    (["--egfr", "20", *VALID_DOSE], "--egfr"),
    (["--dialysis", "triage", "--answer", "cramps_spasms"], "--dialysis"),
    # every other TUI option likewise
    (["--absent", "seizure", "triage", "--answer", "cramps_spasms"], "--absent"),
    (["--age", "80", "intake", "--age", "40", "--sex", "male"], "--age"),
    (["--age-months", "5", "intake", "--age", "40", "--sex", "male"], "--age-months"),
    (["--sex", "female", "intake", "--age", "40", "--sex", "male"], "--sex"),
    (["--pregnant", "intake", "--age", "30", "--sex", "female"], "--pregnant"),
    (["--lactating", "intake", "--age", "30", "--sex", "female"], "--lactating"),
    (["--creatinine", "3", "egfr", "--age", "50", "--sex", "male", "--creatinine", "1"],
     "--creatinine"),
    (["--unit", "umol/L", "egfr", "--age", "50", "--sex", "male", "--creatinine", "1"],
     "--unit"),
    (["--version", "forms"], "--version"),
    (["--answer", "seizure", "notes", "list"], "--answer"),
    (["--egfr", "20", "kb", "search", "kidney"], "--egfr"),
]


@pytest.mark.parametrize(("argv", "option"), BEFORE_COMMAND, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else v)
def test_an_option_before_the_command_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    line = assert_one_line(*run(capsys, *argv), option)
    assert "only --kb" in line


def test_only_kb_may_stand_before_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--kb", str(DEFAULT_KB), "triage", "--answer", "seizure",
                         "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["referral"]["urgency"] == "emergency"


def test_kb_before_and_after_the_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line(*run(capsys, "--kb", str(DEFAULT_KB), "forms", "--kb", "other.json"),
                    "--kb")


def test_the_seizure_answer_before_triage_is_never_self_care_through_the_real_script() -> None:
    result = run_process("--answer", "seizure", "triage", "--answer", "cramps_spasms", "--json")
    assert result.returncode == 2, result
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "--answer" in lines[0], lines


# ------------------------------------------------------------ repeated options

REPEATED = [
    (["triage", "--answer", "cramps_spasms", "--egfr", "90", "--egfr", "20"], "--egfr"),
    (["egfr", "--age", "50", "--sex", "male", "--sex", "female", "--creatinine", "1"], "--sex"),
    (["intake", "--age", "40", "--age", "4", "--sex", "male"], "--age"),
    ([*VALID_DOSE, "--form", "oxide"], "--form"),
    ([*VALID_DOSE, "--times-per-day", "1", "--times-per-day", "3"], "--times-per-day"),
    ([*VALID_DOSE, "--dialysis", "--dialysis"], "--dialysis"),
    (["triage", "--answer", "fatigue", "--serum", "0.8", "--serum", "0.3",
      "--serum-unit", "mmol/L"], "--serum"),
    (["serum", "--value", "0.8", "--unit", "mmol/L", "--unit", "mg/dL"], "--unit"),
    (["forms", "--json", "--json"], "--json"),
    (["forms", "--kb", str(DEFAULT_KB), "--kb", "other.json"], "--kb"),
    (["--kb", str(DEFAULT_KB), "--kb", "other.json", "forms"], "--kb"),
    # the TUI's prefill: refused before the TUI opens
    (["--egfr", "90", "--egfr", "20"], "--egfr"),
    (["--sex", "male", "--sex", "female"], "--sex"),
]


@pytest.mark.parametrize(("argv", "option"), REPEATED, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else v)
def test_a_repeated_option_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    line = assert_one_line(*run(capsys, *argv), option)
    assert "more than once" in line


def test_answer_and_absent_may_repeat(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "triage", "--answer", "fatigue", "--answer", "seizure",
                         "--absent", "nausea", "--absent", "cramps_spasms", "--json")
    assert (code, err) == (0, ""), err
    payload = json.loads(out)
    assert {"fatigue", "seizure"} <= set(payload["present"])
    assert {"nausea", "cramps_spasms"} <= set(payload["absent"])


def test_a_repeated_option_exits_2_through_the_real_script() -> None:
    result = run_process("triage", "--answer", "cramps_spasms", "--egfr", "90", "--egfr", "20")
    assert result.returncode == 2 and result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "--egfr" in lines[0], lines


# ------------------------------------------------------------ numbers: ASCII decimal only

NOT_ASCII_DECIMAL = [
    "1_0",  # Python's float() reads 10
    "\u0661\u0662",  # ١٢ Arabic-Indic digits: 12
    "\uff11\uff12",  # １２ fullwidth digits: 12
    "\u00a040",  # a leading no-break space
    "40\n",  # a trailing newline
    "\t40",
    "-0",  # negative zero: refused where negative is
    "+40",
    "1,2",
    "1e1",
    "0x10",
    "4\u200b0",  # a zero-width space inside
    "\u0664\u0660",  # ٤٠
    "40\u202e",
]
NUMBER_SLOTS = {
    "--age": ["intake", "--sex", "male", "--age"],
    "--egfr": ["triage", "--answer", "cramps_spasms", "--egfr"],
    "--compound-mg": ["dose", "--form", "citrate", "--age", "40", "--sex", "male",
                      "--compound-mg"],
    "--creatinine": ["egfr", "--age", "50", "--sex", "male", "--creatinine"],
}


@pytest.mark.parametrize("value", NOT_ASCII_DECIMAL, ids=ascii)
@pytest.mark.parametrize("option", sorted(NUMBER_SLOTS))
def test_a_number_that_is_not_ascii_decimal_exits_2_naming_the_option(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    assert_one_line(*run(capsys, *NUMBER_SLOTS[option], value), option)


@pytest.mark.parametrize("value", NOT_ASCII_DECIMAL, ids=ascii)
def test_the_tui_prefill_refuses_the_same_numbers(
    capsys: pytest.CaptureFixture[str], value: str
) -> None:
    assert_one_line(*run(capsys, "--egfr", value), "--egfr")


@pytest.mark.parametrize("value", ["\u0661\u0662", "\uff11\uff12", "1_0", "\u00a040", "40\n"],
                         ids=ascii)
def test_other_digits_exit_2_through_the_real_script(value: str) -> None:
    result = run_process("intake", "--age", value, "--sex", "male")
    assert result.returncode == 2 and result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "--age" in lines[0], lines


@pytest.mark.parametrize(("text", "value"), [("68", 68.0), ("1.2", 1.2), (" 40 ", 40.0),
                                             ("0", 0.0), ("40.", 40.0), (".5", 0.5)])
def test_ascii_decimal_is_read_as_written(text: str, value: float) -> None:
    assert limits.AGE_YEARS.parse(text) == value


@pytest.mark.parametrize("text", NOT_ASCII_DECIMAL, ids=ascii)
def test_limit_parse_refuses_what_is_not_ascii_decimal(text: str) -> None:
    with pytest.raises(InputError) as caught:
        limits.AGE_YEARS.parse(text, "age")
    assert caught.value.field == "age"


def test_a_very_long_number_is_refused_with_a_short_line(
    capsys: pytest.CaptureFixture[str]
) -> None:
    line = assert_one_line(*run(capsys, "intake", "--sex", "male", "--age", "١" * 100_000),
                           "--age")
    assert len(line) < 300


# ------------------------------------------------------------ terminal injection: arguments


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        ([*VALID_DOSE[:2], HOSTILE, *VALID_DOSE[3:]], "--form"),
        (["triage", "--answer", HOSTILE], "--answer"),
        (["triage", "--absent", HOSTILE], "--absent"),
        (["serum", "--value", "0.8", "--unit", HOSTILE], "--unit"),
        (["egfr", "--age", "50", "--sex", HOSTILE, "--creatinine", "1"], "--sex"),
        (["intake", "--age", HOSTILE, "--sex", "male"], "--age"),
        (["intake", "--age", "40", "--sex", "male", HOSTILE], "unrecognized arguments"),
        ([HOSTILE], "invalid choice"),
        (["notes", "show", HOSTILE], "note"),
        (["notes", "export", "20261125-171530-a1b2c3", "--to", HOSTILE + "/"], "--to"),
        (["--kb", "", "forms"], "--kb"),
        (["--kb", "kb\x00.json", "forms"], "--kb"),
    ],
    ids=lambda v: ascii(" ".join(v)) if isinstance(v, list) else v,
)
def test_a_hostile_value_is_quoted_neutralised_in_the_one_error_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    assert_one_line(*run(capsys, *argv), option)


def test_a_hostile_kb_path_is_shown_neutralised(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    path = tmp_path / f"kb{HOSTILE}.json"
    code, out, err = run(capsys, "--kb", str(path), "forms")
    assert code == 3 and out == ""
    assert "Traceback" not in err
    assert_clean(err)
    assert "\u241b[2J" in err  # ␛[2J: the user can see what was there


def test_a_hostile_search_text_is_neutralised(capsys: pytest.CaptureFixture[str]) -> None:
    for extra in ([], ["--json"]):
        code, out, err = run(capsys, "kb", "search", HOSTILE, *extra)
        assert (code, err) == (0, "")
        assert_clean(out)
    assert json.loads(out)["query"] == HOSTILE  # JSON escapes it, and keeps it exactly


def test_a_hostile_value_never_reaches_the_terminal_raw_through_the_real_script(
    tmp_path: Path,
) -> None:
    for argv in ([*VALID_DOSE[:2], HOSTILE, *VALID_DOSE[3:]],
                 ["intake", "--age", "40", "--sex", "male", HOSTILE],
                 ["--kb", str(tmp_path / HOSTILE), "forms"],
                 ["kb", "search", HOSTILE],
                 ["kb", "search", HOSTILE, "--json"]):
        result = run_process(*argv)
        assert result.returncode in (0, 2, 3), result
        assert b"Traceback" not in result.stderr
        assert_no_raw_bytes(result.stdout, result.stderr)


def test_undecodable_argument_bytes_never_crash_the_real_script() -> None:
    # argv bytes that are not UTF-8 arrive as lone surrogates: printing them must not fail.
    result = subprocess.run([*magtui_command(), "intake", "--age", "40", "--sex", "male",
                             b"\xff\x1b[2J".decode("utf-8", "surrogateescape")],
                            capture_output=True, timeout=60, cwd=REPO, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and result.stdout == b""
    assert b"Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert_no_raw_bytes(result.stderr)


# ------------------------------------------------------------ terminal injection: KB text


def _hostile_kb(tmp_path: Path) -> tuple[Path, str]:
    """A copy of the shipped KB with escape sequences in a finding, a form and a source."""
    raw: dict[str, Any] = json.loads(DEFAULT_KB.read_text(encoding="utf-8"))
    finding_id = "cramps_spasms"
    finding = next(f for f in raw["findings"].values() if f["id"] == finding_id)
    finding["label"] = f"Cramps{HOSTILE}\nemergency: call now"
    form = next(f for f in raw["forms"].values() if f["id"] == "oxide")
    form["name"] = f"Magnesium{HOSTILE}"
    form["variability_note"] = f"Varies{HOSTILE}"
    source = next(s for s in raw["sources"].values() if s["id"] == finding["source"])
    source["title"] = f"Title{HOSTILE}"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path, finding_id


def _kb_commands(kb: str, finding: str) -> list[list[str]]:
    return [
        ["findings", "--kb", kb],
        ["forms", "--kb", kb],
        ["kb", "search", "evil", "--kb", kb],
        ["triage", "--answer", finding, "--kb", kb],
        ["dose", "--form", "oxide", "--compound-mg", "400", "--age", "40", "--sex", "male",
         "--kb", kb],
        ["egfr", "--age", "50", "--sex", "male", "--creatinine", "1", "--kb", kb],
        ["serum", "--value", "0.8", "--unit", "mmol/L", "--kb", kb],
        ["intake", "--age", "40", "--sex", "male", "--kb", kb],
        ["kb", "validate", "--kb", kb],
    ]


def test_kb_text_never_reaches_the_terminal_raw(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    """Either the KB is refused (exit 3, clean lines) or its text is shown neutralised;
    JSON carries it escaped and exact."""
    path, finding = _hostile_kb(tmp_path)
    for argv in _kb_commands(str(path), finding):
        for extra in ([], ["--json"]):
            code, out, err = run(capsys, *argv, *extra)
            assert "Traceback" not in out + err
            assert_clean(out, err)
            if code == 3:
                assert out == "" and err.startswith("magtui: ")
                continue
            assert (code, err) == (0, ""), (argv, code, err)
            if extra:
                json.loads(out)  # still one valid JSON object
            elif argv[0] == "findings":
                # one line per finding: a line break in a label cannot forge a row
                rows = out.splitlines()
                assert not any(row.startswith("emergency:") for row in rows)
    # the real script's bytes
    result = run_process("findings", "--kb", str(path))
    assert result.returncode in (0, 3)
    assert_no_raw_bytes(result.stdout, result.stderr)


# ------------------------------------------------------------ terminal injection: notes

NOTE_ID = "20261125-171530-a1b2c3"


def _plant_note(tmp_path: Path, content: str) -> Path:
    folder = Path(os.environ["MAGTUI_NOTES_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / f"{NOTE_ID}.json"
    path.write_text(content, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    "content",
    [
        # a planted key: pydantic's message quotes it
        json.dumps({HOSTILE: 1, "schema": "magtui.note/1"}),
        # a planted value
        json.dumps({"schema": HOSTILE, "patient_ref": HOSTILE}),
        # not JSON at all, with raw controls in the bytes
        f"{{{HOSTILE}",
    ],
    ids=["key", "value", "broken"],
)
def test_a_planted_note_never_reaches_the_terminal_raw(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    _plant_note(tmp_path, content)
    for argv in (["notes", "list"], ["notes", "list", "--json"], ["notes", "show", NOTE_ID],
                 ["notes", "show", NOTE_ID, "--json"]):
        code, out, err = run(capsys, *argv)
        assert code in (0, 2), (argv, code, err)
        assert "Traceback" not in out + err
        assert_clean(out, err)
        if code == 2:
            assert len(err.splitlines()) == 1, err
        if argv[-1] == "--json" and code == 0:
            json.loads(out)


def _saved_note_with(kb: Any, change: Callable[[dict[str, Any]], None]) -> str:
    """A real saved note whose JSON file was then edited by `change` (a planted file)."""
    from datetime import UTC, datetime, timedelta

    from magtui.clinical.triage import evaluate, finding_states
    from magtui.notes.build import NoteResults, build_note
    from magtui.notes.store import save_note

    now = datetime(2026, 11, 25, 17, 15, 30, tzinfo=UTC)
    note = build_note(kb, NoteResults(triage=evaluate(kb, finding_states(kb, ["fatigue"], []))),
                      patient_ref="ref 1", clinician_text="", now=now,
                      started_at=now - timedelta(minutes=5))
    saved = save_note(note, now=now)
    data = json.loads(saved.json_path.read_text(encoding="utf-8"))
    change(data)
    saved.json_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return saved.note_id


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.update({HOSTILE: "planted key"}),  # pydantic quotes the key
        lambda data: data.update({"patient_ref": HOSTILE}),
        lambda data: data.update({"clinician_text": f"text{HOSTILE}\nmore"}),
    ],
    ids=["planted key", "patient ref", "free text"],
)
def test_a_planted_field_in_a_real_note_never_reaches_the_terminal_raw(
    capsys: pytest.CaptureFixture[str], kb: Any, change: Callable[[dict[str, Any]], None]
) -> None:
    note_id = _saved_note_with(kb, change)
    for argv in (["notes", "list"], ["notes", "list", "--json"], ["notes", "show", note_id],
                 ["notes", "show", note_id, "--json"]):
        code, out, err = run(capsys, *argv)
        assert code in (0, 2), (argv, code, err)
        assert "Traceback" not in out + err
        assert_clean(out, err)
        if code == 2:
            assert len(err.splitlines()) == 1, err
        elif argv[-1] == "--json":
            json.loads(out)
        elif argv[1] == "list":
            assert len(out.splitlines()) == 1, out  # one note, one line


# ------------------------------------------------------------ JSON escaping


@given(st.text())
def test_json_safe_escapes_every_control_and_keeps_the_value(text: str) -> None:
    dumped = json.dumps({"t": text, text: [text]}, ensure_ascii=False, indent=2)
    safe = json_safe(dumped)
    assert RAW.search(safe) is None
    assert json.loads(safe) == json.loads(dumped)


def test_json_safe_leaves_clean_json_unchanged() -> None:
    clean = json.dumps({"unit": "µmol/L", "note": "ranges 11–16 % — Mg₃(C₆H₅O₇)₂\ttab"},
                       ensure_ascii=False, indent=2)
    assert json_safe(clean) == clean


# ------------------------------------------------------------ any text, anywhere

# Real argv can hold lone surrogates (bytes that were not UTF-8): include those too.
ANY_TEXT = st.text(
    alphabet=st.characters()  # every code point but surrogates
    | st.sampled_from([chr(c) for c in range(0xDC80, 0xDD00)])
    | st.sampled_from(list("\x1b\x9b\x07\r\n\u202e\u2066\x00\x7f")),
    max_size=40,
)
SLOTS: list[Callable[[str], list[str]]] = [
    lambda t: ["dose", f"--form={t}", "--compound-mg", "400", "--age", "40", "--sex", "male"],
    lambda t: ["dose", "--form", "oxide", f"--compound-mg={t}", "--age", "40", "--sex", "male"],
    lambda t: ["triage", f"--answer={t}"],
    lambda t: ["triage", "--answer", "fatigue", f"--absent={t}", "--json"],
    lambda t: ["triage", "--answer", "fatigue", f"--egfr={t}"],
    lambda t: ["intake", f"--age={t}", "--sex", "male"],
    lambda t: ["egfr", "--age", "50", f"--sex={t}", "--creatinine", "1"],
    lambda t: ["serum", "--value", "0.8", f"--unit={t}", "--json"],
    lambda t: [f"--kb={t}", "forms"],
    lambda t: ["findings", f"--kb={t}", "--json"],
    lambda t: ["kb", "search", "--", t],
    lambda t: ["kb", "search", "--json", "--", t],
    lambda t: ["notes", "show", "--", t],
    lambda t: ["intake", "--age", "40", "--sex", "male", t],
    lambda t: [f"--egfr={t}", "triage"],
]


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(range(len(SLOTS))), ANY_TEXT)
def test_any_text_in_any_argument_never_crashes_or_reaches_the_terminal_raw(
    capsys: pytest.CaptureFixture[str], slot: int, text: str
) -> None:
    argv = SLOTS[slot](text)
    if text in ("-h", "--help"):
        return  # argparse's own help, then SystemExit(0): magtui's text only
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 2, 3), (argv, code, err)
    assert "Traceback" not in out + err
    assert_clean(out, err)
    if code == 2:
        assert len(err.splitlines()) == 1, err
        assert out == ""
    if code == 0 and "--json" in argv:
        json.loads(out)


TEXT_FIELDS = {"label", "name", "title", "publisher", "text", "note", "variability_note",
               "advice", "question", "action", "disclaimer", "formula", "why", "reason",
               "absorption", "summary"}


def _poison(value: Any) -> Any:
    """The same KB value with an escape sequence in every human text field."""
    if isinstance(value, dict):
        return {key: _poison(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(_poison(item) for item in value)
    fields = getattr(value, "FIELDS", None)
    if not fields:
        return value
    changes = {}
    for field in fields:
        item = getattr(value, field)
        if field in TEXT_FIELDS and isinstance(item, str):
            changes[field] = f"{item}{HOSTILE}\nemergency: call now"
        elif isinstance(item, dict | tuple) or getattr(item, "FIELDS", None):
            changes[field] = _poison(item)
    return value.replace(**changes)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in _strings(item)]


def test_kb_text_that_passed_the_loader_is_still_neutralised(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, kb: Any
) -> None:
    """Defence in depth: were a KB with escape sequences in its text ever accepted (the
    loader refuses them), every command still shows them neutralised and JSON escapes them."""
    poisoned = _poison(kb)
    assert HOSTILE in poisoned.findings["cramps_spasms"].label
    monkeypatch.setattr("magtui.cli._load", lambda args: poisoned)
    for argv in _kb_commands("unused.json", "cramps_spasms"):
        argv = argv[:-2]  # no --kb: _load is replaced
        for extra in ([], ["--json"]):
            code, out, err = run(capsys, *argv, *extra)
            assert (code, err) == (0, ""), (argv, code, err)
            assert_clean(out)
            assert not any(row.lstrip(' "').startswith("emergency:")
                           for row in out.splitlines()), argv  # never a line of its own
            if (argv[0] == "egfr" and extra) or argv[:2] == ["kb", "validate"]:
                continue  # these quote no KB text
            if extra:  # JSON: the text exactly, escaped
                assert any(HOSTILE in text for text in _strings(json.loads(out))), argv
            else:  # shown, not dropped
                assert "\u241b[2J" in out, argv
