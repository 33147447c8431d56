"""The pydantic models are derived from the plain records, and a cached start never imports
pydantic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from datetime import date
from pathlib import Path
from typing import Annotated, Union, get_args, get_origin, get_type_hints

import pytest

from magtui.knowledge import cache, models, records
from magtui.knowledge.loader import DEFAULT_KB, load_kb
from magtui.knowledge.models import TABLE_MODELS, Record
from magtui.knowledge.records import TABLE_RECORDS, ReadOnlyRecordError


def _models() -> list[type[Record]]:
    found: list[type[Record]] = []
    todo: list[type[Record]] = [Record]
    while todo:
        model = todo.pop()
        found.append(model)
        todo += model.__subclasses__()
    return found


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_model_has_a_record_with_the_same_fields_and_defaults(
    model: type[Record],
) -> None:
    record = model.RECORD
    assert record.__name__ == model.__name__
    assert record is getattr(records, model.__name__)
    assert tuple(model.model_fields) == record.FIELDS  # same names, same order
    for name, info in model.model_fields.items():
        if info.is_required():
            with pytest.raises(TypeError, match=f"missing field '{name}'"):
                record(**{n: 1 for n in record.FIELDS if n != name})
        else:
            assert record.DEFAULTS[name] == info.default, f"{model.__name__}.{name} default"


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_models_are_derived_from_their_records(model: type[Record]) -> None:
    """A model's base is the model of its record's base (`isinstance(x, models.Sourced)`
    holds as for records), and the names other code imports are the derived models."""
    assert getattr(models, model.__name__) is model
    base = model.RECORD.__base__
    if model is not Record:
        assert model.__base__ is getattr(models, base.__name__)
        assert model.__doc__ == model.RECORD.__doc__


def _stripped(hint: object) -> object:
    """`Annotated[float, …] | None` -> float: the type a field holds."""
    if get_origin(hint) is Annotated:
        return _stripped(get_args(hint)[0])
    if get_origin(hint) in (Union, types.UnionType):
        kept = [arg for arg in get_args(hint) if arg is not type(None)]
        return _stripped(kept[0]) if len(kept) == 1 else hint
    return hint


@pytest.mark.parametrize("record", [model.RECORD for model in _models()],
                         ids=lambda r: r.__name__)
def test_records_know_their_float_fields(record: type[records.Record]) -> None:
    """`Value` tells a float field from its annotation's text (an int becomes a float): a
    float written through an alias would be missed. Every float field must be in FLOATS."""
    hints = get_type_hints(record, include_extras=True)
    floats = {name for name in record.FIELDS if _stripped(hints[name]) is float}
    assert floats == record.FLOATS


_RAW = json.loads(DEFAULT_KB.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("table", "field", "bad", "loc", "message"), [
    ("findings", "id", "Bad-Id", ("id",), "String should match pattern '^[a-z0-9_]+$'"),
    ("findings", "id", "a" * 65, ("id",), "String should have at most 64 characters"),
    ("findings", "see_also", [""], ("see_also", 0), "String should have at least 1 character"),
    ("findings", "label", "  ", ("label",), "String should have at least 1 character"),
    ("foods", "mg", 0, ("mg",), "Input should be greater than 0"),
    ("foods", "mg", 100_001, ("mg",), "Input should be less than or equal to 100000"),
    ("foods", "mg", "5", ("mg",), "Input should be a valid number"),
    ("sources", "year", 1899, ("year",), "Input should be greater than or equal to 1900"),
    ("sources", "accessed", "2025-1-1", ("accessed",), "Value error, must be a date written "
     "YYYY-MM-DD"),
    ("forms", "elemental_fraction", 1.5, ("elemental_fraction",),
     "Input should be less than or equal to 1"),
    ("interactions", "separation_hours_after", 25, ("separation_hours_after",),
     "Input should be less than or equal to 24"),
    ("advice", "watch_for", [{"text": "x", "findings": []}], ("watch_for", 0, "findings"),
     "Tuple should have at least 1 item after validation, not 0"),
    ("referral_rules", "when", {"any_fact": ["Bad"]}, ("when", "any_fact", 0),
     "String should match pattern '^[a-z0-9_:]+$'"),
])
def test_checks_declared_on_records_are_enforced_by_their_models(
    table: str, field: str, bad: object, loc: tuple[object, ...], message: str,
) -> None:
    """Each kind of `Check` a record declares (in its annotation or `CHECKS`) reaches the
    derived model, with pydantic's own message."""
    from pydantic import ValidationError

    doc = next(iter(_RAW[table].values())) | {field: bad}
    with pytest.raises(ValidationError) as caught:
        models.TABLE_MODELS[table].model_validate(doc)
    assert [(e["loc"], e["msg"]) for e in caught.value.errors()] == [(loc, message)]


