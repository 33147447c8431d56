"""Shared fixtures: the shipped KB, and an environment that never touches the user's files."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from magtui import clock
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import DEFAULT_KB, load_kb
from magtui.settings import FIELDS, env_name

REPO = Path(__file__).resolve().parents[1]
SETTINGS_VARIABLES = tuple(env_name(name) for name in FIELDS if name != "notes_dir")
"""`MAGTUI_CREATININE_UNIT`, … (MAGTUI_NOTES_DIR is set to the test's folder below)."""
FIXED_TODAY = date(2026, 11, 30)
"""Inside the shipped KB's review window (reviewed 2026-11-25, next review 2027-11-25)."""


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb(DEFAULT_KB)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    # Notes go to a per-test folder; a KB chosen by the shell must not leak into tests;
    # colour and theme settings of the developer's shell must not change what tests see.
    monkeypatch.setenv("MAGTUI_NOTES_DIR", str(tmp_path / "notes"))
    # Each test starts with an empty KB cache of its own: validation always runs first.
    monkeypatch.setenv("MAGTUI_KB_CACHE", str(tmp_path / "kb-cache"))
    for name in ("MAGTUI_KB", "NO_COLOR", "TEXTUAL_THEME", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    # No test reads the user's settings: the settings file is a per-test path that does not
    # exist until a test writes it, and no settings variable of the shell leaks in.
    monkeypatch.setenv("MAGTUI_CONFIG", str(tmp_path / "config" / "config.toml"))
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # "Today" is fixed: no test depends on the day it runs (the KB review warning would
    # appear in every snapshot once the shipped KB's review date passed).
    monkeypatch.setattr(clock, "today", lambda: FIXED_TODAY)
    yield


# --------------------------------------------------------------------------- hazard-log guard
# A test the hazard log cites as a control's proof must run in CI: skipped (say, tmux missing),
# it proves nothing, so the run fails (issue #12).

_SKIPPED: set[str] = set()
_CITED = re.compile(r"(tests/[\w./-]+?\.py::\w+(?:::\w+)?)")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _SKIPPED.add(report.nodeid.split("[")[0])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() not in ("1", "true"):
        return
    log = REPO / "docs" / "safety" / "hazard-log.md"
    hazards = log.read_text(encoding="utf-8").split("## Gaps", 1)[0]
    skipped = sorted(set(_CITED.findall(hazards)) & _SKIPPED)
    if skipped:
        print("\nCI: tests cited by the hazard log were skipped:", *skipped, sep="\n  ")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
