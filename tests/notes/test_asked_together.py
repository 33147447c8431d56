"""Red flags denied in one step are recorded as "asked together, all denied" (issue 13):
on the note's finding records (JSON) and in one line of the Markdown's red-flag part."""

from __future__ import annotations

import json
from collections.abc import Callable

from magtui.consultation import Consultation, consultation_note, evaluate_consultation
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import EMERGENCY_RED_FLAG_IDS, URGENT_RED_FLAG_IDS
from magtui.notes.render import from_json, to_json, to_markdown
from magtui.notes.session import FindingRecord, SessionNote

Scenario = Callable[..., SessionNote]
LINE = "**Red flags asked together, all denied:**"


def _together(note: SessionNote) -> list[str]:
    return [f for f, record in note.findings.items() if record.asked_together]


def test_absent_red_flags_denied_together_are_marked_on_their_records(
    kb_or_skip: KnowledgeBase, scenario_1: Scenario
) -> None:
    # Scenario 1: the four emergency red flags absent, the urgent ones not asked.
    note = scenario_1(kb_or_skip, asked_together=EMERGENCY_RED_FLAG_IDS)
    assert _together(note) == list(EMERGENCY_RED_FLAG_IDS)
    assert all(note.findings[f].state == "absent" for f in EMERGENCY_RED_FLAG_IDS)


def test_only_absent_red_flags_are_recorded_as_denied_together(
    kb_or_skip: KnowledgeBase, scenario_1: Scenario
) -> None:
    # A present finding, an unasked red flag and a finding that is no red flag are never
    # "asked together, all denied", whatever the caller passes.
    note = scenario_1(kb_or_skip, asked_together=("cramps_spasms", *URGENT_RED_FLAG_IDS))
    assert _together(note) == []
    assert LINE not in to_markdown(note)


def test_markdown_has_one_line_naming_them_in_the_red_flag_part(
    kb_or_skip: KnowledgeBase, scenario_1: Scenario
) -> None:
    note = scenario_1(kb_or_skip, asked_together=EMERGENCY_RED_FLAG_IDS[:3])
    markdown = to_markdown(note)
    (line,) = [row for row in markdown.splitlines() if "asked together, all denied" in row]
    assert line.startswith(LINE)
    for finding_id in EMERGENCY_RED_FLAG_IDS[:3]:
        assert f"{note.findings[finding_id].label} ({finding_id})" in line
    assert "(fainting_low_bp)" not in line  # absent, but asked on its own
    # Among the red flags: after the unasked ones, before the lists of every finding.
    findings = markdown.split("## Findings", 1)[1]
    assert findings.index("Red flags NOT ASKED") < findings.index(LINE)
    assert findings.index(LINE) < findings.index("Absent:")


def test_no_line_when_nothing_was_denied_together(
    kb_or_skip: KnowledgeBase, scenario_1: Scenario
) -> None:
    assert "asked together" not in to_markdown(scenario_1(kb_or_skip))


def test_json_carries_the_fact_and_reads_back_equal(
    kb_or_skip: KnowledgeBase, scenario_1: Scenario
) -> None:
    note = scenario_1(kb_or_skip, asked_together=EMERGENCY_RED_FLAG_IDS)
    text = to_json(note)
    data = json.loads(text)
    assert {f for f, r in data["findings"].items() if r["asked_together"]} == set(
        EMERGENCY_RED_FLAG_IDS)
    assert data["findings"]["cramps_spasms"]["asked_together"] is False
    assert from_json(text) == note


def test_a_note_written_before_the_field_existed_still_loads(
    kb_or_skip: KnowledgeBase, scenario_1: Scenario
) -> None:
    data = json.loads(to_json(scenario_1(kb_or_skip)))
    for record in data["findings"].values():
        del record["asked_together"]
    note = from_json(json.dumps(data))
    assert _together(note) == []
    assert FindingRecord(state="absent", label="Seizure").asked_together is False


def test_the_consultation_note_records_what_the_consultation_denied_together(
    kb: KnowledgeBase,
) -> None:
    consultation = Consultation(states={"seizure": "present"})
    consultation.deny_together(EMERGENCY_RED_FLAG_IDS)  # seizure already answered: kept
    consultation.mark("chest_pain_palpitations", "absent")  # asked again, on its own
    note = consultation_note(kb, consultation, evaluate_consultation(kb, consultation))
    assert _together(note) == ["breathing_difficulty", "fainting_low_bp"]
    # A state changed behind its back (not through `mark`) is never reported as denied.
    consultation.states["fainting_low_bp"] = "present"
    note = consultation_note(kb, consultation, evaluate_consultation(kb, consultation))
    assert _together(note) == ["breathing_difficulty"]