def test_tables_name_the_same_model_and_record() -> None:
    assert list(TABLE_RECORDS) == list(TABLE_MODELS)
    for table, model in TABLE_MODELS.items():
        assert model.RECORD is TABLE_RECORDS[table]


def test_shipped_kb_records_equal_their_validated_documents() -> None:
    """Every record holds exactly what its model validated (as JSON-ready data)."""
    raw = json.loads(DEFAULT_KB.read_text(encoding="utf-8"))
    kb = load_kb(DEFAULT_KB)
    by_table = kb.tables() | {"meta": (kb.meta,)}
    for table, model in TABLE_MODELS.items():
        validated = [model.model_validate(doc) for doc in raw[table].values()]
        expected = sorted(json.dumps(v.model_dump(mode="json"), sort_keys=True)
                           for v in validated)
        got = sorted(json.dumps(r.as_dict(), sort_keys=True) for r in by_table[table])
        assert got == expected, table
        assert all(type(r) is TABLE_RECORDS[table] for r in by_table[table])


def test_records_are_frozen() -> None:
    kb = load_kb(DEFAULT_KB)
    finding = next(iter(kb.findings.values()))
    with pytest.raises(ReadOnlyRecordError, match="read-only"):
        finding.label = "changed"
    with pytest.raises(ReadOnlyRecordError):
        del finding.label
    assert finding.label != "changed"
    changed = finding.replace(label="changed")
    assert changed.label == "changed" and changed != finding
    assert changed.replace(label=finding.label) == finding
    assert hash(changed.replace(label=finding.label)) == hash(finding)
    with pytest.raises(TypeError, match="unknown field"):
        finding.replace(labl="typo")


def test_records_survive_the_cache_round_trip() -> None:
    """The cache holds records as JSON: rebuilt, every value has its type and its place
    again (a float stays a float, a date a date, a tuple a tuple, dict order kept)."""
    kb = load_kb(DEFAULT_KB)
    again = cache.decode(cache.encode("k" * 64, kb), "k" * 64, kb.path)
    assert again == kb
    assert repr(again) == repr(kb)  # types too: 1 == 1.0, but their reprs differ
    assert again.referral_rules[0].when == kb.referral_rules[0].when
    assert type(again.meta.reviewed) is date and type(again.advice[next(iter(kb.advice))]
                                                      .watch_for) is tuple
    for (table, rows), (_, rows_again) in zip(kb.tables().items(), again.tables().items(),
                                              strict=True):
        assert [type(r) for r in rows] == [type(r) for r in rows_again], table
        assert [vars(r) for r in rows] == [vars(r) for r in rows_again], table


def test_a_cached_start_imports_neither_pydantic_nor_tinydb(tmp_path: Path) -> None:
    """The first load validates (pydantic); the next, from the cache, needs neither."""
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    env = {**os.environ, "MAGTUI_KB_CACHE": str(cache)}
    script = (
        "import sys; from magtui.knowledge.loader import load_kb; "
        "kb = load_kb(); print(len(kb.findings), "
        "sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'tinydb'}))"
    )
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=True)
    second = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, check=True)
    assert first.stdout.split(" ", 1)[1].strip() == "['pydantic', 'tinydb']"
    assert second.stdout.strip() == f"{len(load_kb(DEFAULT_KB).findings)} []"


def test_records_built_from_validated_models_hold_exactly_their_fields() -> None:
    """`to_record` skips the checks of `Value.__init__` (speed): what it builds must be what
    `__init__` would build from the same values, with no field missing or extra."""
    kb = load_kb(DEFAULT_KB)
    for records_of_table in (kb.tables() | {"meta": (kb.meta,)}).values():
        for record in records_of_table:
            assert set(vars(record)) == set(record.FIELDS), type(record).__name__
            rebuilt = type(record)(**{name: getattr(record, name) for name in record.FIELDS})
            assert rebuilt == record
