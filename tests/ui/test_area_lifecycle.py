"""An area's screen is built once and kept (Textual's modes); leaving it loses nothing.

These tests type into an area, leave it, come back, and check what the clinician sees: the
same screen, with the same text (valid or not), focus, search, highlight and scroll; the
results it shows are the current ones even if they changed while it was hidden; and keys
typed right after an F-key reach the area they open (issue #12: none are lost).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from textual import events
from textual.widgets import Input, OptionList, Select, Static, TextArea

from magtui.consultation import DoseInputs, PatientInputs
from magtui.ui.app import MagtuiApp
from tests.ui.conftest import go, type_into

SIZE = (100, 32)
AppFor = Callable[..., MagtuiApp]


def shown(app: MagtuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render()).replace("\u00a0", " ")


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
        assert first.is_attached  # kept while another area is shown
        await go(pilot, "f3")
        assert app.screen is first  # the same screen, not a rebuilt one
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
        first = app.screen
        app.screen.query_one("#form", Select).value = "hydroxide"
        await pilot.pause()
        await type_into(pilot, "#amount", "2400")
        await type_into(pilot, "#times-per-day", "0")  # invalid: at least 1 a day
        summary_before = app.consultation.dose
        await go(pilot, "f5")
        await go(pilot, "escape")  # back through history to the kept dose area
        assert app.current_mode == "dose"
        screen = app.screen
        assert screen is first
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
        assert not app.unsaved  # showing a kept form again is not a change


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
        assert app.focused is scroll


async def test_checklist_answers_highlight_focus_and_scroll_survive_leaving(
    app_for: AppFor,
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=(80, 24)) as pilot:  # small: the live panel scrolls too
        first = app.screen
        findings = first.query_one("#findings", OptionList)
        findings.highlighted = findings.get_option_index("seizure")  # a red flag, far down
        await pilot.pause()
        # Seizure present, the next finding absent (each mark moves on to the next one not
        # yet asked), then back up to that absent finding.
        await pilot.press("y", "n", "up")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()  # the list scrolls smoothly to the row
        highlighted = findings.highlighted_option.id  # type: ignore[attr-defined, union-attr]
        list_y = findings.scroll_y
        assert highlighted != "seizure" and list_y > 0
        panel = first.query_one("#triage-panel")
        panel.focus()
        await pilot.press("end")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        panel_y = panel.scroll_y
        assert panel_y > 0
        question = shown(app, "#finding-question")
        marks = [str(row.prompt) for row in findings.options]  # type: ignore[attr-defined]

        for key in ("f3", "f6"):  # via another area; and via F2 from F6 itself
            await go(pilot, key)
            assert first.is_attached  # kept, not released
            await go(pilot, "f2")
            await pilot.pause()
            screen = app.screen
            assert screen is first
            again = screen.query_one("#findings", OptionList)
            assert [str(row.prompt) for row in again.options] == marks  # same states
            assert again.highlighted_option.id == highlighted  # type: ignore[union-attr]
            assert again.scroll_y == list_y
            assert screen.query_one("#triage-panel").scroll_y == panel_y
            assert app.focused is screen.query_one("#triage-panel")
            assert shown(app, "#finding-question") == question
            # Keys act on the same finding as before leaving (each mark moves the highlight
            # on to the next finding not yet asked, the one below: "up" comes back).
            again.focus()
            await pilot.press("u", "up")
            await pilot.pause()
            assert highlighted not in app.consultation.states
            await pilot.press("n", "up")
            await pilot.pause()
            assert app.consultation.states[highlighted] == "absent"
            assert again.highlighted_option.id == highlighted  # type: ignore[union-attr]
            screen.query_one("#triage-panel").focus()
            await pilot.pause()
        assert app.consultation.states["seizure"] == "present"


async def test_red_flag_asked_for_from_referral_stays_in_view_of_the_kept_checklist(
    app_for: AppFor, screen_text: Callable[[MagtuiApp], str],
) -> None:
    app = app_for(autosave=False, states={"cramps_spasms": "present"})
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#triage-panel").focus()
        await pilot.press("end")  # a scrolled panel, kept as it is
        await pilot.pause()
        await go(pilot, "f5")
        await pilot.press("a")  # to the checklist, at the first red flag not yet asked
        await pilot.pause()
        await pilot.pause()
        findings = app.screen.query_one("#findings", OptionList)
        assert findings.highlighted_option.id == "breathing_difficulty"  # type: ignore[union-attr]
        await pilot.wait_for_scheduled_animations()
        region = findings.scrollable_content_region
        rows = screen_text(app).split("\n")[region.y:region.bottom]
        assert any("Difficulty breathing" in row for row in rows)  # the row is in view


async def test_a_hidden_area_shows_results_that_changed_while_it_was_hidden(
    app_for: AppFor,
) -> None:
    app = app_for(autosave=False, patient=PatientInputs(age_years=79, sex="male"),
                  dose=DoseInputs(form_id="hydroxide", amount_mg=2400, times_per_day=1),
                  states={"mg_laxative_antacid": "present"})
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f4")
        dose = app.screen
        status_before = shown(app, "#dose-status") + shown(app, "#dose-warnings")
        banner_before = shown(app, "#kidney-banner")
        await go(pilot, "f3")
        await type_into(pilot, "#egfr", "12")  # kidney failure, typed in another area
        await go(pilot, "f4")
        assert app.screen is dose
        assert shown(app, "#kidney-banner") != banner_before
        assert shown(app, "#dose-status") + shown(app, "#dose-warnings") != status_before
        assert app.screen.query_one("#kidney-banner", Static).render() is not None


async def test_every_area_is_built_once_and_kept(app_for: AppFor) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        seen: dict[str, object] = {}
        for _ in range(2):
            for key, mode in (("f2", "triage"), ("f3", "patient"), ("f4", "dose"),
                              ("f5", "referral"), ("f6", "knowledge"), ("f7", "note")):
                await go(pilot, key)
                assert app.current_mode == mode
                assert seen.setdefault(mode, app.screen) is app.screen
        assert all(screen.is_attached for screen in seen.values())  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- type-ahead


async def burst(pilot: Any, *keys: str) -> None:
    """Keys queued all at once, as a terminal delivers a hurried "F3 6 8" in one read:
    unlike `pilot.press`, nothing waits for the app to go idle between them."""
    for key in keys:
        pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
    await pilot.pause()
    await pilot.pause()


async def test_a_burst_after_f3_reaches_age_on_a_fresh_app(app_for: AppFor) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f3", "6", "8")
        assert app.current_mode == "patient"
        assert app.screen.query_one("#age-years", Input).value == "68"


async def test_a_burst_after_f4_reaches_the_dose_form_on_a_fresh_app(app_for: AppFor) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f4", "enter")  # the salt list, the area's first field, opens
        assert app.current_mode == "dose"
        assert app.screen.query_one("#form", Select).expanded


async def test_a_burst_after_returning_to_a_kept_area_reaches_the_field_left(
    app_for: AppFor,
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f4")
        app.screen.query_one("#amount", Input).focus()
        await go(pilot, "f2")
        await burst(pilot, "f4", "4", "0", "0")
        assert app.screen.query_one("#amount", Input).value == "400"
        await burst(pilot, "f3", "7", "1", "f4", "0")
        assert app.consultation.patient.age_years == 71
        assert app.screen.query_one("#amount", Input).value == "4000"


async def test_keys_typed_right_after_f3_reach_age_on_a_fresh_app(app_for: AppFor) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "6", "8")  # no pause between the F-key and the digits
        await pilot.pause()
        assert app.current_mode == "patient"
        assert app.screen.query_one("#age-years", Input).value == "68"
        assert app.consultation.patient.age_years == 68


async def test_keys_typed_right_after_f4_reach_the_amount_on_a_fresh_app(
    app_for: AppFor,
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4", "tab", "tab", "5", "0", "0")  # form → amount is → amount
        await pilot.pause()
        assert app.current_mode == "dose"
        assert app.screen.query_one("#amount", Input).value == "500"
        assert app.consultation.dose.amount_mg == 500


async def test_keys_typed_right_after_returning_to_a_kept_area_are_not_lost(
    app_for: AppFor,
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f3")
        await go(pilot, "f2")
        await pilot.press("f3", "6", "8", "f2", "f3", "tab")
        await pilot.pause()
        assert app.screen.query_one("#age-years", Input).value == "68"
        await go(pilot, "f4")
        await pilot.press("f2", "f4", "tab", "tab", "4", "0", "0")
        await pilot.pause()
        assert app.screen.query_one("#amount", Input).value == "400"


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
        keys = [obj for obj in gc.get_objects() if type(obj).__name__ == "FooterKey"]
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
        keys = [obj for obj in gc.get_objects() if type(obj).__name__ == "FooterKey"]
        live = [key for key in keys if key.is_attached]
        assert live
        assert len(keys) - len(live) <= 3 * len(live)


async def test_a_burst_across_fields_with_tab_reaches_each_field(app_for: AppFor) -> None:
    """"7 1 Tab 6" typed in one read (a clinician who knows the form): each
    key after a Tab goes to the field the Tab moved to, none to the field just left."""
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "f3")
        assert app.focused is not None and app.focused.id == "age-years"
        await burst(pilot, "7", "1", "tab", "6")
        assert app.screen.query_one("#age-years", Input).value == "71"
        assert app.screen.query_one("#age-months", Input).value == "6"
        # Back with Shift+Tab: the field's text is selected on entry, so "4" replaces it.
        await burst(pilot, "shift+tab", "4")
        assert app.screen.query_one("#age-years", Input).value == "4"
        assert app.screen.query_one("#age-months", Input).value == "6"
