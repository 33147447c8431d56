"""Leaving an area frees its screen (issue #6: memory); coming back must lose nothing.

Every area but the triage checklist is rebuilt from `app.consultation` when re-entered
(`MagtuiApp.release_area`). These tests type into an area, leave it, come back, and check
what the clinician sees: the same text (valid or not), the same focus, search and scroll.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

from textual._styles_cache import StylesCache
from textual.widget import Widget
from textual.widgets import Input, OptionList, Select, Static, TextArea
from textual.widgets._footer import FooterKey

from magtui.consultation import DoseInputs, PatientInputs
from magtui.ui.app import MagtuiApp

SIZE = (100, 32)
AppFor = Callable[..., MagtuiApp]


async def type_into(pilot: Any, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.clear()
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


def shown(app: MagtuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render()).replace("\u00a0", " ")


async def go(pilot: Any, key: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    await pilot.pause()


async def test_patient_fields_valid_and_invalid_survive_leaving(app_for: AppFor) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f3")
        first = app.screen
        await type_into(pilot, "#age-years", "79")
        await type_into(pilot, "#creatinine", "5000")  # out of range: refused, but typed
        await type_into(pilot, "#patient-ref", "AB-12")
        app.screen.query_one("#creatinine", Input).focus()
        await pilot.pause()
        await go(pilot, "f6")
        await go(pilot, "f3")
        assert app.screen is not first  # rebuilt, not kept
        assert not first.is_attached
        screen = app.screen
        assert screen.query_one("#age-years", Input).value == "79"
        assert screen.query_one("#creatinine", Input).value == "5000"
        assert screen.query_one("#creatinine", Input).has_class("-invalid")
        assert "✗" in shown(app, "#creatinine-error")
        assert screen.query_one("#patient-ref", Input).value == "AB-12"
        # Back in the field the clinician left, not at the top of the form.
        assert app.focused is screen.query_one("#creatinine", Input)


async def test_dose_form_survives_leaving_and_escape_comes_back_to_it(app_for: AppFor) -> None:
    app = app_for(autosave=False, patient=PatientInputs(age_years=79, sex="male", egfr=21))
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f4")
        app.screen.query_one("#form", Select).value = "hydroxide"
        await pilot.pause()
        await type_into(pilot, "#amount", "2400")
        await type_into(pilot, "#times-per-day", "0")  # invalid: at least 1 a day
        summary_before = app.consultation.dose
        await go(pilot, "f5")
        await go(pilot, "escape")  # back through history to the released dose area
        assert app.current_mode == "dose"
        screen = app.screen
        assert screen.query_one("#form", Select).value == "hydroxide"
        assert screen.query_one("#amount", Input).value == "2400"
        assert screen.query_one("#times-per-day", Input).value == "0"
        assert screen.query_one("#times-per-day", Input).has_class("-invalid")
        assert app.focused is screen.query_one("#times-per-day", Input)
        assert app.consultation.dose == summary_before


async def test_re_entering_after_a_save_does_not_mark_the_note_unsaved(
    app_for: AppFor, tmp_path: Any
) -> None:
    app = app_for(autosave=False, notes_dir=tmp_path,
                  patient=PatientInputs(age_years=68, sex="female", creatinine=95,
                                        creatinine_unit="umol/L"),
                  dose=DoseInputs(form_id="glycinate", amount_mg=500, times_per_day=2))
    async with app.run_test(size=SIZE) as pilot:
        for key in ("f3", "f4", "f7"):
            await go(pilot, key)
        await go(pilot, "ctrl+s")
        assert not app.unsaved
        for key in ("f3", "f4", "f6", "f5", "f7", "f2"):
            await go(pilot, key)
        assert not app.unsaved  # rebuilding a form is not a change


async def test_kb_search_and_record_survive_leaving(
    app_for: AppFor, screen_text: Callable[[MagtuiApp], str]
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f6")
        await pilot.press(*"kidney", "enter", "down", "down")
        await pilot.pause()
        results = app.screen.query_one("#kb-results", OptionList)
        chosen = results.get_option_at_index(results.highlighted or 0).id
        before = screen_text(app)
        await go(pilot, "f2")
        await go(pilot, "f6")
        screen = app.screen
        assert screen.query_one("#kb-search", Input).value == "kidney"
        results = screen.query_one("#kb-results", OptionList)
        assert results.get_option_at_index(results.highlighted or 0).id == chosen
        assert app.focused is results
        assert screen_text(app) == before  # the same list, record and detail as left


async def test_note_text_and_cursor_survive_leaving(app_for: AppFor) -> None:
    app = app_for(autosave=False, clinician_text="Stop the hydroxide.")
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f7")
        area = app.screen.query_one(TextArea)
        area.cursor_location = (0, 4)
        await pilot.press(*" taking")
        await pilot.pause()
        await go(pilot, "f3")
        await go(pilot, "f7")
        area = app.screen.query_one(TextArea)
        assert area.text == "Stop taking the hydroxide."
        assert area.cursor_location == (0, 11)
        assert app.focused is area
        await pilot.pause(0.5)  # the preview is debounced
        assert "Stop taking the hydroxide." in shown(app, "#note-preview")


async def test_referral_scroll_survives_leaving(app_for: AppFor) -> None:
    app = app_for(autosave=False, patient=PatientInputs(age_years=79, sex="male", egfr=21),
                  states={"mg_laxative_antacid": "present", "nausea": "present"})
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f5")
        await pilot.press("pagedown")
        await pilot.pause()
        scroll = app.screen.query_one("#ref-scroll")
        y = scroll.scroll_y
        assert y > 0
        await go(pilot, "f2")
        await go(pilot, "f5")
        await pilot.pause()
        assert app.screen.query_one("#ref-scroll").scroll_y == y


async def test_triage_is_kept_and_a_left_area_is_freed(app_for: AppFor) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        triage = app.screen
        await go(pilot, "f3")
        patient = weakref.ref(app.screen)
        await go(pilot, "f2")
        assert app.screen is triage  # the checklist is never rebuilt
        await pilot.pause(0.1)
        gc.collect()
        assert patient() is None  # nothing keeps the left area's widgets alive
        # Nor their rendered lines: Textual's lru_cache on StylesCache.get_inner_outer
        # would otherwise keep each removed widget's line cache.
        objects = gc.get_objects()
        in_use = {id(obj._styles_cache) for obj in objects if isinstance(obj, Widget)}
        assert not [obj for obj in objects
                    if isinstance(obj, StylesCache) and id(obj) not in in_use]


async def test_an_area_with_a_dialog_open_is_kept(app_for: AppFor, tmp_path: Any) -> None:
    app = app_for(autosave=False, notes_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f7")
        await go(pilot, "f9")  # "Save as", a dialog over the note area
        path = app.screen.query_one("#save-as-path", Input)
        path.value = str(tmp_path / "half-typed")
        await go(pilot, "f2")
        await go(pilot, "f7")
        assert app.screen.query_one("#save-as-path", Input).value == str(tmp_path / "half-typed")


async def test_old_footer_keys_do_not_pile_up(app_for: AppFor) -> None:
    """Textual's Footer rebuilds its keys on every focus change; the old ones must go."""
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f3")
        for _ in range(12):
            await pilot.press("tab")
            await pilot.pause()
        await pilot.pause(0.1)
        gc.collect()
        keys = [obj for obj in gc.get_objects() if isinstance(obj, FooterKey)]
        live = [key for key in keys if key.is_attached]
        # A rebuild or two may still be waiting to go, not one per Tab press (12 here).
        assert len(keys) - len(live) <= 3 * len(live)
