"""Keystroke to updated screen, headless at 120×40 (figure 3).

Run as `python -m benchmarks.keystroke SCENARIO --events N` (one scenario per fresh process,
so no scenario warms Textual's caches for another); prints one JSON object on stdout.

What exactly is measured, per event:

* start: `time.perf_counter()` immediately before the key event is handed to the driver's
  message queue (`driver.send_message(events.Key(...))`), i.e. the moment a real driver
  would deliver a key parsed from stdin. `Pilot.press()` is *not* timed: it waits for idle
  with 20 ms sleeps (`textual._wait.wait_for_idle`), which would swamp a 50 ms budget.
* end: the end of the first `App._display()` call whose output contains the new content of
  the target widget. `App._display` is where every screen refresh lands
  (`Screen._compositor_refresh` → `app._display(screen, update)`); headless, Textual skips
  turning the update into terminal bytes, so the probe does it itself
  (`CompositorUpdate.render_segments(app.console)`, the same call the real driver path makes)
  and searches that text. So the figure covers key dispatch, bindings, the app's handlers,
  the clinical re-evaluation, CSS/layout, the compositor and the escape-sequence rendering —
  everything except the final `write()` to the terminal.
* "new content" is decided after the event settles, from the app's state (e.g. the urgency
  headline now in `app.results`), then looked up in the frames recorded since the key, so
  the probe never guesses and a frame drawn before the change cannot count.

Between events the app is left to settle (`pilot.pause()`, unmeasured), as a typist would
leave ≥ 100 ms between keys; any per-event reset (the dose field) happens there too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import statistics
import sys
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot

SIZE = (120, 40)
FRAME_TIMEOUT_S = 5.0
"""A change that has not reached the screen after this long is reported as missed."""
DOSE_BASE = "4"
"""Typing scenarios reset the amount field to this before each event, which types one more
digit (0…9 in turn), so every event changes the result shown."""


@dataclass
class FrameProbe:
    """Wraps `app._display`: timestamps the first frame whose terminal text has `expected`."""

    app: App[Any]
    expected: str | None = None
    hit_at: float | None = None
    hit_cpu: float | None = None
    frames: int = 0
    seen: asyncio.Event = field(default_factory=asyncio.Event)

    def install(self) -> None:
        original = self.app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            # Same early exits as App._display: nothing reaches a terminal in these cases.
            if renderable is None or self.app._batch_count or self.expected is None:
                return
            if isinstance(renderable, CompositorUpdate):
                text = renderable.render_segments(self.app.console)
            else:  # not used by screens today; rendered the way App._display would
                console = self.app.console
                text = console._render_buffer(console.render(renderable))
            self.frames += 1
            if self.expected in text:
                self.hit_at = time.perf_counter()
                self.hit_cpu = time.process_time()
                self.expected = None
                self.seen.set()

        # An instance attribute shadows the method: Screen calls `app._display(...)`.
        self.app._display = display  # type: ignore[method-assign]

    def arm(self, expected: str) -> None:
        self.expected, self.hit_at, self.hit_cpu, self.frames = expected, None, None, 0
        self.seen.clear()


def _key_event(key: str) -> events.Key:
    """The event `Pilot.press` would build for `key` (textual.app.App._press_keys)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


@dataclass
class Scenario:
    """How to build an app, bring it to its start state, and what each event changes."""

    make_app: Callable[[], App[Any]]
    setup: Callable[[Pilot[Any]], Awaitable[None]]
    keys: Callable[[int], str]
    """The key to press for event number i."""
    before_each: Callable[[Pilot[Any], int], Awaitable[None]] | None
    """An unmeasured reset before event i (e.g. put the dose amount back)."""
    expected: Callable[[App[Any], int], str]
    """Before event i: the text the target widget will draw once the event is handled —
    known in advance, so a frame drawn before the change can never count."""
    current: Callable[[App[Any]], str]
    """After the event settled: that text as the app's state says it now is (a check)."""


