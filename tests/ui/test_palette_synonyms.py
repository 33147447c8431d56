"""Synonyms in the command palette and the F6 search (issue 13), driven headless with Pilot.

Typing a drug, brand or plain-language name ("omeprazole", "drowsy") offers the finding
under its own label, with the synonym that matched in the help; choosing it marks the
finding as the palette's other commands do. The F6 search finds records by their synonyms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import CommandPalette
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from magtui.consultation import Consultation
from magtui.knowledge.base import KnowledgeBase
from magtui.ui.app import MagtuiApp
from magtui.ui.commands import MagtuiCommands
from magtui.ui.screens.knowledge import KnowledgeScreen

SIZE = (100, 32)
PPI = "Long-term PPI (over a year)"
CONFUSION = "Confusion or marked drowsiness"


async def hits(provider: MagtuiCommands, query: str) -> list[Any]:
    return sorted([hit async for hit in provider.search(query)], reverse=True)


def plain(markup: str | None) -> str:
    """Help text as the palette shows it (it reads help as markup)."""
    return Content.from_markup(markup or "").plain


async def palette_lines(app: MagtuiApp, pilot: Pilot[Any], typed: str) -> list[str]:
    """Open the palette, type, wait for the hits (gathered in a worker); each hit's text."""
    await pilot.press("ctrl+p")
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*typed)
    found = app.screen.query_one(OptionList)
    for _ in range(100):
        await pilot.pause(0.05)
        if found.option_count and found.highlighted == 0:
            break
    return [str(Content.from_markup(found.get_option_at_index(i).prompt).plain)  # type: ignore[arg-type]
            for i in range(found.option_count)]


# ----------------------------------------------------------------------------- provider


async def test_omeprazole_offers_the_ppi_finding_under_its_label(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for()
    async with app.run_test(size=SIZE):
        found = await hits(MagtuiCommands(app.screen), "omeprazole")
        assert found[0].text == f"Mark present: {PPI}"
        assert found[1].text == f"Mark absent: {PPI}"
        assert plain(found[0].help).startswith(f"omeprazole → {PPI} · ")
        texts = [hit.text for hit in found]
        assert "KB: interactions · Proton pump inhibitors (long-term)" in texts
        assert f"KB: findings · {PPI}" in texts


async def test_plain_words_brands_and_spelling_find_findings(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for()
    async with app.run_test(size=SIZE):
        provider = MagtuiCommands(app.screen)
        for query, label in (
            ("drowsy", CONFUSION),
            ("Sleepy", CONFUSION),
            ("furosemide", "Loop or thiazide diuretic"),
            ("bendroflumethiazide", "Loop or thiazide diuretic"),
            ("Nexium", PPI),
            ("milk of magnesia", "Magnesium laxatives, antacids or enemas"),
            ("epsom  salts", "Magnesium laxatives, antacids or enemas"),
            ("crohns", "Gut disease or malabsorption"),
        ):
            found = await hits(provider, query)
            assert found and found[0].text == f"Mark present: {label}", query


async def test_a_form_is_found_by_its_synonym(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for()
    async with app.run_test(size=SIZE):
        found = await hits(MagtuiCommands(app.screen), "Magtein")
        assert found[0].text == "Dose with Magnesium L-threonate"
        assert plain(found[0].help).startswith("Magtein → Magnesium L-threonate · ")


async def test_a_label_match_is_highlighted_as_before(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for()
    async with app.run_test(size=SIZE):
        found = await hits(MagtuiCommands(app.screen), "Mark present: Seizure")
        assert found[0].text == "Mark present: Seizure, tetany or carpopedal spasm"
        assert "→" not in plain(found[0].help)
        assert found[0].match_display.spans  # the matched letters are highlighted


async def test_kb_text_in_the_palette_is_never_markup(kb: KnowledgeBase) -> None:
    finding = kb.findings["confusion"]
    odd = finding.replace(label="Confusion [b]x[/b]", synonyms=("[red]drowsy[/red]",))
    app = MagtuiApp(kb.replace(findings={**kb.findings, "confusion": odd}), Consultation(),
                    cursor_blink=False)
    async with app.run_test(size=SIZE):
        found = await hits(MagtuiCommands(app.screen), "drowsy")
        assert found[0].text == "Mark present: Confusion [b]x[/b]"
        assert found[0].match_display.plain == "Mark present: Confusion [b]x[/b]"
        assert plain(found[0].help).startswith("[red]drowsy[/red] → Confusion [b]x[/b] · ")


# ----------------------------------------------------------------------------- the palette


async def test_palette_omeprazole_marks_the_ppi_finding(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        lines = await palette_lines(app, pilot, "omeprazole")
        assert lines[0].startswith(f"Mark present: {PPI}\nomeprazole → {PPI}")
        await pilot.press("enter")
        await pilot.pause()
        assert app.consultation.states == {"ppi_long_term": "present"}
        assert app.results is not None
        assert "ppi_long_term" in {item.finding for item in app.results.triage.explanation}


async def test_palette_drowsy_offers_confusion(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        lines = await palette_lines(app, pilot, "drowsy")
        assert lines[0].startswith(f"Mark present: {CONFUSION}\ndrowsy → {CONFUSION}")
        assert any(line.startswith(f"Mark absent: {CONFUSION}") for line in lines)
        await pilot.press("down", "enter")  # the second: mark absent
        await pilot.pause()
        assert app.consultation.states == {"confusion": "absent"}


async def test_palette_synonym_opens_the_interaction_record(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        lines = await palette_lines(app, pilot, "lansoprazole")
        target = next(i for i, line in enumerate(lines)
                      if line.startswith("KB: interactions · Proton pump"))
        await pilot.press(*["down"] * target, "enter")
        await pilot.pause()
        assert app.current_mode == "knowledge"
        assert isinstance(app.screen, KnowledgeScreen)
        highlighted = app.screen.query_one("#kb-results", OptionList).highlighted_option
        assert highlighted is not None and highlighted.id == "interactions:ppi"
        assert app.consultation.states == {}


# ----------------------------------------------------------------------------- F6 search


async def test_f6_search_for_furosemide_lists_the_diuretic_records(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        assert isinstance(app.screen, KnowledgeScreen)
        assert app.focused is app.screen.query_one("#kb-search", Input)
        await pilot.press(*"furosemide")
        await pilot.pause()
        results = app.screen.query_one("#kb-results", OptionList)
        ids = [results.get_option_at_index(i).id for i in range(results.option_count)]
        assert "findings:diuretic_loop_thiazide" in ids
        assert "interactions:loop_thiazide_diuretics" in ids
        assert ids.count(None) == 2  # two table headings: findings, interactions


async def test_f6_search_for_drowsy_finds_confusion(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", *"drowsy")
        await pilot.pause()
        results = app.screen.query_one("#kb-results", OptionList)
        ids = [results.get_option_at_index(i).id for i in range(results.option_count)]
        assert "findings:confusion" in ids
