"""SVG snapshots of every screen (reviewed by eye when created or updated)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from magtui.consultation import DoseInputs, PatientInputs
from magtui.ui.app import MagtuiApp

SCENARIO_2 = {
    "patient": PatientInputs(age_years=79, sex="male", egfr=21),
    "states": {"mg_laxative_antacid": "present", "nausea": "present", "weakness": "present",
               "breathing_difficulty": "absent", "chest_pain_palpitations": "absent",
               "fainting_low_bp": "absent"},
    "dose": DoseInputs(form_id="hydroxide", amount_mg=2400, times_per_day=2),
    "clinician_text": "Stop milk of magnesia. Serum Mg and U&E today.",
}
SCENARIO_1 = {
    "patient": PatientInputs(age_years=68, sex="female", creatinine=95,
                             creatinine_unit="umol/L"),
    "states": {"cramps_spasms": "present", "eyelid_twitch": "present",
               "ppi_long_term": "present", "diuretic_loop_thiazide": "present",
               "low_intake": "present"},
}


def press(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press(*keys)
        await pilot.pause()

    return steps


CASES: list[tuple[str, dict[str, Any], tuple[int, int], tuple[str, ...]]] = [
    ("triage_100x32", SCENARIO_1, (100, 32), ()),
    ("triage_80x24", SCENARIO_1, (80, 24), ()),
    ("patient_100x32", SCENARIO_1, (100, 32), ("f3",)),
    ("dose_100x32", SCENARIO_2, (100, 32), ("f4",)),
    ("referral_100x32", SCENARIO_2, (100, 32), ("f5",)),
    ("referral_80x24", SCENARIO_2, (80, 24), ("f5",)),
    ("knowledge_100x32", SCENARIO_1, (100, 32), ("f6", *"proton")),
    ("note_100x32", SCENARIO_2, (100, 32), ("f7",)),
    ("help_100x32", SCENARIO_1, (100, 32), ("f1",)),
    # Every area at 80×24 too (issue #13: readable without scrolling at 80×24).
    ("patient_80x24", SCENARIO_1, (80, 24), ("f3",)),
    ("dose_80x24", SCENARIO_2, (80, 24), ("f4",)),
    ("knowledge_80x24", SCENARIO_1, (80, 24), ("f6", *"proton")),
    ("note_80x24", SCENARIO_2, (80, 24), ("f7",)),
    ("help_80x24", SCENARIO_1, (80, 24), ("f1",)),
]


@pytest.mark.parametrize(("name", "setup", "size", "keys"), CASES, ids=[c[0] for c in CASES])
async def test_screen_snapshot(
    app_for: Callable[..., MagtuiApp], snapshot: Callable[..., Any],
    name: str, setup: dict[str, Any], size: tuple[int, int], keys: tuple[str, ...],
) -> None:
    app = app_for(autosave=False, **setup)
    await snapshot(app, name, size=size, steps=press(*keys) if keys else None)


async def test_error_state_snapshot(
    app_for: Callable[..., MagtuiApp], snapshot: Callable[..., Any]
) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press("f3")
        await pilot.pause()
        pilot.app.screen.query_one("#creatinine").focus()
        await pilot.press(*"5000")
        await pilot.pause()

    app = app_for(autosave=False, patient=PatientInputs(age_years=68, sex="female"))
    await snapshot(app, "error_invalid_creatinine_100x32", steps=steps)


async def test_no_color_snapshot(
    app_for: Callable[..., MagtuiApp], snapshot: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press("f5")
        await pilot.pause()

    # The fixture strips NO_COLOR from the shell; this test sets it on purpose.
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_for(autosave=False, **SCENARIO_2)
    await snapshot(app, "referral_no_color_100x32", steps=steps)
