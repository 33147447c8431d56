"""Run magtui's benchmark suite (issues #6, #12): a table on stdout and a JSON file.

    python -m benchmarks.run [--quick] [--json PATH] [--only NAME,…] [--strict]
    python benchmarks/run.py …                                   (the same)

Every figure is `ours / baseline`, both measured in this run by the same method, so the
budgets are machine-independent; absolute figures are shown but only judged where an issue
sets an absolute budget (keystroke p95 ≤ 50 ms, 100× KB ≤ 0.3 s, memory growth over 300
area switches ≤ 5 MiB, which has no baseline). `--quick` (CI) uses few
repetitions and skips the tmux figures when tmux is missing. The exit status is 1 when a
figure could not be measured (a broken harness), and with `--strict` also when a budget is
missed; otherwise 0, because timings on a shared CI machine are not a verdict.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/run.py`: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.baselines import READY_MARKER
from benchmarks.common import (
    KB_PATH,
    PYTHON,
    REPO,
    Figure,
    child_env,
    magtui_command,
    median,
    percentile,
    wall_time,
)

DEFAULT_JSON = REPO / "benchmarks" / "results" / "latest.json"

DOSE_ARGS = ["dose", "--form", "hydroxide", "--compound-mg", "2400", "--times-per-day", "2",
             "--age", "79", "--sex", "male", "--egfr", "21", "--json"]
TRIAGE_ARGS = ["triage", "--answer", "cramps_spasms", "--answer", "low_intake", "--json"]
CLI_BASELINE = [PYTHON, "-c", "from pydantic import BaseModel; import tinydb"]
MINIMAL_APP = [PYTHON, "-m", "benchmarks.baselines.minimal_app"]
MODES_APP = [PYTHON, "-m", "benchmarks.baselines.modes_app"]
TTI_FINDING = "cramps_spasms"
"""Its label is the TTI marker: drawn only once the KB is loaded and the checklist is up."""
TERMINAL_ENV = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
"""A modern terminal: what tmux panes report to most users' apps."""


@dataclass(frozen=True)
class Config:
    quick: bool
    tti_runs: int
    area_switches: int
    cli_runs: int
    key_events: int
    key_warmup: int
    key_rounds: int
    memory_runs: int
    growth_switches: int
    kb_reps: int
    cold_runs: int


FULL = Config(quick=False, tti_runs=15, area_switches=72, cli_runs=20, key_events=200,
              key_warmup=10, key_rounds=2, memory_runs=3, growth_switches=300, kb_reps=7,
              cold_runs=5)
QUICK = Config(quick=True, tti_runs=2, area_switches=6, cli_runs=3, key_events=20,
               key_warmup=3, key_rounds=1, memory_runs=1, growth_switches=30, kb_reps=2,
               cold_runs=1)


def _alternating(n: int, names: list[str]) -> list[str]:
    """n rounds of every name, the order rotated each round (drift hits all alike)."""
    order: list[str] = []
    for i in range(n):
        k = i % len(names)
        order += names[k:] + names[:k]
    return order


def _finding_label(finding_id: str) -> str:
    # Read from the KB file, not via magtui: the harness process stays free of pydantic.
    raw = json.loads(KB_PATH.read_text(encoding="utf-8"))
    return next(doc["label"] for doc in raw["findings"].values() if doc["id"] == finding_id)


def _child_json(args: list[str], timeout: float = 600) -> dict[str, Any]:
    import subprocess

    done = subprocess.run([PYTHON, "-m", *args], cwd=REPO, env=child_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)
    try:
        data: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: "
                           f"{done.stderr[-1500:]}") from None
    if "error" in data:
        raise RuntimeError(f"{' '.join(args)}: {data['error']}")
    return data


# ----------------------------------------------------------------------------- 1. TTI


def bench_tti(cfg: Config, state: dict[str, Any]) -> list[Figure]:
    from benchmarks.tti import tmux_available, tmux_server

    figure = Figure("tti", "Time to interactive, tmux 120×40 (median)", "s",
                    baseline_name="minimal Textual app (Header, Static, Footer)",
                    budget_ratio=1.4)
    if not tmux_available():
        figure.skipped = "tmux is not installed"
        return [figure]
    marker = _finding_label(TTI_FINDING)
    ours_command = magtui_command()
    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    with tempfile.TemporaryDirectory(prefix="magtui-bench-") as notes, tmux_server() as tmux:
        env = child_env(Path(notes), **TERMINAL_ENV)
        runs = {"ours": (ours_command, marker), "baseline": (MINIMAL_APP, READY_MARKER)}
        for command, text in runs.values():  # warm-up: file cache, first tmux pane
            tmux.time_to_marker(command, text, env, REPO)
        for name in _alternating(cfg.tti_runs, list(runs)):
            command, text = runs[name]
            times[name].append(tmux.time_to_marker(command, text, env, REPO))
    figure.ours, figure.baseline = median(times["ours"]), median(times["baseline"])
    figure.details = {"marker": marker, "command": ours_command, "runs": cfg.tti_runs,
                      "ours_s": times["ours"], "baseline_s": times["baseline"]}
    state["tti_ours"] = figure.ours
    return [figure]


