"""The command-line contract of design.md §3: JSON keys and values, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from magtui.cli import main
from magtui.knowledge.loader import DEFAULT_KB

REPO = Path(__file__).resolve().parents[2]
CONTRACT_CHECK = REPO.parent / "shared" / "tools" / "contract-check.py"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert isinstance(payload, dict)
    return payload


# ----------------------------------------------------------------------------- values


def test_egfr_json(capsys: pytest.CaptureFixture[str]) -> None:
    # NKF check value (clinical-reference §5): 55-year-old man, Scr 1.2 mg/dL → 71.4.
    out = run_json(capsys, "egfr", "--age", "55", "--sex", "male", "--creatinine", "1.2")
    assert out["egfr"] == 71.4
    assert out["category"] == "G2"
    assert out["kidney_risk"] == "low"
    assert out["equation"] == "CKD-EPI 2021"
    assert out["sources"] and all(isinstance(s, str) for s in out["sources"])


def test_egfr_in_umol_per_litre(capsys: pytest.CaptureFixture[str]) -> None:
    # Scenario 1: 95 µmol/L ÷ 88.4 = 1.07466 mg/dL;
    # 142 × (1.07466/0.7)^-1.2 × 0.9938^68 × 1.012 = 56.28 (computed by hand in python3).
    out = run_json(capsys, "egfr", "--age", "68", "--sex", "female", "--creatinine", "95",
                   "--unit", "µmol/L")
    assert out["egfr"] == 56.3
    assert (out["category"], out["kidney_risk"]) == ("G3a", "caution")


def test_serum_json(capsys: pytest.CaptureFixture[str]) -> None:
    # 2.0 mg/dL ÷ 2.4305 = 0.8229 mmol/L → normal (0.75–0.95); × 2 = 1.65 mEq/L.
    out = run_json(capsys, "serum", "--value", "2.0", "--unit", "mg/dL")
    assert (out["mmol_per_l"], out["mg_per_dl"], out["meq_per_l"]) == (0.82, 2.0, 1.65)
    assert out["band"] == "normal"


def test_serum_band_uses_unrounded_value(capsys: pytest.CaptureFixture[str]) -> None:
    # 2.55 mg/dL = 1.04917 mmol/L: high_normal (≤ 1.05), though it prints as 1.05.
    out = run_json(capsys, "serum", "--value", "2.55", "--unit", "mg/dL")
    assert out["band"] == "high_normal"
    out = run_json(capsys, "serum", "--value", "1.051", "--unit", "mmol/L")
    assert out["band"] == "high"


@pytest.mark.parametrize(
    ("argv", "rda", "ai", "ul"),
    [
        (["--age", "40", "--sex", "male"], 420, None, 350),
        (["--age", "25", "--sex", "female"], 310, None, 350),
        (["--age", "30", "--sex", "female", "--pregnant"], 350, None, 350),
        (["--age", "35", "--sex", "female", "--lactating"], 320, None, 350),
        (["--age", "6", "--sex", "male"], 130, None, 110),
        (["--age-months", "6", "--sex", "female"], None, 30, None),
        (["--age-months", "9", "--sex", "male"], None, 75, None),
    ],
)
def test_intake_json(capsys: pytest.CaptureFixture[str], argv: list[str], rda: float | None,
                     ai: float | None, ul: float | None) -> None:
    # ODS Table 1 (RDA/AI) and Table 3 (supplemental UL).
    out = run_json(capsys, "intake", *argv)
    assert (out["rda_mg"], out["ai_mg"], out["ul_supplemental_mg"]) == (rda, ai, ul)
    assert out["life_stage"]


def test_dose_json_over_ul_with_kidney_failure(capsys: pytest.CaptureFixture[str]) -> None:
    # Scenario 2: Mg(OH)2 2400 mg × 0.417 = 1000.8 mg per dose, × 2 = 2001.6 mg/day;
    # 2001.6 / 350 = 571.9 % of the UL.
    out = run_json(capsys, "dose", "--form", "hydroxide", "--compound-mg", "2400",
                   "--times-per-day", "2", "--age", "79", "--sex", "male", "--egfr", "21")
    assert out["elemental_mg_per_dose"] == 1000.8
    assert out["elemental_mg_per_day"] == 2001.6
    assert out["percent_of_ul"] == 571.9
    assert out["exceeds_ul"] is True
    assert out["kidney_risk"] == "high"
    codes = [w["code"] for w in out["warnings"]]
    assert {"kidney_high", "exceeds_ul"} <= set(codes)
    assert all(w["text"] and w["source"] for w in out["warnings"])


def test_dose_for_infant_sets_no_ul(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, "dose", "--form", "citrate", "--elemental-mg", "20",
                   "--age-months", "6", "--sex", "female")
    assert out["ul_supplemental_mg"] is None and out["percent_of_ul"] is None
    assert out["exceeds_ul"] is False
    assert "no_ul_for_age" in [w["code"] for w in out["warnings"]]


def test_triage_json(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, "triage", "--answer", "cramps_spasms", "--answer", "low_intake")
    assert out["pattern"] == "deficiency"
    assert out["referral"]["urgency"] == "routine"
    assert out["referral"]["reasons"] and out["referral"]["sources"]
    assert set(out["unasked_red_flags"]) == {
        "breathing_difficulty", "chest_pain_palpitations", "seizure", "fainting_low_bp",
        "severe_weakness", "muscle_wasting", "bulbar_symptoms"}
    assert {e["finding"] for e in out["explanation"]} == {"cramps_spasms", "low_intake"}


def test_triage_red_flag_and_serum(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, "triage", "--answer", "eyelid_twitch", "--absent", "seizure",
                   "--serum", "3.5", "--serum-unit", "mmol/L", "--dialysis")
    assert out["referral"]["urgency"] == "emergency"
    assert out["kidney_risk"] == "high"
    assert "seizure" not in out["unasked_red_flags"]
    assert out["pattern"] in ("excess", "mixed")


def test_forms_findings_and_search(capsys: pytest.CaptureFixture[str]) -> None:
    forms = run_json(capsys, "forms")["forms"]
    assert {"oxide", "citrate", "glycinate"} <= {f["id"] for f in forms}
    findings = run_json(capsys, "findings")["findings"]
    assert len(findings) >= 30
    matches = run_json(capsys, "kb", "search", "proton", "pump")["matches"]
    assert any(m["table"] == "interactions" and m["id"] == "ppi" for m in matches)


def test_human_output_carries_units_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "dose", "--form", "oxide", "--compound-mg", "400",
                       "--age", "40", "--sex", "male")
    assert code == 0
    assert "mg elemental per dose" in out and "mg/day" in out and "Sources:" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("magtui ") and "KB " in out


# ----------------------------------------------------------------------------- bad input

VALID = {
    "egfr": ["egfr", "--age", "50", "--sex", "female", "--creatinine", "1.0"],
    "serum": ["serum", "--value", "0.8", "--unit", "mmol/L"],
    "intake": ["intake", "--age", "40", "--sex", "male"],
    "dose": ["dose", "--form", "oxide", "--compound-mg", "400", "--age", "40", "--sex", "male"],
    "triage": ["triage", "--answer", "cramps_spasms"],
}
NUMERIC = {
    "egfr": ["--age", "--creatinine"],
    "serum": ["--value"],
    "intake": ["--age"],
    "dose": ["--compound-mg", "--age", "--times-per-day", "--egfr"],
    "triage": ["--egfr", "--serum"],
}
ZERO_IS_VALID = {("intake", "--age"), ("dose", "--age")}
BAD_NUMBERS = ["abc", "nan", "NaN", "inf", "-inf", "-1", "0", "1e9", "", "1,5", "12 mg"]


def _with(argv: list[str], flag: str, value: str | None) -> list[str]:
    out = list(argv)
    if flag in out:
        i = out.index(flag)
        del out[i:i + 2]
    if value is not None:
        out += [flag, value]
        if flag == "--serum":
            out += ["--serum-unit", "mmol/L"]
    return out


def _bad_cases() -> list[tuple[str, list[str], str]]:
    cases = []
    for command, flags in NUMERIC.items():
        for flag in flags:
            for value in BAD_NUMBERS:
                if value == "0" and (command, flag) in ZERO_IS_VALID:
                    continue
                cases.append((f"{command} {flag}={value!r}",
                              _with(VALID[command], flag, value), flag))
            if flag in VALID[command]:
                cases.append((f"{command} missing {flag}", _with(VALID[command], flag, None),
                              flag))
    cases += [
        ("egfr unknown unit", VALID["egfr"] + ["--unit", "mmol/furlong"], "--unit"),
        ("egfr child", _with(VALID["egfr"], "--age", "12"), "--age"),
        ("egfr bad sex", _with(VALID["egfr"], "--sex", "other"), "--sex"),
        ("serum unknown unit", _with(VALID["serum"], "--unit", "g/L"), "--unit"),
        ("dose unknown form", _with(VALID["dose"], "--form", "no_such_form"), "--form"),
        ("dose both amounts", VALID["dose"] + ["--elemental-mg", "100"], "--elemental-mg"),
        ("dose pregnant male", VALID["dose"] + ["--pregnant"], "--pregnant"),
        ("dose absurd age", _with(VALID["dose"], "--age", "150"), "--age"),
        ("dose fractional times", _with(VALID["dose"], "--times-per-day", "1.5"),
         "--times-per-day"),
        ("triage unknown finding", ["triage", "--answer", "no_such_finding"], "--answer"),
        ("triage unknown absent", ["triage", "--absent", "nope"], "--absent"),
        ("triage present and absent", ["triage", "--answer", "seizure", "--absent", "seizure"],
         "--absent"),
        ("triage serum without unit", ["triage", "--serum", "0.8"], "--serum"),
        ("triage bad serum unit", ["triage", "--serum", "0.8", "--serum-unit", "ppm"],
         "--serum-unit"),
        ("unknown option", VALID["intake"] + ["--weight", "70"], "--weight"),
        ("notes show bad id", ["notes", "show", "../../etc/passwd"], "note"),
    ]
    return cases


BAD = _bad_cases()


@pytest.mark.parametrize(("name", "argv", "flag"), BAD, ids=[c[0] for c in BAD])
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], name: str, argv: list[str], flag: str
) -> None:
    code, out, err = run(capsys, *argv, "--json")
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (name, code, err)
    assert len(lines) == 1, lines
    assert flag.lstrip("-") in lines[0], lines[0]
    assert "Traceback" not in err + out
    assert out == "", "nothing may be printed as a result of bad input"


def test_bad_kb_exits_3_listing_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    raw = json.loads(DEFAULT_KB.read_text(encoding="utf-8"))
    first_form = next(iter(raw["forms"].values()))
    first_form["elemental_fraction"] = 2
    first_food = next(iter(raw["foods"].values()))
    first_food["source"] = "missing_source"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    before = path.read_bytes()
    for argv in (["kb", "validate", "--kb", str(path)],
                 ["--kb", str(path), "triage", "--answer", "fatigue", "--json"]):
        code, out, err = run(capsys, *argv)
        assert code == 3
        assert "elemental_fraction" in err and "missing_source" in err
        assert "Traceback" not in err and out == ""
    assert path.read_bytes() == before


def test_kb_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, "kb", "validate")
    assert out["valid"] is True and out["counts"]["findings"] >= 30


# ----------------------------------------------------------------------------- processes


def _subprocess(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60,
                          cwd=REPO, stdin=subprocess.DEVNULL, env=env or dict(os.environ))


def test_clinical_and_cli_paths_never_import_textual() -> None:
    code = (
        "import sys, io, contextlib\n"
        "import magtui.clinical.triage, magtui.clinical.dosing, magtui.knowledge.loader\n"
        "from magtui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['dose','--form','oxide','--compound-mg','400','--age','40',"
        "'--sex','male','--json']) == 0\n"
        "    assert main(['triage','--answer','cramps_spasms','--json']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = _subprocess("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"textual was imported: {result.stdout}"


def test_python_dash_m_runs() -> None:
    result = _subprocess("-m", "magtui", "serum", "--value", "0.6", "--unit", "mmol/L",
                         "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["band"] == "low"


@pytest.mark.skipif(not CONTRACT_CHECK.exists(),
                    reason="../shared/tools/contract-check.py is not beside this checkout")
def test_contract_check_passes() -> None:
    result = _subprocess(str(CONTRACT_CHECK), "--cmd", f"{sys.executable} -m magtui")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "contract: ok" in result.stdout


def test_tui_with_an_invalid_kb_exits_3_without_a_terminal(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{broken", encoding="utf-8")
    result = _subprocess("-m", "magtui", "--kb", str(bad))
    assert result.returncode == 3
    assert "not valid JSON" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--age", "abc"], "--age"),
        (["--age", "40", "--sex", "female", "--creatinine", "0"], "--creatinine"),
        (["--unit", "umol/L"], "--unit"),
        (["--answer", "no_such_finding"], "--answer"),
        (["--egfr", "nan"], "--egfr"),
    ],
)
def test_bad_prefill_for_the_tui_exits_2_before_it_opens(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    code, out, err = run(capsys, *argv)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and flag in lines[0]
    assert "Traceback" not in err and out == ""
