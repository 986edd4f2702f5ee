"""Dimension filters resolved to record ids of the project's base dimensions.

Every filter names a dimension (base or supplemental) and selects some of its records; the
selection is computed over the records (a few thousand rows at most) and handed to the
planner as a literal id list, so no filter text ever reaches the data query. expression_raw
is parsed and checked: only column comparisons and boolean logic are allowed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlglot
from sqlglot import exp

from dsgrid_core.config.query import (
    BetweenColumnOperatorFilter,
    ColumnOperatorFilter,
    ExpressionFilter,
    ExpressionRawFilter,
    SubsetFilter,
    SupplementalColumnOperatorFilter,
)
from dsgrid_core.errors import InputError

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


@dataclass
class IdCondition:
    column: str  # dimension type (a base column of the plan)
    ids: list[str]


@dataclass
class TimeCondition:
    lower: datetime | None  # aware UTC instants
    upper: datetime | None
    negate: bool = False
    lower_strict: bool = False
    upper_strict: bool = False


def _col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _value(value) -> exp.Expression:
    if isinstance(value, list | tuple):
        raise InputError(f"expected a single value, got a list {value!r}")
    return exp.Literal.string(str(value)) if value is not None else exp.Null()


def _check_column(column: str, columns: list[str], where: str) -> None:
    if column not in columns:
        close = difflib.get_close_matches(column, columns, n=2)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise InputError(
            f"{where}: unknown column '{column}'; the records have {', '.join(columns)}.{hint}"
        )


def column_operator_condition(operator: str, column: str, value) -> exp.Expression:
    col = _col(column)
    if operator == "isin":
        values = value if isinstance(value, list | tuple) else [value]
        return exp.In(this=col, expressions=[_value(v) for v in values])
    if operator == "isNull":
        return exp.Is(this=col, expression=exp.Null())
    if operator == "isNotNull":
        return exp.Not(this=exp.Is(this=col, expression=exp.Null()))
    if operator == "eqNullSafe":
        return exp.NullSafeEQ(this=col, expression=_value(value))
    if operator == "like":
        return exp.Like(this=col, expression=_value(value))
    if operator == "rlike":
        return exp.RegexpLike(this=col, expression=_value(value))
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
            _check_column(node.name, columns, where)
    if not isinstance(tree, exp.Condition) or isinstance(tree, exp.Column | exp.Literal):
        raise InputError(f"{where}: expression_raw '{text}' is not a comparison.")
    return tree


def raw_condition(flt, columns: list[str], where: str) -> exp.Expression:
    """dsgrid reads expression_raw as ``(column value)``; a value that is a whole condition
    by itself (our addition) is read as it is when that form does not parse."""
    text = str(flt.value)
    try:
        return check_raw_expression(f"{_quoted(flt.column)} {text}", columns, where)
    except InputError as as_dsgrid:
        try:
            return check_raw_expression(text, columns, where)
        except InputError as as_whole:
            # say what is wrong with the form the value looks like: a whole condition starts
            # with a record column, dsgrid's with an operator
            first = text.strip().split(" ", 1)[0].strip("\"'`(")
            raise (as_whole if first in columns else as_dsgrid) from None


def _quoted(column: str) -> str:
    return exp.column(column, quoted=True).sql(dialect="duckdb")


def select_records(records: list[dict], condition: exp.Expression, where: str) -> list[str]:
    """Ids of the records matching ``condition`` (evaluated by DuckDB over the records)."""
    import pyarrow as pa

    from dsgrid_core.data.duck import connect

    columns = list(dict.fromkeys(k for r in records for k in r))
    table = pa.table(
        {
            c: pa.array([None if r.get(c) is None else str(r.get(c)) for r in records], pa.string())
            for c in columns
        }
    )
    for node in condition.find_all(exp.Column):
        _check_column(node.name, columns, where)
    con = connect()
    try:
        con.raw.register("records", table)
        sql = exp.select(_col("id")).from_("records").where(condition).sql("duckdb")
        try:
            rows = con.execute(sql).fetchall()
        except Exception as exc:  # noqa: BLE001 - a type error in user values
            raise InputError(
                f"{where}: the filter cannot be evaluated: {str(exc).splitlines()[0]}"
            ) from None
    finally:
        con.close()
    return [r[0] for r in rows]


def resolve_filter(context, flt, where: str) -> IdCondition | TimeCondition:
    if isinstance(flt, SubsetFilter):
        t = flt.dimension_type.value
        ids: list[str] = []
        for name in flt.dimension_names:
            selectors = {
                sel: (subset_name, subset)
                for subset_name, subset in context.subsets.items()
                if subset["type"] == t
                for sel in subset["selectors"]
            }
            if name not in selectors:
                raise InputError(
                    f"{where}: no subset selector '{name}' for {t}; known: "
                    f"{', '.join(selectors) or 'none'}."
                )
            ids += selectors[name][1]["selectors"][name]
        if not ids:
            raise InputError(
                f"{where}: the filter {describe(flt)} selects no record of dimension {t}: its "
                "subset selectors are empty. A query with this filter would be empty."
            )
        return IdCondition(t, list(dict.fromkeys(ids)))
    t = flt.dimension_type.value
    if t == "time":
        return _time_condition(context, flt, where)
    info, supp = context.dimension(t, flt.dimension_name)
    columns = list(dict.fromkeys(k for r in info.records for k in r))
    if isinstance(flt, ExpressionFilter):
        _check_column(flt.column, columns, where)
        op = COMPARISONS.get(flt.operator)
        if op is None:
            raise InputError(
                f"{where}: operator '{flt.operator}' is not one of {', '.join(COMPARISONS)}."
            )
        condition = op(this=_col(flt.column), expression=_value(flt.value))
    elif isinstance(flt, ExpressionRawFilter):
        condition = raw_condition(flt, columns, where)
    elif isinstance(flt, BetweenColumnOperatorFilter):
        _check_column(flt.column, columns, where)
        condition = exp.Between(
            this=_col(flt.column), low=_value(flt.lower_bound), high=_value(flt.upper_bound)
        )
    elif isinstance(flt, ColumnOperatorFilter | SupplementalColumnOperatorFilter):
        _check_column(flt.column, columns, where)
        condition = column_operator_condition(flt.operator, flt.column, flt.value)
    else:  # pragma: no cover - the model's union is exhaustive
        raise InputError(f"{where}: unsupported filter {type(flt).__name__}")
    if getattr(flt, "negate", False):
        condition = exp.Not(this=exp.Paren(this=condition))
    selected = select_records(info.records, condition, where)
    if not selected:
        raise InputError(
            f"{where}: the filter {describe(flt)} selects no record of dimension {t} "
            f"('{info.name}'); {_examples(info.records, condition)}. A query with this filter "
            "would be empty: change its value."
        )
    if supp is not None:
        wanted = set(selected)
        selected = list(dict.fromkeys(f for f, to, _ in supp.mapping if to in wanted))
        if not selected:
            raise InputError(
                f"{where}: the filter {describe(flt)} selects {_some(sorted(wanted))} of "
                f"'{info.name}', but no record of the base dimension "
                f"'{context.base[t].name}' maps to them. A query with this filter would be "
                "empty: choose other records."
            )
    return IdCondition(t, selected)


def describe(flt) -> str:
    """A filter in a few words, as a message names it: ``(geography 'US States': id == 'XX')``."""
    if isinstance(flt, SubsetFilter):
        text = f"subset {', '.join(flt.dimension_names)}"
        return f"({flt.dimension_type.value}: {text})"
    if isinstance(flt, ExpressionRawFilter):
        text = flt.value
    elif isinstance(flt, BetweenColumnOperatorFilter):
        text = f"{flt.column} between {flt.lower_bound!r} and {flt.upper_bound!r}"
    elif isinstance(flt, ColumnOperatorFilter | SupplementalColumnOperatorFilter) and (
        flt.operator in ("isNull", "isNotNull")
    ):
        text = f"{flt.column} {flt.operator}"
    else:
        text = f"{flt.column} {flt.operator} {flt.value!r}"
    if getattr(flt, "negate", False):
        text = f"not ({text})"
    return f"({flt.dimension_type.value} '{flt.dimension_name}': {text})"


def _some(values: list, shown: int = 5) -> str:
    """``a, b, c`` or ``a, b, c, ... (12 in all)``: a few examples of a long list."""
    head = ", ".join(str(v) for v in values[:shown])
    return head if len(values) <= shown else f"{head}, ... ({len(values)} in all)"


def _examples(records: list[dict], condition: exp.Expression) -> str:
    """What the records hold in the column a filter looks at, so that a user can see why
    nothing matched (a typo, ids with leading zeros, another column meant)."""
    columns = [c.name for c in condition.find_all(exp.Column)] or ["id"]
    column = columns[0]
    values = list(dict.fromkeys(str(r[column]) for r in records if r.get(column) is not None))
    if not values:
        return f"its {len(records)} records have no {column} value"
    more = ", ..." if len(values) > 5 else ""
    shown = ", ".join(values[:5])
    return f"its {len(records)} records have {column} values like {shown}{more}"


def _parse_time(value, time_zone: str, where: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise InputError(
                f"{where}: '{value}' is not a timestamp; write it like 2012-01-01 00:00:00."
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(time_zone))
    return parsed.astimezone(UTC)


def _time_condition(context, flt, where: str) -> TimeCondition:
    tz = context.time_zone
    if isinstance(flt, BetweenColumnOperatorFilter):
        return TimeCondition(
            _parse_time(flt.lower_bound, tz, where),
            _parse_time(flt.upper_bound, tz, where),
            flt.negate,
        )
    if isinstance(flt, ExpressionFilter) and flt.operator in (">", ">=", "<", "<="):
        bound = _parse_time(flt.value, tz, where)
        strict = flt.operator in (">", "<")
        if flt.operator.startswith(">"):
            return TimeCondition(bound, None, flt.negate, lower_strict=strict)
        return TimeCondition(None, bound, flt.negate, upper_strict=strict)
    raise InputError(
        f"{where}: on time, use between_column_operator or an expression with >, >=, <, <=."
    )
