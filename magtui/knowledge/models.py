"""Pydantic models of every knowledge-base record: the validation of the KB.

One model per TinyDB table. A document that passes becomes the plain record of the same name
in `magtui.knowledge.records` (`to_record`), which is what the rest of magtui reads: only
validation imports pydantic. Every record that states a clinical fact carries a `source`
(an id in the `sources` table); the loader checks those ids exist. Models are frozen: the
knowledge base is read-only to the whole program.

Each model is derived from the record of the same name (`_derive`), so a field is written
once, in `magtui.knowledge.records`: its name, order, type and default are the record's
(a model's base is its record's base's model), with

- a record's `Check`s (annotated, or in its `CHECKS`) as the pydantic constraints they name;
- a nested record validated by its own derived model;
- a tuple read from a JSON list (strict mode would want a Python tuple; items stay strict);
- a `date` read from ISO text (`IsoDate`);
- the checks that span fields added as validators (`_CHECKS`).

`tests/knowledge/test_records.py` checks that the two agree.
"""

from __future__ import annotations

import functools
import operator
import re
import types
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model, model_validator

from magtui.knowledge import records
from magtui.knowledge.records import Check
from magtui.values import REQUIRED

# Constraints use `Field` only: `StringConstraints` would import pydantic.types and
# annotated_types on every start, a cost the command line pays for nothing.


def _iso_date(value: object) -> object:
    """A date is ISO text in the KB file (`2025-01-31`), never a number or other text."""
    if type(value) is date:
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return date.fromisoformat(value)  # a ValueError says why the date is impossible
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class Record(BaseModel):
    """Base of every KB record: frozen, and unknown keys are an error (typos must not pass).

    Strict: a number must be a JSON number and a flag a JSON true/false (`"0.6"` or `1` is
    refused, not converted); lists of items become tuples and dates are read from ISO text
    (`IsoDate`).
    """

    # defer_build: each validator is built when its table is first validated, not at import.
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True, strict=True
    )
    RECORD: ClassVar[type[records.Record]] = records.Record

    NESTED: ClassVar[tuple[str, ...]] = ()
    """Fields that hold another model, or a tuple of them (converted to records too)."""

    def to_record(self) -> records.Record:
        """The plain record of this validated document (nested models converted too)."""
        values = dict(self.__dict__)  # pydantic keeps exactly the validated fields here
        for name in self.NESTED:
            value = values[name]
            values[name] = (tuple(item.to_record() for item in value)
                            if isinstance(value, tuple) else value.to_record())
        return self.RECORD.trusted(values)  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------- checks
# What spans fields of one document, as pydantic validators (run after the fields are valid).
# Each is given the validated model, which has its record's fields.

_CHECKS: dict[type[records.Record], dict[str, Any]] = {}


def _check(record: type[records.Record]) -> Callable[[Callable[[Any], Any]], Any]:
    """Adds the decorated function to the checks of `record`'s model."""
    def add(check: Callable[[Any], Any]) -> Any:
        _CHECKS.setdefault(record, {})[check.__name__] = model_validator(mode="after")(check)
        return check
    return add


@_check(records.Meta)
def _review_after_reviewed(meta: records.Meta) -> records.Meta:
    if meta.next_review <= meta.reviewed:
        raise ValueError("next_review must be after reviewed")
    return meta


@_check(records.IntakeRow)
def _one_of_rda_ai(row: records.IntakeRow) -> records.IntakeRow:
    if (row.rda_mg is None) == (row.ai_mg is None):
        raise ValueError("exactly one of rda_mg and ai_mg must be set")
    if row.age_max_months is not None and row.age_max_months <= row.age_min_months:
        raise ValueError("age_max_months must be greater than age_min_months")
    return row


@_check(records.Finding)
def _red_flag_consistent(finding: records.Finding) -> records.Finding:
    if (finding.kind == "red_flag") != (finding.red_flag is not None):
        raise ValueError("red_flag must be set exactly when kind is 'red_flag'")
    return finding


@_check(records.SerumBand)
def _serum_bounds(band: records.SerumBand) -> records.SerumBand:
    if band.low_mmol_l is None and band.high_mmol_l is None:
        raise ValueError("a band needs at least one bound")
    if (
        band.low_mmol_l is not None
        and band.high_mmol_l is not None
        and band.high_mmol_l <= band.low_mmol_l
    ):
        raise ValueError("high_mmol_l must be greater than low_mmol_l")
    return band


