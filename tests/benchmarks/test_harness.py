"""The benchmark harness (issue #6), checked only where the outcome is deterministic.

Timings depend on the machine and its load, so no test judges a budget: the harness must run
end to end in quick mode and write a JSON report of the right shape, and the calculation
commands must never import Textual.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

FIGURE_IDS = {
    "tti", "area_switch", "cli_dose", "cli_triage", "keystroke_triage", "keystroke_dose",
    "memory_peak", "memory_growth", "kb_10x", "kb_100x", "cold_cli_dose", "cold_tui_imports",
    "cold_tti",
}
TMUX_FIGURES = {"tti", "area_switch", "cold_tti"}
"""The only figures allowed to be skipped, and only where tmux is missing."""
ABSOLUTE_FIGURES = {"memory_growth"}
"""Figures with no baseline (ratio "—"), judged on their absolute budget alone."""

DOSE = ["dose", "--form", "hydroxide", "--compound-mg", "2400", "--times-per-day", "2",
        "--age", "79", "--sex", "male", "--egfr", "21", "--json"]
TRIAGE = ["triage", "--answer", "cramps_spasms", "--answer", "low_intake", "--json"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONPYCACHEPREFIX", "MAGTUI_KB"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench") / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--json", str(out)],
        cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, f"harness failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def test_quick_run_reports_every_figure(quick_report: tuple[dict[str, Any], str]) -> None:
    report, _ = quick_report
    assert report["schema"] == 1
    assert report["quick"] is True
    figures = {f["id"]: f for f in report["figures"]}
    assert set(figures) == FIGURE_IDS
    for fid, figure in figures.items():
        assert figure["error"] is None, f"{fid}: {figure['error']}"
        if figure["skipped"]:
            assert fid in TMUX_FIGURES and shutil.which("tmux") is None, (
                f"{fid} skipped: {figure['skipped']}")
            continue
        if fid in ABSOLUTE_FIGURES:
            # A growth can be zero or even negative; it has no baseline and no ratio.
            assert _is_number(figure["ours"]), f"{fid}.ours={figure['ours']!r}"
            assert figure["baseline"] is None and figure["ratio"] is None
            assert _is_number(figure["budget_abs"]) and figure["budget_ratio"] is None
            assert figure["passed"] is (figure["ours"] <= figure["budget_abs"]
                                        and all(figure["checks"].values()))
            continue
        for key in ("ours", "baseline", "ratio"):
            assert _is_number(figure[key]) and figure[key] > 0, f"{fid}.{key}={figure[key]!r}"
        assert figure["ratio"] == pytest.approx(figure["ours"] / figure["baseline"])
        assert isinstance(figure["budget"], str) and figure["budget"]
        assert figure["passed"] in (True, False, None)
        assert figure["unit"] in ("s", "ms", "MiB")


def test_quick_run_checks_what_is_not_a_timing(quick_report: tuple[dict[str, Any], str]) -> None:
    report, table = quick_report
    figures = {f["id"]: f for f in report["figures"]}
    # Textual out of the CLI is a fact, not a timing; so is the size of the synthetic KB.
    assert figures["cli_dose"]["checks"] == {"textual_not_imported": True}
    assert figures["cli_triage"]["checks"] == {"textual_not_imported": True}
    # The consultation and the area switches really ran (a skipped step lowers the figure).
    assert figures["memory_peak"]["checks"]["every_step_ran"] is True
    assert figures["memory_growth"]["checks"] == {"every_switch_ran": True}
    growth = figures["memory_growth"]["details"]
    assert growth["switches"] > 0 and growth["missed"] == [0] * len(growth["missed"])
    if not figures["area_switch"]["skipped"]:
        switched = figures["area_switch"]["details"]
        for side in ("ours", "baseline"):
            assert len(switched[side]["switch_s"]) == switched["switches"]
            assert set(switched[side]["first_visit_s"]) == {"f2", "f3", "f4", "f5", "f6", "f7"}
    shipped = figures["kb_100x"]["details"]["shipped"]["records"]
    assert figures["kb_10x"]["details"]["records"] >= 9 * shipped
    assert figures["kb_100x"]["details"]["records"] >= 99 * shipped
    # The printed table has one row per figure.
    assert table.splitlines()[0].split()[:4] == ["figure", "ours", "baseline", "ratio"]
    assert len(table.strip().splitlines()) >= 2 + len(FIGURE_IDS)


@pytest.mark.parametrize("args", [DOSE, TRIAGE], ids=["dose", "triage"])
def test_cli_json_never_imports_textual(args: list[str]) -> None:
    # A fresh interpreter, entered the way `python -m magtui` is: -X importtime lists every
    # module imported, including any imported lazily inside the command.
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "magtui", *args],
                          cwd=REPO, env=_env(), capture_output=True, text=True, timeout=60,
                          check=True)
    json.loads(done.stdout)  # the command really ran and printed its JSON
    modules = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:")]
    assert "magtui.cli" in modules
    leaked = [m for m in modules if m == "textual" or m.startswith("textual.")]
    assert leaked == [], f"textual imported by `magtui {args[0]}`: {leaked[:5]}"
