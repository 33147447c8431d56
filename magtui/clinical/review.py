"""Is the knowledge base past its review date?"""

from __future__ import annotations

from datetime import date

from magtui.knowledge.records import Meta


def review_warning(meta: Meta, today: date) -> str | None:
    """A warning once `next_review` has passed; None while the KB is within its review period."""
    if today <= meta.next_review:
        return None
    days = (today - meta.next_review).days
    return (
        f"Knowledge base {meta.kb_version} was due for clinical review on "
        f"{meta.next_review.isoformat()} ({days} days ago): check figures against current "
        "sources before relying on them."
    )
