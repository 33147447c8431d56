"""Settings (issue #14): the file, the variables over it, and every bad case named."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import stat
import string
import subprocess
import sys
from pathlib import Path

import pytest

import magtui.ui
from magtui import keymap
from magtui.notes.store import notes_dir
from magtui.settings import THEMES, LoadedSettings, Settings, config_path, load_settings

EXAMPLE = """\
creatinine_unit = "µmol/L"
serum_unit = "mg/dL"
notes_dir = "~/clinic/magtui-notes"
theme = "nord"

[keymap]
save = "ctrl+t"
area.patient = "f10"
help = ["f1", "f12"]
"""


def write_config(text: str | bytes) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    path.chmod(0o600)
    return path


def loaded_from(text: str | bytes) -> LoadedSettings:
    write_config(text)
    return load_settings()


def test_no_file_no_variables_gives_the_defaults(tmp_path: Path) -> None:
    loaded = load_settings()
    assert config_path() == tmp_path / "config" / "config.toml"  # the fixture's, not the user's
    assert not loaded.exists and loaded.problem is None
    # MAGTUI_NOTES_DIR is set by the test fixture: it is the notes folder setting.
    assert loaded.settings == Settings(notes_dir=tmp_path / "notes")
    assert loaded.source("notes_dir") == "environment"
    assert loaded.source("creatinine_unit") == "default"


def test_the_common_start_never_imports_pydantic(tmp_path: Path) -> None:
    # No file and no setting variable: the TUI's first frame must not wait for pydantic.
    code = ("import sys\nfrom magtui.settings import load_settings\n"
            "s = load_settings()\nassert s.problem is None, s\n"
            "print(','.join(m for m in sys.modules if m.startswith('pydantic')))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_a_real_file_sets_everything() -> None:
    loaded = loaded_from(EXAMPLE)
    assert loaded.problem is None
    settings = loaded.settings
    assert settings.creatinine_unit == "umol/L"  # µmol/L written as on a lab report
    assert settings.serum_unit == "mg/dL"
    assert settings.theme == "nord"
    assert dict(settings.keymap) == {"save": "ctrl+t", "area.patient": "f10",
                                     "help": "f1,f12"}
    # MAGTUI_NOTES_DIR (set by the fixture) outranks the file.
    assert loaded.source("notes_dir") == "environment"
    assert {loaded.source(n) for n in ("creatinine_unit", "theme", "keymap")} == {"file"}


def test_the_file_names_the_notes_folder_when_the_variable_is_unset(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAGTUI_NOTES_DIR")
    loaded = loaded_from(EXAMPLE)
    folder = Path("~/clinic/magtui-notes").expanduser()
    assert loaded.settings.notes_dir == folder
    assert loaded.source("notes_dir") == "file"
    assert notes_dir() == folder  # the CLI's notes commands and the app's default agree
    monkeypatch.setenv("MAGTUI_NOTES_DIR", "/srv/notes")
    assert notes_dir() == Path("/srv/notes")


@pytest.mark.parametrize(("variable", "value", "setting", "expected"), [
    ("MAGTUI_CREATININE_UNIT", "mg/dL", "creatinine_unit", "mg/dL"),
    ("MAGTUI_SERUM_UNIT", "meq/l", "serum_unit", "mEq/L"),
    ("MAGTUI_THEME", "dracula", "theme", "dracula"),
    ("MAGTUI_KEYMAP", '{"copy": "f11"}', "keymap", {"copy": "f11"}),
])
def test_a_variable_outranks_the_file(monkeypatch: pytest.MonkeyPatch, variable: str,
                                      value: str, setting: str, expected: object) -> None:
    monkeypatch.setenv(variable, value)
    loaded = loaded_from(EXAMPLE)
    assert loaded.problem is None
    got = getattr(loaded.settings, setting)
    assert (dict(got) if setting == "keymap" else got) == expected
    assert loaded.source(setting) == "environment"
    assert loaded.settings.theme == ("dracula" if setting == "theme" else "nord")


def test_a_variable_alone_is_validated_without_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAGTUI_CREATININE_UNIT", "umol/L")
    loaded = load_settings()
    assert not loaded.exists and loaded.problem is None
    assert loaded.settings.creatinine_unit == "umol/L"


@pytest.mark.parametrize(("text", "named"), [
    ('creatinine_unit = "umol/L"\ntheme = \n', "config.toml: line 2 (theme): invalid TOML"),
    ("theme = 5\n", "config.toml: theme: must be text, got int"),
    ('creatinine_unit = "mmol/L"\n', "config.toml: creatinine_unit: unknown creatinine unit "
                                     "'mmol/L'; use mg/dL or umol/L"),
    ('serum_unit = "mg"\n', "config.toml: serum_unit: unknown serum magnesium unit 'mg'"),
    ("notes_dir = []\n", "config.toml: notes_dir: must be text, got list"),
    ('colour = "blue"\n', "config.toml: colour: not a magtui setting"),
    ('keymap = "f10"\n', "config.toml: keymap: must be a table"),
    ('[keymap]\nsav = "ctrl+t"\n', "config.toml: keymap.sav: no binding has this id"),
    ('[keymap]\nsave = "ctlr+s"\n',
     "config.toml: keymap.save: 'ctlr+s' is not a key: unknown modifier 'ctlr'"),
    ('[keymap]\nsave = "f99"\n', "config.toml: keymap.save: 'f99' is not a key: unknown key"),
    ('[keymap]\nsave = ""\n', "config.toml: keymap.save: an empty key"),
    ("[keymap]\nsave = 7\n", "config.toml: keymap.save: must be a key"),
    ('[keymap]\nsave = "s"\n', "config.toml: keymap.save: 's' types a character"),
    ('[keymap]\nsave = "ctrl+w"\n', "config.toml: keymap.save: 'ctrl+w' is kept for the text"),
    ('[keymap]\nsave = "f1"\n', "config.toml: keymap.save: 'f1' is already the key of 'help'"),
    ('[keymap]\n"finding.present" = "n"\n',
     "keymap.finding.present: 'n' is already the key of 'finding.absent'"),
])
def test_each_bad_setting_is_named_and_takes_its_default(
        monkeypatch: pytest.MonkeyPatch, text: str, named: str) -> None:
    # (A value the variable outranks is never read, so the file's own must be in effect.)
    monkeypatch.delenv("MAGTUI_NOTES_DIR")
    loaded = loaded_from(text)
    assert loaded.problem is not None and named in loaded.problem
    assert "\n" not in loaded.problem  # one line
    assert loaded.settings.creatinine_unit == "mg/dL"
    assert dict(loaded.settings.keymap) == {} and loaded.settings.theme is None
    assert loaded.settings.notes_dir is None


def test_one_bad_setting_leaves_the_others_applied() -> None:
    loaded = loaded_from('creatinine_unit = "umol/L"\ntheme = "solarised"\n'
                         '[keymap]\nsave = "ctrl+t"\n')
    assert loaded.problem is not None
    assert loaded.problem.startswith("config.toml: theme: unknown Textual theme 'solarised'")
    assert loaded.settings.theme is None
    assert loaded.settings.creatinine_unit == "umol/L"
    assert dict(loaded.settings.keymap) == {"save": "ctrl+t"}


def test_moved_keys_may_swap_and_may_keep_their_own() -> None:
    loaded = loaded_from('[keymap]\nsave = "f8"\ncopy = "ctrl+s"\n"help.close" = "escape,f1"\n'
                         '"finding.cycle" = ["space", "c"]\n')
    assert loaded.problem is None, loaded.problem
    assert loaded.settings.keymap["finding.cycle"] == "space,c"


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("MAGTUI_THEME", "nope", "MAGTUI_THEME: unknown Textual theme 'nope'"),
    ("MAGTUI_KEYMAP", "{save: f10", "MAGTUI_KEYMAP: not JSON"),
    ("MAGTUI_KEYMAP", '{"sav": "f10"}', "MAGTUI_KEYMAP (sav): no binding has this id"),
    ("MAGTUI_CREATININE_UNIT", "mol", "MAGTUI_CREATININE_UNIT: unknown creatinine unit"),
])
def test_a_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
                                 named: str) -> None:
    monkeypatch.setenv(variable, value)
    loaded = load_settings()
    assert loaded.problem is not None and named in loaded.problem


def test_file_text_in_a_message_is_neutralised() -> None:
    loaded = loaded_from('"\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u202e" = 1\n'
                         'theme = "\\u001b[2J"\n')
    assert loaded.problem is not None
    assert not any(ch in loaded.problem for ch in "\x1b\x07\u202e")
    assert "not a magtui setting" in loaded.problem and "theme" in loaded.problem


@pytest.mark.parametrize(("content", "named"), [
    (b"theme = \"nord\"\n\xff\xfe", "config.toml: not UTF-8 text"),
    (b"x = " + b"[" * 5000 + b"]" * 5000, "config.toml: "),
    (b"#" * 70_000, "config.toml: not read: "),
])
def test_a_file_that_is_not_settings_is_refused_whole(content: bytes, named: str) -> None:
    loaded = loaded_from(content)
    assert loaded.problem is not None and loaded.problem.startswith(named)
    assert loaded.settings.theme is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_without_blocking() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    os.mkfifo(path, 0o600)
    loaded = load_settings()  # a blocking open would hang the test here
    assert loaded.problem is not None and "not a regular file" in loaded.problem


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_file_others_may_write_is_refused() -> None:
    path = write_config('theme = "nord"\n')
    path.chmod(0o666)
    loaded = load_settings()
    assert loaded.problem is not None and "group or others may write it" in loaded.problem
    assert "chmod 600" in loaded.problem and loaded.settings.theme is None
    path.chmod(0o600)
    assert load_settings().settings.theme == "nord"  # the change is read at once


# ------------------------------------------------------------------ the tables stay true


def _app_bindings() -> dict[str, str]:
    """Every binding id in the consultation app's modules, with its keys."""
    found: dict[str, str] = {}
    for info in pkgutil.walk_packages(magtui.ui.__path__, "magtui.ui."):
        if info.name.endswith("kb_error"):  # its own little app, shown for a broken KB
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for binding in vars(cls).get("BINDINGS", []):
                if getattr(binding, "id", None):
                    found[binding.id] = binding.key
    return found


