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


async def test_checklist_answers_highlight_focus_and_scroll_survive_leaving(
    app_for: AppFor,
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=(80, 24)) as pilot:  # small: the live panel scrolls too
        first = app.screen
        findings = first.query_one("#findings", OptionList)
        findings.highlighted = findings.get_option_index("seizure")  # a red flag, far down
        await pilot.pause()
        await pilot.press("y", "down", "n")  # seizure present, the next finding absent
        await pilot.pause()
        highlighted = findings.highlighted_option.id  # type: ignore[attr-defined, union-attr]
        list_y = findings.scroll_y
        assert highlighted != "seizure" and list_y > 0
        panel = first.query_one("#triage-panel")
        panel.focus()
        await pilot.press("end")
        await pilot.pause()
        panel_y = panel.scroll_y
        assert panel_y > 0
        question = shown(app, "#finding-question")
        marks = [str(row.prompt) for row in findings.options]  # type: ignore[attr-defined]

        for key in ("f3", "f6"):  # via another area; and via F2 from F6 itself
            await go(pilot, key)
            assert not first.is_attached  # released, not kept
            await go(pilot, "f2")
            await pilot.pause()
            screen = app.screen
            again = screen.query_one("#findings", OptionList)
            assert [str(row.prompt) for row in again.options] == marks  # same states
            assert again.highlighted_option.id == highlighted  # type: ignore[union-attr]
            assert again.scroll_y == list_y
            assert screen.query_one("#triage-panel").scroll_y == panel_y
            assert app.focused is screen.query_one("#triage-panel")
            assert shown(app, "#finding-question") == question
            # Keys act on the same finding as before leaving.
            again.focus()
            await pilot.press("u")
            await pilot.pause()
            assert highlighted not in app.consultation.states
            await pilot.press("n")
            await pilot.pause()
            assert app.consultation.states[highlighted] == "absent"
            screen.query_one("#triage-panel").focus()
            await pilot.pause()
            first = screen
        assert app.consultation.states["seizure"] == "present"


async def test_red_flag_asked_for_from_referral_stays_in_view_of_a_rebuilt_checklist(
    app_for: AppFor,
) -> None:
    app = app_for(autosave=False, states={"cramps_spasms": "present"})
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#triage-panel").focus()
        await pilot.press("end")  # a scrolled panel: the rebuilt checklist scrolls it back
        await pilot.pause()
        await go(pilot, "f5")
        await pilot.press("a")  # to the checklist, at the first red flag not yet asked
        await pilot.pause()
        await pilot.pause()
        findings = app.screen.query_one("#findings", OptionList)
        assert findings.highlighted_option.id == "breathing_difficulty"  # type: ignore[union-attr]
        top = findings._index_to_line[findings.highlighted]  # type: ignore[index]
        height = findings.scrollable_content_region.height
        assert findings.scroll_y <= top < findings.scroll_y + height


async def test_a_left_area_is_freed_the_first_checklist_too(app_for: AppFor) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        # The first screen shown is referenced by Textual for the whole run: its widgets
        # must go all the same.
        first_list = weakref.ref(app.screen.query_one("#findings"))
        await go(pilot, "f3")
        patient = weakref.ref(app.screen)
        await go(pilot, "f2")
        await pilot.pause(0.1)
        gc.collect()
        assert first_list() is None
        assert app.screen.query_one("#findings") is not None  # a new checklist
        await go(pilot, "f4")
        await pilot.pause(0.1)
        gc.collect()
        assert patient() is None  # nothing keeps the left area's widgets alive
        assert not [obj for obj in gc.get_objects() if type(obj).__name__ == "FindingList"]
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


async def test_old_footer_keys_do_not_pile_up_when_the_keys_change(app_for: AppFor) -> None:
    """Focus moving between the checklist and the live panel changes the keys on show, so
    the footer is rebuilt each time; the keys it removed must go."""
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("tab", "shift+tab") * 6:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause(0.1)
        gc.collect()
        keys = [obj for obj in gc.get_objects() if isinstance(obj, FooterKey)]
        live = [key for key in keys if key.is_attached]
        assert live
        assert len(keys) - len(live) <= 3 * len(live)
