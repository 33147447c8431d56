"""At 80×24, every area (F1 help and F2–F7) reads without scrolling (issue #13):

- the area bar on the top line names the area and every area's key;
- the kidney banner, once the kidney risk is known, sits right under it;
- the area's headline and its first actions are on screen;
- the footer shows help, save, quit and the palette;
- text wraps rather than being cut: no text outside a scrolling box needs more lines than
  it is given (inside one, the rest is a scroll away, as designed).

Assertions read the screen as drawn (`visible_text`) and the laid-out widgets, at 80×24,
with a consultation whose kidney risk is CAUTION (scenario 1, with a dose) and one whose
risk is HIGH (scenario 2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Static

from magtui.consultation import DoseInputs, PatientInputs, Results
from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.ui.app import MagtuiApp
from magtui.ui.areas import AREAS
from magtui.ui.screens.dose import LEVEL_WORDS
from magtui.ui.widgets.finding_list import FindingList

SIZE = (80, 24)
ScreenText = Callable[[MagtuiApp], str]

SETUPS: dict[str, dict[str, Any]] = {
    # Scenario 1, every red flag asked, and a supplement considered (oxide 400 mg × 2).
    "kidney caution": {
        "patient": PatientInputs(age_years=68, sex="female", creatinine=95,
                                 creatinine_unit="umol/L"),
        "states": {**dict.fromkeys(("cramps_spasms", "eyelid_twitch", "ppi_long_term",
                                    "diuretic_loop_thiazide", "low_intake"), "present"),
                   **dict.fromkeys(RED_FLAG_IDS, "absent")},
        "dose": DoseInputs(form_id="oxide", amount_mg=400, times_per_day=2),
    },
    # Scenario 2, prefilled as tests/ui/test_scenarios.py does.
    "kidney high": {
        "patient": PatientInputs(age_years=79, sex="male", egfr=21),
        "states": {**dict.fromkeys(("mg_laxative_antacid", "nausea", "weakness"), "present"),
                   **dict.fromkeys(("breathing_difficulty", "chest_pain_palpitations",
                                    "fainting_low_bp"), "absent")},
        "dose": DoseInputs(form_id="hydroxide", amount_mg=2400, times_per_day=2),
    },
}
FOOTER_KEYS = ("f1 Help", "^s Save", "^q Quit", "^p palette")


def headline(results: Results) -> str:
    """The urgency as the headline starts ("ROUTINE", "so far URGENT")."""
    return results.triage.headline.split(" — ")[0]


def first_things(app: MagtuiApp, area: str) -> list[str]:
    """What must be on screen in each area without scrolling: its headline and the start
    of its first actions."""
    results = app.results
    assert results is not None
    if area == "triage":
        first = app.screen.query_one(FindingList).highlighted_finding
        assert first is not None
        # The urgency, the first finding, and the question to ask about it.
        return [headline(results), first.label, first.question.split()[0]]
    if area == "patient":
        return ["Age", "Sex", "→ eGFR"]
    if area == "dose":
        dose = results.dose
        assert dose is not None
        warning = dose.warnings[0]  # the most serious first
        return ["Form", "Elemental magnesium:", f"{LEVEL_WORDS[warning.level]} · {warning.code}"]
    if area == "referral":
        return [headline(results), "What to do now:", "1. "]
    if area == "knowledge":
        return ["Search every table", "records"]
    if area == "note":
        return ["Clinician's note", "Preview"]
    if area == "help":
        return ["Help (escape closes)", "What has focus", "Keys"]
    raise AssertionError(area)


def cut_text(app: MagtuiApp) -> list[str]:
    """Every text on screen that needs more lines than it is given, outside a box that
    scrolls: "id: needs N lines, has M"."""
    cut = []
    for widget in app.screen.query(Static):
        if not (widget.display and widget.visible and widget.content_region):
            continue
        if any(getattr(ancestor, "allow_vertical_scroll", False)
               for ancestor in widget.ancestors if ancestor is not app.screen):
            continue  # the rest of it is a scroll away
        width = widget.content_region.width
        needed = widget.get_content_height(widget.parent.size, app.size, width)  # type: ignore[union-attr]
        if needed > widget.content_region.height:
            name = widget.id or type(widget).__name__
            cut.append(f"{name}: needs {needed} lines, has {widget.content_region.height}")
    return cut


CASES = [(setup, area) for setup in SETUPS for area in (*AREAS, "help")]


@pytest.mark.parametrize(("setup", "area"), CASES,
                         ids=[f"{area}-{setup.replace(' ', '_')}" for setup, area in CASES])
async def test_every_area_reads_at_80x24_without_scrolling(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText, setup: str, area: str
) -> None:
    app = app_for(autosave=False, **SETUPS[setup])
    async with app.run_test(size=SIZE) as pilot:
        shown_area = "note" if area == "help" else area  # help opens over the note
        await pilot.press(AREAS[shown_area][0])
        if area == "help":
            await pilot.press("f1")
        await pilot.pause(0.4)  # the note preview is drawn a moment after the switch
        rows = screen_text(app).splitlines()
        assert len(rows) == SIZE[1]
        text = "\n".join(rows)

        # The area bar: where you are, and every area's key.
        key, _, label = AREAS[shown_area]
        assert f"▶{key.upper()} {label}◀" in rows[0], rows[0]
        for other_key, _, other_label in AREAS.values():
            assert f"{other_key.upper()} {other_label}" in rows[0], rows[0]

        # The kidney banner right under it (the help box may cover its words).
        risk = app.results.kidney.risk if app.results else "unknown"
        if area != "help":
            assert f"KIDNEY RISK: {risk.upper()}" in "\n".join(rows[1:3]), text

        # The headline and the first actions.
        missing = [thing for thing in first_things(app, area) if thing not in text]
        assert not missing, f"not on screen: {missing}\n{text}"

        # The footer: help, save, quit and the palette.
        missing = [thing for thing in FOOTER_KEYS if thing not in rows[-1]]
        assert not missing, f"footer lacks {missing}: {rows[-1]!r}"

        # Text wraps; nothing outside a scrolling box is cut off.
        assert not cut_text(app), f"{cut_text(app)}\n{text}"


async def test_every_findings_question_and_why_are_whole_at_80x24(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    """F2 shows the highlighted finding's question and why it matters under the list: for
    every finding, all of it, not cut mid-sentence (issue #13)."""
    app = app_for(autosave=False, **SETUPS["kidney caution"])
    async with app.run_test(size=SIZE) as pilot:
        findings = app.screen.query_one(FindingList)
        box = app.screen.query_one("#finding-question", Static)
        cut: list[str] = []
        for finding_id in findings.findings:
            findings.highlighted = findings.get_option_index(finding_id)
            await pilot.pause()
            needed = box.get_content_height(box.parent.size, app.size,  # type: ignore[union-attr]
                                            box.content_region.width)
            if needed > box.content_region.height:
                cut.append(f"{finding_id} ({needed} lines, {box.content_region.height} shown)")
        assert not cut, (f"{len(cut)} of {len(findings.findings)} findings' question and why "
                         f"are cut at 80×24: {', '.join(cut)}\n{screen_text(app)}")
