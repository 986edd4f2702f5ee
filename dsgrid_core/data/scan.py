"""Reading a stored table with DuckDB, wherever it is kept: the one way every reader (query
engine, browse, submission check, dump) makes a stored table scannable.

A local path is read with ``read_parquet`` (so DuckDB's ``allowed_paths`` can confine a query
to its inputs). An ``s3://`` URL is read through pyarrow's S3 filesystem, registered with the
connection as a lazily scanned dataset: DuckDB pushes projections and filters into the scan,
and the connection itself never needs network access (DuckDB's httpfs extension is not
used).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlglot import exp

from dsgrid_core.data.s3 import arrow_dataset, is_s3_url


def table_expression(con, location: Path | str) -> exp.Expression:
    """Make ``location`` scannable on ``con`` (a DuckDB connection); returns what to select
    FROM: ``read_parquet('<path>')``, or the name under which an s3:// table is registered."""
    text = str(location)
    if is_s3_url(text):
        name = "s3_table_" + hashlib.sha256(text.encode()).hexdigest()[:16]
        con.register(name, arrow_dataset(text))
        return exp.Table(this=exp.to_identifier(name, quoted=True))
    return exp.Anonymous(this="read_parquet", expressions=[exp.Literal.string(text)])


def table_sql(con, location: Path | str) -> str:
    """``table_expression`` as DuckDB SQL text."""
    return table_expression(con, location).sql("duckdb")
