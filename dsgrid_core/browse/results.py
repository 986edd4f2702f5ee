"""A query result for browsing: a paged read of its ``table.parquet``, whatever its columns are
(a result holds the grouped dimension columns, perhaps a timestamp and one or more value
columns). The one reader of result pages: the web grid and the API's JSON pages alike.

A page without filter or sort (the API's pages, a grid opened on a result) reads only the row
groups holding its rows, and the total comes from the file's footer: a result of 13.7M rows is
never decoded whole for ten of them. A filtered or sorted page is cut in DuckDB on a small
bounded connection (``page_connection``). Rows come back in the order the file holds them
(the query's sort) unless a sort is asked for; the file's row number breaks ties, so pages never
overlap or skip rows. Result files never change once written, so ``next`` carries the offset
of the next page.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlglot import exp

from dsgrid_core.browse.paging import (
    AnyOf,
    Filter,
    Page,
    check_limit,
    next_offset_token,
    page_scope,
    start_offset,
)
from dsgrid_core.browse.table_filters import NUMBER, TEXT, check_columns, conditions
from dsgrid_core.browse.table_filters import column as _col
from dsgrid_core.data.duck import page_connection
from dsgrid_core.data.parquet_pages import read_rows, row_count
from dsgrid_core.errors import InputError, NotFoundError

ROW_NUMBER = "file_row_number"  # DuckDB's row number of a Parquet file (read_parquet option)


def _source(path: Path, *, row_number: bool) -> exp.Expression:
    """``read_parquet(path)``, with the file's row number as a column when a sort needs it to
    break ties."""
    options = [exp.EQ(this=exp.column(ROW_NUMBER), expression=exp.true())] if row_number else []
    return exp.Anonymous(this="read_parquet", expressions=[exp.Literal.string(str(path)), *options])


def result_columns(path: Path) -> dict[str, str]:
    """Column name -> kind (``number``, ``time`` or ``text``) of a result file; filters compare
    ``time`` columns (local wall-clock or UTC timestamps) as their ISO text."""
    import pyarrow as pa  # late: pyarrow
    import pyarrow.parquet as pq  # late: pyarrow

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
    token: str | None = None,
    cell: Callable[[Any], Any] = _cell,
) -> Page:
    """One page of the result table at ``path`` (a ``table.parquet``), from ``offset`` or from
    where ``token`` (the previous page's ``next``) points; ``cell`` turns each value into what
    the caller shows."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"the result file {path.name} is no longer there; run the query again.")
    limit = check_limit(limit)
    kinds = result_columns(path)
    columns = list(kinds)
    check_columns(filters, sort, columns)
    scope = page_scope("result", str(path.resolve()), filters, sort)
    offset = start_offset(offset, token, scope)
    if filters or sort:
        total, rows = _sql_page(path, columns, kinds, filters, sort, offset, limit)
    else:
        total, rows = row_count(path), read_rows(path, offset, limit, columns)
    items = [{c: cell(row[c]) for c in columns} for row in rows]
    return Page(
        items=items,
        total=total,
        limit=limit,
        next=next_offset_token(offset, len(items), total, scope),
        columns=columns,
        offset=offset,
    )


def _sql_page(path, columns, kinds, filters, sort, offset, limit) -> tuple[int, list[dict]]:
    """Total and rows of a filtered or sorted page, in DuckDB: the count streams over the
    file; without a sort the rows come in file order (no ORDER BY, so no sort of the whole
    result), with one the file's row number breaks ties."""
    where = conditions(filters, kinds)
    count = exp.select(exp.Count(this=exp.Star())).from_(_source(path, row_number=False))
    select = exp.select(*[_col(c) for c in columns]).from_(_source(path, row_number=bool(sort)))
    if where:
        select, count = select.where(exp.and_(*where)), count.where(exp.and_(*where))
    if sort:
        order = [exp.Ordered(this=_col(n), desc=d, nulls_first=False) for n, d in sort]
        select = select.order_by(*order, exp.Ordered(this=exp.column(ROW_NUMBER)))
    select = select.limit(limit).offset(offset)
    con = page_connection()
    try:
        total = con.execute(count.sql("duckdb")).fetchone()[0]
        rows = con.execute(select.sql("duckdb")).fetchall()
    except Exception as exc:
        raise _page_error(exc) from None
    finally:
        con.close()
    return total, [dict(zip(columns, row, strict=True)) for row in rows]


def _page_error(exc: Exception) -> Exception:
    """A page that needs more memory than page reads may take is the reader's to narrow (an
    InputError naming the setting), not a server error."""
    import duckdb  # late: duckdb

    if isinstance(exc, duckdb.OutOfMemoryException):
        return InputError(
            "this filter or sort needs more memory than a page read may use "
            "(DSGRID_PAGE_DUCKDB_MEMORY_LIMIT); filter more, or download the result as Parquet."
        )
    return exc


def iso_cell(value: Any) -> Any:
    """Timestamps and dates as ISO text (``2018-01-01T00:00:00``): result pages as the API and
    the viewer's grid show them."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def csv_bytes(path: str | Path) -> bytes:
    """The result table at ``path`` as CSV; an InputError (413) above the CSV row cap
    (Parquet has none)."""
    import pyarrow.parquet as pq  # late: pyarrow

    from dsgrid_core.query.run import csv_row_cap, parquet_to_csv  # late: pydantic

    rows = pq.ParquetFile(path).metadata.num_rows
    cap = csv_row_cap()
    if rows > cap:
        raise TooLarge(
            f"the result has {rows:,} rows, above the CSV cap of {cap:,}: download it as "
            "Parquet (smaller and faster), or aggregate more."
        )
    with tempfile.TemporaryDirectory(prefix="dsgrid-csv-") as folder:
        target = Path(folder) / "result.csv"
        parquet_to_csv(Path(path), target)
        return target.read_bytes()


class TooLarge(InputError):
    http_status = 413
