"""The seven consultations of ../shared/scenarios.md, played in the TUI with Pilot.

Each asserts what F5 (and F4, F7 where the scenario says) shows: the plan a clinician would
sign, and what must not be on it. Assertions read the screen or the widgets' text, never the
engine's internals. Scenario 1 is typed key by key; the others start prefilled, as a
clinician starting from a record would (design.md §7: prefilled counts exactly as typed).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.widgets import Static

from magtui.consultation import DoseInputs, PatientInputs
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.ui.app import MagtuiApp

ScreenText = Callable[[MagtuiApp], str]
SIZE = (100, 32)
ALL_ABSENT = dict.fromkeys(RED_FLAG_IDS, "absent")


def part(app: MagtuiApp, selector: str) -> str:
    """A Static's whole content as printed (also the part scrolled out of view)."""
    console = Console(file=io.StringIO(), width=200, no_color=True, highlight=False)
    console.print(app.screen.query_one(selector, Static).content)
    return console.file.getvalue()  # type: ignore[attr-defined]


def present(*ids: str) -> dict[str, str]:
    return dict.fromkeys(ids, "present")


async def mark(pilot: Any, app: MagtuiApp, finding_id: str, key: str) -> None:
    """Move the triage cursor to a finding with the arrow keys, then press `key`."""
    findings = app.screen.query_one("#findings")
    target = findings.get_option_index(finding_id)  # type: ignore[attr-defined]
    while findings.highlighted != target:  # type: ignore[attr-defined]
        await pilot.press("down" if (findings.highlighted or 0) < target else "up")  # type: ignore[attr-defined]
    await pilot.press(key)
    await pilot.pause()


