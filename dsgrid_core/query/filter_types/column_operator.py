"""``column_operator``: one of pyspark's Column methods (``isin``, ``like``, ``startswith``,
``endswith``, ``contains``, ``rlike``, ``eqNullSafe``, ``isNull``, ``isNotNull``) applied to a
record column."""

from __future__ import annotations

from sqlglot import exp

from dsgrid_core.config.query import ColumnOperatorFilter
from dsgrid_core.errors import InputError
from dsgrid_core.query.filter_types.base import FilterType
from dsgrid_core.query.filters import check_column, literal, record_column

NO_VALUE = ("isNull", "isNotNull")


def column_operator_condition(operator: str, column: str, value) -> exp.Expression:
    col = record_column(column)
    if operator == "isin":
        values = value if isinstance(value, list | tuple) else [value]
        return exp.In(this=col, expressions=[literal(v) for v in values])
    if operator == "isNull":
        return exp.Is(this=col, expression=exp.Null())
    if operator == "isNotNull":
        return exp.Not(this=exp.Is(this=col, expression=exp.Null()))
    if operator == "eqNullSafe":
        return exp.NullSafeEQ(this=col, expression=literal(value))
    if operator == "like":
        return exp.Like(this=col, expression=literal(value))
    if operator == "rlike":
        return exp.RegexpLike(this=col, expression=literal(value))
    if operator in ("startswith", "endswith", "contains"):
        text = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = {"startswith": f"{text}%", "endswith": f"%{text}", "contains": f"%{text}%"}[
            operator
        ]
        return exp.Escape(
            this=exp.Like(this=col, expression=exp.Literal.string(pattern)),
            expression=exp.Literal.string("\\"),
        )
    raise InputError(f"unknown operator '{operator}'")


class ColumnOperatorType(FilterType[ColumnOperatorFilter]):
    model = ColumnOperatorFilter

    def match(self, columns: list[str], where: str) -> exp.Expression:
        check_column(self.flt.column, columns, where)
        return column_operator_condition(self.flt.operator, self.flt.column, self.flt.value)

    def text(self) -> str:
        flt = self.flt
        if flt.operator in NO_VALUE:
            return f"{flt.column} {flt.operator}"
        return f"{flt.column} {flt.operator} {flt.value!r}"
