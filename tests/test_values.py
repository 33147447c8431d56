"""`magtui.values.Value`: the immutable record behind KB records, results and notes."""

from __future__ import annotations

import pickle

import pytest

from magtui.values import ReadOnlyRecordError, Value


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
    assert pickle.loads(pickle.dumps(point)) == point
    assert repr(point) == "Point(x=1, y=2, label='a')"
    assert point.as_dict() == {"x": 1, "y": 2, "label": "a"}