async def test_scenario_1_night_cramps_on_ppi_and_thiazide(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText, kb: KnowledgeBase
) -> None:
    app = app_for(patient=PatientInputs(age_years=68, sex="female", creatinine=95,
                                        creatinine_unit="umol/L"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        for finding in ("cramps_spasms", "eyelid_twitch", "ppi_long_term",
                        "diuretic_loop_thiazide", "low_intake"):
            await mark(pilot, app, finding, "y")
        for flag in RED_FLAG_IDS:
            await mark(pilot, app, flag, "n")
        assert "DEFICIENCY" in part(app, "#live-pattern")
        await pilot.press("f5")
        await pilot.pause()
        headline = part(app, "#ref-headline")
        assert "ROUTINE" in headline and "so far" not in headline
        advice = part(app, "#ref-advice")
        assert "serum magnesium together with potassium and calcium" in advice
        assert "Review whether the long-term PPI is still needed" in advice
        assert "A normal serum magnesium does not rule out low body stores" in advice
        assert "Encourage magnesium-rich foods" in advice
        for wrong in ("Stop every magnesium", "emergency", "No blood test"):
            assert wrong not in advice
        foods = part(app, "#ref-foods")
        assert "Pumpkin seeds" in foods and "156 mg" in foods
        sources = part(app, "#ref-sources")
        for source in ("ods_magnesium", "fda_ppi_2011"):
            assert kb.sources[source].title in sources
        assert "KIDNEY RISK: CAUTION" in screen_text(app)
        await pilot.press("f7")
        await pilot.pause()
        note = part(app, "#note-preview")
        assert "## Referral: ROUTINE" in note
        assert "Review whether the long-term PPI is still needed" in note
        assert "CKD-EPI 2021" in note


async def test_scenario_2_laxative_every_day_kidneys_failing(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    app = app_for(
        patient=PatientInputs(age_years=79, sex="male", egfr=21),
        states={**present("mg_laxative_antacid", "nausea", "weakness"),
                **dict.fromkeys(("breathing_difficulty", "chest_pain_palpitations",
                                 "fainting_low_bp"), "absent")},
        dose=DoseInputs(form_id="hydroxide", amount_mg=2400, times_per_day=2),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert "URGENT" in part(app, "#ref-headline")
        advice = part(app, "#ref-advice")
        assert advice.index("Stop every magnesium-containing product now") < advice.index(
            "Go to emergency care at once")
        assert "with creatinine and eGFR, the same day" in advice
        # Breathing, pulse and fainting were asked and are absent: the safety net still
        # watches for them; it never repeats a finding already present.
        assert "breathing becomes slow" in advice
        for wrong in ("within the UL", "prefer food", "magnesium-rich foods", "GP review",
                      "lowers both", "usually settle"):
            assert wrong not in advice, wrong
        assert not app.screen.query_one("#ref-foods").display
        assert "KIDNEY RISK: HIGH" in screen_text(app)
        await pilot.press("f4")
        await pilot.pause()
        text = screen_text(app)  # visible without scrolling
        # 2400 mg × 41.7 % × 2 ≈ 2,000 mg elemental a day, over five times the 350 mg UL.
        assert "2001.6 mg/day" in text and "ABOVE THE UL" in text
        assert "KIDNEY RISK: HIGH" in text


async def test_scenario_3_exam_week_eyelid_twitch(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for(patient=PatientInputs(age_years=22, sex="female"),
                  states={**present("eyelid_twitch", "caffeine_stimulants", "recent_exercise"),
                          **ALL_ABSENT})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        headline = part(app, "#ref-headline")
        assert "SELF-CARE" in headline and "so far" not in headline
        advice = part(app, "#ref-advice")
        assert "Cut down caffeine" in advice
        assert "Rest and sleep well" in advice
        assert "No blood test is needed now" in advice
        assert "lasts beyond two weeks or spreads to other muscles" in advice
        assert "weakness appears" in advice
        for wrong in ("Arrange a blood test", "Encourage magnesium-rich foods",
                      "Stop every magnesium"):
            assert wrong not in advice
        assert not app.screen.query_one("#ref-foods").display


async def test_scenario_4_twitching_that_is_not_about_magnesium(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for(
        patient=PatientInputs(age_years=61, sex="male"),
        states=present("persistent_twitching", "muscle_twitching", "weakness", "muscle_wasting",
                       "bulbar_symptoms", "high_dose_supplements"),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert "URGENT" in part(app, "#ref-headline")
        assert "magnesium is not the explanation to settle for" in part(app, "#ref-reasons")
        advice = part(app, "#ref-advice")
        assert advice.index("Refer for neurological assessment") < advice.index(
            "Review every magnesium supplement")
        for wrong in ("Stop every magnesium", "magnesium-rich foods", "Book a GP review",
                      "usually settle", "weakness appears", "muscles look thinner"):
            assert wrong not in advice, wrong
        pattern = part(app, "#ref-pattern")
        assert "EXCESS" not in pattern and "DEFICIENCY" not in pattern
        assert "read as part of that picture" in pattern


async def test_scenario_5_seizure_this_morning(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for(patient=PatientInputs(age_years=45, sex="female"),
                  states=present("alcohol_use", "cramps_spasms", "numbness_tingling", "seizure"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        headline = part(app, "#ref-headline")
        assert "EMERGENCY" in headline and "so far" not in headline
        advice = part(app, "#ref-advice")
        assert advice.splitlines()[1].lstrip().startswith("1. Call emergency services")
        # The plan comes before the reasons on an emergency screen.
        scroll = app.screen.query_one("#ref-scroll")
        ids = [child.id for child in scroll.children]
        assert ids.index("ref-advice") < ids.index("ref-reasons")
        for wrong in ("magnesium-rich foods", "GP review", "Come back if", "blood test"):
            assert wrong not in advice, wrong
        assert not app.screen.query_one("#ref-foods").display
        # The deficiency picture is context, not the headline.
        assert "DEFICIENCY" in part(app, "#ref-pattern")
        assert "(routine) The findings fit low magnesium" in part(app, "#ref-context")


async def test_scenario_6_pregnant_with_leg_cramps(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    app = app_for(patient=PatientInputs(age_years=30, sex="female", condition="pregnancy"),
                  states=present("cramps_spasms"),
                  dose=DoseInputs(form_id="glycinate", amount_mg=500, times_per_day=2))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        text = screen_text(app)
        assert "141" in text and "40" in text
        assert "unknown" in text.lower()  # kidney function unknown, and why it matters
        await pilot.press("f7")
        await pilot.pause()
        note = part(app, "#note-preview")
        assert "label" in note.lower() and "elemental" in note.lower()
        await pilot.press("f5")
        await pilot.pause()
        headline = part(app, "#ref-headline")
        assert "so far SELF-CARE" in headline  # cramps alone; red flags not asked
        assert "Ask about every red flag" in part(app, "#ref-advice")


async def test_scenario_7_six_month_old(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    app = app_for(patient=PatientInputs(age_months=6, sex="male"),
                  dose=DoseInputs(form_id="citrate", entered_as="elemental", amount_mg=20),
                  states={**present("cramps_spasms", "low_intake"),
                          **ALL_ABSENT})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        text = screen_text(app)
        assert "no UL set" in text or "No supplemental UL" in text
        assert "paediatrician" in text
        await pilot.press("f5")
        await pilot.pause()
        advice = part(app, "#ref-advice")
        # A deficiency picture in an infant: never an adult replacement figure.
        assert "583" not in advice and "24 mmol" not in advice
