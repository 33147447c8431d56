"""Plain-text search across every KB table (for `magtui kb search` and the KB browser).

A record matches when every word typed is in it: in its label or name, its synonyms (the
drug, brand and plain-language names a finding, interaction or supplement form is also known
by) or any other field. Matching ignores case, accents, apostrophes, hyphens and extra spaces
(`fold`): "crohns" finds "Crohn's disease", "long term ppi" finds "Long-term PPI".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import Record

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
"""Combining marks (accents) as NFKD leaves them after their letter."""


def _fold_chars(text: str) -> str:
    """`fold` but for the spaces (a word of a query never holds one)."""
    text = text.casefold().replace("'", "").replace("`", "").replace("-", " ")
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFKD", text):
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()
    # Typographic apostrophes and hyphens, as their ASCII forms above.
    return (text.replace("\u2019", "").replace("\u2018", "")
            .replace("\u2010", " ").replace("\u2011", " "))


def fold(text: str) -> str:
    """`text` as search compares it: case and accents dropped (NFKD, so `MgSO₄` is
    `mgso4`), apostrophes removed (crohn's = crohns), hyphens read as spaces (long-term =
    long term), runs of spaces made one. Underscores stay: an id is searched as written."""
    return " ".join(_fold_chars(text).split())


def query_words(text: str) -> list[str]:
    """The words of a query, folded; every one must be found for a match."""
    return fold(text).split()


def contains_all(words: Iterable[str], folded: str) -> bool:
    """Every (folded) word is in the folded text; an empty query matches nothing."""
    found = False
    for word in words:
        if word not in folded:
            return False
        found = True
    return found


def synonym_match(words: list[str], synonyms: Iterable[str]) -> str | None:
    """The first synonym holding every word of the query, if any (as the KB writes it)."""
    for synonym in synonyms:
        if contains_all(words, fold(synonym)):
            return synonym
    return None


@dataclass(frozen=True, slots=True)
class Match:
    table: str
    id: str
    title: str
    source: str | None
    record: Record


def record_title(record: Record) -> str:
    for name in ("label", "name", "life_stage", "title", "text", "reason"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            return value
    return getattr(record, "id", "")


def record_synonyms(record: Record) -> tuple[str, ...]:
    """The other names a record is known by (findings, interactions, forms), else ()."""
    synonyms = getattr(record, "synonyms", ())
    return synonyms if isinstance(synonyms, tuple) else ()


def _haystack(record: Record) -> str:
    """Every field value as one folded text (lists and nested records as Python writes
    them: their quotes and brackets never hold a word)."""
    return _fold_chars(" ".join(str(v) for v in record.as_dict().values()))


def search(kb: KnowledgeBase, text: str) -> list[Match]:
    """Records whose fields (synonyms included) contain every word of `text`, compared as
    `fold` reads them, in table order."""
    words = query_words(text)
    matches: list[Match] = []
    if not words:
        return matches
    for table, records in kb.tables().items():
        for record in records:
            if contains_all(words, _haystack(record)):
                matches.append(Match(
                    table,
                    getattr(record, "id", ""),
                    record_title(record),
                    getattr(record, "source", None),
                    record,
                ))
    return matches
