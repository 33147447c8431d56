"""Issue 13: a value typed and left refused is recorded as typed, never as "not entered".

Played in the TUI: creatinine 95 in the default mg/dL (plausible only in µmol/L), a dose
amount written "2,400", an age of 200. The kidney caution on F3 and F4, the F7 preview and
the saved note (Markdown and JSON twin) all say what was typed and why it was not used.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import Select, Static

from magtui.consultation import PatientInputs
from magtui.ui.app import MagtuiApp
from tests.ui.conftest import type_into

AppFor = Callable[..., MagtuiApp]
SIZE = (100, 32)
NOT_ENTERED = "No eGFR, creatinine or dialysis status has been entered"
CREATININE_LINE = ('- Creatinine: typed "95" (mg/dL), not accepted: 95 mg/dL is outside the '
                   "plausible range 0.1–25 mg/dL; plausible as µmol/L")


def shown(app: MagtuiApp, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return " ".join(str(widget.render()).replace("\u00a0", " ").split())


async def preview(pilot: Any) -> str:
    await pilot.press("f7")
    await pilot.pause(0.5)  # the preview is redrawn once typing pauses
    return str(pilot.app.screen.query_one("#note-preview", Static).render())


def saved_note(notes: Path) -> tuple[str, dict[str, Any]]:
    (twin,) = [p for p in notes.glob("*.json") if not p.name.startswith("draft")]
    return (twin.with_suffix(".md").read_text(encoding="utf-8"),
            json.loads(twin.read_text(encoding="utf-8")))


async def test_refused_creatinine_is_recorded_as_typed(app_for: AppFor, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    app = app_for(patient=PatientInputs(age_years=68, sex="female"), notes_dir=notes)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#creatinine", "95")
        kidney = shown(app, "#kidney-result")
        assert 'Not used — Creatinine: typed "95" (mg/dL), not accepted' in kidney
        assert NOT_ENTERED not in kidney
        await pilot.press("f4")
        await pilot.pause()
        status = shown(app, "#dose-status")
        assert 'typed "95" (mg/dL)' in status and NOT_ENTERED not in status
        text = await preview(pilot)
        assert CREATININE_LINE in text.splitlines()
        assert NOT_ENTERED not in text
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
    markdown, twin = saved_note(notes)
    assert CREATININE_LINE in markdown.splitlines() and NOT_ENTERED not in markdown
    assert twin["not_accepted"] == [{
        "field": "creatinine", "name": "Creatinine", "text": "95", "unit": "mg/dL",
        "reason": "95 mg/dL is outside the plausible range 0.1–25 mg/dL; plausible as µmol/L",
        "area": "patient", "quoted": True,
    }]
    assert NOT_ENTERED not in twin["patient"]["kidney"]["kidney_caution"]


async def test_switching_the_unit_takes_it_out_of_the_note(app_for: AppFor) -> None:
    app = app_for(patient=PatientInputs(age_years=68, sex="female"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#creatinine", "95")
        await pilot.press("ctrl+o")  # the unit the message offers: µmol/L
        await pilot.pause()
        text = await preview(pilot)
        assert "not accepted" not in text
        assert "- eGFR: 56.3 mL/min/1.73 m² (CKD-EPI 2021; G3a" in text


async def test_refused_dose_amount_and_age_are_recorded(app_for: AppFor) -> None:
    app = app_for(patient=PatientInputs(sex="male"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#age-years", "200")
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one("#form", Select).value = "hydroxide"
        await pilot.pause()
        await type_into(pilot, "#amount", "2,400")
        text = await preview(pilot)
    lines = text.splitlines()
    assert ('- Age: typed "200" (years), not accepted: 200 years is outside the plausible '
            "range 0–120 years") in lines
    assert "- Age: not recorded" not in lines
    assert "No dose was computed." in lines
    assert any(line.startswith('- Amount per dose: typed "2,400" (mg compound), not accepted: '
                               "the comma is not read") for line in lines)
