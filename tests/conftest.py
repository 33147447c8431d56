"""Shared fixtures: the shipped KB, and an environment that never touches the user's files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import DEFAULT_KB, load_kb

REPO = Path(__file__).resolve().parents[1]


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
    yield
