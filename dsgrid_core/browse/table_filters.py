"""Grid filters and sorts as SQL over a table read in DuckDB (a dataset's stored rows, a query
result): column names checked against the table's, values only ever literals in the tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlglot import exp

from dsgrid_core.browse.paging import AnyOf, Filter
from dsgrid_core.errors import InputError
from dsgrid_core.numbers import finite_number

# How a column's values compare: numbers as numbers, instants as TIMESTAMPTZ, the rest as text
# (local wall-clock timestamps included: their ISO text sorts as they do).
NUMBER, INSTANT, TEXT = "number", "instant", "text"

_COMPARISONS = {
    "gt": exp.GT,
    "gte": exp.GTE,
    "lt": exp.LT,
    "lte": exp.LTE,
    "exact": exp.EQ,
    "not": exp.NEQ,
}
_LIKE_PATTERNS = {
    "contains": "%{}%",
    "notcontains": "%{}%",
    "startswith": "{}%",
    "endswith": "%{}",
}


def column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def check_columns(
    filters: Sequence[Filter | AnyOf] | None,
    sort: Sequence[tuple[str, bool]] | None,
    columns: Sequence[str],
) -> None:
    """Refuse a filter or sort on a column the table does not have, naming those it has."""
    named = ", ".join(columns)
    for f in filters or []:
        for single in f.filters if isinstance(f, AnyOf) else (f,):
            if single.column not in columns:
                raise InputError(f"cannot filter on '{single.column}'; columns: {named}.")
    for name, _ in sort or []:
        if name not in columns:
            raise InputError(f"cannot sort by '{name}'; columns: {named}.")


def conditions(
    filters: Sequence[Filter | AnyOf] | None, kinds: Mapping[str, str]
) -> list[exp.Expression]:
    """One condition per filter (an AnyOf as an OR of its filters); ``kinds`` gives each
    column's kind (NUMBER or INSTANT; any other kind, or none, compares as TEXT)."""
    return [
        exp.or_(*[condition(g, kinds.get(g.column, TEXT)) for g in f.filters])
        if isinstance(f, AnyOf)
        else condition(f, kinds.get(f.column, TEXT))
        for f in filters or []
    ]


def condition(f: Filter, kind: str = TEXT) -> exp.Expression:
    """A Filter as a SQL condition on a column of ``kind``."""
    col = column(f.column)
    text = exp.cast(col, exp.DataType(this=exp.DataType.Type.VARCHAR))
    op = f.operator
    if op == "blank":
        return exp.Is(this=col, expression=exp.Null())
    if op == "notblank":
        return exp.Not(this=exp.Is(this=col, expression=exp.Null()))
    if op == "in":
        values = f.value if isinstance(f.value, list | tuple) else [f.value]
        return exp.In(this=text, expressions=[exp.Literal.string(str(v)) for v in values])
    if op in _COMPARISONS:
        compare = _COMPARISONS[op]
        if kind == NUMBER:
            number = _number(f)
            return compare(this=col, expression=exp.Literal.number(repr(number)))
        if kind == INSTANT:
            literal = exp.cast(
                exp.Literal.string(_instant(f)), exp.DataType(this=exp.DataType.Type.TIMESTAMPTZ)
            )
            return compare(this=col, expression=literal)
        return compare(this=text, expression=exp.Literal.string(str(f.value)))
    escaped = str(f.value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = exp.Literal.string(_LIKE_PATTERNS[op].format(escaped))
    like = exp.Escape(
        this=exp.ILike(this=text, expression=pattern),
        expression=exp.Literal.string("\\"),
    )
    return exp.Not(this=like) if op == "notcontains" else like


def _number(f: Filter) -> float:
    """The filter's value as a finite number; checked here, as DuckDB would fail the whole
    statement (a server error) on a value it cannot compare with a number column."""
    number = finite_number(f.value)
    if number is None:
        raise InputError(
            f"filter on '{f.column}': '{f.value}' is not a number; {f.column} holds numbers, "
            f"so give one, e.g. {f.column}:{f.operator}:1.5."
        )
    return float(number)


def _instant(f: Filter) -> str:
    """The filter's value as an ISO timestamp DuckDB reads as TIMESTAMPTZ (a time without
    offset is UTC); checked here, as a cast that fails in DuckDB fails the whole statement."""
    try:
        moment = datetime.fromisoformat(str(f.value).strip())
    except ValueError:
        raise InputError(
            f"filter on '{f.column}': '{f.value}' is not a timestamp; give an ISO date and "
            f"time, e.g. {f.column}:{f.operator}:2012-01-01T05:00:00+00:00 (UTC when no offset "
            "is given)."
        ) from None
    return moment.isoformat(sep=" ")
