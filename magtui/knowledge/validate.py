"""Validation of the KB: every document through its pydantic model, then cross-checks.

Every problem is reported at once, naming the file, the table, the document and the field.
A KB that passes is handed on as plain records (`magtui.knowledge.records`); only this
module and `models` import pydantic or TinyDB, and only when bytes not seen before are loaded.
"""

from __future__ import annotations

import gc
import itertools
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb.storages import Storage

from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import KBError
from magtui.knowledge.models import TABLE_MODELS
from magtui.knowledge.records import (
    Finding,
    IntakeRow,
    Interaction,
    KidneyBand,
    Record,
    ReferralRule,
    SerumBand,
    Sourced,
    SupplementForm,
)
from magtui.knowledge.search import fold
from magtui.knowledge.vocabulary import (
    ENGINE_ADVICE_IDS,
    ENGINE_SOURCE_IDS,
    FACTS,
    FINDING_IDS,
    RED_FLAG_IDS,
    SERUM_BAND_IDS,
)
from magtui.text import invisible_char, one_line

if TYPE_CHECKING:
    from pydantic import ValidationError


class ReadOnlyJSONStorage(Storage):
    """TinyDB storage that reads a JSON file once and refuses every write.

    TinyDB re-reads storage for each table access; caching the parsed document keeps
    loading to one parse of the file.
    """

    def __init__(self, path: Path, preloaded: dict[str, Any] | None = None) -> None:
        self._path = path
        self._data = preloaded

    def read(self) -> dict[str, Any] | None:
        if self._data is None:
            with open(self._path, "rb") as handle:
                self._data = json.load(handle)
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        raise PermissionError(f"{self._path}: the knowledge base is read-only")


def validate_bytes(kb_path: Path, where: str, data: bytes) -> KnowledgeBase:
    """Parse and validate the KB file's bytes: one `KBError` listing every problem, or the
    KB of plain records."""
    from magtui.knowledge.loader import parse

    # Parsing and validation build three objects per document (dict, model, record) and keep
    # them all: the cycle collector would walk the growing heap again and again for cycles
    # that are not there (a third of the time of a 100x KB; issue #6). Pause it meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        raw = parse(kb_path, where, data)
        return validate(kb_path, where, raw, check_text=may_hold_controls(data.decode("utf-8")))
    finally:
        if collecting:
            gc.enable()


def validate(kb_path: Path, where: str, raw: Any, check_text: bool = True) -> KnowledgeBase:
    """Every problem in the parsed KB raises one `KBError`; else the KB of plain records.

    `check_text=False` skips looking for control characters document by document: only for
    a file that `may_hold_controls` found free of them."""
    from pydantic import ValidationError
    from tinydb import TinyDB

    problems: list[str] = []
    _check_structure(raw, where, problems)
    if problems:
        raise KBError(kb_path, problems)

    # The structure check already parsed the file: hand that parse to TinyDB, not a second one.
    db = TinyDB(kb_path, preloaded=raw, storage=ReadOnlyJSONStorage)
    records: dict[str, list[tuple[int, Record]]] = {}
    incomplete: set[str] = set()
    for table, model in TABLE_MODELS.items():
        rows: list[tuple[int, Record]] = []
        for doc in db.table(table).all():
            text_problems = list(_control_characters(doc)) if check_text else []
            if text_problems:
                problems.extend(f"{where}: {table}[doc {doc.doc_id}]{at}: {message}"
                                for at, message in text_problems)
                incomplete.add(table)
            try:
                # A Document is a dict; cross-checks read the record (the model's own fields).
                rows.append((doc.doc_id, model.model_validate(doc).to_record()))
            except ValidationError as exc:
                problems.extend(_describe(where, table, doc.doc_id, exc))
                incomplete.add(table)
        records[table] = rows
    db.close()

    # Cross-checks run on the records that did validate, so one pass reports everything;
    # coverage checks skip tables with invalid rows, where a gap would only echo that error.
    _cross_check(records, incomplete, where, problems)
    if problems:
        raise KBError(kb_path, problems)
    return _assemble(kb_path, records)


