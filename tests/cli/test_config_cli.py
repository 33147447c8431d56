"""`magtui config path` and `magtui config show` (issue #14)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from magtui.cli import main
from magtui.settings import config_path

REPO = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_config_path_prints_the_file_in_use(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    code, out, err = run(capsys, "config", "path")
    assert (code, err) == (0, "")
    assert out == f"{tmp_path / 'config' / 'config.toml'}\n"
    code, out, _ = run(capsys, "config", "path", "--json")
    assert json.loads(out) == {"path": str(config_path()), "exists": False}


def test_config_show_without_a_file_shows_the_defaults(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    code, out, err = run(capsys, "config", "show", "--json")
    assert (code, err) == (0, "")
    shown: dict[str, Any] = json.loads(out)
    assert shown["exists"] is False and shown["problem"] is None
    assert shown["settings"] == {"creatinine_unit": "mg/dL", "serum_unit": "mmol/L",
                                 "notes_dir": str(tmp_path / "notes"), "theme": None,
                                 "keymap": {}}
    assert shown["sources"]["notes_dir"] == "environment"
    assert shown["keys"]["save"] == "ctrl+s" and shown["keys"]["area.patient"] == "f3"
    assert "nord" in shown["themes"]


def test_config_show_reads_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    write_config('creatinine_unit = "µmol/L"\ntheme = "nord"\n[keymap]\nsave = "ctrl+t"\n')
    code, out, err = run(capsys, "config", "show")
    assert (code, err) == (0, "")
    assert 'creatinine_unit = "umol/L"  # from the file' in out
    assert 'serum_unit = "mmol/L"  # default' in out
    assert 'theme = "nord"  # from the file' in out
    assert 'save = "ctrl+t"  # save the session note (moved)' in out
    assert '"area.patient" = "f3"  # go to Patient' in out
    assert 'notes_dir = ' in out and "# from MAGTUI_NOTES_DIR" in out


def test_a_variable_shows_as_the_source(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('theme = "nord"\n')
    monkeypatch.setenv("MAGTUI_THEME", "dracula")
    code, out, _ = run(capsys, "config", "show", "--json")
    shown = json.loads(out)
    assert code == 0
    assert (shown["settings"]["theme"], shown["sources"]["theme"]) == ("dracula", "environment")


@pytest.mark.parametrize(("text", "named"), [
    ('creatinine_unit = "umol/L"\ntheme = \n', "config.toml: line 2 (theme): invalid TOML"),
    ("[keymap]\nsav = \"f10\"\n", "config.toml: keymap.sav: no binding has this id"),
    ("[keymap]\nsave = \"ctlr+s\"\n", "config.toml: keymap.save: 'ctlr+s' is not a key"),
    ('serum_unit = "g/L"\n', "config.toml: serum_unit: unknown serum magnesium unit 'g/L'"),
])
def test_a_bad_file_is_one_line_on_stderr_and_exit_2(capsys: pytest.CaptureFixture[str],
                                                     text: str, named: str) -> None:
    write_config(text)
    code, out, err = run(capsys, "config", "show")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"magtui: settings: {named}")
    # What is in effect is still shown: the defaults standing in.
    assert 'serum_unit = "mmol/L"  # default' in out
    code, out, _ = run(capsys, "config", "path")  # the path needs no valid file
    assert code == 0 and out.strip() == str(config_path())


def test_file_text_reaches_the_terminal_neutralised(capsys: pytest.CaptureFixture[str]) -> None:
    write_config('"\\u001b[2J\\u001b]0;owned\\u0007" = 1\n')
    code, _, err = run(capsys, "config", "show")
    assert code == 2 and "not a magtui setting" in err
    assert "\x1b" not in err and "\x07" not in err


def test_config_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "config")
    assert code == 2 and "config" in err and err.count("\n") == 1


def test_notes_commands_use_the_files_folder_and_name_a_bad_setting(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.delenv("MAGTUI_NOTES_DIR")
    folder = tmp_path / "clinic-notes"
    write_config(f'notes_dir = "{folder}"\ntheme = "nope"\n')
    code, out, err = run(capsys, "notes", "list")
    assert code == 0
    assert out.strip() == f"no saved notes in {folder}"
    assert err.startswith("magtui: settings: config.toml: theme: unknown Textual theme 'nope'")


def test_the_tui_reads_creatinine_in_the_settings_unit(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('creatinine_unit = "umol/L"\n')
    started: dict[str, Any] = {}

    def fake_run(kb: object, prefill: dict[str, Any], settings: object = None) -> int:
        started.update(prefill=prefill, settings=settings)
        return 0

    monkeypatch.setattr("magtui.ui.app.run", fake_run)
    code, _, err = run(capsys, "--age", "68", "--sex", "female", "--creatinine", "95")
    assert (code, err) == (0, "")
    assert started["prefill"]["creatinine_unit"] == "umol/L"
    assert started["prefill"]["creatinine"] == 95
    assert started["settings"].settings.creatinine_unit == "umol/L"
    # --unit still says what it says.
    code, _, _ = run(capsys, "--age", "68", "--sex", "female", "--creatinine", "1.1",
                     "--unit", "mg/dL")
    assert code == 0 and started["prefill"]["creatinine_unit"] == "mg/dL"


def test_config_commands_never_import_textual(tmp_path: Path) -> None:
    write_config('theme = "nord"\n')
    code = (
        "import sys, io, contextlib\n"
        "from magtui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['config', 'path']) == 0\n"
        "    assert main(['config', 'show', '--json']) == 0\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, cwd=REPO, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
