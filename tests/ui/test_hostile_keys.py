"""A hurried or hostile hand at the keyboard (issue #11): nothing typed or pasted crashes the
app, reaches the terminal raw, or is lost.

Pilot drives the real app. "Raw" is checked on the frame Textual would send: the exported
screen (SVG) and the screen's text hold no C0/C1 control or bidi override.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual import events
from textual.command import CommandPalette
from textual.screen import ModalScreen

from magtui.knowledge.base import KnowledgeBase
from magtui.ui.app import MagtuiApp

ScreenText = Callable[[MagtuiApp], str]

Notices = Callable[[MagtuiApp], list[Any]]

RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
AREA_KEYS = ("f2", "f3", "f4", "f5", "f6", "f7")
# Every key the app binds (ctrl+q aside: it ends the run, see its own tests), the keys
# areas bind, movement and editing keys, and some text.
MONKEY_KEYS = (
    *AREA_KEYS, "f1", "f8", "f9", "ctrl+s", "ctrl+p", "escape", "enter", "tab", "shift+tab",
    "up", "down", "left", "right", "pageup", "pagedown", "home", "end", "space", "backspace",
    "delete", "y", "n", "u", "a", "D", "ctrl+o", "ctrl+f", "1", "2", "0", ".", "-", "x", "q",
    "d", "s",
)


def frame_text(app: MagtuiApp, screen_text: ScreenText, *, svg: bool = False) -> str:
    """What the terminal shows: the screen's lines, and with `svg` the exported frame."""
    return (app.export_screenshot() if svg else "") + screen_text(app)


async def test_palette_then_area_key_then_palette_again_does_not_crash(
    app_for: Callable[..., MagtuiApp],
) -> None:
    # The reproduction of issue #11: DuplicateIds('--command-palette') killed the app.
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("f3")
        await pilot.pause()
        assert app.current_mode == "patient"
        assert not isinstance(app.screen, CommandPalette)  # closed, not left behind
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape", "f2")
        await pilot.pause()
        assert app.current_mode == "triage" and app.is_running


async def test_a_dialog_must_be_answered_before_switching_areas(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for(clinician_text="something typed")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+q")  # unsaved: asks to save
        await pilot.pause()
        dialog = app.screen
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen is dialog and app.current_mode == "triage"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f1", "f4")  # help is closed by an area key, not left behind
        await pilot.pause()
        assert app.current_mode == "dose" and not isinstance(app.screen, ModalScreen)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_keys_never_crash_and_the_draft_restores(
    app_for: Callable[..., MagtuiApp], seed: int, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, screen_text: ScreenText,
) -> None:
    monkeypatch.chdir(tmp_path)  # F9 "save as" with a random name writes here, nowhere else
    rng = random.Random(seed)
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(40):
            await pilot.press(*(rng.choice(MONKEY_KEYS) for _ in range(20)))
        await pilot.pause()
        assert app.is_running
        assert not RAW.search(frame_text(app, screen_text, svg=True))
        from magtui.ui.drafts import write_draft

        write_draft(app)
        expected = app.consultation.to_draft()
    # A new start offers the draft, and enter brings back exactly what was there.
    again = app_for()
    async with again.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        restored = again.consultation.to_draft()
    for key in ("patient", "states", "dose", "serum", "patient_ref", "clinician_text", "typed"):
        assert restored[key] == expected[key], key


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=6))
async def test_any_pasted_text_is_refused_or_shown_safely(
    kb: KnowledgeBase, texts: list[str], screen_text: ScreenText
) -> None:
    app = MagtuiApp(kb, cursor_blink=False, autosave=False)
    async with app.run_test(size=(100, 32)) as pilot:
        for key, text in zip(("f3", "f6", "f7", "f4", "f2", "f3"), texts, strict=False):
            await pilot.press(key)
            await pilot.pause()
            app.post_message(events.Paste(text))
            await pilot.pause()
            assert app.is_running
            assert not RAW.search(frame_text(app, screen_text)), repr(text)
        # Whatever was accepted can be shown in the note and saved.
        await pilot.press("f7")
        await pilot.pause()
        assert not RAW.search(frame_text(app, screen_text, svg=True))


