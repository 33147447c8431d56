"""Fixtures for the TUI tests: a ready app, and SVG snapshots that are stable.

Snapshots are plain SVG files in tests/ui/snapshots/, compared byte for byte. Update them
with `pytest --snapshot-update` (syrupy's flag; syrupy is in the test extra) after reviewing
each changed SVG by eye; CI never updates them (a missing snapshot fails under CI=true).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from magtui.consultation import Consultation, DoseInputs, PatientInputs
from magtui.knowledge.base import KnowledgeBase
from magtui.ui.app import MagtuiApp

SNAPSHOTS = Path(__file__).parent / "snapshots"
FIXED_START = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def make_app(kb: KnowledgeBase, *, patient: PatientInputs | None = None,
             states: dict[str, str] | None = None, dose: DoseInputs | None = None,
             clinician_text: str = "", **kwargs: Any) -> MagtuiApp:
    consultation = Consultation(patient=patient or PatientInputs(),
                                states=dict(states or {}),  # type: ignore[arg-type]
                                dose=dose or DoseInputs(), clinician_text=clinician_text,
                                started_at=FIXED_START)
    kwargs.setdefault("cursor_blink", False)
    return MagtuiApp(kb, consultation, **kwargs)


@pytest.fixture
def app_for(kb: KnowledgeBase) -> Callable[..., MagtuiApp]:
    def build(**kwargs: Any) -> MagtuiApp:
        return make_app(kb, **kwargs)

    return build


def visible_text(app: MagtuiApp) -> str:
    """The screen as drawn, one line per row (what a clinician would see).

    The one private Textual use in the tests: Textual has no public "text of the screen"
    (`App.export_screenshot` gives SVG). `test_visible_text_is_the_screen` fails if this
    stops reading the frame as drawn."""
    rows = (strip.text for strip in app.screen._compositor.render_strips())
    # Textual draws some spaces as U+00A0 (radio buttons); a reader sees spaces.
    return "\n".join(rows).replace("\u00a0", " ")


async def type_into(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Focus an input on the current screen and replace its text by typing, as a user
    would (an empty `text` leaves it empty)."""
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    widget.clear()
    await pilot.pause()
    if text:
        await pilot.press(*text)
    await pilot.pause()


async def go(pilot: Pilot[Any], key: str) -> None:
    """Press an area's key (or escape) and wait until the area is shown and settled."""
    await pilot.press(key)
    await pilot.pause()
    await pilot.pause()


@dataclass(frozen=True)
class Notice:
    message: str
    title: str
    severity: str


def record_notifications(app: MagtuiApp) -> list[Notice]:
    """Every notification the app shows from now on, through the public `App.notify`
    (kept after it times out, unlike the toasts on screen)."""
    seen: list[Notice] = []
    original = app.notify

    def notify(message: str, *, title: str = "", severity: Any = "information",
               **kwargs: Any) -> None:
        seen.append(Notice(str(message), title, str(severity)))
        original(message, title=title, severity=severity, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


@pytest.fixture
def notices() -> Callable[[MagtuiApp], list[Notice]]:
    """`seen = notices(app)` before the app runs: the notifications it shows."""
    return record_notifications


@pytest.fixture
def screen_text() -> Callable[[MagtuiApp], str]:
    return visible_text


Steps = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def snapshot(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """`await snapshot(app, name, size=(100, 32), steps=async fn(pilot))` compares an SVG."""
    update = bool(request.config.getoption("--snapshot-update"))
    # Stable frames: no colour/theme overrides from the shell, no animation.
    for name in ("NO_COLOR", "TEXTUAL_THEME", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")

    async def compare(app: MagtuiApp, name: str, *, size: tuple[int, int] = (100, 32),
                      steps: Steps | None = None) -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            if steps is not None:
                await steps(pilot)
            await pilot.wait_for_scheduled_animations()
            await pilot.pause(0.4)  # let debounced previews settle
            svg = app.export_screenshot(title=name)
        path = SNAPSHOTS / f"{name}.svg"
        if update and (not path.exists() or path.read_text(encoding="utf-8") != svg):
            SNAPSHOTS.mkdir(exist_ok=True)
            path.write_text(svg, encoding="utf-8")
            return
        if not path.exists():
            in_ci = os.environ.get("CI", "").lower() in ("1", "true")
            pytest.fail(f"no snapshot {path.name}; run pytest --snapshot-update and review it"
                        + (" (CI never writes snapshots)" if in_ci else ""))
        if path.read_text(encoding="utf-8") != svg:
            failed = path.with_suffix(".failed.svg")
            failed.write_text(svg, encoding="utf-8")
            pytest.fail(f"snapshot {path.name} differs; see {failed} "
                        "(review, then pytest --snapshot-update)")

    return compare
