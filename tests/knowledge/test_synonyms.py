"""Synonyms (issue 13): drug, brand and plain-language names held in the KB with their
findings, interactions and supplement forms. The KB search finds a record by any of them,
whatever the case, accents, apostrophes, hyphens or spacing; validation refuses an empty
synonym and one that would name two records of a table."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from magtui.knowledge import cache
from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import DEFAULT_KB, KBError, load_kb
from magtui.knowledge.records import Finding, Interaction, SupplementForm
from magtui.knowledge.search import fold, search
from magtui.knowledge.validate import validate

RAW: dict[str, Any] = json.loads(DEFAULT_KB.read_text(encoding="utf-8"))

LISTED = {
    # issue 13, as typed by a clinician → the finding it must find
    "omeprazole": "ppi_long_term",
    "esomeprazole": "ppi_long_term",
    "lansoprazole": "ppi_long_term",
    "pantoprazole": "ppi_long_term",
    "rabeprazole": "ppi_long_term",
    "furosemide": "diuretic_loop_thiazide",
    "bumetanide": "diuretic_loop_thiazide",
    "bendroflumethiazide": "diuretic_loop_thiazide",
    "indapamide": "diuretic_loop_thiazide",
    "hydrochlorothiazide": "diuretic_loop_thiazide",
    "milk of magnesia": "mg_laxative_antacid",
    "Epsom salts": "mg_laxative_antacid",
    "magnesium hydroxide": "mg_laxative_antacid",
    "magnesium sulfate enema": "mg_laxative_antacid",
    "drowsy": "confusion",
    "sleepy": "confusion",
    "muddled": "confusion",
}


def _doc(table: str, record_id: str) -> str:
    return next(k for k, d in RAW[table].items() if d["id"] == record_id)


def _problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(KBError) as caught:
        validate(Path("kb.json"), "kb.json", raw)
    return caught.value.problems


def _found(kb: KnowledgeBase, query: str) -> set[tuple[str, str]]:
    return {(match.table, match.id) for match in search(kb, query)}


# ----------------------------------------------------------------------------- the KB


def test_records_with_names_have_synonyms_defaulting_to_none() -> None:
    for record in (Finding, Interaction, SupplementForm):
        assert record.DEFAULTS["synonyms"] == ()
    # A document without synonyms is valid: the field may be left out.
    raw = copy.deepcopy(RAW)
    del raw["findings"][_doc("findings", "ppi_long_term")]["synonyms"]
    assert validate(Path("kb.json"), "kb.json", raw).findings["ppi_long_term"].synonyms == ()


@pytest.mark.parametrize(("synonym", "finding_id"), LISTED.items())
def test_listed_synonyms_are_held_with_their_findings(
    kb: KnowledgeBase, synonym: str, finding_id: str
) -> None:
    assert synonym in kb.findings[finding_id].synonyms


def test_every_finding_has_synonyms(kb: KnowledgeBase) -> None:
    assert all(finding.synonyms for finding in kb.findings.values())


# ----------------------------------------------------------------------------- search


@pytest.mark.parametrize(("synonym", "finding_id"), LISTED.items())
def test_each_listed_synonym_finds_its_finding(
    kb: KnowledgeBase, synonym: str, finding_id: str
) -> None:
    assert ("findings", finding_id) in _found(kb, synonym)


def test_every_synonym_in_the_kb_finds_its_record(kb: KnowledgeBase) -> None:
    for table in ("findings", "interactions", "forms"):
        for record in kb.tables()[table]:
            for synonym in record.synonyms:  # type: ignore[attr-defined]
                assert (table, record.id) in _found(kb, synonym), (table, synonym)  # type: ignore[attr-defined]


def test_drug_names_find_the_interaction_as_well(kb: KnowledgeBase) -> None:
    assert _found(kb, "omeprazole") >= {("findings", "ppi_long_term"), ("interactions", "ppi")}
    assert _found(kb, "furosemide") >= {("findings", "diuretic_loop_thiazide"),
                                        ("interactions", "loop_thiazide_diuretics")}
    assert ("forms", "sulfate") in _found(kb, "Epsom salts")


@pytest.mark.parametrize(("query", "table", "record_id"), [
    ("OMEPRAZOLE", "findings", "ppi_long_term"),
    ("  epsom   salts ", "findings", "mg_laxative_antacid"),
    ("Épsom salts", "findings", "mg_laxative_antacid"),
    ("crohns", "findings", "malabsorption"),
    ("Crohn’s disease", "findings", "malabsorption"),
    ("pre workout", "findings", "caffeine_stimulants"),
    ("long term ppi", "findings", "ppi_long_term"),
    ("mgso4", "forms", "sulfate"),
    ("loop diuretic", "findings", "diuretic_loop_thiazide"),
])
def test_search_ignores_case_accents_apostrophes_hyphens_and_spacing(
    kb: KnowledgeBase, query: str, table: str, record_id: str
) -> None:
    assert (table, record_id) in _found(kb, query)


def test_fold() -> None:
    assert fold("  Crohn's  Disease ") == "crohns disease"
    assert fold("Long-term PPI") == "long term ppi"
    assert fold("Cœlioscopie Épsom MgSO₄") == "cœlioscopie epsom mgso4"
    assert fold("ppi_long_term") == "ppi_long_term"  # ids are searched as written


def test_search_still_needs_every_word(kb: KnowledgeBase) -> None:
    assert _found(kb, "omeprazole furosemide") == set()
    assert search(kb, "   ") == []


def test_synonyms_survive_the_cache_round_trip(kb: KnowledgeBase) -> None:
    again = cache.decode(cache.encode("k" * 64, kb), "k" * 64, kb.path)
    assert again == kb
    synonyms = again.findings["ppi_long_term"].synonyms
    assert type(synonyms) is tuple and "omeprazole" in synonyms
    assert type(again.interactions["ppi"].synonyms) is tuple
    assert type(again.forms["sulfate"].synonyms) is tuple


# ----------------------------------------------------------------------------- validation


def _with_synonyms(table: str, record_id: str, synonyms: list[Any]) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    raw[table][_doc(table, record_id)]["synonyms"] = synonyms
    return raw


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_synonym_is_refused(empty: str) -> None:
    raw = _with_synonyms("findings", "confusion", ["drowsy", empty])
    doc = _doc("findings", "confusion")
    # (The finding does not validate, so rules naming it report it unknown too.)
    problems = [p for p in _problems(raw) if "synonyms" in p]
    assert problems == [f"kb.json: findings[doc {doc}].synonyms.1: string should have at "
                        "least 1 character"]


def test_a_synonym_with_nothing_to_search_by_is_refused() -> None:
    doc = _doc("findings", "confusion")
    assert _problems(_with_synonyms("findings", "confusion", ["drowsy", "--"])) == [
        f"kb.json: findings[doc {doc}].synonyms.1: synonym '--' has no letter or digit "
        "to search by"]


@pytest.mark.parametrize("bad", [None, 3, ["drowsy"]])
def test_a_synonym_must_be_text(bad: object) -> None:
    problems = [p for p in _problems(_with_synonyms("findings", "confusion", ["drowsy", bad]))
                if "unknown finding" not in p]
    assert problems and all(".synonyms.1" in p for p in problems)


def test_synonyms_must_be_a_list() -> None:
    problems = [p for p in _problems(_with_synonyms("findings", "confusion", "drowsy"))  # type: ignore[arg-type]
                if "unknown finding" not in p]
    assert problems and all(".synonyms" in p for p in problems)


def test_a_synonym_naming_two_findings_is_refused() -> None:
    raw = _with_synonyms("findings", "fatigue", ["tired", "Drowsy"])  # confusion has "drowsy"
    confusion, fatigue = _doc("findings", "confusion"), _doc("findings", "fatigue")
    first, second = sorted((confusion, fatigue), key=int)
    problems = _problems(raw)
    assert len(problems) == 1
    assert problems[0].startswith(f"kb.json: findings[doc {second}].synonyms.")
    assert f"also names findings[doc {first}]" in problems[0]
    assert "a synonym must name one record" in problems[0]


def test_a_synonym_given_twice_in_a_finding_is_refused() -> None:
    doc = _doc("findings", "confusion")
    assert _problems(_with_synonyms("findings", "confusion", ["drowsy", " DROWSY"])) == [
        f"kb.json: findings[doc {doc}].synonyms.1: synonym 'DROWSY' is given twice"]


def test_a_synonym_that_is_another_findings_label_is_refused() -> None:
    doc, weakness = _doc("findings", "fatigue"), _doc("findings", "weakness")
    assert _problems(_with_synonyms("findings", "fatigue", ["muscle weakness"])) == [
        f"kb.json: findings[doc {doc}].synonyms.0: synonym 'muscle weakness' is the label "
        f"of findings[doc {weakness}] 'weakness'"]


def test_a_synonym_naming_two_interactions_is_refused() -> None:
    raw = _with_synonyms("interactions", "potassium_sparing_diuretics",
                         ["amiloride", "furosemide"])
    problems = _problems(raw)
    assert len(problems) == 1 and "interactions[doc" in problems[0]
    assert "'furosemide' also names interactions[doc" in problems[0]


def test_the_same_name_may_stand_in_different_tables(kb: KnowledgeBase) -> None:
    # A drug names its finding and its interaction; a salt its form and its finding.
    assert "omeprazole" in kb.findings["ppi_long_term"].synonyms
    assert "omeprazole" in kb.interactions["ppi"].synonyms
    assert "Epsom salts" in kb.forms["sulfate"].synonyms
    assert "Epsom salts" in kb.findings["mg_laxative_antacid"].synonyms


def test_shipped_kb_is_valid_with_its_synonyms() -> None:
    kb = load_kb(DEFAULT_KB)
    assert sum(len(f.synonyms) for f in kb.findings.values()) > 100
