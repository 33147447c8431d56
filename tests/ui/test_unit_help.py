"""Issue 13: help the clinician choose — never guess, never clamp.

A value refused in its unit but plausible in the other says so and one key switches the
unit (nothing switches by itself); a number typed with a separator is refused with how to
write it; leaving F3 or F4 with refused input says which field was not used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, RadioSet, Select, Static

from magtui.clinical.limits import COMPOUND_MG, CREATININE, SERUM_MG, InputError
from magtui.consultation import DoseInputs, PatientInputs, SerumInputs
from magtui.ui.app import MagtuiApp
from magtui.ui.screens.patient import SWITCH_UNIT_KEY
from magtui.ui.validators import (
    LimitValidator,
    parse_or_error,
    separator_advice,
    unit_alternatives,
)
from tests.ui.conftest import type_into

AppFor = Callable[..., MagtuiApp]
Notices = Callable[[MagtuiApp], list[Any]]
SIZE = (100, 32)
HOW = "digits only, with a point for decimals"
ADULT = PatientInputs(age_years=68, sex="female")


def shown(app: MagtuiApp, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render()).replace("\u00a0", " ") if widget.display else ""


def pressed(app: MagtuiApp, set_id: str) -> str:
    button = app.screen.query_one(f"#{set_id}", RadioSet).pressed_button
    return "" if button is None else str(button.label)


def warnings(seen: list[Any]) -> list[str]:
    return [notice.message for notice in seen if notice.severity == "warning"]


# ----------------------------------------------------------------------------- the key


def test_switch_key_clashes_with_no_binding() -> None:
    """ctrl+u, the first idea, is Input's "delete to start of line": the key must be free in
    every widget and screen that can have focus on F3, and in the app."""
    from textual.screen import Screen

    from magtui.ui.screens.patient import PatientScreen

    def keys(bindings: Any) -> set[str]:
        out: set[str] = set()
        for binding in bindings:
            key = binding.key if hasattr(binding, "key") else binding[0]
            out.update(part.strip() for part in key.split(","))
        return out

    taken = set()
    for owner in (MagtuiApp, Screen, Input, RadioSet, Checkbox, Select):
        for cls in owner.__mro__:
            taken |= keys(cls.__dict__.get("BINDINGS", []))
    taken |= {MagtuiApp.COMMAND_PALETTE_BINDING}
    assert SWITCH_UNIT_KEY not in taken
    assert SWITCH_UNIT_KEY in keys(PatientScreen.BINDINGS)


# ----------------------------------------------------------------------------- units


def test_unit_alternatives_only_for_a_value_refused_here_and_plausible_there() -> None:
    assert unit_alternatives(CREATININE, "mg/dL", "95") == ["umol/L"]
    assert unit_alternatives(CREATININE, "umol/L", "1.1") == ["mg/dL"]
    assert unit_alternatives(CREATININE, "umol/L", "95") == []  # accepted as typed
    assert unit_alternatives(CREATININE, "mg/dL", "5000") == []  # plausible nowhere
    assert unit_alternatives(CREATININE, "mg/dL", "0") == []
    assert unit_alternatives(CREATININE, "mg/dL", "2,400") == []
    assert unit_alternatives(SERUM_MG, "mmol/L", "22") == ["mg/dL"]
    assert unit_alternatives(SERUM_MG, "mmol/L", "12") == ["mg/dL", "mEq/L"]


async def test_95_mg_dl_is_refused_with_the_umol_hint_and_the_key_switches(
    app_for: AppFor, notices: Notices,
) -> None:
    app = app_for(patient=ADULT, autosave=False)
    seen = notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#creatinine", "95")
        error = shown(app, "#creatinine-error")
        assert error == (
            "✗ 95 mg/dL is outside the plausible range 0.1–25 mg/dL; as µmol/L it is "
            f"plausible: press {SWITCH_UNIT_KEY} to switch the unit to µmol/L")
        # Nothing switched by itself, and nothing was computed from the refused value.
        assert pressed(app, "creatinine-unit") == "mg/dL"
        assert app.consultation.patient.creatinine is None
        assert "eGFR not computed" in shown(app, "#egfr-result")

        await pilot.press(SWITCH_UNIT_KEY)
        await pilot.pause()
        assert pressed(app, "creatinine-unit") == "µmol/L"
        assert app.screen.query_one("#creatinine", Input).value == "95"  # value as typed
        assert shown(app, "#creatinine-error") == ""
        assert "eGFR 56.3 mL/min/1.73 m²" in shown(app, "#egfr-result")
        patient = app.consultation.patient
        assert (patient.creatinine, patient.creatinine_unit) == (95, "umol/L")
        assert app.focused is app.screen.query_one("#creatinine", Input)
    assert warnings(seen) == []


async def test_umol_value_that_fits_mg_dl_offers_the_switch_back(app_for: AppFor) -> None:
    app = app_for(patient=PatientInputs(age_years=68, sex="female", creatinine_unit="umol/L"),
                  autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#creatinine", "1.1")
        assert "switch the unit to mg/dL" in shown(app, "#creatinine-error")
        app.screen.query_one("#creatinine-unit", RadioSet).focus()  # the key works here too
        await pilot.press(SWITCH_UNIT_KEY)
        await pilot.pause()
        assert pressed(app, "creatinine-unit") == "mg/dL"
        assert "mL/min/1.73 m²" in shown(app, "#egfr-result")


async def test_value_implausible_in_both_units_gets_no_switch(
    app_for: AppFor, notices: Notices,
) -> None:
    app = app_for(patient=ADULT, autosave=False)
    seen = notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#creatinine", "5000")
        error = shown(app, "#creatinine-error")
        assert error == "✗ 5000 mg/dL is outside the plausible range 0.1–25 mg/dL"
        assert SWITCH_UNIT_KEY not in error and "µmol/L" not in error
        await pilot.press(SWITCH_UNIT_KEY)
        await pilot.pause()
        assert pressed(app, "creatinine-unit") == "mg/dL"
        assert app.consultation.patient.creatinine is None
        assert any("Nothing to switch" in notice.message for notice in seen)


async def test_serum_value_that_fits_one_other_unit_switches_on_the_key(
    app_for: AppFor,
) -> None:
    app = app_for(patient=ADULT, autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#serum", "22")
        error = shown(app, "#serum-error")
        assert "22 mmol/L is outside the plausible range 0.05–10 mmol/L" in error
        assert (f"as mg/dL it is plausible: press {SWITCH_UNIT_KEY} to switch the unit "
                "to mg/dL") in error
        assert app.consultation.serum.value is None
        await pilot.press(SWITCH_UNIT_KEY)
        await pilot.pause()
        assert pressed(app, "serum-unit") == "mg/dL"
        assert shown(app, "#serum-error") == ""
        assert app.consultation.serum == SerumInputs(value=22, unit="mg/dL")
        assert "mmol/L" in shown(app, "#serum-result")


async def test_serum_value_that_fits_two_units_leaves_the_choice_to_the_clinician(
    app_for: AppFor,
) -> None:
    app = app_for(patient=ADULT, autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#serum", "12")
        error = shown(app, "#serum-error")
        assert f"as mg/dL or mEq/L it is plausible: press {SWITCH_UNIT_KEY} to choose" in error
        await pilot.press(SWITCH_UNIT_KEY)
        await pilot.pause()
        # The unit choice has the focus; no unit was chosen for the clinician.
        assert app.focused is app.screen.query_one("#serum-unit", RadioSet)
        assert pressed(app, "serum-unit") == "mmol/L"
        assert app.consultation.serum.value is None


# ----------------------------------------------------------------------------- separators


@pytest.mark.parametrize(("text", "written"), [
    ("2,400", "write 2400 or 2.400"),  # thousands separator, or a decimal comma?
    ("2 400", "write 2400 —"),
    ("2.400,5", "write 2400.5 —"),
    ("2,400.5", "write 2400.5 —"),
    ("2'400", "write 2400 —"),
    ("1.234.567", "write 1234567 —"),
    ("1,2", "write 1.2 —"),
])
def test_separated_numbers_are_refused_with_how_to_write_them(text: str, written: str) -> None:
    value, message = parse_or_error(COMPOUND_MG, text)
    assert value is None
    assert written in message and HOW in message
    assert LimitValidator(COMPOUND_MG).validate(text).failure_descriptions == [message]


@pytest.mark.parametrize("text", ["1_0", "2 4", "2.400.5", "abc", "1e3"])
def test_other_refusals_keep_the_limit_words(text: str) -> None:
    assert separator_advice(text) is None
    with pytest.raises(InputError) as caught:
        COMPOUND_MG.parse(text)
    assert parse_or_error(COMPOUND_MG, text) == (None, caught.value.message)


def test_a_plain_decimal_is_not_a_separator() -> None:
    assert separator_advice("2.400") is None
    assert parse_or_error(COMPOUND_MG, "2.400") == (2.4, "")


async def test_2400_with_a_comma_computes_nothing_on_f4_or_f3(
    app_for: AppFor,
) -> None:
    app = app_for(patient=PatientInputs(age_years=68, sex="female", egfr=90),
                  dose=DoseInputs(form_id="hydroxide"), autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await type_into(pilot, "#amount", "2,400")
        error = shown(app, "#amount-error")
        assert "write 2400" in error and HOW in error
        assert app.consultation.dose.amount_mg is None
        assert app.results is not None and app.results.dose is None
        assert shown(app, "#dose-summary") == ""
        await type_into(pilot, "#times-per-day", "1 2")
        assert "must be a number" in shown(app, "#times-per-day-error")  # not a grouping

        await pilot.press("f3")
        await type_into(pilot, "#egfr", "")
        await type_into(pilot, "#creatinine", "2,400")
        error = shown(app, "#creatinine-error")
        assert "write 2400" in error and HOW in error
        assert SWITCH_UNIT_KEY not in error
        assert app.consultation.patient.creatinine is None
        assert app.results is not None and app.results.egfr is None
        assert "eGFR not computed" in shown(app, "#egfr-result")


# ----------------------------------------------------------------------------- leaving


async def test_leaving_f3_with_a_refused_creatinine_says_so(
    app_for: AppFor, notices: Notices,
) -> None:
    app = app_for(patient=ADULT, autosave=False)
    seen = notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#creatinine", "5000")
        await pilot.press("f1")  # a dialog over the area is not leaving it
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert warnings(seen) == []
        await pilot.press("f4")  # the switch is not held up
        await pilot.pause()
        assert app.current_mode == "dose"
        assert warnings(seen) == [
            "Patient: Creatinine '5000' was not accepted (outside 0.1–25 mg/dL) — not used"]


async def test_leaving_names_every_refused_field_and_the_unit_offer(
    app_for: AppFor, notices: Notices,
) -> None:
    app = app_for(patient=ADULT, autosave=False)
    seen = notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#creatinine", "95")
        await type_into(pilot, "#serum", "2,5")
        await pilot.press("f2")
        await pilot.pause()
        (message,) = warnings(seen)
        assert message.startswith("Patient: Creatinine '95' was not accepted (outside "
                                  "0.1–25 mg/dL; plausible as µmol/L) — not used; ")
        assert "Serum Mg '2,5' was not accepted (a decimal comma is not read: write 2.5" in message


async def test_leaving_f4_with_a_refused_amount_says_so(
    app_for: AppFor, notices: Notices,
) -> None:
    app = app_for(patient=ADULT, dose=DoseInputs(form_id="oxide"), autosave=False)
    seen = notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await type_into(pilot, "#amount", "2,400")
        await pilot.press("f5")
        await pilot.pause()
        (message,) = warnings(seen)
        assert message.startswith("Dose: Amount per dose '2,400' was not accepted (")
        assert message.endswith("— not used")


async def test_leaving_with_everything_accepted_notifies_nothing(
    app_for: AppFor, notices: Notices,
) -> None:
    app = app_for(patient=ADULT, dose=DoseInputs(form_id="oxide", amount_mg=400),
                  autosave=False)
    seen = notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#creatinine", "95")
        await pilot.press(SWITCH_UNIT_KEY)
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f3", "f2")
        await pilot.pause()
        assert app.current_mode == "triage"
    assert warnings(seen) == []