def bench_area_switch(cfg: Config, state: dict[str, Any]) -> list[Figure]:
    from benchmarks.area_switch import MARKERS, ORDER, Subject, measure
    from benchmarks.tti import tmux_available, tmux_server

    figure = Figure("area_switch", "Area switch F-key → area on screen, tmux (median)", "s",
                    baseline_name="six Textual modes (kept screens), App.switch_mode",
                    budget_ratio=1.25)
    if not tmux_available():
        figure.skipped = "tmux is not installed"
        return [figure]
    subjects = {"ours": Subject(magtui_command(), _finding_label(TTI_FINDING)),
                "baseline": Subject(MODES_APP, MARKERS["f2"])}
    with tempfile.TemporaryDirectory(prefix="magtui-bench-") as notes, tmux_server() as tmux:
        env = child_env(Path(notes), **TERMINAL_ENV)
        # Unmeasured: file cache, bytecode and this run's KB cache, as for the TTI figure.
        for subject in subjects.values():
            tmux.time_to_marker(subject.command, subject.ready_marker, env, REPO)
        data = measure(tmux, subjects, env, REPO, cfg.area_switches)
    ours, base = data["ours"], data["baseline"]
    figure.ours, figure.baseline = ours["median_s"], base["median_s"]
    figure.details = {
        "switches": cfg.area_switches,
        "order": [key.upper() for key in ORDER],
        "measured": "perf_counter before `tmux send-keys F<n>` → first capture-pane showing "
                    "the area's marker (e.g. ▶F3 Patient◀), polled every 5 ms; 0.1 s pause "
                    "after each switch; the two apps take turns key by key",
        "ours": ours, "baseline": base,
    }
    return [figure]


# ----------------------------------------------------------------------------- 2. CLI


def _textual_imported(args: list[str]) -> bool:
    import subprocess

    env = child_env(PYTHONPROFILEIMPORTTIME="1")  # works with the console script too
    done = subprocess.run([*magtui_command(), *args], cwd=REPO, env=env, capture_output=True,
                          text=True, check=True, timeout=60)
    modules = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:")]
    return any(m == "textual" or m.startswith("textual.") for m in modules)


def bench_cli(cfg: Config, state: dict[str, Any]) -> list[Figure]:
    commands = {"dose": [*magtui_command(), *DOSE_ARGS],
                "triage": [*magtui_command(), *TRIAGE_ARGS],
                "baseline": CLI_BASELINE}
    times: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory(prefix="magtui-bench-") as notes:
        env = child_env(Path(notes))
        for command in commands.values():  # warm-up: file cache, bytecode written
            wall_time(command, env)
        for name in _alternating(cfg.cli_runs, list(commands)):
            times[name].append(wall_time(commands[name], env))
    figures = []
    for name, args in (("dose", DOSE_ARGS), ("triage", TRIAGE_ARGS)):
        figure = Figure(f"cli_{name}", f"CLI `magtui {name} … --json` wall time (median)", "s",
                        ours=median(times[name]), baseline=median(times["baseline"]),
                        baseline_name='python -c "from pydantic import BaseModel; '
                                      'import tinydb"',
                        budget_ratio=1.3)
        imported = _textual_imported(args)
        figure.checks = {"textual_not_imported": not imported}
        figure.details = {"runs": cfg.cli_runs, "ours_s": times[name],
                          "baseline_s": times["baseline"], "textual_imported": imported}
        figures.append(figure)
    state["cli_dose_warm"] = median(times["dose"])
    return figures


# ----------------------------------------------------------------------------- 3. keys


