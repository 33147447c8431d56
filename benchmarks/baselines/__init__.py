"""Baseline Textual apps the benchmarks compare magtui against (same run, same method)."""

READY_MARKER = "Minimal baseline ready"
"""The minimal app's first frame shows this; the tmux benchmark waits for it, as it waits for
a finding label in magtui. Here, not in the app module, so the harness can read it without
importing Textual (this package is imported by `-m` anyway, so the app pays nothing)."""
