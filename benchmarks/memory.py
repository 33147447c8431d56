"""Peak memory (figure 4): `python -m benchmarks.memory {magtui,baseline}` prints JSON.

Each app runs headless at 120×40 in its own fresh process; the figure is that process's
peak resident set (`resource.getrusage(RUSAGE_SELF).ru_maxrss`, KiB on Linux) at the end.
magtui is driven through a whole consultation by keys, as in the tests: findings, patient
and kidney, a dose, referral, the KB browser and search, the note, saving it, help. The
baseline (Header, Static, Footer) gets a few keys too. Steps that fail are listed, not
fatal: the screens are still being written, and a skipped step would lower our figure,
so the JSON says which ran.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

SIZE = (120, 40)

Step = tuple[str, Callable[[Pilot[Any]], Awaitable[None]]]


def _keys(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def press(pilot: Pilot[Any]) -> None:
        await pilot.press(*keys)

    return press


CONSULTATION: list[Step] = [
    # F2 triage: three findings present, one absent, one red flag asked and absent.
    ("triage", _keys("down", "y", "down", "y", "down", "n", "down", "down", "y")),
    # F3 patient: age 79, sex (first option), eGFR 21 (keys as tests/ui drive them).
    ("patient", _keys("f3", "7", "9", "tab", "tab", "enter", "tab", "tab", "2", "1", "tab")),
    # F4 dose: hydroxide by type-to-search, 2400 mg twice a day.
    ("dose", _keys("f4", "enter", "h", "y", "d", "enter", "tab", "tab", "2", "4", "0", "0",
                   "tab", "2")),
    ("referral", _keys("f5", "pagedown", "pagedown", "end", "home")),
    ("knowledge", _keys("f6", *"kidney", "enter", "down", "down", "enter")),
    ("note", _keys("f7", *"Stop the hydroxide.")),
    ("save", _keys("ctrl+s")),
    ("help", _keys("f1", "escape")),
    ("back to triage", _keys("f2", "down", "u")),
]

BASELINE: list[Step] = [
    ("keys", _keys("tab", "tab", "down", "up")),
]


async def drive(app: Any, steps: list[Step]) -> dict[str, Any]:
    done: list[str] = []
    failed: dict[str, str] = {}
    # Peak RSS and seconds after each step: where the memory goes, and which step is slow.
    trace: list[tuple[str, int, float]] = [("imports", _peak_kib(), 0.0)]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        trace.append(("first frame", _peak_kib(), 0.0))
        for name, step in steps:
            start = time.perf_counter()
            try:
                await step(pilot)
                await pilot.pause()
                done.append(name)
            except Exception as exc:
                failed[name] = "".join(traceback.format_exception_only(exc)).strip()
            trace.append((name, _peak_kib(), round(time.perf_counter() - start, 3)))
        # Debounced work (note preview, autosave) is part of the consultation's footprint.
        await pilot.pause(0.5)
    return {"steps_done": done, "steps_failed": failed, "trace": trace}


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=("magtui", "baseline"))
    args = parser.parse_args(argv)
    cleanup: list[Path] = []
    if args.app == "magtui":
        from magtui.consultation import Consultation
        from magtui.knowledge.loader import load_kb
        from magtui.ui.app import MagtuiApp

        notes = Path(tempfile.mkdtemp(prefix="magtui-bench-notes-"))
        cleanup.append(notes)
        app: Any = MagtuiApp(load_kb(), Consultation(), notes_dir=notes, cursor_blink=False,
                             autosave=False)
        steps = CONSULTATION
    else:
        from benchmarks.baselines.minimal_app import MinimalApp

        app, steps = MinimalApp(), BASELINE
    try:
        result = asyncio.run(drive(app, steps))
    finally:
        for folder in cleanup:
            shutil.rmtree(folder, ignore_errors=True)
    result["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["app"] = args.app
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
