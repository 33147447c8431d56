"""`forms`, `dose`, `serum` and `egfr` output (text and --json) for issue 10: each form's
formula and hydrate basis with the label rule; age- and kidney-aware dose wording; serum
figures that agree with their band; an eGFR described as entered or computed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from magtui.cli import main
from magtui.knowledge.base import KnowledgeBase

# design.md §3: required keys, which additive changes must never drop.
DOSE_KEYS = {"elemental_mg_per_dose", "elemental_mg_per_day", "ul_supplemental_mg",
             "percent_of_ul", "exceeds_ul", "kidney_risk", "warnings"}
SERUM_KEYS = {"mmol_per_l", "mg_per_dl", "meq_per_l", "band", "label", "sources"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    payload = json.loads(run(capsys, *argv, "--json"))
    assert isinstance(payload, dict)
    return payload


# ----------------------------------------------------------------------------- forms


def test_forms_json_gives_formula_hydrate_basis_and_label_rule(
    capsys: pytest.CaptureFixture[str], kb: KnowledgeBase,
) -> None:
    out = run_json(capsys, "forms")
    assert [f["id"] for f in out["forms"]] == list(kb.forms)
    for entry in out["forms"]:
        form = kb.forms[entry["id"]]
        # The keys that were there stay; the new ones are additive.
        assert {"id", "label", "elemental_fraction", "confidence", "source"} <= set(entry)
        assert entry["formula"] == form.formula
        assert entry["variability_note"] == form.variability_note
        assert form.formula in entry["fraction_basis"]
    citrate = next(f for f in out["forms"] if f["id"] == "citrate")
    assert "anhydrous" in citrate["formula"] and "11%" in citrate["variability_note"]
    assert "--elemental-mg" in out["label_note"]
    assert kb.advice["label_elemental_wins"].text in out["label_note"]
    assert out["label_note_source"] in kb.sources


def test_forms_text_gives_formula_note_and_label_rule(
    capsys: pytest.CaptureFixture[str], kb: KnowledgeBase,
) -> None:
    text = run(capsys, "forms")
    for form in kb.forms.values():
        assert form.formula in text, form.id
        if form.variability_note:
            assert form.variability_note in text, form.id
    assert "MgCl₂·6H₂O (hexahydrate)" in text
    last = text.strip().splitlines()[-1]
    assert last.startswith("Label rule:") and "--elemental-mg" in last


# ----------------------------------------------------------------------------- dose


def test_dose_json_adds_form_basis_and_keeps_contract_keys(
    capsys: pytest.CaptureFixture[str], kb: KnowledgeBase,
) -> None:
    out = run_json(capsys, "dose", "--form", "glycinate", "--compound-mg", "500",
                   "--age", "40", "--sex", "female", "--egfr", "45")
    assert set(out) >= DOSE_KEYS
    form = kb.forms["glycinate"]
    assert out["formula"] == form.formula
    assert out["variability_note"] == form.variability_note
    assert "--elemental-mg" in out["label_note"]
    assert out["egfr"] == 45 and out["egfr_basis"] == "entered"
    assert out["kidney_basis"] == "egfr"  # the contract value is unchanged
    for warning in out["warnings"]:
        assert {"code", "text", "source"} <= set(warning)
        assert all(s in kb.sources for s in warning["see_also"])


def test_dose_text_shows_formula_and_label_rule(capsys: pytest.CaptureFixture[str]) -> None:
    text = run(capsys, "dose", "--form", "chloride", "--compound-mg", "500",
               "--age", "40", "--sex", "male")
    assert "computed for MgCl₂·6H₂O (hexahydrate)" in text
    assert "Label rule:" in text and "--elemental-mg" in text


def test_dose_text_says_label_figure_is_used(capsys: pytest.CaptureFixture[str]) -> None:
    text = run(capsys, "dose", "--form", "citrate", "--elemental-mg", "100",
               "--age", "40", "--sex", "male")
    assert "label figure; the computed fraction is not used" in text


def test_dose_with_entered_egfr_never_claims_the_equation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = run(capsys, "dose", "--form", "oxide", "--compound-mg", "400",
               "--age", "68", "--sex", "female", "--egfr", "45")
    assert "eGFR 45 mL/min/1.73 m² (entered), KDIGO G3a" in text
    assert "CKD-EPI" not in text
    out = run_json(capsys, "dose", "--form", "oxide", "--compound-mg", "400",
                   "--age", "68", "--sex", "female", "--egfr", "45")
    assert "CKD-EPI" not in json.dumps(out, ensure_ascii=False)


def test_egfr_from_creatinine_names_the_equation(capsys: pytest.CaptureFixture[str]) -> None:
    text = run(capsys, "egfr", "--age", "55", "--sex", "male", "--creatinine", "1.2")
    assert "CKD-EPI 2021" in text and "from creatinine" in text


def test_toddler_above_ul_gets_no_adult_replacement_dose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The reported case: `dose --form citrate --elemental-mg 100 --age 2 --sex male`.
    out = run_json(capsys, "dose", "--form", "citrate", "--elemental-mg", "100",
                   "--age", "2", "--sex", "male")
    exceeds = next(w for w in out["warnings"] if w["code"] == "exceeds_ul")
    assert "65 mg/day" in exceeds["text"] and "1–3 years" in exceeds["text"]
    assert "paediatrician" in exceeds["text"]
    assert "583" not in exceeds["text"] and "mmol" not in exceeds["text"]
    text = run(capsys, "dose", "--form", "citrate", "--elemental-mg", "100",
               "--age", "2", "--sex", "male")
    assert "583" not in text and "24 mmol" not in text


def test_kidney_caution_above_ul_says_doses_are_reduced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run_json(capsys, "dose", "--form", "citrate", "--elemental-mg", "200",
                   "--times-per-day", "2", "--age", "60", "--sex", "male", "--egfr", "45")
    exceeds = next(w for w in out["warnings"] if w["code"] == "exceeds_ul")
    assert "renal impairment" in exceeds["text"] and "reduc" in exceeds["text"]
    assert {"bnf_magnesium", "harrisons_manual"} <= set(out["sources"])


def test_dialysis_above_ul_suggests_no_figure(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, "dose", "--form", "oxide", "--compound-mg", "800",
                   "--age", "60", "--sex", "male", "--dialysis")
    exceeds = next(w for w in out["warnings"] if w["code"] == "exceeds_ul")
    assert "583" not in exceeds["text"] and "mmol" not in exceeds["text"]
    assert "renal" in exceeds["text"]
    assert out["egfr_basis"] is None


@pytest.mark.parametrize("argv", [
    ("dose", "--form", "citrate", "--elemental-mg", "100", "--age", "2", "--sex", "male"),
    ("dose", "--form", "threonate", "--compound-mg", "9000", "--age", "40", "--sex", "male",
     "--egfr", "21"),
    ("dose", "--form", "citrate", "--elemental-mg", "20", "--age-months", "6", "--sex",
     "female"),
    ("dose", "--form", "oxide", "--compound-mg", "800", "--age", "60", "--sex", "male",
     "--dialysis"),
    ("forms",),
    ("serum", "--value", "0.4", "--unit", "mmol/L"),
])
def test_outputs_carry_no_internal_remarks(capsys: pytest.CaptureFixture[str],
                                           argv: tuple[str, ...]) -> None:
    for extra in ((), ("--json",)):
        text = run(capsys, *argv, *extra).casefold()
        for remark in ("not re-verified", "design choice", "does not suggest doses",
                       "gives no iv doses", "does not invent", "none is invented",
                       "shows the wider", "bnf-derived"):
            assert remark not in text, (argv, extra, remark)


# ----------------------------------------------------------------------------- serum


def test_serum_text_figure_agrees_with_the_band(capsys: pytest.CaptureFixture[str]) -> None:
    text = run(capsys, "serum", "--value", "7.29", "--unit", "mg/dL")
    first = text.splitlines()[0]
    assert "= 2.999 mmol/L" in first and "3.00 mmol/L" not in first
    assert "= 5.999 mEq/L" in first
    assert "[moderate_high]" in text
    assert "about 4.86–7.29 mg/dL" in text


def test_serum_json_keeps_two_decimals_and_adds_the_shown_figure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run_json(capsys, "serum", "--value", "7.29", "--unit", "mg/dL")
    assert set(out) >= SERUM_KEYS
    assert out["mmol_per_l"] == 3.0  # contract: 2 decimals
    assert out["mmol_per_l_shown"] == "2.999"
    assert out["band"] == "moderate_high"
    assert (out["mg_per_dl_shown"], out["meq_per_l_shown"]) == ("7.29", "5.999")