async def test_free_text_over_the_limit_is_refused_and_the_note_keeps_what_fitted(
    app_for: Callable[..., MagtuiApp], notices: Notices,
) -> None:
    from magtui.notes.session import CLINICIAN_TEXT_MAX_CHARS

    app = app_for()
    app_notices = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        # A huge paste is refused whole, at once (it froze F7 for minutes before).
        app.post_message(events.Paste("x" * (CLINICIAN_TEXT_MAX_CHARS * 50)))
        await pilot.pause()
        assert app.consultation.clinician_text == ""
        assert any("Nothing was pasted" in str(n.message) for n in app_notices)
        # Text that fits is accepted; typing past the limit is shown as an error on the
        # field, and the note keeps the last text that fitted.
        fits = "a" * CLINICIAN_TEXT_MAX_CHARS
        app.post_message(events.Paste(fits))
        await pilot.pause()
        assert app.consultation.clinician_text == fits
        await pilot.press("b", "c")
        await pilot.pause()
        assert app.consultation.clinician_text == fits
        assert "2 characters over" in str(app.screen.query_one("#note-status").render())
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert "over" not in str(app.screen.query_one("#note-status").render())


async def test_control_characters_in_a_paste_are_refused_on_every_field(
    app_for: Callable[..., MagtuiApp], notices: Notices, screen_text: ScreenText,
) -> None:
    app = app_for()
    app_notices = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        for key, field in (("f3", "#patient-ref"), ("f7", "#clinician-text"),
                           ("f6", "#kb-search")):
            await pilot.press(key)
            await pilot.pause()
            app.screen.query_one(field).focus()
            for hostile in ("AB\u00ad12", "\x1b]52;c;cm0gLXJmIH4=\x07", "1\u202e05"):
                app.post_message(events.Paste(hostile))
                await pilot.pause()
                assert not RAW.search(frame_text(app, screen_text, svg=True))
        assert app.consultation.patient_ref == ""
        assert app.consultation.clinician_text == ""
        refusals = [str(n.message) for n in app_notices]
        assert any("U+00AD SOFT HYPHEN" in m for m in refusals)
        assert any("U+001B" in m for m in refusals)
        # Saving still works, with no reference recorded rather than a crash.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.last_saved is not None and app.is_running


async def test_a_soft_hyphen_restored_into_patient_ref_is_refused_on_the_field(
    app_for: Callable[..., MagtuiApp],
) -> None:
    from magtui.consultation import Consultation

    # Reaches the field without a paste (e.g. text kept from an older version): the field
    # refuses it with a message; F7 and ctrl+s go on without a reference, never a crash.
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        def typed(consultation: Consultation) -> None:
            consultation.typed["patient-ref"] = "AB\u00ad12"

        app.update(typed)
        await pilot.press("f3")
        await pilot.pause()
        error = str(app.screen.query_one("#patient-ref-error").render())
        assert "control or invisible" in error
        await pilot.press("f7", "ctrl+s")
        await pilot.pause()
        assert app.last_saved is not None and app.consultation.patient_ref == ""


@settings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ref=st.text(max_size=40), free=st.text(max_size=200),
       typed=st.text(min_size=1, max_size=50))
async def test_any_restored_text_is_set_aside_or_shown_safely(
    kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory, ref: str, free: str,
    typed: str, monkeypatch: pytest.MonkeyPatch, screen_text: ScreenText,
) -> None:
    import json

    from magtui.consultation import Consultation

    notes = tmp_path_factory.mktemp("notes")
    monkeypatch.setenv("MAGTUI_NOTES_DIR", str(notes))
    draft = Consultation(patient_ref=ref, clinician_text=free, typed={"egfr": typed})
    (notes / "draft-31337.json").write_text(json.dumps(draft.to_draft()), encoding="utf-8")
    app = MagtuiApp(kb, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        # The restore dialog, or a notice.
        assert not RAW.search(frame_text(app, screen_text, svg=True))
        await pilot.press("enter")
        await pilot.pause()
        for key in ("f3", "f7"):
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running
            assert not RAW.search(frame_text(app, screen_text)), (ref, free, typed)
