"""Plain-text search across every KB table (for `magtui kb search` and the KB browser)."""

from __future__ import annotations

from dataclasses import dataclass

from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.records import Record


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


def _haystack(record: Record) -> str:
    return " ".join(str(v) for v in record.as_dict().values()).casefold()


def search(kb: KnowledgeBase, text: str) -> list[Match]:
    """Records whose fields contain every word of `text` (case-insensitive), in table order."""
    words = text.casefold().split()
    matches: list[Match] = []
    for table, records in kb.tables().items():
        for record in records:
            haystack = _haystack(record)
            if words and all(word in haystack for word in words):
                matches.append(Match(
                    table,
                    getattr(record, "id", ""),
                    record_title(record),
                    getattr(record, "source", None),
                    record,
                ))
    return matches
