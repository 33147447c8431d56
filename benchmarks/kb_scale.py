"""KB scale (figure 5): `python -m benchmarks.kb_scale --reps N` prints JSON.

Loads and validates (`magtui.knowledge.loader.load_kb`) the shipped KB and synthetic KBs
10× and 100× larger, written to a temporary folder and deleted afterwards (never committed).

How the synthetic KB grows: every table whose records are independent (sources, forms,
findings, interactions, referral rules, foods, advice) gets copies of its records with new
ids (`<id>_x<n>`) that keep every cross-reference valid, so the loader does all of its work
on them: parsing, pydantic validation, source/finding/advice checks. The tables whose
*coverage* is validated as a whole (meta, intake age ranges, serum bands, kidney bands) stay
as they are — a copy there would be an overlap the loader rightly refuses. The number of
copies is chosen so the total record count is ≈ 10× and 100× the shipped KB's.

Each load runs in this process after one unmeasured warm-up load (imports, pydantic's
first-use caches); scales are interleaved per repetition and the median is reported.
magtui's cache of the validated KB is turned off here (`MAGTUI_KB_CACHE=0`): this figure
is about parsing and validating; a cache hit is timed separately, with the cache in a
temporary folder, and reported next to it.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Before magtui is imported: validation, not the cache of its result, is what is timed.
os.environ["MAGTUI_KB_CACHE"] = "0"

from magtui.knowledge.loader import load_kb

REPO = Path(__file__).resolve().parents[1]
KB_PATH = REPO / "kb" / "magnesium.json"
FIXED_TABLES = ("meta", "intake", "serum_bands", "kidney")
"""Validated as a whole (one document, contiguous ranges, exactly-once ids): not copied."""


def _copy_record(table: str, record: dict[str, Any], n: int) -> dict[str, Any]:
    clone = copy.deepcopy(record)
    clone["id"] = f"{record['id']}_x{n}"
    if clone.get("synonyms"):
        # A synonym names one record per table (validated): each copy gets its own.
        clone["synonyms"] = [f"{synonym} x{n}" for synonym in clone["synonyms"]]
    if table == "findings" and clone.get("kind") == "red_flag":
        # Only the design's red-flag ids may be red flags: a copy is an ordinary symptom.
        clone.update(kind="symptom", red_flag=None, group="deficiency_symptoms")
    return clone


def synthetic_kb(raw: dict[str, dict[str, Any]], scale: int) -> dict[str, dict[str, Any]]:
    """`raw` grown to ≈ `scale` × its record count (see the module docstring)."""
    total = sum(len(docs) for docs in raw.values())
    fixed = sum(len(raw[t]) for t in FIXED_TABLES)
    growable = total - fixed
    copies = max(0, math.ceil((scale * total - total) / growable))
    out: dict[str, dict[str, Any]] = {}
    for table, docs in raw.items():
        records = list(docs.values())
        if table not in FIXED_TABLES:
            records += [_copy_record(table, r, n)
                        for n in range(1, copies + 1) for r in docs.values()]
        out[table] = {str(i): record for i, record in enumerate(records, start=1)}
    return out


def _time_load(path: Path) -> float:
    start = time.perf_counter()
    load_kb(path)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--scales", default="1,10,100")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    raw = json.loads(KB_PATH.read_text(encoding="utf-8"))
    folder = Path(tempfile.mkdtemp(prefix="magtui-bench-kb-"))
    try:
        paths: dict[int, Path] = {}
        info: dict[int, dict[str, Any]] = {}
        for scale in scales:
            path = KB_PATH if scale == 1 else folder / f"kb_x{scale}.json"
            if scale != 1:
                path.write_text(json.dumps(synthetic_kb(raw, scale)), encoding="utf-8")
            records = sum(len(d) for d in json.loads(path.read_text(encoding="utf-8")).values())
            paths[scale] = path
            info[scale] = {"records": records, "bytes": path.stat().st_size, "seconds": []}
        for path in paths.values():
            load_kb(path)  # warm-up, and proof that the synthetic KB is valid
        for _ in range(args.reps):
            for scale, path in paths.items():
                info[scale]["seconds"].append(_time_load(path))
        # The same loads through the cache (when this magtui has one): a second start's cost.
        os.environ["MAGTUI_KB_CACHE"] = str(folder / "cache")
        cached: dict[int, float] = {}
        for scale, path in paths.items():
            load_kb(path)  # fills the cache, if there is one
            cached[scale] = statistics.median(_time_load(path) for _ in range(args.reps))
        os.environ["MAGTUI_KB_CACHE"] = "0"
        result = {
            str(scale): {
                "records": d["records"],
                "bytes": d["bytes"],
                "median_s": statistics.median(d["seconds"]),
                "per_record_us": statistics.median(d["seconds"]) / d["records"] * 1e6,
                "seconds": [round(s, 5) for s in d["seconds"]],
                "cached_median_s": cached[scale],
            }
            for scale, d in info.items()
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
