"""Issue 13 on the command line: children, and facts entered once.

- `intake` and `dose` need no --sex where the intake tables agree for both sexes (the same
  clinical function as the app decides, from the KB), and ask for it where they differ.
- `dose` for a child gets the child's kidney caution (the adult equation is not used under
  18), from the one place the rule is applied (`assess_kidney` with the age).
- `triage --egfr`/`--dialysis` answers `kidney_disease` present, said in the explanation.
The JSON keys stay those of design.md §3.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from magtui.cli import main
from magtui.clinical.renal import UNDER_18_KIDNEY_CAUTION

Capsys = pytest.CaptureFixture[str]


def run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: Capsys, *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert isinstance(payload, dict)
    return payload


# ----------------------------------------------------------------------------- sex


@pytest.mark.parametrize(
    ("age", "life_stage", "rda", "ai", "ul"),
    [
        (["--age-months", "6"], "0–6 months", None, 30, None),
        (["--age-months", "9"], "7–12 months", None, 75, None),
        (["--age", "2"], "1–3 years", 80, None, 65),
        (["--age", "5"], "4–8 years", 130, None, 110),
    ],
)
def test_intake_without_sex_where_the_tables_agree(
    capsys: Capsys, age: list[str], life_stage: str, rda: float | None, ai: float | None,
    ul: float | None,
) -> None:
    out = run_json(capsys, "intake", *age)
    assert (out["life_stage"], out["rda_mg"], out["ai_mg"], out["ul_supplemental_mg"]) == (
        life_stage, rda, ai, ul)
    assert out["sex"] is None
    assert out == run_json(capsys, "intake", *age, "--sex", "female") | {"sex": None}
    code, text, _ = run(capsys, "intake", *age)
    assert code == 0 and f"{life_stage}, either sex:" in text


@pytest.mark.parametrize("age", [["--age", "14"], ["--age", "15"], ["--age", "40"]])
def test_intake_asks_for_sex_where_the_tables_differ(capsys: Capsys, age: list[str]) -> None:
    code, out, err = run(capsys, "intake", *age, "--json")
    assert (code, out) == (2, "")
    assert err.startswith("magtui: --sex: choose female or male: the intake tables differ")
    assert len(err.strip().splitlines()) == 1


def test_dose_without_sex_for_a_young_child(capsys: Capsys) -> None:
    out = run_json(capsys, "dose", "--form", "citrate", "--elemental-mg", "50", "--age", "5")
    assert out["life_stage"] == "4–8 years" and out["ul_supplemental_mg"] == 110
    assert out["elemental_mg_per_day"] == 50 and out["exceeds_ul"] is False
    code, _, err = run(capsys, "dose", "--form", "citrate", "--elemental-mg", "50",
                       "--age", "30")
    assert code == 2 and err.startswith("magtui: --sex: choose female or male")


def test_pregnancy_still_needs_sex_female(capsys: Capsys) -> None:
    code, _, err = run(capsys, "intake", "--age", "5", "--pregnant")
    assert code == 2 and "--pregnant: pregnancy applies only with sex female" in err


# ----------------------------------------------------------------------------- child kidney


@pytest.mark.parametrize("age", [["--age-months", "6"], ["--age", "10"], ["--age", "17.9"]])
def test_child_dose_gets_the_child_kidney_caution(capsys: Capsys, age: list[str]) -> None:
    out = run_json(capsys, "dose", "--form", "citrate", "--elemental-mg", "20", *age,
                   "--sex", "male")
    assert out["kidney_risk"] == "unknown"
    assert out["kidney_caution"] == UNDER_18_KIDNEY_CAUTION
    warning = next(w for w in out["warnings"] if w["code"] == "kidney_unknown")
    assert "not used under 18" in warning["text"]
    assert "Enter eGFR or creatinine" not in json.dumps(out, ensure_ascii=False)
    _, text, _ = run(capsys, "dose", "--form", "citrate", "--elemental-mg", "20", *age,
                     "--sex", "male")
    assert "paediatric equation" in text and "Enter eGFR or creatinine" not in text


def test_adult_dose_keeps_the_adult_kidney_caution(capsys: Capsys) -> None:
    out = run_json(capsys, "dose", "--form", "citrate", "--elemental-mg", "20",
                   "--age", "18", "--sex", "male")
    assert "Enter eGFR or creatinine (F3)" in out["kidney_caution"]


def test_child_with_an_egfr_is_assessed_by_it(capsys: Capsys) -> None:
    out = run_json(capsys, "dose", "--form", "citrate", "--elemental-mg", "20",
                   "--age", "10", "--sex", "male", "--egfr", "40")
    assert out["kidney_risk"] == "caution" and out["kidney_basis"] == "egfr"


# ----------------------------------------------------------------------------- triage


def test_triage_egfr_below_60_answers_kidney_disease(capsys: Capsys) -> None:
    out = run_json(capsys, "triage", "--answer", "nausea", "--egfr", "21")
    assert "kidney_disease" in out["present"]
    line = next(e for e in out["explanation"] if e["finding"] == "kidney_disease")
    assert line["note"].startswith(
        "Answered by the patient details (eGFR 21 mL/min/1.73 m², entered).")
    _, text, _ = run(capsys, "triage", "--answer", "nausea", "--egfr", "21")
    assert "Kidney disease: Answered by the patient details (eGFR 21" in text


def test_triage_dialysis_answers_kidney_disease(capsys: Capsys) -> None:
    out = run_json(capsys, "triage", "--dialysis")
    assert out["present"] == ["kidney_disease"]
    assert "(on dialysis)" in out["explanation"][0]["note"]


@pytest.mark.parametrize("egfr", ["60", "95"])
def test_triage_egfr_60_or_more_leaves_kidney_disease_to_the_clinician(
    capsys: Capsys, egfr: str
) -> None:
    assert "kidney_disease" not in run_json(capsys, "triage", "--egfr", egfr)["present"]
    out = run_json(capsys, "triage", "--egfr", egfr, "--answer", "kidney_disease")
    assert "kidney_disease" in out["present"] and out["kidney_risk"] == "low"


def test_triage_json_keys_are_unchanged(capsys: Capsys) -> None:
    out = run_json(capsys, "triage", "--answer", "cramps_spasms", "--egfr", "21")
    for key in ("pattern", "referral", "red_flags", "unasked_red_flags", "kidney_risk",
                "advice", "explanation"):
        assert key in out
    assert set(out["referral"]) >= {"urgency", "provisional", "reasons", "sources"}
    assert all(set(e) >= {"finding", "supports"} for e in out["explanation"])


@pytest.mark.parametrize(
    ("argv", "because"),
    [
        (["--age", "68", "--absent", "older_adult"], "(age 68 years)"),
        (["--egfr", "21", "--absent", "kidney_disease"], "(eGFR 21 mL/min/1.73 m², entered)"),
        (["--dialysis", "--absent", "kidney_disease"], "(on dialysis)"),
        (["--age", "68", "--sex", "female", "--creatinine", "95", "--unit", "umol/L",
          "--absent", "kidney_disease"], "(eGFR 56.3 mL/min/1.73 m², CKD-EPI 2021)"),
    ],
)
def test_prefill_absent_that_the_patient_details_answer_is_refused(
    capsys: Capsys, argv: list[str], because: str
) -> None:
    """Never silently overruled (hazard H07): the TUI does not start, exit 2."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("magtui: --absent: ") and because in err
