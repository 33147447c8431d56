"""The KB loader: the shipped KB is valid; corrupted copies fail with every problem named."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import DEFAULT_KB, KBError, load_kb
from magtui.knowledge.records import TABLE_RECORDS, Sourced
from magtui.knowledge.validate import ReadOnlyJSONStorage
from magtui.knowledge.vocabulary import FINDING_IDS, RED_FLAG_IDS, SERUM_BAND_IDS

RAW: dict[str, Any] = json.loads(DEFAULT_KB.read_text(encoding="utf-8"))


def _doc(raw: dict[str, Any], table: str, record_id: str) -> tuple[str, dict[str, Any]]:
    return next((k, d) for k, d in raw[table].items() if d.get("id") == record_id)


def _write(tmp_path: Path, raw: Any) -> Path:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(KBError) as caught:
        load_kb(path)
    return caught.value.problems


def test_shipped_kb_is_valid_and_complete(kb: KnowledgeBase) -> None:
    assert set(kb.findings) >= set(FINDING_IDS)
    assert [b.id for b in kb.serum_bands] == list(SERUM_BAND_IDS)
    assert len(kb.forms) >= 10
    assert len(kb.foods) >= 12
    assert {"bisphosphonates", "tetracyclines", "quinolones", "loop_thiazide_diuretics",
            "potassium_sparing_diuretics", "ppi"} <= set(kb.interactions)
    red_flags = {f.id for f in kb.findings.values() if f.kind == "red_flag"}
    assert red_flags == set(RED_FLAG_IDS)
    assert all(f.question.endswith("?") for f in kb.findings.values())


def test_every_clinical_record_cites_an_existing_source(kb: KnowledgeBase) -> None:
    for table, records in kb.tables().items():
        for record in records:
            if isinstance(record, Sourced):
                for source_id in record.source_ids:
                    assert source_id in kb.sources, (table, record, source_id)


def test_intake_rows_cover_every_age_once(kb: KnowledgeBase) -> None:
    for sex in ("female", "male"):
        rows = [r for r in kb.intake if r.sex == sex and r.condition == "none"]
        for months in range(0, 1300):
            covering = [
                r for r in rows
                if r.age_min_months <= months
                and (r.age_max_months is None or months < r.age_max_months)
            ]
            assert len(covering) == 1, (sex, months, covering)


def test_loading_never_writes_the_kb(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    path.write_bytes(DEFAULT_KB.read_bytes())
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    load_kb(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == mtime


def test_storage_refuses_writes(tmp_path: Path) -> None:
    storage = ReadOnlyJSONStorage(DEFAULT_KB)
    with pytest.raises(PermissionError, match="read-only"):
        storage.write({})


def test_kb_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = copy.deepcopy(RAW)
    _, meta = next(iter(raw["meta"].items()))
    meta["kb_version"] = "env-copy"
    monkeypatch.setenv("MAGTUI_KB", str(_write(tmp_path, raw)))
    assert load_kb().meta.kb_version == "env-copy"


Mutation = Callable[[dict[str, Any]], None]


def _set(table: str, record_id: str, field: str, value: Any) -> Mutation:
    def mutate(raw: dict[str, Any]) -> None:
        _doc(raw, table, record_id)[1][field] = value

    return mutate


def _overlap(raw: dict[str, Any]) -> None:
    _doc(raw, "intake", "female_19_30")[1]["age_min_months"] = 200


def _drop(table: str, record_id: str) -> Mutation:
    def mutate(raw: dict[str, Any]) -> None:
        key, _ = _doc(raw, table, record_id)
        del raw[table][key]

    return mutate


def _duplicate_form(raw: dict[str, Any]) -> None:
    _, oxide = _doc(raw, "forms", "oxide")
    raw["forms"]["999"] = dict(oxide)


def _serum_gap(raw: dict[str, Any]) -> None:
    _doc(raw, "serum_bands", "normal")[1]["high_mmol_l"] = 0.9


CASES: dict[str, tuple[Mutation, list[str]]] = {
    "wrong type": (_set("forms", "oxide", "elemental_fraction", "sixty"),
                   ["forms[doc", "elemental_fraction"]),
    "fraction out of range": (_set("forms", "oxide", "elemental_fraction", 1.5),
                              ["forms[doc", "elemental_fraction", "less than or equal to 1"]),
    "missing source": (_set("forms", "citrate", "source", "no_such_source"),
                       ["forms[doc", ".source", "unknown source id 'no_such_source'"]),
    "overlapping age range": (_overlap, ["intake[doc", "age_min_months", "overlap"]),
    "missing finding": (_drop("findings", "seizure"), ["'seizure'", "missing"]),
    "missing advice the engine quotes": (_drop("advice", "no_ul_infants"),
                                         ["advice: advice 'no_ul_infants'", "missing"]),
    "duplicate id": (_duplicate_form, ["forms[doc 999].id", "duplicate id 'oxide'"]),
    "serum gap": (_serum_gap, ["serum_bands[doc", "not contiguous"]),
    "unknown key": (_set("foods", _doc(RAW, "foods", next(iter(RAW["foods"].values()))["id"])[1]
                         ["id"], "mgg", 3), ["foods[doc", "mgg", "extra inputs"]),
    "missing plan advice": (_drop("advice", "stop_mg_products"),
                            ["advice: advice 'stop_mg_products'", "missing"]),
    "advice without direction": (_set("advice", "diet_sources", "direction", "up"),
                                 ["advice[doc", "direction"]),
    "safety net names unknown finding": (
        lambda raw: _doc(raw, "advice", "return_if_persists")[1]["watch_for"][0].update(
            findings=["no_such_finding"]),
        ["advice[doc", "watch_for.0.findings.0", "unknown finding 'no_such_finding'"],
    ),
    "rule names unknown finding": (
        lambda raw: next(iter(raw["referral_rules"].values()))["when"].update(
            any_present=["no_such_finding"], always=False),
        ["referral_rules[doc", "unknown finding 'no_such_finding'"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_corrupted_copy_names_table_document_and_field(tmp_path: Path, name: str) -> None:
    mutate, expected = CASES[name]
    raw = copy.deepcopy(RAW)
    mutate(raw)
    path = _write(tmp_path, raw)
    before = path.read_bytes()
    problems = _problems(path)
    text = "\n".join(problems)
    assert all(p.startswith(str(path)) for p in problems), problems
    for fragment in expected:
        assert fragment in text, (fragment, problems)
    assert path.read_bytes() == before, "validation must leave the file untouched"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    raw = copy.deepcopy(RAW)
    _set("forms", "oxide", "elemental_fraction", 0)(raw)
    _set("foods", next(iter(raw["foods"].values()))["id"], "mg", -5)(raw)
    _set("findings", "nausea", "group", "stomach")(raw)
    problems = _problems(_write(tmp_path, raw))
    assert len(problems) == 3, problems
    assert {p.split(":")[1].strip().split("[")[0] for p in problems} == {
        "forms", "foods", "findings"}


def test_cross_check_problems_are_all_reported(tmp_path: Path) -> None:
    raw = copy.deepcopy(RAW)
    _overlap(raw)
    _set("forms", "citrate", "source", "nope")(raw)
    _serum_gap(raw)
    text = "\n".join(_problems(_write(tmp_path, raw)))
    assert "overlap" in text and "unknown source id 'nope'" in text and "not contiguous" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "not valid JSON: line 1"),
        (b"[1, 2]", "top level must be an object"),
        (b"\xff\xfe", "not"),
        (json.dumps({t: {} for t in TABLE_RECORDS}).encode(), "table is empty"),
        (json.dumps({"meta": {}}).encode(), "sources: table is missing"),
        (json.dumps({**RAW, "forms": {"x": {}}}).encode(), "document id must be an integer"),
        (json.dumps({**RAW, "forms": {"1": [1]}}).encode(), "document must be an object"),
    ],
)
def test_structurally_broken_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    assert expected in "\n".join(_problems(path))
    assert path.read_bytes() == content


def test_missing_file(tmp_path: Path) -> None:
    assert "file not found" in _problems(tmp_path / "absent.json")[0]


def test_cache_serves_only_bytes_that_validated(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    path.write_bytes(DEFAULT_KB.read_bytes())
    first = load_kb(path)
    cached = list((tmp_path / "kb-cache").glob("*.json"))
    assert len(cached) == 1, "a validated KB is cached"
    again = load_kb(path)
    assert again == first and again.path == path
    # The same file with one figure broken: never served from the cache.
    raw = json.loads(path.read_text(encoding="utf-8"))
    _set("forms", "oxide", "elemental_fraction", 7)(raw)
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(KBError, match="elemental_fraction"):
        load_kb(path)


def test_a_damaged_cache_entry_falls_back_to_validation(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    path.write_bytes(DEFAULT_KB.read_bytes())
    load_kb(path)
    for entry in (tmp_path / "kb-cache").glob("*.json"):
        entry.write_bytes(b"not an entry")
    assert load_kb(path).meta.kb_version == RAW["meta"]["1"]["kb_version"]


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAGTUI_KB_CACHE", "0")
    load_kb(DEFAULT_KB)
    assert not (tmp_path / "kb-cache").exists()


def test_a_cache_folder_others_can_write_is_never_read(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    path.write_bytes(DEFAULT_KB.read_bytes())
    load_kb(path)
    folder = tmp_path / "kb-cache"
    folder.chmod(0o777)
    entry = next(folder.glob("*.json"))
    entry.write_bytes(b"planted by someone else")
    # The planted entry is not even opened: validation runs and succeeds.
    assert load_kb(path).meta.kb_version == RAW["meta"]["1"]["kb_version"]
    assert entry.read_bytes() == b"planted by someone else"
