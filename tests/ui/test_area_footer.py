"""The area footer shows exactly the keys that work, rebuilt only when they change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widget import Widget

from magtui.ui.app import MagtuiApp
from magtui.ui.widgets.area_footer import AreaFooter

SIZE = (120, 40)


def _keys(app: MagtuiApp) -> list[Any]:
    # By type name: Textual's FooterKey lives in a private module.
    keys: list[Widget] = list(app.screen.query_one(AreaFooter).query("FooterKey"))
    return keys


def _shown(app: MagtuiApp) -> list[tuple[str, str]]:
    return [(key.key, key.description) for key in _keys(app)]


def _expected(app: MagtuiApp) -> list[tuple[str, str]]:
    """What Textual's Footer.compose shows for the bindings active now (one key per action,
    in binding order, the palette key last); magtui binds no groups."""
    active = app.screen.active_bindings
    first: dict[str, tuple[str, str]] = {}
    for _node, binding, _enabled, _tooltip in active.values():
        if binding.show:
            first.setdefault(binding.action, (binding.key, binding.description))
    shown = list(first.values())
    palette = active.get(app.COMMAND_PALETTE_BINDING)
    if palette is not None:
        shown.append((palette[1].key, palette[1].description))
    return shown


async def test_footer_shows_the_active_keys_once_built(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = _shown(app)
        assert shown == _expected(app)
        keys = [key for key, _ in shown]
        for key in ("y", "n", "u", "ctrl+q", "f1", "ctrl+s", "ctrl+p"):
            assert key in keys
        # The area keys are on every area's top line (the area bar), not in the footer.
        assert not {"f2", "f3", "f4", "f5", "f6", "f7"} & set(keys)
        assert all(key.has_class("-compact") for key in _keys(app))


async def test_focus_moves_rebuild_only_when_the_keys_change(
    app_for: Callable[..., MagtuiApp],
) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        on_checklist = _keys(app)
        assert "y" in [key.key for key in on_checklist]
        # Same keys: moving within the checklist keeps every footer key as it is.
        await pilot.press("down", "down", "y")
        await pilot.pause()
        assert _keys(app) == on_checklist
        assert all(key.is_attached for key in on_checklist)
        # The live panel has no finding keys: the footer changes, and says so truthfully.
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is not None and app.focused.id != "findings"
        assert _shown(app) == _expected(app)
        assert "y" not in [key for key, _ in _shown(app)]
        # Back on the checklist, its keys are back.
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "findings"
        assert _shown(app) == _expected(app)
        assert "y" in [key for key, _ in _shown(app)]


async def test_every_area_footer_matches_textuals(app_for: Callable[..., MagtuiApp]) -> None:
    app = app_for(autosave=False)
    async with app.run_test(size=SIZE) as pilot:
        for area in ("f3", "f4", "f5", "f6", "f7", "f2"):
            await pilot.press(area)
            await pilot.pause()
            assert _shown(app) == _expected(app), area


async def test_at_80x24_every_footer_shows_help_save_quit_and_palette_whole(
    app_for: Callable[..., MagtuiApp], screen_text: Callable[[MagtuiApp], str],
) -> None:
    """Issue 13: at 80 columns nothing the clinician needs everywhere is cut off; the area
    keys stay visible in the area bar."""
    app = app_for(autosave=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for area in ("f2", "f3", "f4", "f5", "f6", "f7"):
            await pilot.press(area)
            await pilot.pause()
            rows = screen_text(app).split("\n")
            footer = rows[-1]
            for shown in ("f1 Help", "^s Save", "^q Quit", "^p palette"):
                assert shown in footer, (area, footer)
            bar = rows[0]
            for label in ("F2 Triage", "F3 Patient", "F4 Dose", "F5 Referral", "F6 KB",
                          "F7 Note"):
                assert label in bar, (area, bar)
