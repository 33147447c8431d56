"""Every third-party package magtui imports is declared in pyproject.toml (issue #12).

A package that arrives only as another's dependency can vanish or change under a version
bump of that other package; `rich` (imported by ten modules) and `aiohttp` (imported by
`magtui serve`) were both missing once.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "magtui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names} - {"magtui"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {normalised(re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0])
                for spec in project["dependencies"]}
    providers = packages_distributions()
    imported = imported_top_levels()
    assert {"textual", "pydantic", "aiohttp"} <= imported  # the scan sees real imports
    missing = {name: providers.get(name, [name]) for name in imported
               if not any(normalised(dist) in declared for dist in providers.get(name, [name]))}
    assert missing == {}