@_check(records.KidneyBand)
def _kidney_bounds(band: records.KidneyBand) -> records.KidneyBand:
    if band.basis == "egfr":
        if band.egfr_min is None:
            raise ValueError("an eGFR band needs egfr_min")
        if band.egfr_max is not None and band.egfr_max <= band.egfr_min:
            raise ValueError("egfr_max must be greater than egfr_min")
    elif band.egfr_min is not None or band.egfr_max is not None:
        raise ValueError("only eGFR bands have bounds")
    return band


@_check(records.RuleCondition)
def _not_empty(condition: records.RuleCondition) -> records.RuleCondition:
    clauses = (condition.all_present, condition.any_present, condition.any_fact,
               condition.all_fact)
    if condition.always == any(clauses):
        raise ValueError("a condition is either 'always' or has at least one clause")
    return condition


# ----------------------------------------------------------------------------- derivation

_MODELS: dict[type[records.Record], type[Record]] = {records.Record: Record}
"""Each record's derived model, made once: a nested record's model is the one of its name."""


def _derive(record: type[records.Record]) -> type[Record]:
    """The pydantic model of a KB record: its own fields, in order, on its base's model."""
    if record in _MODELS:
        return _MODELS[record]
    base = _derive(record.__base__)  # type: ignore[arg-type]  # a records.Record subclass
    hints = get_type_hints(record, include_extras=True)
    fields: dict[str, Any] = {name: _field(record, name, hints[name])
                              for name in record.FIELDS if name not in base.RECORD.FIELDS}
    nested = tuple(name for name, (schema_type, _) in fields.items() if _holds_model(schema_type))
    _MODELS[record] = create_model(
        record.__name__,
        __base__=base,
        __module__=__name__,
        __doc__=record.__doc__,
        __validators__=_CHECKS.get(record),
        __namespace__={"RECORD": record, "NESTED": (*base.NESTED, *nested)},
        **fields,
    )
    return _MODELS[record]


def _field(record: type[records.Record], name: str, hint: Any) -> tuple[Any, Any]:
    """(type, default) of one field of the derived model."""
    default = record.DEFAULTS[name]
    check = record.CHECKS.get(name)
    constraints = check.constraints if check is not None else {}
    if default is REQUIRED:
        return _schema_type(hint), Field(**constraints)
    return _schema_type(hint), Field(default=default, **constraints)


def _schema_type(hint: Any) -> Any:
    """The type pydantic validates a field's JSON against."""
    if isinstance(hint, type) and issubclass(hint, records.Record):
        return _derive(hint)
    if hint is date:
        return IsoDate
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return Annotated[(_schema_type(args[0]), *map(_constraint, hint.__metadata__))]
    if origin is None or origin is Literal:
        return hint
    mapped = tuple(_schema_type(arg) for arg in args if arg is not Ellipsis)
    if origin is Union or origin is types.UnionType:
        return functools.reduce(operator.or_, mapped)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return Annotated[tuple[mapped[0], ...], Field(strict=False)]  # type: ignore[valid-type]
    raise TypeError(f"no schema type for {hint!r}")


def _constraint(metadata: object) -> object:
    return Field(**metadata.constraints) if isinstance(metadata, Check) else metadata


def _holds_model(schema_type: Any) -> bool:
    """A derived model, or a tuple of them (after `Annotated` and `| None`)."""
    if isinstance(schema_type, type) and issubclass(schema_type, Record):
        return True
    return any(_holds_model(arg) for arg in get_args(schema_type))


# ----------------------------------------------------------------------------- models

Sourced = _derive(records.Sourced)
Meta = _derive(records.Meta)
Source = _derive(records.Source)
IntakeRow = _derive(records.IntakeRow)
SupplementForm = _derive(records.SupplementForm)
Finding = _derive(records.Finding)
SerumBand = _derive(records.SerumBand)
KidneyBand = _derive(records.KidneyBand)
Interaction = _derive(records.Interaction)
RuleCondition = _derive(records.RuleCondition)
ReferralRule = _derive(records.ReferralRule)
Food = _derive(records.Food)
WatchItem = _derive(records.WatchItem)
Advice = _derive(records.Advice)

TABLE_MODELS: dict[str, type[Record]] = {
    table: _derive(record) for table, record in records.TABLE_RECORDS.items()
}
"""Every table the KB must have, with the model its documents are validated against."""
