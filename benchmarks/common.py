"""Shared helpers: paths, a clean environment for child processes, statistics, figures."""

from __future__ import annotations

import atexit
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "benchmarks"
KB_PATH = REPO / "kb" / "magnesium.json"
PYTHON = sys.executable
"""Every child process runs the interpreter running the harness (the project's venv)."""


def magtui_command() -> list[str]:
    """How a user starts magtui: the console script next to the interpreter, if installed."""
    script = Path(PYTHON).parent / "magtui"
    return [str(script)] if script.exists() else [PYTHON, "-m", "magtui"]


KB_CACHE_ENV = "MAGTUI_KB_CACHE"
"""magtui's cache of the validated KB: `0` turns it off, a path puts it there."""
_KB_CACHE_DIR = Path(tempfile.mkdtemp(prefix="magtui-bench-kbcache-"))
atexit.register(shutil.rmtree, _KB_CACHE_DIR, True)


def child_env(notes_dir: Path | None = None, **extra: str) -> dict[str, str]:
    """The shell's environment without settings that change what magtui does or draws.

    The validated-KB cache goes to a folder private to this run (filled by each benchmark's
    warm-up run, as a user's second start would find it), never the user's own cache; the
    settings file is one that does not exist, and no settings variable is passed on, so a
    developer's own config.toml never changes the figures.
    """
    from magtui.settings import CONFIG_ENV, FIELDS, env_name

    env = dict(os.environ)
    for name in ("MAGTUI_KB", "NO_COLOR", "TEXTUAL_THEME", "FORCE_COLOR", "PYTHONPYCACHEPREFIX",
                 "PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME", "TEXTUAL",
                 *(env_name(setting) for setting in FIELDS)):
        env.pop(name, None)
    env[CONFIG_ENV] = str(_KB_CACHE_DIR / "no-such-config.toml")
    env["TEXTUAL_ANIMATIONS"] = "none"
    env[KB_CACHE_ENV] = str(_KB_CACHE_DIR)
    if notes_dir is not None:
        env["MAGTUI_NOTES_DIR"] = str(notes_dir)
    env.update(extra)
    return env


def wall_time(command: Sequence[str], env: Mapping[str, str], timeout: float = 60) -> float:
    """Seconds from spawn to exit of one process; fails loudly when the command fails.

    The working directory is the repository, so `python -m benchmarks.…` children import
    the suite without touching PYTHONPATH (which would slow every timed import a little).
    """
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=timeout, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation): an event that really happened."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Figure:
    """One row of the table and one entry of the JSON."""

    id: str
    title: str
    unit: str
    ours: float | None = None
    baseline: float | None = None
    baseline_name: str = ""
    budget_ratio: float | None = None
    """Pass when ours / baseline ≤ this (None: reported, not budgeted)."""
    budget_abs: float | None = None
    """Pass only when ours ≤ this, in `unit` (None: no absolute budget). A figure with no
    baseline (`baseline` None, ratio "—") is judged on this alone."""
    checks: dict[str, bool] = field(default_factory=dict)
    """Yes/no conditions of the budget besides timing (e.g. "textual_not_imported")."""
    skipped: str | None = None
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline

    @property
    def budget(self) -> str:
        parts = []
        if self.budget_ratio is not None:
            parts.append(f"≤ {self.budget_ratio:g}×")
        if self.budget_abs is not None:
            parts.append(f"≤ {self.budget_abs:g} {self.unit}")
        return " and ".join(parts) if parts else "reported"

    @property
    def passed(self) -> bool | None:
        """None when not budgeted or not measured."""
        if self.skipped or self.error or self.ours is None:
            return None
        if self.budget_ratio is None and self.budget_abs is None and not self.checks:
            return None
        ok = all(self.checks.values())
        if self.budget_ratio is not None:
            if self.ratio is None:  # a ratio budget with no baseline measured: no verdict
                return None
            ok = ok and self.ratio <= self.budget_ratio
        if self.budget_abs is not None:
            # Judged on its own where the figure has no baseline (e.g. memory growth).
            ok = ok and self.ours <= self.budget_abs
        return ok

    @property
    def misses(self) -> list[str]:
        """Which parts of the budget were missed, each on its own (a figure with a ratio and
        an absolute budget can miss either: the table says which)."""
        if self.passed is not False:
            return []
        found = [f"{name}: no" for name, ok in self.checks.items() if not ok]
        if self.budget_ratio is not None and self.ratio is not None \
                and self.ratio > self.budget_ratio:
            found.append(f"ratio {self.ratio:.2f}× > {self.budget_ratio:g}×")
        if self.budget_abs is not None and self.ours is not None \
                and self.ours > self.budget_abs:
            found.append(f"{self.ours:.3g} > {self.budget_abs:g} {self.unit}")
        return found

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ratio=self.ratio, budget=self.budget, passed=self.passed,
                    misses=self.misses)
        return data
