"""The hazard log (docs/safety/hazard-log.md) cites only tests and code that exist.

Every hazard section (`### H01 — …`) must cite at least one test as a pytest node id
(`tests/path/test_file.py::test_name`); every cited file must exist and define a test function
of that name (`def` or `async def`, at module level or in a class), found by parsing the file
with `ast`, not by importing it. Every `magtui.…` name given as a control must exist in the
source (module, then class / function / constant, then a member of that class). Whether the
cited tests pass is shown by running the suite itself.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOG = REPO / "docs" / "safety" / "hazard-log.md"

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
HAZARD_ID = re.compile(r"^(H\d{2})\b")
# tests/<path>.py::name or tests/<path>.py::Class::name; a [param] suffix is not allowed.
TEST_REF = re.compile(r"(tests/[\w./-]+?\.py)::(\w+(?:::\w+)?)(\[)?")
CODE_REF = re.compile(r"`(magtui(?:\.\w+)+)`")
FIELDS = ("**Hazard:**", "**Possible harm:**", "**Causes:**", "**Controls:**")


def _text() -> str:
    assert LOG.is_file(), f"{LOG.relative_to(REPO)} is missing"
    return LOG.read_text(encoding="utf-8")


def _hazard_sections(text: str) -> dict[str, str]:
    """Hazard id → its section text (from its heading to the next heading as high or higher)."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    level = 0
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            depth, title = len(heading.group(1)), heading.group(2)
            hazard = HAZARD_ID.match(title)
            if hazard:
                assert hazard.group(1) not in sections, f"{hazard.group(1)} appears twice"
                current, level = hazard.group(1), depth
                sections[current] = [line]
                continue
            if current is not None and depth <= level:
                current = None
        if current is not None:
            sections[current].append(line)
    return {hazard: "\n".join(lines) for hazard, lines in sections.items()}


def _test_refs(text: str) -> list[tuple[str, str]]:
    refs = []
    for match in TEST_REF.finditer(text):
        path, name, param = match.groups()
        assert param is None, (
            f"{path}::{name}: cite a parametrised test by its function name, without [param]")
        refs.append((path, name))
    return refs


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _functions(body: list[ast.stmt]) -> set[str]:
    return {node.name for node in body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def _test_defined(path: Path, name: str) -> bool:
    tree = _tree(path)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    if "::" in name:
        cls, func = name.split("::")
        return cls in classes and func in _functions(classes[cls].body)
    return name in _functions(tree.body) or any(
        name in _functions(cls.body) for cls in classes.values())


def _names(body: list[ast.stmt]) -> dict[str, ast.stmt]:
    """Names a module or class body defines: functions, classes, (annotated) assignments."""
    found: dict[str, ast.stmt] = {}
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found[node.target.id] = node
    return found


def _code_exists(dotted: str) -> bool:
    """`magtui.a.b` is a module or package, or `magtui.a.b.Name[.member]` is defined in one."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        base = REPO.joinpath(*parts[:split])
        module = base.with_suffix(".py")
        if not module.is_file():
            module = base / "__init__.py"
        if not module.is_file():
            continue
        rest = parts[split:]
        body: list[ast.stmt] = _tree(module).body
        for i, name in enumerate(rest):
            node = _names(body).get(name)
            if node is None:
                return False
            if i < len(rest) - 1:
                if not isinstance(node, ast.ClassDef):
                    return False
                body = node.body
        return True
    return False


TEXT = _text()
SECTIONS = _hazard_sections(TEXT)
ALL_REFS = sorted(set(_test_refs(TEXT)))
CODE_REFS = sorted(set(CODE_REF.findall(TEXT)))


def test_hazards_are_numbered_h01_onwards() -> None:
    assert SECTIONS, "no hazard sections (### H01 — …) found"
    ids = list(SECTIONS)
    assert ids == [f"H{n:02d}" for n in range(1, len(ids) + 1)], ids


@pytest.mark.parametrize("hazard", list(SECTIONS))
def test_every_hazard_has_its_fields_a_control_and_a_test(hazard: str) -> None:
    section = SECTIONS[hazard]
    missing = [field for field in FIELDS if field not in section]
    assert not missing, f"{hazard} lacks {missing}"
    assert CODE_REF.search(section), f"{hazard} names no control in the code (`magtui.…`)"
    assert _test_refs(section), f"{hazard} cites no test (tests/….py::test_name)"


def test_the_log_cites_tests() -> None:
    assert ALL_REFS


@pytest.mark.parametrize(("path", "name"), ALL_REFS, ids=[f"{p}::{n}" for p, n in ALL_REFS])
def test_every_cited_test_exists(path: str, name: str) -> None:
    file = REPO / path
    assert file.is_file(), f"{path} does not exist"
    assert Path(path).name.startswith("test_"), f"{path} is not a test file"
    assert name.split("::")[-1].startswith("test_"), f"{name} is not a test function"
    assert _test_defined(file, name), f"{path} defines no test function {name}"


@pytest.mark.parametrize("dotted", CODE_REFS)
def test_every_named_control_exists_in_the_code(dotted: str) -> None:
    assert _code_exists(dotted), f"{dotted} is named as a control but is not in the source"


def test_the_checker_finds_what_is_there_and_only_that() -> None:
    # Guards against a checker that passes everything.
    assert _test_defined(Path(__file__), "test_the_log_cites_tests")
    assert not _test_defined(Path(__file__), "test_no_such_function")
    assert _code_exists("magtui.clinical.limits.Limit.check")
    assert _code_exists("magtui.clinical")
    assert not _code_exists("magtui.clinical.limits.Limit.no_such_member")
    assert not _code_exists("magtui.no_such_module")
    sample = "### H01 — x\n`tests/a.py::test_b`\n## Gaps\n`tests/c.py::test_d`\n"
    sections = _hazard_sections(sample)
    assert list(sections) == ["H01"]
    assert _test_refs(sections["H01"]) == [("tests/a.py", "test_b")]
    with pytest.raises(AssertionError, match="without"):
        _test_refs("tests/a.py::test_b[1]")
