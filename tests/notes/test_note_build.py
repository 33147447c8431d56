"""build_note copies the clinical results' values and wording; it decides nothing itself."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from magtui import __version__
from magtui.clinical.dosing import calculate_dose
from magtui.clinical.intake import lookup_intake
from magtui.clinical.renal import assess_kidney
from magtui.clinical.triage import evaluate, finding_states
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import EMERGENCY_RED_FLAG_IDS, RED_FLAG_IDS
from magtui.notes.build import SUPPORT_SENTENCE, NoteResults, PatientEntries, build_note
from magtui.notes.render import to_json, to_markdown
from magtui.notes.schema import SessionNote as NoteSchema
from magtui.notes.session import SessionNote

HEADLINES = {"EMERGENCY", "URGENT", "ROUTINE", "SELF-CARE"}


def test_scenario_1_copies_every_value_from_the_results(
    kb_or_skip: KnowledgeBase, scenario_1: Callable[..., SessionNote], now: datetime
) -> None:
    kb = kb_or_skip
    note = scenario_1(kb)
    # Rebuild the same results to compare field by field (the clinical layer is pure).
    from magtui.clinical.renal import estimate_egfr

    egfr = estimate_egfr(kb, age_years=68, sex="female", creatinine=95, unit="umol/L")
    kidney = note.patient.kidney
    assert (kidney.egfr, kidney.egfr_equation, kidney.egfr_category) == (
        egfr.egfr, egfr.equation, egfr.category)
    assert (kidney.creatinine, kidney.creatinine_unit) == (95, "umol/L")
    assert kidney.kidney_risk == egfr.kidney.risk
    assert kidney.kidney_headline == egfr.kidney.headline
    assert (note.patient.age_years, note.patient.sex, note.patient.condition) == (
        68, "female", "none")

    assert note.referral is not None
    assert note.referral.headline in HEADLINES
    assert note.pattern in ("deficiency", "excess", "mixed", "unclear")
    assert note.findings["cramps_spasms"].state == "present"
    assert note.findings["seizure"].state == "absent"
    assert note.findings["cramps_spasms"].label == kb.findings["cramps_spasms"].label
    unasked = [f for f in RED_FLAG_IDS if f not in EMERGENCY_RED_FLAG_IDS]
    assert list(note.unasked_red_flags) == unasked
    assert note.dose is not None and note.dose.form_id == "oxide"
    assert note.dose.times_per_day == 2
    assert note.dose.warnings, "the dose's warnings are recorded"
    assert note.intake is not None and note.intake.rda_mg is not None
    assert (note.updated_at, note.saved_at, note.note_id) == (now, None, "")
    assert note.started_at < note.updated_at
    assert note.magtui_version == __version__
    assert note.kb_version == kb.meta.kb_version


def test_referral_advice_and_reasons_are_the_engines_words(
    kb_or_skip: KnowledgeBase, now: datetime
) -> None:
    kb = kb_or_skip
    states = finding_states(kb, present=["seizure", "cramps_spasms", "alcohol_use",
                                         "numbness_tingling"])
    triage = evaluate(kb, states)
    note = build_note(kb, NoteResults(triage=triage), now=now)
    assert note.referral is not None
    assert note.referral.urgency == triage.referral.urgency == "emergency"
    assert note.referral.headline == "EMERGENCY"
    assert note.referral.reasons == triage.referral.reasons
    assert [a.text for a in note.referral.advice] == [a.text for a in triage.advice]
    assert [c.reason for c in note.referral.context] == [
        r.reason for r in triage.referral.context]
    assert [e.note for e in note.explanation] == [e.note for e in triage.explanation]
    assert note.red_flags == ("seizure",)
    assert "## Referral: EMERGENCY" in to_markdown(note)


def test_sources_are_resolved_to_titles_and_urls(
    kb_or_skip: KnowledgeBase, scenario_1: Callable[..., SessionNote]
) -> None:
    kb = kb_or_skip
    note = scenario_1(kb)
    ids = [s.id for s in note.sources]
    assert len(ids) == len(set(ids))
    assert note.referral is not None
    assert set(note.referral.sources) <= set(ids)
    assert {w.source for w in note.dose.warnings} <= set(ids)  # type: ignore[union-attr]
    for source in note.sources:
        assert source.title == kb.sources[source.id].title
        assert source.url == kb.sources[source.id].url


def test_unknown_source_ids_are_kept_visible_not_dropped(
    kb_or_skip: KnowledgeBase, scenario_1: Callable[..., SessionNote]
) -> None:
    bare = kb_or_skip.replace(sources={})
    note = scenario_1(bare)
    assert note.sources and all("not in the KB" in s.title for s in note.sources)


def test_disclaimer_is_always_included(
    kb_or_skip: KnowledgeBase, now: datetime
) -> None:
    note = build_note(kb_or_skip, now=now)
    assert kb_or_skip.meta.disclaimer in note.disclaimer
    assert SUPPORT_SENTENCE in note.disclaimer
    assert note.disclaimer.count(SUPPORT_SENTENCE) == 1
    assert SUPPORT_SENTENCE in to_markdown(note)


def test_infant_dose_without_ul_records_no_invented_limit(
    kb_or_skip: KnowledgeBase, now: datetime
) -> None:
    kb = kb_or_skip
    intake = lookup_intake(kb, age_months=6, sex="female")
    dose = calculate_dose(kb, form_id="glycinate", intake=intake, kidney=assess_kidney(kb),
                          elemental_mg=20)
    note = build_note(kb, NoteResults(dose=dose), PatientEntries(age_months=6, sex="female"),
                      now=now)
    assert note.dose is not None
    assert note.dose.ul_supplemental_mg is None and note.dose.percent_of_ul is None
    assert "no_ul_for_age" in [w.code for w in note.dose.warnings]
    assert note.intake is not None and note.intake.ul_supplemental_mg is None
    assert note.patient.kidney.kidney_risk == "unknown"
    markdown = to_markdown(note)
    assert "no supplemental UL is set" in markdown
    assert "6 months" in markdown


def test_entered_egfr_has_no_equation(
    kb_or_skip: KnowledgeBase, now: datetime
) -> None:
    kb = kb_or_skip
    states = finding_states(kb, present=["mg_laxative_antacid", "nausea", "weakness"])
    triage = evaluate(kb, states, egfr=21)
    note = build_note(kb, NoteResults(triage=triage), PatientEntries(age_years=79, sex="male"),
                      now=now)
    assert note.patient.kidney.egfr == 21
    assert note.patient.kidney.egfr_equation is None
    assert note.patient.kidney.kidney_risk == "high"
    assert "KIDNEY RISK: HIGH" in to_markdown(note)


def test_dialysis_is_recorded(
    kb_or_skip: KnowledgeBase, now: datetime
) -> None:
    kidney = assess_kidney(kb_or_skip, dialysis=True)
    note = build_note(kb_or_skip, NoteResults(kidney=kidney), now=now)
    assert note.patient.kidney.dialysis and note.patient.kidney.basis == "dialysis"


def test_overdue_kb_review_is_recorded_once(
    kb_or_skip: KnowledgeBase, now: datetime
) -> None:
    late = datetime.combine(kb_or_skip.meta.next_review + timedelta(days=3), now.timetz())
    note = build_note(kb_or_skip, now=late, cautions_shown=["Shown on screen."])
    assert len(note.cautions_shown) == 2
    assert "due for clinical review" in note.cautions_shown[0]
    assert build_note(kb_or_skip, now=now).cautions_shown == ()


def test_unpaired_surrogates_become_replacement_characters(
    kb_or_skip: KnowledgeBase, now: datetime
) -> None:
    note = build_note(kb_or_skip, clinician_text="a\ud800b", now=now)
    assert note.clinician_text == "a\ufffdb"


def _as_built(note: SessionNote, **fields: object) -> SessionNote:
    """A note built by magtui with these fields (every check of the value runs)."""
    return note.replace(**fields)


def _as_read_back(note: SessionNote, **fields: object) -> SessionNote:
    """A note file with these fields, read back through the pydantic schema."""
    data = json.loads(to_json(note)) | {
        k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()
    }
    return NoteSchema.model_validate(data).to_record()  # type: ignore[no-any-return]


MAKERS = pytest.mark.parametrize("make", [_as_built, _as_read_back], ids=["built", "read-back"])


@MAKERS
def test_patient_reference_is_short_and_one_line(hand_note: SessionNote, make: Any) -> None:
    with pytest.raises(ValueError, match="no names, dates of birth or addresses"):
        make(hand_note, patient_ref="x" * 33)
    with pytest.raises(ValueError, match="control"):
        make(hand_note, patient_ref="ab\ncd")
    assert make(hand_note, patient_ref="x" * 32).patient_ref == "x" * 32
    assert make(hand_note, patient_ref="  ").patient_ref is None
    assert make(hand_note, patient_ref=" A-12 ").patient_ref == "A-12"


@MAKERS
def test_times_must_be_timezone_aware(hand_note: SessionNote, make: Any) -> None:
    with pytest.raises(ValueError, match="timezone"):
        make(hand_note, started_at=datetime(2026, 11, 25, 17, 0))


@MAKERS
def test_id_and_saved_time_go_together(now: datetime, hand_note: SessionNote, make: Any) -> None:
    with pytest.raises(ValueError, match="together"):
        make(hand_note, note_id="20261125-171530-a1b2c3")
    with pytest.raises(ValueError, match="note_id"):
        make(hand_note, note_id="../etc", saved_at=now)
    saved = make(hand_note, note_id="20261125-171530-a1b2c3", saved_at=now)
    assert saved.is_saved and saved.saved_at == now


@MAKERS
def test_no_figure_can_be_nan_or_infinite(hand_note: SessionNote, make: Any) -> None:
    patient = hand_note.patient
    if make is _as_built:
        with pytest.raises(ValueError, match="finite"):
            patient.replace(age_years=float("nan"))
        with pytest.raises(ValueError, match="greater than or equal to 0"):
            patient.replace(age_months=-1)
    else:
        data = json.loads(to_json(hand_note))
        data["patient"]["age_years"] = float("inf")
        with pytest.raises(ValueError):
            NoteSchema.model_validate(data)


def test_notes_never_import_textual() -> None:
    code = (
        "import sys\n"
        "import magtui.notes, magtui.notes.build, magtui.notes.render, magtui.notes.store\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
