"""`magtui.values.Value`: the immutable record behind KB records, results and notes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from magtui.values import ReadOnlyRecordError, Value

REPO = Path(__file__).resolve().parents[1]


class Point(Value):
    x: float
    y: float = 0.0
    label: str = ""


class Mirrored(Point):
    COERCE_FLOATS = True


def test_positional_and_keyword_values_as_a_dataclass_takes_them() -> None:
    assert Point(1, 2) == Point(x=1, y=2) == Point(1, y=2)
    assert Point(1).y == 0.0 and Point(1).label == ""
    with pytest.raises(TypeError, match="given twice"):
        Point(1, x=2)
    with pytest.raises(TypeError, match="4 values for 3 fields"):
        Point(1, 2, "a", "b")
    with pytest.raises(TypeError, match="missing field 'x'"):
        Point(y=1)
    with pytest.raises(TypeError, match="unknown field"):
        Point(1, z=3)


def test_floats_are_coerced_only_where_a_pydantic_model_is_mirrored() -> None:
    assert type(Point(1).x) is int  # a result keeps what the calculation gave
    assert type(Mirrored(1).x) is float  # a KB record or note reads as pydantic gave it
    assert type(Mirrored(True).x) is bool  # bool is not an int to coerce


def test_read_only_compared_by_value_hashable_and_picklable() -> None:
    point = Point(1, 2, "a")
    with pytest.raises(ReadOnlyRecordError):
        point.x = 3  # type: ignore[misc]
    assert point.replace(label="b") == Point(1, 2, "b") != point
    assert point != Mirrored(1, 2, "a")  # another type is never equal
    assert len({point, Point(1, 2, "a")}) == 1
    assert repr(point) == "Point(x=1, y=2, label='a')"
    assert point.as_dict() == {"x": 1, "y": 2, "label": "a"}


def test_a_class_constant_is_never_a_field_however_annotated() -> None:
    import typing

    class WithConstant(Value):
        LIMIT: typing.ClassVar[int] = 3  # "typing.ClassVar[int]": once taken for a field
        size: float = 1.0

    assert WithConstant.FIELDS == ("size",)
    assert WithConstant().LIMIT == 3


def test_only_float_fields_turn_ints_into_floats() -> None:
    class Mixed(Value):
        COERCE_FLOATS = True
        dose: float | None = None
        floaty: int = 0
        by_name: dict[str, float] | None = None

    value = Mixed(dose=3, floaty=2)
    assert type(value.dose) is float and type(value.floaty) is int


def test_the_type_checker_sees_record_fields(tmp_path: Path) -> None:
    # Records are keyword-built and read-only to mypy too: a misspelt field, a wrong type
    # or an assignment is an error before anything runs (issue #12).
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from magtui.clinical.limits import Limit\n"
        "from magtui.knowledge.records import Food\n"
        "Limit(feild='x', unit='u', minimum=0, maximum=1)\n"
        "food = Food(id='a', name='b', serving='c', mg='lots', source='s')\n"
        "food.mg = 3.0\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(probe)],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )
    assert 'Unexpected keyword argument "feild"' in result.stdout
    assert 'Argument "mg" to "Food" has incompatible type "str"' in result.stdout
    assert '"mg" defined in "Food" is read-only' in result.stdout