def test_the_keymap_table_is_the_apps_bindings() -> None:
    assert _app_bindings() == {i: spec.keys for i, spec in keymap.BINDINGS.items()}


def test_the_theme_names_are_textuals() -> None:
    from textual.theme import BUILTIN_THEMES

    assert frozenset(BUILTIN_THEMES) == THEMES


def test_reserved_keys_cover_what_textual_widgets_use() -> None:
    from textual.binding import Binding
    from textual.containers import VerticalScroll
    from textual.screen import Screen
    from textual.widgets import Checkbox, Input, OptionList, RadioButton, RadioSet, TextArea

    used: set[str] = set()
    for cls in (Input, TextArea, OptionList, RadioSet, RadioButton, Checkbox, VerticalScroll,
                Screen):
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding)
            used.update(key.strip() for key in binding.key.split(","))
    ours = {key for spec in keymap.BINDINGS.values() for key in spec.keys.split(",")}
    assert used - ours <= keymap.RESERVED_KEYS


def test_character_names_are_textuals() -> None:
    from textual.keys import _character_to_key  # the form App.set_keymap compares

    for character in string.printable.strip():
        assert keymap.character_key(character) == _character_to_key(character)


def test_config_path_honours_the_variable(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    monkeypatch.setenv("MAGTUI_CONFIG", "~/elsewhere.toml")
    assert config_path() == Path("~/elsewhere.toml").expanduser()
    monkeypatch.delenv("MAGTUI_CONFIG")
    assert config_path().name == "config.toml" and config_path().parent.name == "magtui"
    assert stat.S_ISDIR(tmp_path.stat().st_mode)


def test_the_readme_example_is_a_valid_file() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Settings\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    loaded = loaded_from(example)
    assert loaded.problem is None, loaded.problem
    assert loaded.settings.creatinine_unit == "umol/L"
    assert loaded.settings.theme == "solarized-light"
    assert loaded.settings.keymap["area.patient"] == "f10"
    assert set(loaded.settings.keymap) == {"save", "help", "area.patient", "finding.cycle"}
