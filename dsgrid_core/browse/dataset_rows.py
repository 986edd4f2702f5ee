"""Every stored row of a dataset that the preview grid's filters and sort leave, for a
download: one DuckDB statement on a bounded page connection, read in batches, in the order the
preview's pages show them (a sort breaks ties on the other columns; no sort keeps the table's
order). Millions of rows are written as they are read, never held whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlglot import exp

from dsgrid_core.browse.datasets import PREVIEW_COLUMNS, PREVIEW_KINDS, _iso
from dsgrid_core.browse.paging import AnyOf, Filter
from dsgrid_core.browse.table_filters import check_columns, conditions
from dsgrid_core.browse.table_filters import column as _col
from dsgrid_core.data.duck import page_connection
from dsgrid_core.data.scan import table_expression

BATCH = 10_000


def preview_rows(
    registry,
    dataset_id: str,
    version: str | None = None,
    *,
    filters: list[Filter | AnyOf] | None = None,
    sort: list[tuple[str, bool]] | None = None,
) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The preview's columns and an iterator over every matching row (timestamps as ISO text
    in UTC, as the pages have them). The dataset and the filters are checked now."""
    record = registry.show("dataset", dataset_id, version)
    table = registry.data.locate(record.data_path)
    check_columns(filters, sort, PREVIEW_COLUMNS)
    where = conditions(filters, PREVIEW_KINDS)

    def rows() -> Iterator[dict[str, Any]]:
        con = page_connection()
        try:
            source = table_expression(con, table)
            select = exp.select(*[_col(c) for c in PREVIEW_COLUMNS]).from_(source)
            if where:
                select = select.where(exp.and_(*where))
            if sort:
                sorted_by = [name for name, _ in sort]
                ties = [(c, False) for c in PREVIEW_COLUMNS if c not in sorted_by]
                select = select.order_by(
                    *[
                        exp.Ordered(this=_col(n), desc=d, nulls_first=False)
                        for n, d in [*sort, *ties]
                    ]
                )
            cursor = con.raw.execute(select.sql("duckdb"))  # read in batches, not drained
            while batch := cursor.fetchmany(BATCH):
                for values in batch:
                    row = dict(zip(PREVIEW_COLUMNS, values, strict=True))
                    row["timestamp"] = _iso(row["timestamp"])
                    yield row
        finally:
            con.close()

    return PREVIEW_COLUMNS, rows()
