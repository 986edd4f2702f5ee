"""A query result for browsing: a paged read of its ``table.parquet``, filtered and sorted in
DuckDB, whatever its columns are (a result holds the grouped dimension columns, perhaps a
timestamp and one or more value columns).

Rows come back in the order the file holds them (the query's sort) unless a sort is asked for;
the file's row number breaks ties, so pages never overlap or skip rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlglot import exp

from dsgrid_core.browse.paging import AnyOf, Filter, Page, check_limit
from dsgrid_core.errors import InputError, NotFoundError

ROW_NUMBER = "file_row_number"  # DuckDB's row number of a Parquet file (read_parquet option)


def _col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _source(path: Path) -> exp.Expression:
    return exp.Anonymous(
        this="read_parquet",
        expressions=[
            exp.Literal.string(str(path)),
            exp.EQ(this=exp.column(ROW_NUMBER), expression=exp.true()),
        ],
    )


def result_columns(path: Path) -> dict[str, str]:
    """Column name -> kind (``number``, ``time`` or ``text``) of a result file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds = {}
    for field in pq.read_schema(path):
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
            kinds[field.name] = "time"
        elif pa.types.is_integer(field.type) or pa.types.is_floating(field.type):
            kinds[field.name] = "number"
        else:
            kinds[field.name] = "text"
    return kinds


def _condition(f: Filter, kind: str) -> exp.Expression:
    """A Filter as a SQL condition on a column of ``kind``; values are always literals."""
    column = _col(f.column)
    text = exp.cast(column, exp.DataType(this=exp.DataType.Type.VARCHAR))
    op = f.operator
    if op == "blank":
        return exp.Is(this=column, expression=exp.Null())
    if op == "notblank":
        return exp.Not(this=exp.Is(this=column, expression=exp.Null()))
    if op == "in":
        values = f.value if isinstance(f.value, list | tuple) else [f.value]
        return exp.In(this=text, expressions=[exp.Literal.string(str(v)) for v in values])
    if op in ("gt", "gte", "lt", "lte", "exact", "not"):
        cls = {
            "gt": exp.GT,
            "gte": exp.GTE,
            "lt": exp.LT,
            "lte": exp.LTE,
            "exact": exp.EQ,
            "not": exp.NEQ,
        }[op]
        if kind == "number":
            try:
                number = float(f.value)
            except (TypeError, ValueError):
                raise InputError(f"filter on {f.column}: '{f.value}' is not a number.") from None
            return cls(this=column, expression=exp.Literal.number(repr(number)))
        # text and timestamps compare as text (ISO timestamps sort as text)
        return cls(this=text, expression=exp.Literal.string(str(f.value)))
    escaped = str(f.value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = {
        "contains": f"%{escaped}%",
        "notcontains": f"%{escaped}%",
        "startswith": f"{escaped}%",
        "endswith": f"%{escaped}",
    }[op]
    like = exp.Escape(
        this=exp.ILike(this=text, expression=exp.Literal.string(pattern)),
        expression=exp.Literal.string("\\"),
    )
    return exp.Not(this=like) if op == "notcontains" else like


def _cell(value: Any) -> Any:
    """Timestamps as text: local wall-clock times as ``2018-01-01 00:00:00``, instants in UTC
    with their offset."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).isoformat(sep=" ")
        return value.isoformat(sep=" ")
    return value


def result_page(
    path: str | Path,
    *,
    filters: list[Filter | AnyOf] | None = None,
    sort: list[tuple[str, bool]] | None = None,
    offset: int | None = None,
    limit: int | None = None,
) -> Page:
    """One page of the result table at ``path`` (a ``table.parquet``)."""
    from dsgrid_core.data.duck import connect

    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"the result file {path.name} is no longer there; run the query again.")
    limit = check_limit(limit)
    offset = offset or 0
    if offset < 0:
        raise InputError(f"offset must not be negative (got {offset}).")
    kinds = result_columns(path)
    columns = list(kinds)
    for f in filters or []:
        for single in f.filters if isinstance(f, AnyOf) else (f,):
            if single.column not in kinds:
                raise InputError(
                    f"cannot filter on '{single.column}'; columns: {', '.join(columns)}."
                )
    for name, _ in sort or []:
        if name not in kinds:
            raise InputError(f"cannot sort by '{name}'; columns: {', '.join(columns)}.")
    where = [
        exp.or_(*[_condition(g, kinds[g.column]) for g in f.filters])
        if isinstance(f, AnyOf)
        else _condition(f, kinds[f.column])
        for f in filters or []
    ]
    select = exp.select(*[_col(c) for c in columns]).from_(_source(path))
    count = exp.select(exp.Count(this=exp.Star())).from_(_source(path))
    if where:
        select, count = select.where(exp.and_(*where)), count.where(exp.and_(*where))
    order = [exp.Ordered(this=_col(n), desc=d, nulls_first=False) for n, d in sort or []]
    select = select.order_by(*order, exp.Ordered(this=exp.column(ROW_NUMBER)))
    select = select.limit(limit).offset(offset)
    con = connect()
    try:
        total = con.execute(count.sql("duckdb")).fetchone()[0]
        rows = con.execute(select.sql("duckdb")).fetchall()
    finally:
        con.close()
    items = [{c: _cell(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return Page(items=items, total=total, limit=limit, next=None, columns=columns)
