"""Issue 13, facts entered once, in the TUI: the age and kidney function typed on F3 answer
"Older adult" and "Kidney disease" on the F2 checklist, shown as coming from F3 and
changeable only there; the note says where they came from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import Static

from magtui.consultation import PatientInputs
from magtui.ui.app import MagtuiApp
from magtui.ui.widgets.finding_list import FindingList
from tests.ui.conftest import type_into

AppFor = Callable[..., MagtuiApp]
Notices = Callable[[MagtuiApp], list[Any]]
SIZE = (100, 32)


def checklist(app: MagtuiApp) -> FindingList:
    return app.screen.query_one(FindingList)


def row(app: MagtuiApp, finding_id: str) -> str:
    findings = checklist(app)
    return str(findings.get_option(finding_id).prompt)


async def on_f2_at(pilot: Any, finding_id: str) -> FindingList:
    await pilot.press("f2")
    await pilot.pause()
    findings = checklist(pilot.app)
    findings.highlighted = findings.get_option_index(finding_id)
    await pilot.pause()
    return findings


async def test_age_typed_on_f3_ticks_older_adult_from_f3(app_for: AppFor) -> None:
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#age-years", "68")
        findings = await on_f2_at(pilot, "older_adult")
        assert findings.states["older_adult"] == "present"
        assert row(app, "older_adult") == "[✓] Older adult (about 65+)  · from F3 (age 68 y)"
        question = str(app.screen.query_one("#finding-question", Static).render())
        assert "Now: present, from F3 (age 68 y)" in question
        # Entered once: the checklist holds no second copy of the fact.
        assert "older_adult" not in app.consultation.states


async def test_marking_it_on_f2_says_where_to_change_it(
    app_for: AppFor, notices: Notices
) -> None:
    app = app_for(patient=PatientInputs(age_years=68, sex="female"))
    seen = notices(app)
    async with app.run_test(size=SIZE) as pilot:
        findings = await on_f2_at(pilot, "older_adult")
        index = findings.highlighted
        for key in ("n", "u", "space", "y"):
            await pilot.press(key)
            await pilot.pause()
            assert findings.states["older_adult"] == "present", key
            assert findings.highlighted == index, key  # the cursor stays: nothing was marked
        assert "older_adult" not in app.consultation.states
    refusals = [n for n in seen if "change the age there" in n.message]
    assert len(refusals) == 4
    assert refusals[0].message == ("Older adult (about 65+): set on F3 (age 68 years) — change "
                                   "the age there.")
    assert refusals[0].severity == "warning"


async def test_clearing_or_lowering_the_age_gives_the_finding_back(app_for: AppFor) -> None:
    app = app_for(patient=PatientInputs(age_years=68, sex="female"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#age-years", "50")
        await pilot.press("f2")
        await pilot.pause()
        assert checklist(app).states["older_adult"] == "not_asked"
        assert row(app, "older_adult") == "[ ] Older adult (about 65+)"
        # Below the age it is the clinician's: a mark here counts, and is kept.
        await on_f2_at(pilot, "older_adult")
        await pilot.press("y")
        await pilot.pause()
        assert app.consultation.states["older_adult"] == "present"
        await pilot.press("f3")
        await type_into(pilot, "#age-years", "")
        await pilot.press("f2")
        await pilot.pause()
        assert checklist(app).states["older_adult"] == "present"
        assert "from F3" not in row(app, "older_adult")


async def test_egfr_below_60_ticks_kidney_disease_and_60_gives_it_back(app_for: AppFor) -> None:
    app = app_for(patient=PatientInputs(age_years=40, sex="male"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#egfr", "21")
        await pilot.press("f2")
        await pilot.pause()
        assert checklist(app).states["kidney_disease"] == "present"
        assert row(app, "kidney_disease") == "[✓] Kidney disease  · from F3 (eGFR 21)"
        await pilot.press("f3")
        await type_into(pilot, "#egfr", "60")
        await pilot.press("f2")
        await pilot.pause()
        assert checklist(app).states["kidney_disease"] == "not_asked"
        await pilot.press("f3")
        app.screen.query_one("#dialysis").focus()
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert row(app, "kidney_disease").endswith("· from F3 (dialysis)")


async def test_marking_moves_past_what_f3_answered(app_for: AppFor) -> None:
    app = app_for(patient=PatientInputs(age_years=68, sex="female"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        findings = checklist(app)
        ids = [o.id for o in findings.options if o.id in findings.findings]
        before = ids[ids.index("older_adult") - 1]
        findings.highlighted = findings.get_option_index(before)
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert findings.highlighted_finding is not None
        assert findings.highlighted_finding.id == ids[ids.index("older_adult") + 1]


async def test_the_note_says_where_the_answer_came_from(
    app_for: AppFor, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    app = app_for(patient=PatientInputs(age_years=79, sex="male", egfr=21),
                  states={"nausea": "present"}, notes_dir=notes)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause(0.5)
        preview = str(app.screen.query_one("#note-preview", Static).render())
        assert ("Older adult (about 65+) (older_adult) — from the patient details: "
                "age 79 years") in preview
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
    (saved,) = [p for p in notes.glob("*.json") if not p.name.startswith("draft")]
    twin = json.loads(saved.read_text(encoding="utf-8"))
    assert twin["findings"]["older_adult"]["set_from"] == "age 79 years"
    assert twin["findings"]["kidney_disease"]["set_from"] == "eGFR 21 mL/min/1.73 m², entered"
    assert twin["findings"]["nausea"]["set_from"] is None


async def test_the_palette_does_not_mark_it_either(app_for: AppFor, notices: Notices) -> None:
    from magtui.ui.commands import MagtuiCommands

    app = app_for(patient=PatientInputs(age_years=68, sex="female"))
    seen = notices(app)
    async with app.run_test(size=SIZE) as pilot:
        provider = MagtuiCommands(app.screen)
        command = next(c for c in provider.commands()
                       if c.text == "Mark absent: Older adult (about 65+)")
        assert "(now: present)" in command.help
        command.run()
        await pilot.pause()
        assert app.results is not None
        assert app.results.triage.states["older_adult"] == "present"
    assert any("change the age there" in n.message for n in seen)
