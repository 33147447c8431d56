"""F5 referral guidance, F6 knowledge base and the command palette, driven headless with Pilot.

Assertions read what the screen shows (widget text, or the rendered screen for "visible
without scrolling"), never the clinical engine's internals. `kb` is the shipped KB
(`load_kb()`, from tests/conftest.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar

import pytest
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from magtui.consultation import Consultation, PatientInputs
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.ui.app import MagtuiApp
from magtui.ui.commands import MagtuiCommands
from magtui.ui.screens.knowledge import KnowledgeScreen
from magtui.ui.screens.referral import ReferralScreen
from magtui.ui.widgets.finding_list import FindingList

ScreenText = Callable[[MagtuiApp], str]

SIZE = (100, 32)
SMALL = (80, 24)


def make_app(kb: KnowledgeBase, present: tuple[str, ...] = (), absent: tuple[str, ...] = (),
             patient: PatientInputs | None = None) -> MagtuiApp:
    states: dict[str, Any] = {**dict.fromkeys(present, "present"),
                              **dict.fromkeys(absent, "absent")}
    consultation = Consultation(patient=patient or PatientInputs(), states=states)
    return MagtuiApp(kb, consultation, cursor_blink=False)


def text_of(widget: Static) -> str:
    """Plain text of a Static's content (Text, or a Group with tables), as printed."""
    console = Console(file=io.StringIO(), width=200, no_color=True, highlight=False)
    console.print(widget.content)
    return console.file.getvalue()  # type: ignore[attr-defined]


def referral(app: App[Any], part: str) -> str:
    return text_of(app.screen.query_one(f"#ref-{part}", Static))


SCENARIO_2 = {
    "present": ("mg_laxative_antacid", "nausea", "weakness"),
    "patient": PatientInputs(age_years=79, sex="male", egfr=21),
}


# ----------------------------------------------------------------------------- F5 referral


