"""Whole consultations driven by keys, asserting on what the screen shows."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from magtui.consultation import DoseInputs, PatientInputs
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import FINDING_IDS
from magtui.ui.app import MagtuiApp
from magtui.ui.kb_error import KBErrorApp

AREA_KEYS = ("f2", "f3", "f4", "f5", "f6", "f7")

ScreenText = Callable[[MagtuiApp], str]


async def mark(pilot, app: MagtuiApp, finding_id: str, key: str = "y") -> None:  # type: ignore[no-untyped-def]
    """Move the triage cursor to a finding with the arrow keys, then press `key`."""
    await pilot.press("f2")
    findings = app.screen.query_one("#findings")
    target = findings.get_option_index(finding_id)
    while findings.highlighted != target:
        await pilot.press("down" if (findings.highlighted or 0) < target else "up")
    await pilot.press(key)
    await pilot.pause()


def _saved_notes(notes_dir: Path) -> list[Path]:
    return sorted(p for p in notes_dir.glob("*.json") if p.name != "draft.json")


async def test_suspected_excess_with_egfr_25_is_urgent_with_banner_everywhere(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    app = app_for(patient=PatientInputs(age_years=79, sex="male", egfr=25),
                  dose=DoseInputs(form_id="hydroxide", amount_mg=2400, times_per_day=2))
    async with app.run_test(size=(100, 32)) as pilot:
        await mark(pilot, app, "mg_laxative_antacid")
        await mark(pilot, app, "nausea")
        for key in AREA_KEYS:
            await pilot.press(key)
            await pilot.pause()
            assert "KIDNEY RISK: HIGH" in screen_text(app), key
            assert "⚠⚠" in screen_text(app), key  # a symbol, not colour alone
        await pilot.press("f5")
        await pilot.pause()
        text = screen_text(app)
        assert "URGENT" in text and "EMERGENCY" not in text.split("\n")[3]
        await pilot.press("f4")
        await pilot.pause()
        text = screen_text(app)
        assert "kidney_high" in text and "ABOVE THE UL" in text


async def test_a_red_flag_makes_it_an_emergency(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await mark(pilot, app, "cramps_spasms")
        await mark(pilot, app, "alcohol_use")
        await pilot.press("f5")
        await pilot.pause()
        assert "ROUTINE" in screen_text(app)
        await mark(pilot, app, "seizure")
        assert "EMERGENCY" in str(app.screen.query_one("#live-urgency").render())
        await pilot.press("f5")
        await pilot.pause()
        assert "EMERGENCY" in screen_text(app)


async def test_deficiency_picture_is_routine_with_diet_advice(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await mark(pilot, app, "cramps_spasms")
        await mark(pilot, app, "low_intake")
        assert "DEFICIENCY" in str(app.screen.query_one("#live-pattern").render())
        await pilot.press("f5")
        await pilot.pause()
        text = screen_text(app)
        assert "ROUTINE" in text
        scroll = app.screen.query_one("#ref-scroll")
        scroll.scroll_to_widget(app.screen.query_one("#ref-foods"), animate=False)
        await pilot.pause()
        text = screen_text(app)
        assert "Pumpkin seeds" in text and "156 mg" in text


async def test_marking_absent_and_not_asked_changes_unasked_red_flags(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await mark(pilot, app, "bulbar_symptoms", "n")
        assert app.results is not None
        assert "bulbar_symptoms" not in app.results.triage.unasked_red_flags
        # The mark moved on (wrapping) to the first finding not yet asked: back to the last.
        await pilot.press("end")
        await pilot.pause()
        assert "absent" in str(app.screen.query_one("#finding-question").render())
        await pilot.press("u")
        await pilot.pause()
        assert "bulbar_symptoms" in app.results.triage.unasked_red_flags


@pytest.mark.parametrize("key", AREA_KEYS)
async def test_ctrl_s_saves_from_every_area(
    app_for: Callable[..., MagtuiApp], key: str, tmp_path: Path
) -> None:
    notes_dir = tmp_path / "notes"
    app = app_for(states={"cramps_spasms": "present"}, clinician_text="seen today")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")  # nothing changed: nothing more is written
        await pilot.pause()
        assert len(_saved_notes(notes_dir)) == 1
        app.update(lambda c: setattr(c, "clinician_text", "seen again"))
        await pilot.press("ctrl+s")  # a change is a second note, never an overwrite
        await pilot.pause()
    notes = _saved_notes(notes_dir)
    assert len(notes) == 2
    texts = set()
    for path in notes:
        assert path.stat().st_mode & 0o777 == 0o600
        note = json.loads(path.read_text(encoding="utf-8"))
        assert note["findings"]["cramps_spasms"]["state"] == "present"
        texts.add(note["clinician_text"])
        assert path.with_suffix(".md").exists()
    assert texts == {"seen today", "seen again"}


async def test_quit_with_unsaved_changes_asks_and_can_save(
    app_for: Callable[..., MagtuiApp], tmp_path: Path, screen_text: ScreenText
) -> None:
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await mark(pilot, app, "fatigue")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert "unsaved changes" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
    assert app.return_code == 0
    assert len(_saved_notes(tmp_path / "notes")) == 1
    assert not list((tmp_path / "notes").glob("draft*.json")), "a clean quit removes the draft"


async def test_quit_without_changes_does_not_ask(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_escape_goes_back_to_the_previous_area(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f5")
        await pilot.press("f6")
        await pilot.pause()
        assert app.current_mode == "knowledge"
        app.set_focus(None)
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "referral"


async def test_f1_help_shows_focused_widget_help_and_keys(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        text = screen_text(app)
        assert "marks the finding present" in text  # the FindingList's own help
        assert "Save the session note" in text  # and the app's keys
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#findings").has_focus


async def test_prefilled_answers_count_as_typed(
    app_for: Callable[..., MagtuiApp], kb: KnowledgeBase
) -> None:
    from magtui.clinical.triage import evaluate, finding_states

    states = {"mg_laxative_antacid": "present", "nausea": "present", "weakness": "present"}
    app = app_for(patient=PatientInputs(age_years=79, sex="male", egfr=21), states=states)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert app.results is not None
        expected = evaluate(kb, finding_states(kb, list(states)), egfr=21, age_months=79 * 12)
        assert app.results.triage.referral.urgency == expected.referral.urgency == "urgent"
        rows = app.screen.query_one("#findings")
        # Issue 13: the prefilled age and eGFR answer these two, shown as coming from F3.
        from_f3 = {"older_adult": "age 79 y", "kidney_disease": "eGFR 21"}
        for finding_id in FINDING_IDS:
            prompt = str(rows.get_option(finding_id).prompt)
            assert prompt.startswith("[✓]") == (finding_id in states or finding_id in from_f3)
            if finding_id in from_f3:
                assert prompt.endswith(f"· from F3 ({from_f3[finding_id]})")


async def test_invalid_kb_shows_an_error_screen_and_exits_3(screen_text: ScreenText) -> None:
    problems = ["kb/broken.json: forms[doc 3].elemental_fraction: must be > 0 and <= 1"]
    app = KBErrorApp("kb/broken.json", problems)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "failed validation" in text and "elemental_fraction" in text
        await pilot.press("q")
    assert app.return_code == 3 and app.return_value == 3


async def test_serum_magnesium_typed_on_f3_drives_the_referral(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    app = app_for(patient=PatientInputs(age_years=79, sex="male", egfr=21))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        app.screen.query_one("#serum").focus()
        await pilot.press(*"3.5")  # mmol/L is the default unit
        await pilot.pause()
        assert app.results is not None and app.results.serum is not None
        assert app.results.serum.band.id == "severe_high"  # 3.0 ≤ x < 5.0 mmol/L
        assert app.results.triage.referral.urgency == "emergency"
        app.screen.query_one("#serum").value = ""  # type: ignore[attr-defined]
        await pilot.pause()
        assert app.results.serum is None
        app.screen.query_one("#serum").value = "2.6"  # type: ignore[attr-defined]
        await pilot.pause()
        # 2.6 mmol/L → moderate_high → urgent; the result line names band and conversions
        assert "6.32 mg/dL" in str(app.screen.query_one("#serum-result").render())
        await pilot.press("f5")
        await pilot.pause()
        assert "URGENT" in screen_text(app)


async def test_invalid_serum_is_refused_and_nothing_computed(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        app.screen.query_one("#serum").value = "99"  # type: ignore[attr-defined]
        await pilot.pause()
        assert app.results is not None and app.results.serum is None
        error = str(app.screen.query_one("#serum-error").render())
        assert "outside the plausible range" in error and "mmol/L" in error


async def test_an_overdue_kb_review_is_shown_on_every_area(
    kb: KnowledgeBase, screen_text: ScreenText
) -> None:
    from datetime import date

    from magtui.consultation import Consultation

    stale_meta = kb.meta.replace(reviewed=date(2020, 1, 1), next_review=date(2021, 1, 1))
    app = MagtuiApp(kb.replace(meta=stale_meta), Consultation(), cursor_blink=False,
                    autosave=False)
    async with app.run_test(size=(100, 32)) as pilot:
        for key in AREA_KEYS:
            await pilot.press(key)
            await pilot.pause()
            assert "KB REVIEW OVERDUE" in screen_text(app), key
