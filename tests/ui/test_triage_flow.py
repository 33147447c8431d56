"""F2 checklist flow (issue 13): each mark moves on to the next finding not yet asked, and one
deliberate key denies every red flag still unasked, recorded as "asked together, all denied"."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from magtui.consultation import Consultation
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.ui.app import MagtuiApp
from magtui.ui.drafts import parse_draft
from magtui.ui.widgets.finding_list import FindingList

AppFor = Callable[..., MagtuiApp]
ScreenText = Callable[[MagtuiApp], str]
SIZE = (120, 40)


def label_in_view(app: MagtuiApp, text: str, finding_id: str | None) -> bool:
    """The finding's whole label is among the checklist rows drawn on screen (a wrapped
    label reads the same once its rows are joined)."""
    findings = _checklist(app)
    region = findings.scrollable_content_region
    rows = text.split("\n")[region.y:region.bottom]
    shown = " ".join(" ".join(row[region.x:region.right].split()) for row in rows)
    return " ".join(findings.findings[finding_id or ""].label.split()) in shown


def _checklist(app: MagtuiApp) -> FindingList:
    return app.screen.query_one("#findings", FindingList)


def _at(app: MagtuiApp) -> str | None:
    finding = _checklist(app).highlighted_finding
    return finding.id if finding is not None else None


async def _go_to(pilot: Any, app: MagtuiApp, finding_id: str) -> None:
    findings = _checklist(app)
    findings.highlighted = findings.get_option_index(finding_id)
    await pilot.pause()


def _all_answered_but(kb: KnowledgeBase, *unasked: str) -> dict[str, str]:
    return {f: "absent" for f in kb.findings if f not in unasked}


def _count_updates(app: MagtuiApp) -> list[int]:
    """Every call of `app.update` from now on (one consultation change each)."""
    calls: list[int] = []
    original = app.update

    def update(change: Any) -> None:
        calls.append(1)
        original(change)

    app.update = update  # type: ignore[method-assign]
    return calls


# ----------------------------------------------------------------------------- moving on


async def test_each_mark_moves_on_to_the_next_finding_not_yet_asked(app_for: AppFor) -> None:
    app = app_for(autosave=False,
                  states={"eyelid_twitch": "present", "numbness_tingling": "absent"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert _at(app) == "cramps_spasms"
        steps = [
            # key, finding marked, its state, where the highlight goes
            ("y", "cramps_spasms", "present", "muscle_twitching"),  # eyelid_twitch answered
            ("n", "muscle_twitching", "absent", "persistent_twitching"),  # numbness answered
            ("u", "persistent_twitching", "not_asked", "weakness"),  # over the group heading
            ("space", "weakness", "present", "fatigue"),  # space cycles, and moves on too
        ]
        for key, finding, state, then in steps:
            await pilot.press(key)
            await pilot.pause()
            assert app.consultation.states.get(finding, "not_asked") == state, key
            assert _at(app) == then, key
            # The question line follows the highlight.
            question = str(app.screen.query_one("#finding-question").render())
            assert app.kb.findings[then].question in question, key


async def test_the_move_wraps_to_the_top(app_for: AppFor, kb: KnowledgeBase) -> None:
    states = _all_answered_but(kb, "muscle_twitching", "bulbar_symptoms")
    app = app_for(autosave=False, states=states)
    async with app.run_test(size=SIZE) as pilot:
        await _go_to(pilot, app, "bulbar_symptoms")  # the last finding of the list
        await pilot.press("n")
        await pilot.pause()
        assert app.consultation.states["bulbar_symptoms"] == "absent"
        assert _at(app) == "muscle_twitching"  # wrapped to the one left unasked above


async def test_with_none_left_unasked_it_moves_to_the_next_finding_or_stays_on_the_last(
    app_for: AppFor, kb: KnowledgeBase
) -> None:
    app = app_for(autosave=False, states=_all_answered_but(kb, "bulbar_symptoms"))
    async with app.run_test(size=SIZE) as pilot:
        await _go_to(pilot, app, "muscle_wasting")
        await pilot.press("y")  # re-answered: on to the one still unasked
        await pilot.pause()
        assert _at(app) == "bulbar_symptoms"
        await pilot.press("n")  # the last one asked: nothing left, and nothing below
        await pilot.pause()
        assert app.consultation.states["bulbar_symptoms"] == "absent"
        assert _at(app) == "bulbar_symptoms"
        await pilot.press("up", "n")  # none unasked: simply the next finding
        await pilot.pause()
        assert app.consultation.states["muscle_wasting"] == "absent"
        assert _at(app) == "bulbar_symptoms"
        await _go_to(pilot, app, "anxiety_stress")  # last of its group
        await pilot.press("y")
        await pilot.pause()
        assert _at(app) == "breathing_difficulty"  # the heading between is skipped


async def test_keys_typed_in_a_burst_mark_one_finding_each(
    app_for: AppFor, kb: KnowledgeBase
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y", "n", "y")  # no pause between: still one finding per key
        await pilot.pause()
        assert app.consultation.states == {
            "cramps_spasms": "present", "eyelid_twitch": "absent",
            "muscle_twitching": "present"}
        assert _at(app) == "numbness_tingling"

    # A mark not yet shown back still counts: the burst never wraps onto it again.
    again = app_for(autosave=False,
                    states=_all_answered_but(kb, "cramps_spasms", "bulbar_symptoms"))
    async with again.run_test(size=SIZE) as pilot:
        await _go_to(pilot, again, "bulbar_symptoms")
        await pilot.press("y", "y")
        await pilot.pause()
        assert again.consultation.states["bulbar_symptoms"] == "present"
        assert again.consultation.states["cramps_spasms"] == "present"
        assert _at(again) == "eyelid_twitch"  # none left: the next finding, not bulbar


async def test_the_highlighted_row_stays_in_view_as_marks_move_down_the_list(
    app_for: AppFor, screen_text: Callable[[MagtuiApp], str],
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=(80, 24)) as pilot:  # the list scrolls; red flags wrap
        await pilot.pause()
        findings = _checklist(app)
        assert findings.show_vertical_scrollbar
        for _ in range(len(findings.findings) - 1):
            await pilot.press("n")
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            assert label_in_view(app, screen_text(app), _at(app)), _at(app)
        assert _at(app) == "bulbar_symptoms"


# ----------------------------------------------------------------------------- deny all


async def test_deny_all_marks_exactly_the_unasked_red_flags_absent_in_one_update(
    app_for: AppFor, screen_text: ScreenText
) -> None:
    answered = {"seizure": "present", "breathing_difficulty": "absent",
                "cramps_spasms": "present"}
    app = app_for(autosave=False, states=answered)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "D Deny unasked" in screen_text(app)  # named in the footer
        updates = _count_updates(app)
        await pilot.press("D")
        await pilot.pause()
        assert len(updates) == 1  # one consultation update for all of them
        unasked = [f for f in RED_FLAG_IDS if f not in answered]
        assert len(unasked) == 5
        states = app.consultation.states
        assert all(states[f] == "absent" for f in unasked)
        # Answers already given are left exactly as they were; other findings stay unasked.
        assert states["seizure"] == "present"
        assert states["breathing_difficulty"] == "absent"
        assert states["cramps_spasms"] == "present" and "eyelid_twitch" not in states
        assert set(app.consultation.denied_together) == set(unasked)
        assert app.results is not None and app.results.triage.unasked_red_flags == ()
        text = screen_text(app)
        assert "Every red flag has been asked." in text
        assert "EMERGENCY" in text  # the seizure still sets the urgency
        # Nothing is left to deny: the key leaves the footer and does nothing.
        assert "Deny unasked" not in text
        await pilot.press("D")
        await pilot.pause()
        assert len(updates) == 1


async def test_help_and_footer_name_the_deny_all_key(
    app_for: AppFor, screen_text: ScreenText
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "D Deny unasked" in screen_text(app)
        await pilot.press("f1")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "deny all unasked red flags" in text.lower()
        assert "asked together, all denied" in text


async def test_a_red_flag_marked_on_its_own_afterwards_leaves_the_group(
    app_for: AppFor,
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        assert app.consultation.denied_together == RED_FLAG_IDS
        await _go_to(pilot, app, "muscle_wasting")
        await pilot.press("y")  # present after all
        await pilot.pause()
        await _go_to(pilot, app, "seizure")
        await pilot.press("n")  # asked again on its own: still absent, no longer "together"
        await pilot.pause()
        await _go_to(pilot, app, "fainting_low_bp")
        await pilot.press("u")
        await pilot.pause()
        states = app.consultation.states
        assert states["muscle_wasting"] == "present" and states["seizure"] == "absent"
        assert "fainting_low_bp" not in states
        rest = tuple(f for f in RED_FLAG_IDS
                     if f not in ("muscle_wasting", "seizure", "fainting_low_bp"))
        assert app.consultation.denied_together == rest
        assert app.consultation.asked_together() == rest


async def test_the_saved_note_says_asked_together_all_denied(
    app_for: AppFor, tmp_path: Path
) -> None:
    app = app_for(autosave=False, states={"cramps_spasms": "present", "seizure": "absent"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        await _go_to(pilot, app, "muscle_wasting")
        await pilot.press("n")  # asked on its own: absent, but not "asked together"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    notes = tmp_path / "notes"  # MAGTUI_NOTES_DIR in tests
    (saved,) = [p for p in notes.glob("*.json") if not p.name.startswith("draft")]
    together = [f for f in RED_FLAG_IDS if f not in ("seizure", "muscle_wasting")]
    record = json.loads(saved.read_text(encoding="utf-8"))
    findings = record["findings"]
    assert [f for f, r in findings.items() if r["asked_together"]] == together
    assert all(findings[f]["state"] == "absent" for f in together)
    assert findings["seizure"]["asked_together"] is False  # answered before, on its own
    assert findings["muscle_wasting"]["asked_together"] is False
    assert findings["cramps_spasms"]["asked_together"] is False
    markdown = saved.with_suffix(".md").read_text(encoding="utf-8")
    (line,) = [row for row in markdown.splitlines() if "asked together, all denied" in row]
    for finding_id in together:
        assert f"({finding_id})" in line
    assert "(seizure)" not in line and "(muscle_wasting)" not in line


# ----------------------------------------------------------------------------- drafts


def test_the_draft_keeps_which_red_flags_were_denied_together(kb: KnowledgeBase) -> None:
    consultation = Consultation(states={"seizure": "present"})
    consultation.deny_together(["seizure", "muscle_wasting", "bulbar_symptoms"])
    assert consultation.states["seizure"] == "present"  # an answer is never changed
    assert consultation.denied_together == ("muscle_wasting", "bulbar_symptoms")
    raw = json.dumps(consultation.to_draft()).encode()
    restored = parse_draft(raw, kb)
    assert restored.denied_together == ("muscle_wasting", "bulbar_symptoms")
    assert restored.to_draft() == consultation.to_draft()
    # A draft written before issue 13 has no such key: nothing was denied together.
    old = consultation.to_draft()
    del old["denied_together"]
    old["states"] = {"seizure": "present"}
    assert parse_draft(json.dumps(old).encode(), kb).denied_together == ()


@pytest.mark.parametrize(("denied", "states", "why"), [
    (["muscle_wasting"], {"muscle_wasting": "present"}, "not marked absent"),
    (["muscle_wasting"], {}, "not marked absent"),
    (["cramps_spasms"], {"cramps_spasms": "absent"}, "not a red flag"),
    (["no_such_finding"], {}, "unknown finding"),
    (["seizure", "seizure"], {"seizure": "absent"}, "listed twice"),
    ("seizure", {"seizure": "absent"}, "must be a list"),
    ([3], {}, "must hold finding ids"),
])
def test_a_draft_with_a_wrong_denied_together_is_refused(
    kb: KnowledgeBase, denied: object, states: dict[str, str], why: str
) -> None:
    draft = Consultation().to_draft()
    draft["states"], draft["denied_together"] = states, denied
    with pytest.raises(ValueError, match=why):
        parse_draft(json.dumps(draft).encode(), kb)


async def test_a_crash_restore_keeps_the_red_flags_denied_together(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    first = MagtuiApp(kb, Consultation(), cursor_blink=False)
    async with first.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause(1.5)  # past the autosave delay
        await first.workers.wait_for_complete()
    # No clean quit: the draft stays, as after a kill.
    assert (tmp_path / "notes" / f"draft-{os.getpid()}.json").exists()
    second = MagtuiApp(kb, Consultation(), cursor_blink=False, autosave=True)
    async with second.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # restore
        await pilot.pause()
        assert second.consultation.denied_together == RED_FLAG_IDS
        assert second.results is not None and second.results.triage.unasked_red_flags == ()