def bench_keystroke(cfg: Config, state: dict[str, Any]) -> list[Figure]:
    per_round = max(1, cfg.key_events // cfg.key_rounds)
    # baseline_input is context for the dose figure only (see baselines/input_app.py).
    results: dict[str, list[float]] = {"baseline": [], "triage": [], "dose": [],
                                       "baseline_input": []}
    cpu: dict[str, list[float]] = {name: [] for name in results}
    extra: dict[str, dict[str, Any]] = {name: {"missed": 0, "frames": []} for name in results}
    errors: dict[str, str] = {}
    for name in _alternating(cfg.key_rounds, list(results)):
        if name in errors:
            continue
        try:
            data = _child_json(["benchmarks.keystroke", name, "--events", str(per_round),
                                "--warmup", str(cfg.key_warmup)])
        except Exception as exc:
            errors[name] = str(exc)
            continue
        results[name] += data["latencies_ms"]
        cpu[name] += data["cpu_ms"]
        extra[name]["missed"] += data["missed"]
        extra[name]["frames"].append(data["frames_per_event_median"])
    figures = []
    titles = {"triage": "Keystroke → repaint: toggle finding, urgency shown (p95)",
              "dose": "Keystroke → repaint: dose digit, result shown (p95)"}
    for name, title in titles.items():
        figure = Figure(f"keystroke_{name}", title, "ms",
                        baseline_name="32 checkboxes + a Static updated on toggle",
                        budget_ratio=1.3, budget_abs=50)
        broken = errors.get(name) or errors.get("baseline")
        if broken or not results[name] or not results["baseline"]:
            figure.error = broken or "no events measured"
            figures.append(figure)
            continue
        ours, base = results[name], results["baseline"]
        figure.ours, figure.baseline = percentile(ours, 95), percentile(base, 95)
        figure.details = {
            "events": len(ours), "baseline_events": len(base),
            "missed": extra[name]["missed"], "baseline_missed": extra["baseline"]["missed"],
            "ours_ms": {"median": median(ours), "p95": percentile(ours, 95),
                        "p99": percentile(ours, 99), "max": max(ours)},
            "baseline_ms": {"median": median(base), "p95": percentile(base, 95),
                            "p99": percentile(base, 99), "max": max(base)},
            "ours_cpu_ms": {"median": median(cpu[name]), "p95": percentile(cpu[name], 95)},
            "baseline_cpu_ms": {"median": median(cpu["baseline"]),
                                "p95": percentile(cpu["baseline"], 95)},
            "frames_per_event_median": extra[name]["frames"],
            "measured": "perf_counter before driver.send_message(Key) → end of the first "
                        "App._display whose rendered terminal text shows the new content",
        }
        typed = results["baseline_input"]
        if name == "dose" and typed:
            # Context, not the budget: the floor of any result driven by Input.Changed.
            figure.details["input_echo_baseline_ms"] = {
                "median": median(typed), "p95": percentile(typed, 95),
                "ratio_p95": figure.ours / percentile(typed, 95)}
        # A key whose change never reached the screen is a failure, not a fast event.
        figure.checks = {"no_missed_frames": extra[name]["missed"] == 0}
        figures.append(figure)
    return figures


# ----------------------------------------------------------------------------- 4. memory


def bench_memory(cfg: Config, state: dict[str, Any]) -> list[Figure]:
    peaks: dict[str, list[float]] = {"magtui": [], "baseline": []}
    runs: dict[str, list[dict[str, Any]]] = {"magtui": [], "baseline": []}
    switches = ["--switches", str(cfg.growth_switches)]
    # Warm-up, reported but not judged: this run's KB cache starts empty, so the first start
    # validates the KB (pydantic and ~10 MiB more), as a user's very first start does.
    # (When an earlier benchmark of this run started magtui, the cache is already filled.)
    first = _child_json(["benchmarks.memory", "magtui"])
    first_start = first["peak_rss_kib"] / 1024
    revalidated = 0
    for name in _alternating(cfg.memory_runs, list(peaks)):
        # magtui's runs go on, after the consultation, to the area switches of the growth
        # figure; its peak is read before them.
        args = ["benchmarks.memory", name, *(switches if name == "magtui" else [])]
        data = _child_json(args)
        if data["kb_validated"]:
            # The KB cache missed: its key covers the validating code, so an edit to it
            # during the run invalidates it. This run refilled it; measure once more.
            revalidated += 1
            data = _child_json(args)
        peaks[name].append(data["peak_rss_kib"] / 1024)
        runs[name].append(data)
    peak = Figure("memory_peak", "Peak RSS, headless full consultation (median)", "MiB",
                  ours=median(peaks["magtui"]), baseline=median(peaks["baseline"]),
                  baseline_name="minimal Textual app (Header, Static, Footer)",
                  budget_ratio=2.0)
    failed = {step: why for run in runs["magtui"] for step, why in run["steps_failed"].items()}
    peak.checks = {"every_step_ran": not failed,
                   "kb_from_cache": not any(run["kb_validated"] for run in runs["magtui"])}
    peak.details = {"ours_mib": peaks["magtui"], "baseline_mib": peaks["baseline"],
                    "first_start_validating_kb_mib": first_start,
                    "first_start_validated_kb": first["kb_validated"],
                    "runs_repeated_after_a_kb_cache_miss": revalidated,
                    "steps_done": runs["magtui"][-1]["steps_done"], "steps_failed": failed,
                    "trace_kib_and_s": runs["magtui"][-1]["trace"],
                    "ours_peak_after_switches_mib": [run["peak_rss_at_exit_kib"] / 1024
                                                     for run in runs["magtui"]]}

    growth = Figure("memory_growth",
                    f"RSS growth over {cfg.growth_switches} area switches (median)", "MiB",
                    baseline_name="none (absolute budget)", budget_abs=5.0)
    grown = [run["growth"] for run in runs["magtui"]]
    growth.ours = median([g["growth_kib"] / 1024 for g in grown])
    growth.checks = {"every_switch_ran": all(g["missed"] == 0 for g in grown)}
    # Context, not judged: six kept Textual screens (the area-switch baseline), switched alike.
    modes = _child_json(["benchmarks.memory", "modes", *switches])["growth"]
    growth.details = {
        "switches": cfg.growth_switches,
        "measured": "VmRSS after gc.collect(), before the first and after the last switch "
                    "(pilot.press F3…F7,F2 then pilot.pause), same process, after the "
                    "consultation",
        "ours_mib": [g["growth_kib"] / 1024 for g in grown],
        "ours_per_switch_kib": [g["growth_kib"] / g["switches"] for g in grown],
        "missed": [g["missed"] for g in grown],
        "rss_trace_kib": [g["rss_trace_kib"] for g in grown],
        "seconds": [g["seconds"] for g in grown],
        "modes_baseline_mib": modes["growth_kib"] / 1024,
        "modes_baseline_rss_trace_kib": modes["rss_trace_kib"],
    }
    return [peak, growth]


# ----------------------------------------------------------------------------- 5. KB scale


def bench_kb_scale(cfg: Config, state: dict[str, Any]) -> list[Figure]:
    data = _child_json(["benchmarks.kb_scale", "--reps", str(cfg.kb_reps)])
    one = data["1"]
    figures = []
    for scale in ("10", "100"):
        big = data[scale]
        # Linear growth: the big KB costs what the shipped one costs per record, times its
        # records. The ratio is that per-record cost against the shipped KB's.
        figure = Figure(f"kb_{scale}x", f"KB load+validate, {scale}× records (median)", "s",
                        ours=big["median_s"],
                        baseline=one["median_s"] * big["records"] / one["records"],
                        baseline_name="shipped KB × record ratio (linear growth)",
                        budget_ratio=1.25, budget_abs=0.3 if scale == "100" else None)
        figure.details = {"records": big["records"], "bytes": big["bytes"],
                          "per_record_us": big["per_record_us"],
                          "shipped": {k: one[k] for k in ("records", "bytes", "median_s",
                                                            "per_record_us")},
                          "seconds": big["seconds"]}
        figures.append(figure)
    return figures


# ----------------------------------------------------------------------------- 6. cold


def bench_cold(cfg: Config, state: dict[str, Any]) -> list[Figure]:
    from benchmarks.cold_start import TUI_IMPORTS, bytecode_report, cold_cache
    from benchmarks.tti import tmux_available, tmux_server

    dose = [*magtui_command(), *DOSE_ARGS]
    tui = [PYTHON, "-c", TUI_IMPORTS]
    figures = []
    with tempfile.TemporaryDirectory(prefix="magtui-bench-") as notes:
        warm_env = child_env(Path(notes))
        with cold_cache([dose, tui]) as cold_env:
            cold_env["MAGTUI_NOTES_DIR"] = notes
            for name, command in (("cli_dose", dose), ("tui_imports", tui)):
                times: dict[str, list[float]] = {"cold": [], "warm": []}
                wall_time(command, warm_env)
                for kind in _alternating(cfg.cold_runs, ["cold", "warm"]):
                    env = cold_env if kind == "cold" else warm_env
                    times[kind].append(wall_time(command, env))
                title = ("CLI `magtui dose`, no bytecode or KB cache" if name == "cli_dose"
                         else "TUI start-up imports, no bytecode cache")
                figures.append(Figure(
                    f"cold_{name}", title, "s", ours=median(times["cold"]),
                    baseline=median(times["warm"]), baseline_name="same, bytecode cached",
                    details={"cold_s": times["cold"], "warm_s": times["warm"],
                             "imports": TUI_IMPORTS if name == "tui_imports" else None}))
            tti = Figure("cold_tti", "Time to interactive (tmux), no bytecode or KB cache", "s",
                         baseline_name="same, bytecode cached")
            if not tmux_available():
                tti.skipped = "tmux is not installed"
            else:
                marker = _finding_label(TTI_FINDING)
                runs: dict[str, list[float]] = {"cold": [], "warm": []}
                with tmux_server() as tmux:
                    for kind in _alternating(cfg.cold_runs, ["cold", "warm"]):
                        env = {**(cold_env if kind == "cold" else warm_env), **TERMINAL_ENV}
                        runs[kind].append(
                            tmux.time_to_marker(magtui_command(), marker, env, REPO))
                tti.ours, tti.baseline = median(runs["cold"]), median(runs["warm"])
                tti.details = {"cold_s": runs["cold"], "warm_s": runs["warm"]}
            figures.append(tti)
    state["bytecode"] = bytecode_report()
    return figures


BENCHES: dict[str, Callable[[Config, dict[str, Any]], list[Figure]]] = {
    "tti": bench_tti,
    "area_switch": bench_area_switch,
    "cli": bench_cli,
    "keystroke": bench_keystroke,
    "memory": bench_memory,
    "kb_scale": bench_kb_scale,
    "cold": bench_cold,
}
EXPECTED_IDS: dict[str, tuple[str, ...]] = {
    "tti": ("tti",),
    "area_switch": ("area_switch",),
    "cli": ("cli_dose", "cli_triage"),
    "keystroke": ("keystroke_triage", "keystroke_dose"),
    "memory": ("memory_peak", "memory_growth"),
    "kb_scale": ("kb_10x", "kb_100x"),
    "cold": ("cold_cli_dose", "cold_tui_imports", "cold_tti"),
}
"""Every figure the JSON always holds (a failed benchmark still yields its rows)."""


# ----------------------------------------------------------------------------- output


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.1f} {unit}"


