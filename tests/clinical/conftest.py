"""Fixtures for the pure clinical layer: the shipped knowledge base, loaded once per session.

A KB that fails validation stops the clinical tests with every problem listed, rather than
with a traceback from deep inside the loader.
"""

from __future__ import annotations

import pytest

from magtui.knowledge.base import KnowledgeBase
from magtui.knowledge.loader import DEFAULT_KB, KBError, load_kb


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    # DEFAULT_KB is what `load_kb()` resolves to when MAGTUI_KB is unset; naming it keeps a
    # KB chosen in the developer's shell out of this session-scoped fixture.
    try:
        return load_kb(DEFAULT_KB)
    except KBError as exc:
        pytest.fail("the shipped KB does not validate:\n" + "\n".join(exc.problems))