async def test_deficiency_picture_is_routine_with_diet_sources(kb: KnowledgeBase) -> None:
    app = make_app(kb, present=("cramps_spasms", "low_intake"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        assert isinstance(app.screen, ReferralScreen)
        headline = referral(app, "headline")
        # Red flags are unasked, so the level is provisional and says so.
        assert "so far ROUTINE" in headline
        assert "Planned clinician review" in headline
        assert "7 red flags not yet asked" in headline
        assert "Encourage magnesium-rich foods" in referral(app, "advice")
        foods = referral(app, "foods")
        assert "Pumpkin seeds" in foods
        assert "156 mg" in foods
        # Every number in the food table carries its unit.
        for food in kb.foods:
            assert f"{food.mg:g} mg" in foods
            assert food.serving in foods
        assert "DEFICIENCY" in referral(app, "pattern")
        sources = referral(app, "sources")
        ods = kb.sources["ods_magnesium"]
        assert ods.title in sources and ods.publisher in sources and ods.url in sources


async def test_scenario_2_laxative_with_failing_kidneys_is_urgent(kb: KnowledgeBase) -> None:
    app = make_app(kb, **SCENARIO_2)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        assert "URGENT" in referral(app, "headline")
        banner = text_of(app.screen.query_one("#kidney-banner", Static))
        assert "KIDNEY RISK: HIGH" in banner
        advice = referral(app, "advice")
        assert "Stop every magnesium-containing product now" in advice
        assert "Go to emergency care at once" in advice
        # The foods table is for deficiency; this is excess.
        assert not app.screen.query_one("#ref-foods").display
        kidney = referral(app, "kidney")
        assert "KIDNEY RISK: HIGH" in kidney
        assert app.results is not None
        assert app.results.kidney.caution.split(".")[0] in kidney


async def test_urgency_red_flags_and_reasons_visible_at_80x24(
    kb: KnowledgeBase, screen_text: ScreenText
) -> None:
    app = make_app(kb, **SCENARIO_2)  # type: ignore[arg-type]
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        shown = screen_text(app)
        assert "⚠ so far URGENT" in shown
        assert "KIDNEY RISK: HIGH" in shown
        assert "7 red flags not yet asked" in shown
        assert "Muscle wasting" in shown
        assert "Why this level:" in shown
        assert app.results is not None
        for reason in app.results.triage.referral.reasons:
            assert reason.split(":")[0][:40] in shown


async def test_seizure_is_emergency_with_deficiency_as_context(kb: KnowledgeBase) -> None:
    app = make_app(kb, present=("alcohol_use", "cramps_spasms", "numbness_tingling", "seizure"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        headline = referral(app, "headline")
        assert "EMERGENCY" in headline
        assert "ROUTINE" not in headline
        assert "Red flags present: Seizure" in referral(app, "red-flags")
        context = referral(app, "context")
        assert "Also noted (context, not the headline)" in context
        assert "(routine) The findings fit low magnesium" in context
        assert "fit low magnesium" not in referral(app, "reasons")
        assert app.screen.query_one("#ref-headline").has_class("-urgency-emergency")


async def test_unasked_red_flags_listed_then_gone_when_all_absent(kb: KnowledgeBase) -> None:
    app = make_app(kb, present=("eyelid_twitch", "caffeine_stimulants"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        headline = referral(app, "headline")
        assert "so far SELF-CARE" in headline
        assert "7 red flags not yet asked" in headline
        for finding_id in RED_FLAG_IDS:
            assert kb.findings[finding_id].label in headline
        assert "No blood test is needed" not in referral(app, "advice")
        assert app.screen.check_action("ask_red_flags", ()) is True

        def all_absent(consultation: Consultation) -> None:
            consultation.states.update(dict.fromkeys(RED_FLAG_IDS, "absent"))

        app.update(all_absent)
        await pilot.pause()
        flags = referral(app, "red-flags")
        assert "not yet asked" not in flags + referral(app, "headline")
        assert "Every red flag has been asked" in flags
        headline = referral(app, "headline")
        assert "SELF-CARE" in headline and "so far" not in headline
        assert "No blood test is needed now" in referral(app, "advice")
        assert app.screen.check_action("ask_red_flags", ()) is False


async def test_ask_red_flags_key_opens_triage_at_first_unasked(kb: KnowledgeBase) -> None:
    app = make_app(kb, present=("cramps_spasms",), absent=("breathing_difficulty",))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        assert app.current_mode == "referral"
        await pilot.press("a")
        await pilot.pause()
        assert app.current_mode == "triage"
        findings = app.screen.query_one("#findings", FindingList)
        assert app.focused is findings
        highlighted = findings.highlighted_finding
        assert highlighted is not None
        assert highlighted.id == "chest_pain_palpitations"  # first red flag not yet asked


async def test_referral_shows_serum_interpretation(kb: KnowledgeBase) -> None:
    consultation = Consultation(states={"cramps_spasms": "present"})
    consultation.serum.value = 0.6
    app = MagtuiApp(kb, consultation, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        serum = referral(app, "serum")
        assert "0.6 mmol/L" in serum and "mg/dL" in serum and "mEq/L" in serum
        assert app.results is not None and app.results.serum is not None
        assert app.results.serum.band.label in serum


async def test_referral_with_no_color(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, screen_text: ScreenText
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(kb, present=("seizure",))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert "⚠⚠ EMERGENCY — Call emergency services" in screen_text(app)


# ----------------------------------------------------------------------------- F6 knowledge


async def test_kb_search_finds_ppi_interaction_with_fda_source(kb: KnowledgeBase) -> None:
    app = make_app(kb)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        assert isinstance(app.screen, KnowledgeScreen)
        search_box = app.screen.query_one("#kb-search", Input)
        assert app.focused is search_box
        assert search_box.cursor_blink is False
        await pilot.press(*"proton")
        await pilot.pause()
        results = app.screen.query_one("#kb-results", OptionList)
        ids = [results.get_option_at_index(i).id for i in range(results.option_count)]
        assert "interactions:ppi" in ids
        results.highlighted = ids.index("interactions:ppi")
        await pilot.pause()
        detail = text_of(app.screen.query_one("#kb-detail", Static))
        fda = kb.sources["fda_ppi_2011"]
        assert "Proton pump inhibitors (long-term)" in detail
        assert fda.title in detail.replace("\n", " ") or fda.title[:40] in detail
        assert fda.publisher in detail
        assert f"Accessed: {fda.accessed.isoformat()}" in detail


async def test_kb_empty_search_lists_every_record_by_table(kb: KnowledgeBase) -> None:
    app = make_app(kb)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        results = app.screen.query_one("#kb-results", OptionList)
        record_ids = [results.get_option_at_index(i).id for i in range(results.option_count)]
        records = [r for r in record_ids if r is not None]
        assert len(records) == sum(len(rows) for rows in kb.tables().values())
        tables = [r.split(":")[0] for r in records]
        assert tables == sorted(tables, key=list(kb.tables()).index)  # grouped, in KB order
        meta = text_of(app.screen.query_one("#kb-meta", Static))
        assert kb.meta.kb_version in meta and kb.meta.next_review.isoformat() in meta
        assert not app.screen.query_one("#kb-review-warning").display


async def test_kb_warns_when_review_date_passed(kb: KnowledgeBase) -> None:
    overdue = kb.replace(meta=kb.meta.replace(
        reviewed=date(2019, 1, 1), next_review=date(2020, 1, 1)))
    app = make_app(overdue)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        warning = app.screen.query_one("#kb-review-warning", Static)
        assert warning.display
        assert "REVIEW OVERDUE" in text_of(warning)
        assert "2020-01-01" in text_of(warning)


async def test_kb_search_with_no_match_says_so(kb: KnowledgeBase) -> None:
    app = make_app(kb)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.press(*"zzqx")
        await pilot.pause()
        assert app.screen.query_one("#kb-results", OptionList).option_count == 0
        assert "No record matches" in text_of(app.screen.query_one("#kb-detail", Static))


# ----------------------------------------------------------------------------- palette


async def hits(provider: MagtuiCommands, query: str) -> list[Any]:
    return [hit async for hit in provider.search(query)]


async def test_provider_marks_a_finding(kb: KnowledgeBase) -> None:
    app = make_app(kb)
    async with app.run_test(size=SIZE) as pilot:
        provider = MagtuiCommands(app.screen)
        found = sorted(await hits(provider, "Mark present: Seizure"), reverse=True)
        assert found and found[0].text == "Mark present: Seizure, tetany or carpopedal spasm"
        found[0].command()
        await pilot.pause()
        assert app.consultation.states["seizure"] == "present"
        assert app.results is not None and app.results.triage.referral.urgency == "emergency"
        absent = sorted(await hits(provider, "Mark absent: Muscle wasting"), reverse=True)
        absent[0].command()
        assert app.consultation.states["muscle_wasting"] == "absent"


async def test_provider_discovery_lists_areas_findings_and_forms(kb: KnowledgeBase) -> None:
    app = make_app(kb)
    async with app.run_test(size=SIZE):
        provider = MagtuiCommands(app.screen)
        texts = [hit.text async for hit in provider.discover()]
        assert texts[0] == "Go to Triage checklist (F2)"
        assert "Go to Knowledge base (F6)" in texts
        assert "Mark absent: Muscle wasting" in texts
        assert any(t.startswith("Dose with ") for t in texts)


async def test_provider_dose_with_form_sets_form(kb: KnowledgeBase,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(kb)
    async with app.run_test(size=SIZE):
        # The dose area is another screen's business; here only the switch is recorded.
        went: list[str] = []

        async def go(mode: str) -> None:
            went.append(mode)

        monkeypatch.setattr(app, "action_area", go)
        provider = MagtuiCommands(app.screen)
        form = next(iter(kb.forms.values()))
        found = sorted(await hits(provider, f"Dose with {form.name}"), reverse=True)
        assert found[0].text == f"Dose with {form.name}"
        await found[0].command()  # type: ignore[misc]
        assert app.consultation.dose.form_id == form.id
        assert went == ["dose"]


async def test_provider_opens_kb_record(kb: KnowledgeBase) -> None:
    app = make_app(kb)
    async with app.run_test(size=SIZE) as pilot:
        provider = MagtuiCommands(app.screen)
        found = sorted(await hits(provider, "KB: interactions · Proton pump"), reverse=True)
        assert found[0].text == "KB: interactions · Proton pump inhibitors (long-term)"
        await found[0].command()  # type: ignore[misc]
        await pilot.pause()
        assert app.current_mode == "knowledge"
        detail = text_of(app.screen.query_one("#kb-detail", Static))
        assert "Proton pump inhibitors (long-term)" in detail
        results = app.screen.query_one("#kb-results", OptionList)
        assert results.highlighted_option is not None
        assert results.highlighted_option.id == "interactions:ppi"
        # Again, from a search that hides the record: the search is cleared to show it.
        await pilot.press("ctrl+f", *"almonds")
        await pilot.pause()
        await found[0].command()  # type: ignore[misc]
        await pilot.pause()
        assert app.screen.query_one("#kb-search", Input).value == ""
        assert "Proton pump inhibitors (long-term)" in text_of(
            app.screen.query_one("#kb-detail", Static))


class PaletteApp(MagtuiApp):
    # What MagtuiApp gets once the lead registers the provider.
    COMMANDS: ClassVar[set[Any]] = MagtuiApp.COMMANDS | {MagtuiCommands}


async def run_in_palette(app: MagtuiApp, pilot: Pilot[Any], typed: str) -> None:
    """Open the palette, type, wait for the hits (gathered in a worker), run the top one."""
    await pilot.press("ctrl+p")
    await pilot.press(*typed)
    hits_list = app.screen.query_one(OptionList)
    for _ in range(100):
        await pilot.pause(0.05)
        if hits_list.option_count and hits_list.highlighted == 0:
            break
    await pilot.press("enter")
    await pilot.pause()


async def test_palette_typing_marks_finding(kb: KnowledgeBase) -> None:
    app = PaletteApp(kb, Consultation(), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_in_palette(app, pilot, "Mark absent: Muscle wasting")
        assert app.consultation.states == {"muscle_wasting": "absent"}
        await run_in_palette(app, pilot, "Mark present: Seizure")
        assert app.consultation.states["seizure"] == "present"
        await pilot.press("f5")
        assert "EMERGENCY" in referral(app, "headline")


async def test_palette_opens_kb_record(kb: KnowledgeBase) -> None:
    app = PaletteApp(kb, Consultation(), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_in_palette(app, pilot, "KB: interactions · Proton")
        assert app.current_mode == "knowledge"
        assert "Proton pump inhibitors (long-term)" in text_of(
            app.screen.query_one("#kb-detail", Static))
        assert app.consultation.states == {}