async def run_scenario(scenario: Scenario, events_n: int, warmup: int) -> dict[str, Any]:
    app = scenario.make_app()
    latencies: list[float] = []
    cpu_times: list[float] = []
    frames_per_event: list[int] = []
    missed = 0
    async with app.run_test(size=SIZE) as pilot:
        probe = FrameProbe(app)
        probe.install()
        await scenario.setup(pilot)
        await pilot.pause()
        driver = app._driver
        assert driver is not None
        for i in range(warmup + events_n):
            if scenario.before_each is not None:
                await scenario.before_each(pilot, i)
                await pilot.pause()
            expected = scenario.expected(app, i)
            event = _key_event(scenario.keys(i))
            event.set_sender(app)
            probe.arm(expected)
            start, start_cpu = time.perf_counter(), time.process_time()
            driver.send_message(event)
            # Only wait here: pilot.pause() would force a refresh and so shorten the figure.
            with contextlib.suppress(TimeoutError):  # counted as missed below
                await asyncio.wait_for(probe.seen.wait(), FRAME_TIMEOUT_S)
            probe.expected = None
            await pilot.pause()  # settle (unmeasured) before checking and the next key
            if scenario.current(app) != expected:
                raise RuntimeError(f"event {i}: expected {expected!r} on screen, the app "
                                   f"says {scenario.current(app)!r}")
            if i < warmup:
                continue
            if probe.hit_at is None:
                missed += 1
                continue
            latencies.append(probe.hit_at - start)
            assert probe.hit_cpu is not None
            cpu_times.append(probe.hit_cpu - start_cpu)
            frames_per_event.append(probe.frames)
    return {
        "events": len(latencies),
        "missed": missed,
        "latencies_ms": [round(x * 1000, 3) for x in latencies],
        # CPU this process spent in the same window: latency minus this is waiting for
        # Textual's refresh timer (1/60 s ticks) and message hops, not work.
        "cpu_ms": [round(x * 1000, 3) for x in cpu_times],
        "frames_per_event_median": statistics.median(frames_per_event) if frames_per_event
        else None,
    }


# ----------------------------------------------------------------------------- scenarios


def baseline_scenario() -> Scenario:
    from textual.widgets import Checkbox

    from benchmarks.baselines.checkbox_app import CheckboxApp, summary_text

    async def setup(pilot: Pilot[Any]) -> None:
        pilot.app.query_one("#box-0", Checkbox).focus()

    def current(app: App[Any]) -> str:
        return summary_text(sum(box.value for box in app.query(Checkbox)))

    # Space toggles the focused checkbox: event i leaves it checked when i is even.
    return Scenario(
        make_app=CheckboxApp,
        setup=setup,
        keys=lambda i: "space",
        before_each=None,
        expected=lambda app, i: summary_text(1 if i % 2 == 0 else 0),
        current=current,
    )


def input_baseline_scenario() -> Scenario:
    from textual.widgets import Input

    from benchmarks.baselines.input_app import InputApp, echo_text

    async def setup(pilot: Pilot[Any]) -> None:
        pilot.app.query_one("#amount", Input).focus()
        await pilot.pause()

    async def before_each(pilot: Pilot[Any], i: int) -> None:
        amount = pilot.app.query_one("#amount", Input)
        amount.value = DOSE_BASE
        amount.cursor_position = len(DOSE_BASE)

    # The same keys as the dose scenario: reset to "4", then one digit.
    return Scenario(
        make_app=InputApp,
        setup=setup,
        keys=lambda i: str(i % 10),
        before_each=before_each,
        expected=lambda app, i: echo_text(DOSE_BASE + str(i % 10)),
        current=lambda app: echo_text(app.query_one("#amount", Input).value),
    )


def _magtui_app(consultation: Any) -> App[Any]:
    from magtui.knowledge.loader import load_kb
    from magtui.ui.app import MagtuiApp

    kb = load_kb()
    # As `magtui.ui.app.run` starts the app: what is alive before it (Textual, the KB) is
    # frozen out of the cycle collector's passes.
    gc.freeze()
    return MagtuiApp(kb, consultation, cursor_blink=False, autosave=False)


TRIAGE_FINDING = "seizure"
"""A red flag: "y" raises the referral to EMERGENCY, "u" drops it back to SELF-CARE."""


