"""Area switch in a real terminal (issue 12): tmux 120×40, F-key until the area is on screen.

Both apps run side by side, each in its own 120×40 tmux pane started exactly as the TTI
figure starts it (same environment, same private tmux server), and are driven alike:

1. wait for the first screen (the app's TTI marker);
2. open every area once, in the order F3 F4 F5 F6 F7 F2 — the *first visits*, timed and
   reported but not judged (a first visit builds the area's screen; F2 is already built at
   start, so its entry is the first return to a kept screen);
3. the timed switches: F3 F4 F5 F6 F7 F2 repeated, the two apps taking turns key by key
   (drift and background load hit both alike).

One switch: the clock starts just before `tmux send-keys -t PANE F3` and stops when
`tmux capture-pane` first shows that area's marker in the area bar ("▶F3 Patient◀"),
polled every 5 ms as in `tti.py`. Each F-key leaves the area shown, so the marker is never
on screen before the switch. After each switch both apps are left alone for `SETTLE_S`
(unmeasured), as a clinician pauses between keys.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.baselines import AREAS, area_marker
from benchmarks.common import median, percentile
from benchmarks.tti import Tmux

SETTLE_S = 0.1
"""Pause after each switch, before the next key (to either app)."""
ORDER = [key for key, _ in AREAS.values()]
ORDER = ORDER[1:] + ORDER[:1]
"""f3 f4 f5 f6 f7 f2: starting from the first screen (F2), every key changes the area."""
MARKERS = {key: area_marker(key, label) for key, label in AREAS.values()}


def tmux_key(key: str) -> str:
    """`f3` (Textual's name) → `F3` (tmux's)."""
    return key.upper()


@dataclass(frozen=True)
class Subject:
    command: Sequence[str]
    ready_marker: str
    """Shown once the first screen is up (the TTI marker)."""


def measure(tmux: Tmux, subjects: Mapping[str, Subject], env: Mapping[str, str], cwd: Path,
            switches: int) -> dict[str, Any]:
    """Time `switches` area switches per subject; every list in the result is in seconds."""
    sessions: dict[str, str] = {}
    out: dict[str, Any] = {name: {"start_s": 0.0, "first_visit_s": {}, "switch_s": [],
                                  "by_area_s": {key: [] for key in ORDER}}
                           for name in subjects}
    try:
        for name, subject in subjects.items():
            start = time.perf_counter()
            sessions[name] = tmux.launch(subject.command, env, cwd)
            out[name]["start_s"] = tmux.wait_for(sessions[name], subject.ready_marker, start)
        # The first screen is the F2 area: its marker must already be there.
        for session in sessions.values():
            tmux.wait_for(session, MARKERS[ORDER[-1]], time.perf_counter())
        names = list(subjects)
        for key in ORDER:  # warm-up: every area opened once, in both apps
            for name in names:
                out[name]["first_visit_s"][key] = _switch(tmux, sessions[name], key)
        for i in range(switches):
            key = ORDER[i % len(ORDER)]
            turn = names if i % 2 == 0 else names[::-1]
            for name in turn:
                seconds = _switch(tmux, sessions[name], key)
                out[name]["switch_s"].append(seconds)
                out[name]["by_area_s"][key].append(seconds)
    finally:
        for session in sessions.values():
            tmux.kill_session(session)
    for name in subjects:
        times = out[name]["switch_s"]
        out[name]["median_s"] = median(times)
        out[name]["p95_s"] = percentile(times, 95)
        out[name]["max_s"] = max(times)
        out[name]["median_by_area_s"] = {key: median(v) for key, v in
                                         out[name].pop("by_area_s").items() if v}
    return out


def _switch(tmux: Tmux, session: str, key: str) -> float:
    seconds = tmux.time_key(session, tmux_key(key), MARKERS[key])
    time.sleep(SETTLE_S)
    return seconds