def _check_structure(raw: Any, where: str, problems: list[str]) -> None:
    """The TinyDB shape: an object of tables, each an object of integer-keyed documents."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: top level must be an object of tables")
        return
    for table in TABLE_MODELS:
        docs = raw.get(table)
        if docs is None:
            problems.append(f"{where}: {table}: table is missing")
            continue
        if not isinstance(docs, dict):
            problems.append(f"{where}: {table}: table must be an object of documents")
            continue
        if not docs:
            problems.append(f"{where}: {table}: table is empty")
        for key, doc in docs.items():
            if not (key.isascii() and key.isdigit() and len(key) <= 18
                    and (key == "0" or not key.startswith("0"))):
                problems.append(f"{where}: {table}[doc {one_line(key)}]: document id must be "
                                "an integer (digits 0-9, no leading zero)")
            elif not isinstance(doc, dict):
                problems.append(f"{where}: {table}[doc {key}]: document must be an object")
    meta = raw.get("meta")
    if isinstance(meta, dict) and len(meta) > 1:
        problems.append(f"{where}: meta: must hold exactly one document, found {len(meta)}")


_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|[bfnrt])")


def may_hold_controls(text: str) -> bool:
    """False only when no key or text of the KB file can hold a control or invisible
    character: none raw, and no JSON escape that stands for one. A fast look at the whole
    file (C speed), so that a clean file, the usual case, skips the exact check by document;
    a false True only costs that check."""
    if text.isascii():
        # Raw C0 controls are invalid JSON but for its own line breaks and tabs (the file
        # parsed): only DEL can be there raw.
        if "\x7f" in text:
            return True
    # JSON's own line breaks and tabs go; anything else `isprintable` refuses (a control, an
    # invisible character, or a space other than " ", which only costs the exact check).
    elif not text.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
        return True
    if "\\" not in text:
        return False
    for code in set(_ESCAPE.findall(text)):  # "" for \b \f \n \r \t
        if not code or 0xD800 <= int(code, 16) <= 0xDFFF or invisible_char(chr(int(code, 16))):
            return True  # \n, \t …, a surrogate (of a pair or not), or a control
    return False


_TEXT_DEPTH = 4
"""How deep a KB document holds text (`advice.watch_for.0.findings.0`); deeper values are
never text and are refused by the models."""


def _control_characters(doc: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(field, problem) for every key or text in a document holding a control character, an
    escape sequence or another invisible character (bidi overrides included): such text could
    rewrite a terminal or reverse how a dose reads. Checked before pydantic strips spaces."""
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        value, at, depth = stack.pop()
        if isinstance(value, str):
            if not value.isprintable():  # fast: most text has nothing to look at
                found = invisible_char(value)
                if found:
                    yield at, f"text holds a control or invisible character ({found})"
        elif depth >= _TEXT_DEPTH:
            continue
        elif isinstance(value, dict):
            for key, item in value.items():
                found = invisible_char(key) if not key.isprintable() else None
                if found:
                    yield at, f"a key holds a control or invisible character ({found})"
                else:
                    stack.append((item, f"{at}.{key}", depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{at}.{i}", depth + 1) for i, item in enumerate(value))


def _describe(where: str, table: str, doc_id: int, exc: ValidationError) -> Iterable[str]:
    for error in exc.errors(include_url=False):
        loc = ".".join(one_line(str(part)) for part in error["loc"])  # may name a bad key
        field = f".{loc}" if loc else ""
        message = error["msg"]
        message = message[:1].lower() + message[1:]
        message = message.removeprefix("value error, ")
        yield f"{where}: {table}[doc {doc_id}]{field}: {message}"


Say = Callable[[str, int | None, str, str], None]
"""Reports one problem: table, document id (None for the table as a whole), field, message."""


def _cross_check(
    records: dict[str, list[tuple[int, Record]]],
    incomplete: set[str],
    where: str,
    problems: list[str],
) -> None:
    def say(table: str, doc_id: int | None, field: str, message: str) -> None:
        doc = f"[doc {doc_id}]" if doc_id is not None else ""
        problems.append(f"{where}: {table}{doc}{'.' + field if field else ''}: {message}")

    ids = _unique_ids(records, say)
    _check_sources_exist(records, ids["sources"], say)
    _check_engine_ids(ids, incomplete, say)
    _check_finding_references(records, ids, say)
    _check_synonyms(records, say)
    if "intake" not in incomplete:
        _check_intake([(d, r) for d, r in records["intake"] if isinstance(r, IntakeRow)], say)
    if "serum_bands" not in incomplete:
        _check_serum(
            [(d, r) for d, r in records["serum_bands"] if isinstance(r, SerumBand)], say
        )
    if "kidney" not in incomplete:
        _check_kidney([(d, r) for d, r in records["kidney"] if isinstance(r, KidneyBand)], say)
    _check_rules(
        [(d, r) for d, r in records["referral_rules"] if isinstance(r, ReferralRule)],
        ids,
        say,
    )


def _unique_ids(records: dict[str, list[tuple[int, Record]]], say: Say) -> dict[str, set[str]]:
    """Each table's record ids; a duplicate id is a problem."""
    ids: dict[str, set[str]] = {}
    for table, rows in records.items():
        seen: set[str] = set()
        for doc_id, record in rows:
            record_id = getattr(record, "id", None)
            if record_id is None:
                continue
            if record_id in seen:
                say(table, doc_id, "id", f"duplicate id {record_id!r}")
            seen.add(record_id)
        ids[table] = seen
    return ids


def _check_sources_exist(
    records: dict[str, list[tuple[int, Record]]], sources: set[str], say: Say
) -> None:
    """Every clinical record cites a source that exists."""
    for table, rows in records.items():
        for doc_id, record in rows:
            if not isinstance(record, Sourced):
                continue
            if record.source not in sources:
                say(table, doc_id, "source", f"unknown source id {record.source!r}")
            for i, value in enumerate(record.see_also):
                if value not in sources:
                    say(table, doc_id, f"see_also.{i}", f"unknown source id {value!r}")


def _check_engine_ids(ids: dict[str, set[str]], incomplete: set[str], say: Say) -> None:
    """Every advice, source and finding id the code names is in the KB."""
    for advice_id, use in ENGINE_ADVICE_IDS.items():
        if advice_id not in ids["advice"]:
            say("advice", None, "", f"advice {advice_id!r} ({use}) is missing")
    for source_id, use in ENGINE_SOURCE_IDS.items():
        if source_id not in ids["sources"]:
            say("sources", None, "", f"source {source_id!r} ({use}) is missing")
    for finding_id in FINDING_IDS:
        if finding_id not in ids["findings"] and "findings" not in incomplete:
            say("findings", None, "", f"finding {finding_id!r} of the triage vocabulary is missing")


def _check_finding_references(
    records: dict[str, list[tuple[int, Record]]], ids: dict[str, set[str]], say: Say
) -> None:
    """Safety nets name known findings; red flags are the design's; interactions exist."""
    for doc_id, advice in records["advice"]:
        for i, item in enumerate(advice.watch_for):  # type: ignore[attr-defined]
            for j, finding_id in enumerate(item.findings):
                if finding_id not in ids["findings"]:
                    say("advice", doc_id, f"watch_for.{i}.findings.{j}",
                        f"unknown finding {finding_id!r}")
    for doc_id, finding in records["findings"]:
        is_flag = finding.kind == "red_flag"  # type: ignore[attr-defined]
        if is_flag != (finding.id in RED_FLAG_IDS):  # type: ignore[attr-defined]
            say("findings", doc_id, "kind", "red flags must be exactly the design's red-flag ids")
        # Age answers a context finding only: a symptom or red flag is always asked.
        if (finding.from_age_years is not None  # type: ignore[attr-defined]
                and finding.group != "context"):  # type: ignore[attr-defined]
            say("findings", doc_id, "from_age_years", "only a context finding can be "
                "answered by the patient's age")
        for i, interaction in enumerate(finding.interactions):  # type: ignore[attr-defined]
            if interaction not in ids["interactions"]:
                say("findings", doc_id, f"interactions.{i}", f"unknown interaction {interaction!r}")


Named = Finding | Interaction | SupplementForm
"""A record with synonyms."""
_NAMED = ("findings", "interactions", "forms")


def _check_synonyms(records: dict[str, list[tuple[int, Record]]], say: Say) -> None:
    """A synonym names one record of its table: not twice in a record, not in two records,
    not another record's label or name; and it has something to search by. (Empty text is
    refused by the model.)"""
    for table in _NAMED:
        rows = [(d, r) for d, r in records[table] if isinstance(r, Named)]
        titles = {fold(_title(record)): (doc_id, record.id) for doc_id, record in rows}
        named: dict[str, tuple[int, str]] = {}
        for doc_id, record in rows:
            own: set[str] = set()
            for i, synonym in enumerate(record.synonyms):
                key = fold(synonym)
                at = f"synonyms.{i}"
                if not any(ch.isalnum() for ch in key):
                    say(table, doc_id, at, f"synonym {one_line(synonym)!r} has no letter or digit "
                        "to search by")
                elif key in own:
                    say(table, doc_id, at, f"synonym {one_line(synonym)!r} is given twice")
                elif key in titles:
                    other_doc, other_id = titles[key]
                    whose = ("this record" if other_doc == doc_id
                             else f"{table}[doc {other_doc}] {other_id!r}")
                    title = "name" if table == "forms" else "label"
                    say(table, doc_id, at, f"synonym {one_line(synonym)!r} is the {title} of "
                        f"{whose}")
                elif key in named and named[key][0] != doc_id:
                    other_doc, other_id = named[key]
                    say(table, doc_id, at, f"synonym {one_line(synonym)!r} also names "
                        f"{table}[doc {other_doc}] {other_id!r}: a synonym must name one record")
                own.add(key)
                named.setdefault(key, (doc_id, record.id))


def _title(record: Named) -> str:
    return record.name if isinstance(record, SupplementForm) else record.label


def _check_intake(rows: list[tuple[int, IntakeRow]], say: Say) -> None:
    groups: dict[tuple[str, str], list[tuple[int, IntakeRow]]] = {}
    for doc_id, row in rows:
        if row.condition != "none" and row.sex != "female":
            say("intake", doc_id, "sex", f"{row.condition} rows must be female")
        groups.setdefault((row.sex, row.condition), []).append((doc_id, row))
    for sex in ("female", "male"):
        if (sex, "none") not in groups:
            say("intake", None, "", f"no rows for sex {sex!r}")
    for (sex, condition), group in groups.items():
        group.sort(key=lambda item: item[1].age_min_months)
        expected_start = 0 if condition == "none" else group[0][1].age_min_months
        previous_end: int | None = expected_start
        for doc_id, row in group:
            if previous_end is None:
                say("intake", doc_id, "age_min_months",
                    f"overlaps the open-ended {sex}/{condition} row above it")
            elif row.age_min_months < previous_end:
                say("intake", doc_id, "age_min_months",
                    f"{sex}/{condition} ages overlap at {row.age_min_months} months")
            elif row.age_min_months > previous_end:
                say("intake", doc_id, "age_min_months",
                    f"{sex}/{condition} ages have a gap from {previous_end} to "
                    f"{row.age_min_months} months")
            previous_end = row.age_max_months
        if previous_end is not None:
            say("intake", group[-1][0], "age_max_months",
                f"{sex}/{condition}: the last row must be open-ended (null)")


def _check_serum(rows: list[tuple[int, SerumBand]], say: Say) -> None:
    found = [band.id for _, band in rows]
    for band_id in SERUM_BAND_IDS:
        if found.count(band_id) != 1:
            say("serum_bands", None, "", f"band {band_id!r} must appear exactly once")
    ordered = sorted(rows, key=lambda item: SERUM_BAND_IDS.index(item[1].id))
    if ordered and ordered[0][1].low_mmol_l is not None:
        say("serum_bands", ordered[0][0], "low_mmol_l", "the lowest band must be open below")
    if ordered and ordered[-1][1].high_mmol_l is not None:
        say("serum_bands", ordered[-1][0], "high_mmol_l", "the highest band must be open above")
    for (_, below), (doc_id, above) in itertools.pairwise(ordered):
        if below.high_mmol_l != above.low_mmol_l:
            say("serum_bands", doc_id, "low_mmol_l",
                f"not contiguous with {below.id!r} (ends at {below.high_mmol_l})")
        elif below.high_inclusive == above.low_inclusive:
            say("serum_bands", doc_id, "low_inclusive",
                f"the edge at {above.low_mmol_l} mmol/L must belong to exactly one band")


def _check_kidney(rows: list[tuple[int, KidneyBand]], say: Say) -> None:
    for basis in ("dialysis", "reported_disease", "no_information"):
        if sum(band.basis == basis for _, band in rows) != 1:
            say("kidney", None, "basis", f"exactly one {basis!r} band is required")
    bands = sorted(
        ((d, b) for d, b in rows if b.basis == "egfr"), key=lambda item: item[1].egfr_min or 0
    )
    expected: float | None = 0.0
    for doc_id, band in bands:
        if expected is None or band.egfr_min != expected:
            say("kidney", doc_id, "egfr_min",
                f"eGFR bands must be contiguous from 0 (expected {expected}, got {band.egfr_min})")
        expected = band.egfr_max
    if bands and expected is not None:
        say("kidney", bands[-1][0], "egfr_max", "the highest eGFR band must be open above")
    if not bands:
        say("kidney", None, "", "no eGFR bands")


def _check_rules(rows: list[tuple[int, ReferralRule]], ids: dict[str, set[str]], say: Say) -> None:
    if not any(rule.when.always for _, rule in rows):
        say("referral_rules", None, "", "a baseline rule with `always` is required, "
            "so every referral has a reason")
    for doc_id, rule in rows:
        for clause in ("all_present", "any_present"):
            for i, finding in enumerate(getattr(rule.when, clause)):
                if finding not in ids["findings"]:
                    say("referral_rules", doc_id, f"when.{clause}.{i}",
                        f"unknown finding {finding!r}")
        for clause in ("all_fact", "any_fact"):
            for i, fact in enumerate(getattr(rule.when, clause)):
                if fact not in FACTS:
                    say("referral_rules", doc_id, f"when.{clause}.{i}", f"unknown fact {fact!r}")


def _assemble(path: Path, records: dict[str, list[tuple[int, Record]]]) -> KnowledgeBase:
    def values(table: str) -> list[Any]:
        return [record for _, record in records[table]]

    def by_id(table: str) -> dict[str, Any]:
        return {record.id: record for record in values(table)}

    findings = by_id("findings")
    order = {finding_id: i for i, finding_id in enumerate(FINDING_IDS)}
    return KnowledgeBase(
        path=path,
        meta=values("meta")[0],
        sources=by_id("sources"),
        intake=tuple(values("intake")),
        forms=by_id("forms"),
        findings=dict(sorted(findings.items(), key=lambda kv: order.get(kv[0], len(order)))),
        serum_bands=tuple(
            sorted(values("serum_bands"), key=lambda band: SERUM_BAND_IDS.index(band.id))
        ),
        kidney=tuple(values("kidney")),
        interactions=by_id("interactions"),
        referral_rules=tuple(values("referral_rules")),
        foods=tuple(values("foods")),
        advice=by_id("advice"),
    )
