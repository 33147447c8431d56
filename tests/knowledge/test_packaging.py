"""The KB ships inside magtui: `pip install .` works from any directory (issue #12)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from magtui.knowledge.loader import DEFAULT_KB

REPO = Path(__file__).resolve().parents[2]


def test_the_default_kb_is_the_repositorys_source_of_truth() -> None:
    # In a checkout the package's KB is a link to kb/magnesium.json, never a second copy.
    assert DEFAULT_KB.parent.parent.name == "magtui"
    assert DEFAULT_KB.resolve() == (REPO / "kb" / "magnesium.json").resolve()


def test_a_built_wheel_carries_the_kb(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
         str(REPO)],
        check=True, capture_output=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    (wheel,) = tmp_path.glob("magtui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("magtui/kb/magnesium.json")
    assert shipped == (REPO / "kb" / "magnesium.json").read_bytes()