def triage_scenario() -> Scenario:
    from magtui.consultation import Consultation, evaluate_consultation

    async def setup(pilot: Pilot[Any]) -> None:
        from magtui.ui.widgets.finding_list import FindingList

        findings = pilot.app.query_one("#findings", FindingList)
        findings.focus()
        findings.highlighted = findings.get_option_index(TRIAGE_FINDING)

    async def before_each(pilot: Pilot[Any], i: int) -> None:
        from magtui.ui.widgets.finding_list import FindingList

        # Each mark moves the highlight on (issue 13): back to the same red flag, unmeasured.
        findings = pilot.app.query_one("#findings", FindingList)
        findings.highlighted = findings.get_option_index(TRIAGE_FINDING)

    def headline(app: App[Any], present: bool) -> str:
        consultation = Consultation(states={TRIAGE_FINDING: "present"} if present else {})
        return evaluate_consultation(app.kb, consultation).triage.referral.headline  # type: ignore[attr-defined]

    def current(app: App[Any]) -> str:
        # #live-urgency draws "[b]{headline}[/b] — {meaning}": the bold headline is one run
        # of text in the frame, and neither headline appears elsewhere on the triage screen.
        return app.results.triage.referral.headline  # type: ignore[attr-defined]

    return Scenario(
        make_app=lambda: _magtui_app(Consultation()),
        setup=setup,
        keys=lambda i: "y" if i % 2 == 0 else "u",
        before_each=before_each,
        expected=lambda app, i: headline(app, present=i % 2 == 0),
        current=current,
    )


def dose_scenario() -> Scenario:
    from magtui.consultation import Consultation, DoseInputs, PatientInputs

    def consultation(amount_mg: float) -> Consultation:
        return Consultation(
            patient=PatientInputs(age_years=40, sex="female"),
            dose=DoseInputs(form_id="glycinate", entered_as="compound", amount_mg=amount_mg),
        )

    async def setup(pilot: Pilot[Any]) -> None:
        from textual.widgets import Input

        await pilot.press("f4")
        await pilot.pause()
        # Focus once: Input selects its text on focus, and a typed digit would replace it.
        pilot.app.screen.query_one("#amount", Input).focus()
        await pilot.pause()

    async def before_each(pilot: Pilot[Any], i: int) -> None:
        from textual.widgets import Input

        amount = pilot.app.screen.query_one("#amount", Input)
        amount.value = DOSE_BASE
        amount.cursor_position = len(DOSE_BASE)

    def summary(app: App[Any], amount_mg: float | None = None) -> str:
        from magtui.consultation import evaluate_consultation

        results = (app.results if amount_mg is None  # type: ignore[attr-defined]
                   else evaluate_consultation(app.kb, consultation(amount_mg)))  # type: ignore[attr-defined]
        if results.dose is None:
            raise RuntimeError(f"no dose computed: {results.problems}")
        # dose.py draws "[b]{mg/day:.10g} mg/day[/b]" in #dose-summary (its `_n` format).
        return f"{results.dose.elemental_mg_per_day:.10g} mg/day"

    # Digits 0–9 in turn after the reset to "4": amounts 40…49 mg, each a new result.
    return Scenario(
        make_app=lambda: _magtui_app(consultation(float(DOSE_BASE))),
        setup=setup,
        keys=lambda i: str(i % 10),
        before_each=before_each,
        expected=lambda app, i: summary(app, float(DOSE_BASE + str(i % 10))),
        current=summary,
    )


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "baseline": baseline_scenario,
    "baseline_input": input_baseline_scenario,
    "triage": triage_scenario,
    "dose": dose_scenario,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10,
                        help="unmeasured first events (first-use imports, caches)")
    args = parser.parse_args(argv)
    try:
        result = asyncio.run(run_scenario(SCENARIOS[args.scenario](), args.events,
                                          args.warmup))
    except Exception as exc:  # reported, not raised: the harness records what broke
        result = {"error": f"{type(exc).__name__}: {exc}"}
    result["scenario"] = args.scenario
    json.dump(result, sys.stdout)
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    raise SystemExit(main())
