"""Memory (issue 12): `python -m benchmarks.memory {magtui,baseline,modes} [--switches N]`.

Each app runs headless at 120×40 in its own fresh process and prints one JSON object.

* Peak (`memory_peak`): the process's peak resident set
  (`resource.getrusage(RUSAGE_SELF).ru_maxrss`, KiB on Linux) once the consultation is
  done. magtui is driven through a whole consultation by keys, as in the tests: findings,
  patient and kidney, a dose, referral, the KB browser and search, the note, saving it,
  help — every area opened. The minimal baseline (Header, Static, Footer) gets a few keys.
  Steps that fail are listed, not fatal: a skipped step would lower our figure, so the JSON
  says which ran.
* Growth (`memory_growth`): then, in the same process, `--switches N` area switches by key
  (F3 F4 F5 F6 F7 F2 repeated; `pilot.press` then `pilot.pause()`, and the area checked to
  be the one asked for). The current resident set (`VmRSS` in /proc/self/status, after
  `gc.collect()`) is read before the first switch, every 50 switches and after the last;
  the growth is last minus first. The modes baseline (six kept Textual screens) can do
  the same, for context.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
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

SWITCH_KEYS = ["f3", "f4", "f5", "f6", "f7", "f2"]
"""Every area key in turn, starting from the F2 area where both consultations end."""
TRACE_EVERY = 50

MODES_BASELINE: list[Step] = [(key, _keys(key)) for key in SWITCH_KEYS]
"""The modes baseline's "consultation": every mode opened once."""


async def drive(app: Any, steps: list[Step], switches: int = 0,
                mode_of_key: dict[str, str] | None = None) -> dict[str, Any]:
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
        peak = _peak_kib()
        growth = await _switch_areas(pilot, switches, mode_of_key or {}) if switches else None
    return {"steps_done": done, "steps_failed": failed, "trace": trace,
            "peak_rss_kib": peak, "growth": growth}


async def _switch_areas(pilot: Pilot[Any], switches: int,
                        mode_of_key: dict[str, str]) -> dict[str, Any]:
    """`switches` area switches by key; resident set before, every 50 and after."""
    app = pilot.app
    missed = 0
    start = time.perf_counter()
    trace = [(0, _current_kib())]
    for i in range(1, switches + 1):
        key = SWITCH_KEYS[(i - 1) % len(SWITCH_KEYS)]
        await pilot.press(key)
        await pilot.pause()
        if app.current_mode != mode_of_key[key]:
            missed += 1
        if i % TRACE_EVERY == 0 or i == switches:
            trace.append((i, _current_kib()))
    return {"switches": switches, "missed": missed, "rss_trace_kib": trace,
            "growth_kib": trace[-1][1] - trace[0][1],
            "seconds": round(time.perf_counter() - start, 2)}


def _current_kib() -> int:
    """Resident set now (VmRSS), after a full collection: what live objects still hold."""
    gc.collect()
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=("magtui", "baseline", "modes"))
    parser.add_argument("--switches", type=int, default=0,
                        help="area switches after the consultation (magtui, modes)")
    args = parser.parse_args(argv)
    cleanup: list[Path] = []
    switches, mode_of_key, validated = 0, None, False
    if args.app == "magtui":
        from magtui.consultation import Consultation
        from magtui.knowledge.loader import load_kb
        from magtui.ui.app import MagtuiApp
        from magtui.ui.areas import AREAS

        notes = Path(tempfile.mkdtemp(prefix="magtui-bench-notes-"))
        cleanup.append(notes)
        kb = load_kb()
        # Validation imports pydantic; a KB served from the run's cache does not.
        validated = "pydantic" in sys.modules
        app: Any = MagtuiApp(kb, Consultation(), notes_dir=notes, cursor_blink=False,
                             autosave=False)
        steps = CONSULTATION
        switches = args.switches
        mode_of_key = {key: mode for mode, (key, _, _) in AREAS.items()}
    elif args.app == "modes":
        from benchmarks.baselines import AREAS as BASELINE_AREAS
        from benchmarks.baselines.modes_app import ModesApp

        app, steps, switches = ModesApp(), MODES_BASELINE, args.switches
        mode_of_key = {key: mode for mode, (key, _) in BASELINE_AREAS.items()}
    else:
        from benchmarks.baselines.minimal_app import MinimalApp

        app, steps = MinimalApp(), BASELINE
    try:
        result = asyncio.run(drive(app, steps, switches, mode_of_key))
    finally:
        for folder in cleanup:
            shutil.rmtree(folder, ignore_errors=True)
    # The figure is the peak once the consultation is done (`peak_rss_kib`, read in
    # `drive`); this one includes the switches too.
    result["peak_rss_at_exit_kib"] = _peak_kib()
    result["app"] = args.app
    result["kb_validated"] = validated
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
