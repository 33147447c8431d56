"""Keys posted in one burst, as a terminal delivers them when typed ahead of the screen,
act in the order typed (magtui.ui.key_order; the real-terminal proof is
tests/ui/test_terminal_typeahead.py). Without the ordering, an app key (F-key, ctrl+s,
Tab) acted before a key the focused widget binds (y, D, Enter on a choice)."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import App
from textual.pilot import Pilot

from magtui.knowledge.vocabulary import RED_FLAG_IDS
from magtui.ui.app import MagtuiApp
from magtui.ui.key_order import KeysInOrderApp


async def until_done(app: MagtuiApp, pilot: Pilot[int]) -> None:
    """Pause until every key of the burst is done (at most 10 s)."""
    for _ in range(100):
        await pilot.pause(0.1)
        if not app.keys_pending:
            return
    raise AssertionError(f"{app.keys_pending} keys still pending after 10 s")


def burst(app: MagtuiApp, *keys: str) -> None:
    """Post every key at once, without waiting for any to be handled."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_d_then_an_f_key_denies_the_red_flags_first(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        burst(app, "y", "D", "f5")
        await until_done(app, pilot)
        assert app.current_mode == "referral"
        states = app.consultation.states
        assert [f for f in RED_FLAG_IDS if states.get(f, "not_asked") == "not_asked"] == []


async def test_a_choice_then_an_f_key_and_a_mark_each_act_in_order(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        # F3: age 68, Tab Tab to sex, Enter picks the first (female); F2 and a mark.
        burst(app, "f3", "6", "8", "tab", "tab", "enter", "f2", "y")
        await until_done(app, pilot)
        patient = app.consultation.patient
        assert (patient.age_years, patient.sex) == (68, "female")
        assert app.current_mode == "triage"
        assert "present" in app.consultation.states.values()


async def test_without_the_ordering_the_f_key_overtakes_the_mark(
    app_for: Callable[..., MagtuiApp], monkeypatch: object,
) -> None:
    """The control: Textual's own dispatch loses the race this module exists for, so the
    tests above can fail."""
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(KeysInOrderApp, "on_event", App.on_event)
    app = app_for(autosave=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        burst(app, "y", "D", "f5")
        await pilot.pause(0.5)
        states = app.consultation.states
        assert [f for f in RED_FLAG_IDS if states.get(f, "not_asked") == "not_asked"] != []
