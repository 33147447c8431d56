"""F2 checklist rows as drawn after each key: only the toggled row changes, in words."""

from __future__ import annotations

from collections.abc import Callable

from magtui.ui.app import MagtuiApp
from magtui.ui.widgets.finding_list import FindingList

ScreenText = Callable[[MagtuiApp], str]


def _list_rows(app: MagtuiApp, text: str) -> list[str]:
    """The checklist's own rows as drawn (its region of the screen)."""
    region = app.screen.query_one("#findings", FindingList).region
    lines = text.splitlines()[region.y:region.bottom]
    return [line[region.x:region.right] for line in lines]


async def test_each_key_redraws_the_finding_row_and_leaves_the_others(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    app = app_for()
    async with app.run_test(size=(120, 40)) as pilot:
        findings = app.screen.query_one("#findings", FindingList)
        findings.highlighted = findings.get_option_index("seizure")
        await pilot.pause()
        before = _list_rows(app, screen_text(app))
        (at,) = [i for i, row in enumerate(before) if "Seizure, tetany" in row]
        assert "[ ] Seizure" in before[at] and "· not asked" in before[at]  # said in words

        for key, mark, word, urgency in [
            ("y", "[✓] Seizure", "present", "EMERGENCY"),
            ("n", "[✗] Seizure", "absent", "SELF-CARE"),
            ("u", "[ ] Seizure", "not asked", "SELF-CARE"),
            ("space", "[✓] Seizure", "present", "EMERGENCY"),  # cycles from not asked
        ]:
            await pilot.press(key)
            await pilot.pause()
            # Each mark moves on to the next finding not yet asked; back up to Seizure.
            assert findings.highlighted_finding is not None
            assert findings.highlighted_finding.id == "fainting_low_bp", key
            await pilot.press("up")
            await pilot.pause()
            text = screen_text(app)
            rows = _list_rows(app, text)
            assert mark in rows[at], key
            assert ("· not asked" in rows[at]) == (word == "not asked"), key
            assert ("· absent" in rows[at]) == (word == "absent"), key
            assert f"Now: {word}" in text, key  # the question line follows the row
            assert urgency in str(app.screen.query_one("#live-urgency").render()), key
            state = "not_asked" if word == "not asked" else word
            assert findings.states["seizure"] == state, key
            assert app.consultation.states.get("seizure", "not_asked") == state, key
            # Every other checklist row is drawn exactly as before.
            assert rows[:at] + rows[at + 1:] == before[:at] + before[at + 1:], key


async def test_a_row_that_changes_height_moves_the_rows_below(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    # At 100 columns an unasked red flag's "· not asked" wraps this row onto two lines;
    # marked present it fits on one, and the rows below move up with nothing left behind.
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        findings = app.screen.query_one("#findings", FindingList)
        index = findings.get_option_index("chest_pain_palpitations")
        findings.highlighted = index
        findings.scroll_to_highlight(top=True)
        await pilot.pause()
        rows = _list_rows(app, screen_text(app))
        (at,) = [i for i, row in enumerate(rows) if "Chest pain" in row]
        assert "· not asked" in rows[at + 1] and "[" not in rows[at + 1]  # two lines tall

        await pilot.press("y")
        await pilot.pause()
        rows = _list_rows(app, screen_text(app))
        (at,) = [i for i, row in enumerate(rows) if "Chest pain" in row]
        assert "[✓] Chest pain" in rows[at] and "not asked" not in rows[at]
        assert "[ ] Seizure" in rows[at + 1]  # the next red flag, moved up a line

        await pilot.press("up", "u")  # the mark moved on to Seizure: back to Chest pain
        await pilot.pause()
        rows = _list_rows(app, screen_text(app))
        (at,) = [i for i, row in enumerate(rows) if "Chest pain" in row]
        assert "[ ] Chest pain" in rows[at]
        assert "· not asked" in rows[at + 1]  # wrapped again, under its own row
        assert "[ ] Seizure" in rows[at + 2]


async def test_rows_are_measured_at_the_width_they_are_drawn_in(
    app_for: Callable[..., MagtuiApp], screen_text: ScreenText
) -> None:
    """At 80×24 the checklist overflows and shows a scrollbar: every row is still wrapped
    at the width it is drawn in, so every word of every label is on screen (none cut off
    under the scrollbar) as the clinician pages through the list."""
    app = app_for(autosave=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        checklist = app.screen.query_one(FindingList)
        assert checklist.show_vertical_scrollbar
        seen = ""
        for _ in range(len(checklist.findings) + 8):
            rows = _list_rows(app, screen_text(app))[1:-1]  # inside the border
            seen += " ".join(row.strip("│ ▁▇█▔▂▃▄▅▆") for row in rows) + " "
            await pilot.press("down")
            await pilot.pause()
        words = " ".join(seen.split())
        for finding in checklist.findings.values():
            label = " ".join(finding.label.split())
            # A label wrapped over two rows reads the same once the rows are joined.
            assert label in words, f"{label!r} is not shown whole"
