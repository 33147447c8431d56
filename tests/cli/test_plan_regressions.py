"""Issue #10's examples through the command line: each now reads as one plan (design.md §5).

Each test runs `magtui triage … --json` (and the text output where the wording matters) and
asserts both what the plan must say and what it must not.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from magtui.cli import main
from magtui.knowledge.vocabulary import RED_FLAG_IDS

ALL_FLAGS_ABSENT = tuple(arg for flag in RED_FLAG_IDS for arg in ("--absent", flag))


def triage(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code = main(["triage", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def triage_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["triage", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def plan(result: dict[str, Any]) -> list[str]:
    return [a["id"] for a in result["advice"]]


def directions(result: dict[str, Any]) -> set[str]:
    return {a["direction"] for a in result["advice"]}


def plan_text(result: dict[str, Any]) -> str:
    return " ".join(a["text"] for a in result["advice"]).lower()


def test_failing_kidneys_laxative_nausea_weakness(capsys: pytest.CaptureFixture[str]) -> None:
    # eGFR 21 + milk of magnesia + nausea + weakness: stop, nothing that keeps or adds
    # magnesium, no deficiency wording, no GP review of twitching he does not have.
    r = triage(capsys, "--egfr", "21", "--answer", "mg_laxative_antacid", "--answer", "nausea",
               "--answer", "weakness")
    assert r["referral"]["urgency"] == "urgent" and r["pattern"] == "excess"
    assert plan(r)[0] == "stop_mg_products"
    assert directions(r) == {"less", "none"}
    text = plan_text(r)
    for wrong in ("within the ul", "prefer food", "lowers both", "drags", "gp review",
                  "magnesium-rich foods"):
        assert wrong not in text, wrong
    assert "emergency_if_worse" in plan(r)


def test_seizure_emergency_has_no_diet(capsys: pytest.CaptureFixture[str]) -> None:
    r = triage(capsys, "--answer", "seizure", "--answer", "alcohol_use", "--answer",
               "cramps_spasms", "--answer", "numbness_tingling")
    assert r["referral"]["urgency"] == "emergency"
    assert plan(r)[0] == "emergency_now"
    assert "more" not in directions(r)
    assert "magnesium-rich foods" not in plan_text(r)
    # The deficiency picture is context, not the headline.
    assert r["pattern"] == "deficiency"
    assert r["referral"]["summary"].startswith("EMERGENCY")
    text = triage_text(capsys, "--answer", "seizure", "--answer", "alcohol_use")
    lines = text.splitlines()
    first_step = lines.index("What to do now:") + 1
    assert lines[first_step].startswith("  1. Call emergency services")


def test_severely_low_serum_with_supplements_never_stops_magnesium(
    capsys: pytest.CaptureFixture[str],
) -> None:
    r = triage(capsys, "--serum", "0.3", "--serum-unit", "mmol/L", "--answer",
               "high_dose_supplements", "--answer", "nausea")
    assert r["pattern"] == "deficiency"  # the serum sets the direction, not "mixed"
    assert r["referral"]["urgency"] == "urgent"
    assert "stop_mg_products" not in plan(r)
    assert "less" not in directions(r)
    assert "hospital_treatment" in plan(r)


def test_high_serum_with_cramps_never_encourages_food(
    capsys: pytest.CaptureFixture[str],
) -> None:
    r = triage(capsys, "--serum", "2.5", "--serum-unit", "mmol/L", "--answer",
               "cramps_spasms", "--answer", "low_intake")
    assert r["pattern"] == "excess"
    assert "stop_mg_products" in plan(r)
    assert "more" not in directions(r)
    assert "magnesium-rich foods" not in plan_text(r)
    explained = {e["finding"]: e for e in r["explanation"]}
    assert not explained["cramps_spasms"]["counted"]
    assert "serum magnesium sets the direction" in explained["cramps_spasms"]["note"]


@pytest.mark.parametrize("kidney", [("--dialysis",), ("--egfr", "12")])
def test_failing_kidneys_with_symptoms_is_never_self_care(
    capsys: pytest.CaptureFixture[str], kidney: tuple[str, ...]
) -> None:
    r = triage(capsys, *kidney, "--answer", "muscle_twitching", "--answer", "cramps_spasms")
    assert r["kidney_risk"] == "high"
    assert r["referral"]["urgency"] == "routine"
    assert "renal_team_review" in plan(r)
    assert "usually settle" not in plan_text(r)
    assert "twitch_usually_benign" not in plan(r)


def test_confusion_with_excess_and_failing_kidneys_is_emergency(
    capsys: pytest.CaptureFixture[str],
) -> None:
    r = triage(capsys, "--egfr", "15", "--answer", "confusion", "--answer",
               "mg_laxative_antacid", "--answer", "nausea", "--serum", "2.6",
               "--serum-unit", "mmol/L")
    assert r["referral"]["urgency"] == "emergency"
    assert plan(r)[:2] == ["emergency_now", "stop_mg_products"]


@pytest.mark.parametrize("product", ["high_dose_supplements", "mg_laxative_antacid"])
def test_magnesium_product_alone_is_reviewed_and_kidneys_checked(
    capsys: pytest.CaptureFixture[str], product: str
) -> None:
    r = triage(capsys, "--answer", product)
    assert r["referral"]["urgency"] == "routine"
    assert "review_mg_products" in plan(r)
    assert "check_kidney_function" in plan(r)
    assert "less" in directions(r) and "more" not in directions(r)


def test_twitching_with_numbness_is_examined(capsys: pytest.CaptureFixture[str]) -> None:
    r = triage(capsys, "--answer", "muscle_twitching", "--answer", "numbness_tingling",
               *ALL_FLAGS_ABSENT)
    assert r["referral"]["urgency"] == "routine"
    assert r["referral"]["provisional"] is False
    assert "examine_neuro" in plan(r)
    # The safety net does not ask to come back for the numbness already present.
    assert "numbness or tingling starts" not in plan_text(r)


def test_empty_checklist_is_only_provisional_self_care(
    capsys: pytest.CaptureFixture[str],
) -> None:
    r = triage(capsys)
    referral = r["referral"]
    assert referral["urgency"] == "self_care" and referral["provisional"] is True
    assert referral["summary"].startswith("so far SELF-CARE")
    assert "7 red flags not yet asked" in referral["unasked_note"]
    assert plan(r)[0] == "ask_red_flags_first"
    assert "no_blood_test" not in plan(r)
    text = triage_text(capsys)
    assert referral["summary"] in text.splitlines()[0]
    assert "7 red flags not yet asked" in text.splitlines()[1]


def test_motor_neurone_picture_is_not_a_magnesium_pattern(
    capsys: pytest.CaptureFixture[str],
) -> None:
    r = triage(capsys, "--egfr", "90", "--answer", "muscle_wasting", "--answer",
               "bulbar_symptoms", "--answer", "muscle_twitching", "--answer", "weakness")
    assert r["pattern"] == "unclear"
    assert r["referral"]["urgency"] == "urgent"
    assert plan(r)[0] == "neurology_referral"
    for line in r["explanation"]:
        assert "Counts towards" not in line["note"] or line["finding"] not in (
            "muscle_twitching", "weakness")
        # Never circular: the mechanism follows the verdict.
        assert len(line["note"].split(". ", 1)) == 2


def test_supplement_does_not_lower_neurological_urgency(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # scenarios.md §4: the supplement is reviewed (not stopped outright as if excess).
    r = triage(capsys, "--egfr", "90", "--answer", "muscle_wasting", "--answer",
               "bulbar_symptoms", "--answer", "muscle_twitching", "--answer", "weakness",
               "--answer", "persistent_twitching", "--answer", "high_dose_supplements")
    assert r["referral"]["urgency"] == "urgent"
    assert plan(r)[0] == "neurology_referral"
    assert "review_mg_products" in plan(r) and "stop_mg_products" not in plan(r)


def test_deficiency_with_supplement_gets_no_diet(capsys: pytest.CaptureFixture[str]) -> None:
    r = triage(capsys, "--egfr", "80", "--answer", "ppi_long_term", "--answer",
               "cramps_spasms", "--answer", "high_dose_supplements")
    assert r["pattern"] == "deficiency"
    assert "review_mg_products" in plan(r)
    assert "diet_sources" not in plan(r)
    assert directions(r) <= {"less", "none"}


def test_settled_self_care_says_no_blood_test(capsys: pytest.CaptureFixture[str]) -> None:
    # scenarios.md §3.
    r = triage(capsys, "--answer", "eyelid_twitch", "--answer", "caffeine_stimulants",
               "--answer", "recent_exercise", *ALL_FLAGS_ABSENT)
    assert r["referral"]["urgency"] == "self_care"
    assert r["referral"]["provisional"] is False
    assert r["referral"]["summary"].startswith("SELF-CARE")
    assert {"reduce_caffeine", "sleep_rest_stretch", "no_blood_test",
            "return_if_persists"} <= set(plan(r))
    assert "no blood test is needed" in plan_text(r)
    assert "beyond two weeks" in plan_text(r)
