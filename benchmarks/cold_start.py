"""Cold start without a bytecode cache (figure 6, reported, not budgeted).

"Cold" means: no `.pyc` for magtui or for anything in site-packages (Textual, Rich,
pydantic, TinyDB…), while the standard library keeps its cache, and no cached validated KB
(`MAGTUI_KB_CACHE=0`) — the first start after an install that did not compile bytecode, or
every start from a read-only install folder. The bytecode part is made with
`PYTHONPYCACHEPREFIX` pointing at a private cache that was filled once and then had every
non-stdlib entry deleted, and `PYTHONDONTWRITEBYTECODE=1` so each timed run stays cold. The
repository's own `__pycache__` folders are never touched.

`bytecode_report()` checks the other half of the issue's item 6 — whether the install path
left compiled bytecode — by asking, in a fresh process that imports the CLI and the TUI's
start-up modules, which imported source files have no up-to-date `.pyc` in the normal cache.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sysconfig
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.common import PYTHON, REPO, child_env

TUI_IMPORTS = ("import magtui.cli, magtui.knowledge.loader, magtui.ui.app, "
               "magtui.ui.screens.triage")
"""What `magtui` imports before its first frame."""

_CHECK_CACHE = r"""
import importlib.util, json, sys, sysconfig
from pathlib import Path
{imports}
site = Path(sysconfig.get_paths()["purelib"]).resolve()
repo = Path({repo!r}).resolve()
report = {{}}
for name, module in list(sys.modules.items()):
    origin = getattr(module, "__file__", None)
    if not origin or not origin.endswith(".py"):
        continue
    path = Path(origin).resolve()
    if path.is_relative_to(repo / "magtui"):
        group = "magtui"
    elif path.is_relative_to(site):
        group = "site-packages"
    else:
        continue
    cached = Path(importlib.util.cache_from_source(str(path)))
    fresh = cached.exists() and cached.stat().st_mtime >= path.stat().st_mtime
    entry = report.setdefault(group, {{"modules": 0, "without_pyc": []}})
    entry["modules"] += 1
    if not fresh:
        entry["without_pyc"].append(name)
from importlib.metadata import distributions
# The installed dist-info records how pip installed it (an egg-info in the source tree,
# found first from the repository, does not).
direct_url = next((json.loads(text) for dist in distributions(name="magtui")
                   if (text := dist.read_text("direct_url.json"))), {{}})
# pip compiles what it installs into site-packages; an editable install leaves magtui's
# sources where they are, uncompiled until a first run can write __pycache__ there.
report["install"] = {{"editable": bool(direct_url.get("dir_info", {{}}).get("editable"))}}
print(json.dumps(report))
"""


def _non_stdlib_roots() -> list[Path]:
    roots = {Path(sysconfig.get_paths()[k]).resolve() for k in ("purelib", "platlib")}
    return [*roots, (REPO / "magtui").resolve()]


@contextmanager
def cold_cache(commands: list[list[str]]) -> Iterator[dict[str, str]]:
    """An environment whose bytecode cache has the stdlib only (see the module docstring)."""
    prefix = Path(tempfile.mkdtemp(prefix="magtui-bench-pycache-"))
    try:
        fill = child_env(PYTHONPYCACHEPREFIX=str(prefix))
        for command in commands:  # the same imports as the timed runs: stdlib gets cached
            subprocess.run(command, env=fill, cwd=REPO, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False, timeout=120)
        for root in _non_stdlib_roots():
            # The prefix mirrors absolute paths: <prefix>/<path of the source folder>/….
            shutil.rmtree(prefix / root.relative_to(root.anchor), ignore_errors=True)
        yield child_env(PYTHONPYCACHEPREFIX=str(prefix), PYTHONDONTWRITEBYTECODE="1",
                        MAGTUI_KB_CACHE="0")
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def bytecode_report() -> dict[str, dict[str, object]]:
    code = _CHECK_CACHE.format(imports=TUI_IMPORTS, repo=str(REPO))
    done = subprocess.run([PYTHON, "-c", code], env=child_env(PYTHONDONTWRITEBYTECODE="1"),
                          cwd=REPO, capture_output=True, text=True, check=True, timeout=120)
    report: dict[str, dict[str, object]] = json.loads(done.stdout)
    install = report["install"]
    install["pip_compiles_magtui"] = not install["editable"]
    for group, entry in report.items():
        if group == "install":
            continue
        missing = entry["without_pyc"]
        assert isinstance(missing, list)
        entry["without_pyc_count"] = len(missing)
        entry["without_pyc"] = sorted(missing)[:20]  # a sample is enough to act on
    return report
