"""Baseline Textual apps the benchmarks compare magtui against (same run, same method)."""

from magtui.ui.areas import AREAS as _MAGTUI_AREAS

READY_MARKER = "Minimal baseline ready"
"""The minimal app's first frame shows this; the tmux benchmark waits for it, as it waits for
a finding label in magtui. Here, not in the app module, so the harness can read it without
importing Textual (this package is imported by `-m` anyway, so the app pays nothing)."""

AREAS: dict[str, tuple[str, str]] = {
    mode: (key, label) for mode, (key, _, label) in _MAGTUI_AREAS.items()
}
"""mode: (key, label) of magtui's areas, which the modes baseline copies one for one
(`magtui.ui.areas` is a plain table: importing it loads neither Textual nor pydantic)."""


def area_marker(key: str, label: str) -> str:
    """How an area bar marks the current area, in magtui (`area_bar`) and the baseline."""
    return f"▶{key.upper()} {label}◀"
