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
from dsgrid_core.browse.table_filters import NUMBER, TEXT, check_columns, conditions
from dsgrid_core.browse.table_filters import column as _col
from dsgrid_core.errors import InputError, NotFoundError

ROW_NUMBER = "file_row_number"  # DuckDB's row number of a Parquet file (read_parquet option)


def _source(path: Path) -> exp.Expression:
    return exp.Anonymous(
        this="read_parquet",
        expressions=[
            exp.Literal.string(str(path)),
            exp.EQ(this=exp.column(ROW_NUMBER), expression=exp.true()),
        ],
    )


def result_columns(path: Path) -> dict[str, str]:
    """Column name -> kind (``number``, ``time`` or ``text``) of a result file; filters compare
    ``time`` columns (local wall-clock or UTC timestamps) as their ISO text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds = {}
    for field in pq.read_schema(path):
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
            kinds[field.name] = "time"
        elif pa.types.is_integer(field.type) or pa.types.is_floating(field.type):
            kinds[field.name] = NUMBER
        else:
            kinds[field.name] = TEXT
    return kinds


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
    check_columns(filters, sort, columns)
    where = conditions(filters, kinds)
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