def render_table(figures: list[Figure]) -> str:
    rows = [("figure", "ours", "baseline", "ratio", "budget", "result")]
    for f in figures:
        if f.skipped:
            result = f"skipped: {f.skipped}"
        elif f.error:
            result = "ERROR (see JSON)"
        else:
            result = {True: "pass", False: "FAIL", None: "reported"}[f.passed]
            if f.misses:  # which part: the ratio, the absolute budget, a check
                result += f" ({'; '.join(f.misses)})"
            elif f.passed is None:
                failed_checks = [name for name, ok in f.checks.items() if not ok]
                if failed_checks:
                    result += f" ({', '.join(failed_checks)}: no)"
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}×"
        rows.append((f.title, _fmt(f.ours, f.unit), _fmt(f.baseline, f.unit), ratio, f.budget,
                     result))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("magtui", "textual", "pydantic", "tinydb"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="few repetitions (CI); tmux figures skipped without tmux")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH",
                        help=f"where to write the results (default: {DEFAULT_JSON})")
    parser.add_argument("--only", default="", metavar="NAME,…",
                        help=f"run only these benchmarks: {', '.join(BENCHES)}")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    chosen = [n for n in args.only.split(",") if n] or list(BENCHES)
    unknown = set(chosen) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    state: dict[str, Any] = {}
    figures: list[Figure] = []
    for name in chosen:
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            figures += BENCHES[name](cfg, state)
        except Exception as exc:
            # One broken benchmark must not hide the others: its rows carry the error.
            message = "".join(traceback.format_exception_only(exc)).strip()
            figures += [Figure(fid, fid, "", error=message) for fid in EXPECTED_IDS[name]]

    table = render_table(figures)
    print(table)
    if "bytecode" in state:
        for group, entry in state["bytecode"].items():
            if group == "install":
                print("bytecode: magtui is installed "
                      + ("editable: pip does not compile its sources (the first run must)"
                         if entry["editable"] else "normally: pip compiled its sources"))
                continue
            print(f"bytecode: {group}: {entry['without_pyc_count']} of {entry['modules']} "
                  "imported modules have no up-to-date .pyc")
    report = {
        "schema": 1,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": cfg.quick,
        "config": cfg.__dict__,
        "machine": {"platform": platform.platform(), "cpus": _cpu_count()},
        "versions": _versions(),
        "figures": [f.to_json() for f in figures],
        "bytecode": state.get("bytecode"),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    print(f"wrote {args.json}", file=sys.stderr)
    if any(f.error for f in figures):
        return 1
    return 1 if args.strict and any(f.passed is False for f in figures) else 0


def _cpu_count() -> int | None:
    import os

    return os.cpu_count()


if __name__ == "__main__":
    raise SystemExit(main())
