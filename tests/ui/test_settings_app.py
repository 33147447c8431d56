"""Settings in the running app (issue #14): each setting changes what the app does, and a
bad file is named in a notification while the app starts with the defaults."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, RadioSet, Static

from magtui.settings import config_path
from magtui.ui.app import MagtuiApp
from magtui.ui.screens.help import HelpScreen
from tests.ui.conftest import Notice

SIZE = (120, 40)
AppFor = Callable[..., MagtuiApp]
Notices = Callable[[MagtuiApp], list[Notice]]


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def _saved(folder: Path) -> list[Path]:
    return sorted(folder.glob("2*.json"))


async def test_umol_per_litre_is_preselected_on_f3(app_for: AppFor) -> None:
    write_config('creatinine_unit = "µmol/L"\nserum_unit = "mg/dL"\n')
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#creatinine-unit", RadioSet).pressed_button is not None
        assert str(screen.query_one("#creatinine-unit", RadioSet).pressed_button.label) == \
            "µmol/L"
        assert str(screen.query_one("#serum-unit", RadioSet).pressed_button.label) == "mg/dL"
        # A preference is not an input: nothing to save, quitting asks nothing.
        assert not app.unsaved
        # 95 is read as µmol/L: an eGFR, no "plausible in another unit" refusal.
        await pilot.press("6", "8", "tab", "tab", "enter", "tab", "tab", "tab", "9", "5")
        await pilot.pause()
        assert screen.query_one("#creatinine", Input).value == "95"
        assert app.consultation.patient.creatinine == 95
        assert app.consultation.patient.creatinine_unit == "umol/L"
        assert "eGFR" in str(screen.query_one("#egfr-result", Static).render())
        assert app.results is not None and app.results.egfr is not None


async def test_a_unit_already_entered_is_kept(app_for: AppFor) -> None:
    from magtui.consultation import PatientInputs

    write_config('creatinine_unit = "umol/L"\n')
    app = app_for(autosave=False, patient=PatientInputs(age_years=70, sex="male",
                                                        creatinine=1.1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert app.consultation.patient.creatinine_unit == "mg/dL"
        button = app.screen.query_one("#creatinine-unit", RadioSet).pressed_button
        assert button is not None and str(button.label) == "mg/dL"


async def test_a_moved_key_works_and_shows_in_footer_help_and_area_bar(
        app_for: AppFor, screen_text: Callable[[MagtuiApp], str], tmp_path: Path) -> None:
    write_config('[keymap]\nsave = "ctrl+t"\n"area.patient" = "f10"\n')
    app = app_for(autosave=False, states={"cramps_spasms": "present"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "^t Save" in text and "^s" not in text  # the footer
        assert " F10 Patient " in text and "F3 Patient" not in text  # the area bar
        await pilot.press("f3")  # no longer bound
        assert app.current_mode == "triage"
        await pilot.press("f10")
        await pilot.pause()
        assert app.current_mode == "patient"
        assert "▶F10 Patient◀" in screen_text(app)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one("#help-text", Static).render())
        assert "• ^t — Save the session note (from anywhere)" in help_text
        assert "• f10 — Go to Patient" in help_text
        assert "^s" not in help_text
        await pilot.press("escape")
        await pilot.press("ctrl+s")  # the old key does nothing now
        await pilot.pause()
        assert _saved(tmp_path / "notes") == []
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert len(_saved(tmp_path / "notes")) == 1


@pytest.mark.parametrize(("text", "named"), [
    ('creatinine_unit = "umol/L"\ntheme = \n', "config.toml: line 2 (theme): invalid TOML"),
    ('[keymap]\nsav = "ctrl+t"\n', "config.toml: keymap.sav: no binding has this id"),
])
async def test_a_bad_file_is_named_at_start_and_the_defaults_work(
        app_for: AppFor, notices: Notices, screen_text: Callable[[MagtuiApp], str],
        tmp_path: Path, text: str, named: str) -> None:
    write_config(text)
    app = app_for(autosave=False, states={"cramps_spasms": "present"})
    seen = notices(app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        problem = [n for n in seen if n.title == "Settings not applied"]
        assert len(problem) == 1 and problem[0].severity == "error"
        assert problem[0].message.startswith(named)
        assert "defaults are used" in problem[0].message
        assert named.split(": ")[1] in screen_text(app)  # on screen, not only recorded
        assert app.theme == "textual-dark"
        assert app.consultation.patient.creatinine_unit == "mg/dL"
        await pilot.press("ctrl+s")  # the default keys work
        await pilot.pause()
        assert len(_saved(tmp_path / "notes")) == 1


async def test_the_theme_is_applied(app_for: AppFor, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('theme = "nord"\n')
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
        assert app.current_theme.name == "nord"
    monkeypatch.setenv("MAGTUI_THEME", "ansi-dark")  # the variable outranks the file
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "ansi-dark"


async def test_notes_are_saved_to_the_configured_folder(
        app_for: AppFor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MAGTUI_NOTES_DIR")
    folder = tmp_path / "clinic" / "notes"
    write_config(f'notes_dir = "{folder}"\n')
    app = app_for(autosave=True, states={"cramps_spasms": "present"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(_saved(folder)) == 1
        assert app.last_saved is not None and app.last_saved.markdown_path.parent == folder


async def test_a_moved_key_shows_in_the_fields_own_help(app_for: AppFor) -> None:
    write_config('[keymap]\n"patient.switch_unit" = "ctrl+b"\n')
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        app.screen.query_one("#creatinine", Input).focus()
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one("#help-text", Static).render())
        assert "ctrl+b then switches the unit" in help_text
        assert "ctrl+o" not in help_text
        await pilot.press("escape", "9", "5")  # 95 mg/dL is refused; plausible in µmol/L
        await pilot.pause()
        assert "press ctrl+b to switch" in str(
            app.screen.query_one("#creatinine-error", Static).render())
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.consultation.patient.creatinine_unit == "umol/L"
        assert app.consultation.patient.creatinine == 95
