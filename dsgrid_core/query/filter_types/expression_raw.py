"""``expression_raw``: dsgrid's ``(column value)``, the rest of a condition on ``column``
(``"== '06037'"``, ``"in ('CA', 'NY')"``); or, our addition, a whole condition over the record
columns. The text is parsed and checked, never pasted: only comparisons of record columns with
values and boolean logic are allowed."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from dsgrid_core.config.query import ExpressionRawFilter
from dsgrid_core.errors import InputError
from dsgrid_core.query.filter_types.base import FilterType
from dsgrid_core.query.filters import check_column, record_column

RAW_ALLOWED = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.And,
    exp.Or,
    exp.Not,
    exp.Paren,
    exp.In,
    exp.Is,
    exp.Like,
    exp.ILike,
    exp.Between,
    exp.Neg,
    exp.Tuple,
)


def check_raw_expression(text: str, columns: list[str], where: str) -> exp.Expression:
    """Parse an expression_raw value; refuse anything but comparisons and boolean logic."""
    try:
        tree = sqlglot.parse_one(text, dialect="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise InputError(
            f"{where}: cannot parse expression_raw '{text}': {str(exc).splitlines()[0]}"
        ) from None
    for node in tree.walk():
        if not isinstance(node, RAW_ALLOWED):
            raise InputError(
                f"{where}: expression_raw '{text}' uses {type(node).__name__.upper()}, which "
                "is not allowed; write comparisons of record columns with values, combined "
                "with AND, OR and NOT (e.g. state = 'CA' OR state = 'TX')."
            )
        if isinstance(node, exp.Column):
            if node.table:
                raise InputError(f"{where}: expression_raw may not name tables ('{node.sql()}').")
            check_column(node.name, columns, where)
    if not isinstance(tree, exp.Condition) or isinstance(tree, exp.Column | exp.Literal):
        raise InputError(f"{where}: expression_raw '{text}' is not a comparison.")
    return tree


class ExpressionRawType(FilterType[ExpressionRawFilter]):
    model = ExpressionRawFilter

    def match(self, columns: list[str], where: str) -> exp.Expression:
        """dsgrid reads expression_raw as ``(column value)``; a value that is a whole
        condition by itself (our addition) is read as it is when that form does not parse."""
        text = str(self.flt.value)
        column = record_column(self.flt.column).sql(dialect="duckdb")
        try:
            return check_raw_expression(f"{column} {text}", columns, where)
        except InputError as as_dsgrid:
            try:
                return check_raw_expression(text, columns, where)
            except InputError as as_whole:
                # say what is wrong with the form the value looks like: a whole condition
                # starts with a record column, dsgrid's with an operator
                first = text.strip().split(" ", 1)[0].strip("\"'`(")
                raise (as_whole if first in columns else as_dsgrid) from None

    def text(self) -> str:
        return f"{self.flt.value}"
