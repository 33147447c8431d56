"""Notes fixtures: the shipped KB if it loads, and notes built from real clinical results
(scenario 1) or by hand when the KB does not load. Helpers are fixtures because the suite runs
with --import-mode=importlib, where test modules cannot import sibling modules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import KBError, load_kb
from magtui.notes.session import (
    AdviceRecord,
    DoseRecord,
    DoseWarningRecord,
    FindingRecord,
    KidneyRecord,
    PatientRecord,
    ReferralRecord,
    SessionNote,
    SourceRecord,
)

CLINIC_TZ = timezone(timedelta(hours=1))
STARTED = datetime(2026, 11, 25, 17, 5, 12, tzinfo=CLINIC_TZ)
NOW = datetime(2026, 11, 25, 17, 15, 30, tzinfo=CLINIC_TZ)


def scenario_1_note(kb: KnowledgeBase, **overrides: object) -> SessionNote:
    """Scenario 1 (night cramps on a PPI and a thiazide) through the real clinical layer."""
    from magtui.clinical.dosing import calculate_dose
    from magtui.clinical.intake import age_to_months, lookup_intake
    from magtui.clinical.renal import estimate_egfr
    from magtui.clinical.triage import evaluate, finding_states
    from magtui.knowledge.vocabulary import EMERGENCY_RED_FLAG_IDS
    from magtui.notes.build import NoteResults, build_note

    egfr = estimate_egfr(kb, age_years=68, sex="female", creatinine=95, unit="umol/L")
    states = finding_states(
        kb,
        present=["cramps_spasms", "eyelid_twitch", "ppi_long_term", "diuretic_loop_thiazide",
                 "low_intake"],
        # Three red flags left unasked on purpose: the note must list them.
        absent=[*EMERGENCY_RED_FLAG_IDS],
    )
    triage = evaluate(kb, states, egfr=egfr.egfr)
    intake = lookup_intake(kb, age_months=age_to_months(68), sex="female")
    dose = calculate_dose(kb, form_id="oxide", intake=intake, kidney=triage.kidney,
                          compound_mg=400, times_per_day=2)
    results = NoteResults(triage=triage, dose=dose, egfr=egfr, intake=intake)
    arguments: dict[str, object] = {
        "clinician_text": "Cramps worse at night.\nDiscussed PPI review with GP.",
        "patient_ref": "clinic 4471", "started_at": STARTED, "now": NOW,
    }
    arguments.update(overrides)
    return build_note(kb, results, **arguments)  # type: ignore[arg-type]


def hand_built_note() -> SessionNote:
    """A plausible note built without the KB, for storage and rendering tests."""
    return SessionNote(
        started_at=STARTED,
        updated_at=NOW,
        magtui_version="0.1.0",
        kb_version="test",
        patient_ref="clinic 4471",
        patient=PatientRecord(
            age_years=68, sex="female",
            kidney=KidneyRecord(kidney_risk="caution", basis="egfr", egfr=56.3,
                                egfr_equation="CKD-EPI 2021", egfr_category="G3a",
                                creatinine=95, creatinine_unit="umol/L",
                                kidney_headline="Magnesium clearance reduced."),
        ),
        findings={
            "cramps_spasms": FindingRecord(state="present", label="Muscle cramps"),
            "seizure": FindingRecord(state="absent", label="Seizure", red_flag="emergency"),
            "muscle_wasting": FindingRecord(state="not_asked", label="Muscle wasting",
                                            red_flag="urgent"),
        },
        unasked_red_flags=("muscle_wasting",),
        pattern="deficiency",
        referral=ReferralRecord(
            urgency="routine", headline="ROUTINE", meaning="Planned appointment and blood test.",
            reasons=("The findings fit low magnesium.",),
            advice=(AdviceRecord(id="blood_test", text="Arrange a blood test.",
                                 source="ods_magnesium"),),
            sources=("ods_magnesium",),
        ),
        dose=DoseRecord(
            form_id="oxide", form_name="Magnesium oxide", elemental_fraction=0.603,
            entered_as="compound", entered_mg=400, times_per_day=2,
            elemental_mg_per_dose=241.2, elemental_mg_per_day=482.4, life_stage="51+ years",
            rda_mg=320, ul_supplemental_mg=350, percent_of_ul=137.8, exceeds_ul=True,
            kidney_risk="caution",
            warnings=(DoseWarningRecord(code="exceeds_ul", text="Above the UL.",
                                        source="ods_magnesium", level="danger"),),
        ),
        clinician_text="Cramps worse at night.",
        sources=(SourceRecord(id="ods_magnesium", title="Magnesium fact sheet",
                              publisher="NIH ODS", url="https://ods.od.nih.gov/"),),
        disclaimer="magtui supports a clinician's judgement; it does not diagnose or prescribe.",
    )


@pytest.fixture(scope="session")
def note_kb() -> KnowledgeBase | None:
    """The shipped KB, or None while it does not load (then notes are built by hand)."""
    try:
        return load_kb()
    except KBError:
        return None


@pytest.fixture(scope="session")
def kb_or_skip(note_kb: KnowledgeBase | None) -> KnowledgeBase:
    if note_kb is None:
        pytest.skip("the shipped KB does not load; builder tests need it")
    return note_kb


@pytest.fixture(scope="session")
def sample_note(note_kb: KnowledgeBase | None) -> SessionNote:
    return scenario_1_note(note_kb) if note_kb is not None else hand_built_note()


@pytest.fixture(scope="session")
def hand_note() -> SessionNote:
    return hand_built_note()


@pytest.fixture(scope="session")
def scenario_1() -> Callable[..., SessionNote]:
    return scenario_1_note


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW
