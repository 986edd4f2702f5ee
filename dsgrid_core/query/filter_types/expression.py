"""``expression``: ``column operator value``, the value compared as a literal; on time, one
bound (``>``, ``>=``, ``<``, ``<=``) of a range of instants."""

from __future__ import annotations

from sqlglot import exp

from dsgrid_core.config.query import ExpressionFilter
from dsgrid_core.errors import InputError
from dsgrid_core.query.filter_types.base import FilterType
from dsgrid_core.query.filters import (
    TimeCondition,
    check_column,
    literal,
    parse_time,
    record_column,
)

COMPARISONS = {
    "==": exp.EQ,
    "=": exp.EQ,
    "!=": exp.NEQ,
    "<>": exp.NEQ,
    ">": exp.GT,
    ">=": exp.GTE,
    "<": exp.LT,
    "<=": exp.LTE,
}


class ExpressionType(FilterType[ExpressionFilter]):
    model = ExpressionFilter

    def match(self, columns: list[str], where: str) -> exp.Expression:
        flt = self.flt
        check_column(flt.column, columns, where)
        op = COMPARISONS.get(flt.operator)
        if op is None:
            raise InputError(
                f"{where}: operator '{flt.operator}' is not one of {', '.join(COMPARISONS)}."
            )
        return op(this=record_column(flt.column), expression=literal(flt.value))

    def text(self) -> str:
        return f"{self.flt.column} {self.flt.operator} {self.flt.value!r}"

    def time_condition(self, time_zone: str, where: str) -> TimeCondition:
        flt = self.flt
        if flt.operator not in (">", ">=", "<", "<="):
            return super().time_condition(time_zone, where)
        bound = parse_time(flt.value, time_zone, where)
        strict = flt.operator in (">", "<")
        if flt.operator.startswith(">"):
            return TimeCondition(bound, None, flt.negate, lower_strict=strict)
        return TimeCondition(None, bound, flt.negate, upper_strict=strict)
