"""F3 for infants and children (issue 13): intake without a sex where the tables do not
depend on it, and the under-18 kidney note when a creatinine is typed."""

from __future__ import annotations

from textual.widgets import Static

from magtui.consultation import Consultation, PatientInputs
from magtui.knowledge.base import KnowledgeBase
from magtui.ui.app import MagtuiApp
from tests.ui.conftest import type_into

SIZE = (100, 32)


def _app(kb: KnowledgeBase, patient: PatientInputs | None = None) -> MagtuiApp:
    return MagtuiApp(kb, Consultation(patient=patient or PatientInputs()), cursor_blink=False)


def _shown(app: MagtuiApp, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render()).replace("\u00a0", " ") if widget.display else ""


async def test_six_month_old_without_sex_shows_the_intake_reference(kb: KnowledgeBase) -> None:
    app = _app(kb)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#age-months", "6")
        intake = _shown(app, "#intake-result")
        assert "0–6 months, either sex" in intake and "AI 30 mg/day" in intake
        assert "no UL set for 0–6 months" in intake
        assert _shown(app, "#sex-error") == ""
        assert app.consultation.patient.sex is None


async def test_teenager_without_sex_is_asked_for_one(kb: KnowledgeBase) -> None:
    app = _app(kb)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#age-years", "15")
        assert "needs sex" in _shown(app, "#intake-result")
        assert "choose female or male" in _shown(app, "#sex-error")


async def test_ten_year_old_with_creatinine_gets_the_under_18_kidney_note(
        kb: KnowledgeBase) -> None:
    app = _app(kb, PatientInputs(sex="male"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_into(pilot, "#age-years", "10")
        await type_into(pilot, "#creatinine", "0.5")
        kidney = " ".join(_shown(app, "#kidney-result").split())
        assert "adult CKD-EPI 2021 equation is not used under 18" in kidney
        assert "paediatric equation (e.g. bedside Schwartz)" in kidney
        assert "clinician or lab report" in kidney and "enter it directly as eGFR" in kidney
        assert "eGFR or creatinine" not in kidney
        assert "eGFR not computed" in _shown(app, "#egfr-result")
        assert "nkf_ckd_epi_2021" in _shown(app, "#patient-sources")
