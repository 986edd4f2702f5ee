"""The columns a dataset config declares for a data file (``data_file.columns``, dsgrid 0.4:
name, data_type and optionally dimension_type; and ``ignore_columns``), checked against the
file and applied.

A declaration the file contradicts (a declared column the file lacks, values that cannot be
read as the declared type) is refused, naming the column, the declared type and what the file
has: registering anyway would store data the config says is something else. Consistent
declarations are applied: values are cast to the declared type, ignored columns are dropped
(one the file lacks is only reported, as dsgrid does), and a column declared with a
dimension_type is renamed to that type (dsgrid's rule: ``county`` with dimension_type
geography becomes ``geography``). Unlike dsgrid, a dimension_type on a time column or on a
column of the pivoted dimension renames nothing: dsgrid would rename the time column to
``time`` and then not find it, and a pivoted record column is a value column, not the
dimension's column.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dsgrid_core.config.dataset import DataFile
from dsgrid_core.errors import InputError
from dsgrid_core.sql import ident

# float/real are read as DOUBLE: a declared type must never lose digits of the stored values.
DUCKDB_TYPES = {
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "long": "BIGINT",
    "short": "SMALLINT",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "double": "DOUBLE",
    "float": "DOUBLE",
    "real": "DOUBLE",
    "string": "VARCHAR",
    "str": "VARCHAR",
    "varchar": "VARCHAR",
    "text": "VARCHAR",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp_ntz": "TIMESTAMP",
    "timestamp_tz": "TIMESTAMPTZ",
}
_log = logging.getLogger(__name__)
INTEGER_TYPES = {"INTEGER", "BIGINT", "SMALLINT", "TINYINT"}
# Time values are only checked: how they become instants (time zone, format) is the time
# dimension's business, and the reader does it from the file's own values.
TIME_TYPES = {"DATE", "TIMESTAMP", "TIMESTAMPTZ"}
TIME_DIMENSION = "time"


def _bad_value(column: str, target: str) -> str:
    """SQL condition: the value is present but cannot be read as ``target`` without loss."""
    col = ident(column)
    cast = f"TRY_CAST({col} AS {target})"
    if target in INTEGER_TYPES:  # DuckDB rounds '1.5' to 2: a lossy read is no read
        return (
            f"({col} IS NOT NULL AND ({cast} IS NULL OR "
            f"TRY_CAST({col} AS DOUBLE) IS DISTINCT FROM {cast}::DOUBLE))"
        )
    return f"({col} IS NOT NULL AND {cast} IS NULL)"


def declared_select(
    con,
    table: str,
    types: dict[str, str],
    data_file: DataFile,
    path: Path,
    field: str,
    *,
    pivoted_dimension_type: str | None = None,
) -> str:
    """A SELECT over ``table`` (the file as read, columns ``types``) with the declarations of
    ``data_file`` applied; raises InputError when the file contradicts them."""
    import duckdb  # late: duckdb

    declared = data_file.columns
    if not declared and not data_file.ignore_columns:
        return f"SELECT * FROM {ident(table)}"  # noqa: S608
    has = ", ".join(f"{c} ({t})" for c, t in types.items())
    names = [c.name for c in declared]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"{path}: {field}.columns declares {', '.join(repeated)} more than once.")
    for column in declared:
        if column.name not in types:
            raise InputError(
                f"{path}: {field}.columns declares column '{column.name}' (data_type "
                f"{column.data_type or 'not given'}) but the file has no such column; it has "
                f"{has}. Fix the name in the config, or add the column to the file."
            )
    for name in data_file.ignore_columns:
        if name not in types:
            # As dsgrid: nothing to drop is no contradiction (one config may serve several
            # files, not all of which have the column); said, not refused.
            _log.warning(
                "%s: %s.ignore_columns lists '%s' but the file has no such column; nothing "
                "to ignore.",
                path,
                field,
                name,
            )

    checks = [
        (c, DUCKDB_TYPES[c.data_type.lower()])
        for c in declared
        if c.data_type and DUCKDB_TYPES[c.data_type.lower()] != types[c.name].upper()
    ]
    if checks:
        conditions = [_bad_value(c.name, target) for c, target in checks]
        counts = _count_bad(con, table, types, conditions, checks, path, field, duckdb)
        for (column, _target), condition, n_bad in zip(checks, conditions, counts, strict=True):
            if n_bad:
                example = con.execute(
                    f"SELECT {ident(column.name)}::VARCHAR FROM {ident(table)} "  # noqa: S608
                    f"WHERE {condition} LIMIT 1"
                ).fetchone()[0]
                raise InputError(
                    f"{path}: column '{column.name}' is declared as {column.data_type} "
                    f"({field}.columns) but the file's column ({types[column.name]}) has "
                    f"{n_bad:,} value(s) that cannot be read as {column.data_type}, e.g. "
                    f"'{example}'. Fix those values, or declare the type the column has."
                )

    casts = {c.name: t for c, t in checks if t not in TIME_TYPES}
    renames = {
        c.name: c.dimension_type.value
        for c in declared
        if c.dimension_type is not None
        and c.dimension_type.value not in (c.name, TIME_DIMENSION, pivoted_dimension_type)
    }
    kept = [c for c in types if c not in data_file.ignore_columns]
    for old, new in renames.items():
        if new in kept and new not in renames:
            raise InputError(
                f"{path}: column '{old}' is declared with dimension_type {new} "
                f"({field}.columns) but the file also has a column '{new}'. Rename or "
                "ignore one of them."
            )
    select = []
    for name in kept:
        expr = f"TRY_CAST({ident(name)} AS {casts[name]})" if name in casts else ident(name)
        select.append(f"{expr} AS {ident(renames.get(name, name))}")
    return f"SELECT {', '.join(select)} FROM {ident(table)}"  # noqa: S608


def _count_bad(con, table, types, conditions, checks, path, field, duckdb) -> list[int]:
    """Values failing each declared type, counted in one pass over the file. A type the file's
    column cannot be cast to at all (a timestamp declared int) is found column by column."""
    counts = ", ".join(f"count(*) FILTER (WHERE {c})" for c in conditions)
    try:
        return list(con.execute(f"SELECT {counts} FROM {ident(table)}").fetchone())  # noqa: S608
    except duckdb.Error as exc:
        for (column, _target), condition in zip(checks, conditions, strict=True):
            try:
                con.execute(f"DESCRIBE SELECT {condition} FROM {ident(table)}")  # noqa: S608
            except duckdb.Error:
                raise InputError(
                    f"{path}: column '{column.name}' is declared as {column.data_type} "
                    f"({field}.columns) but the file's column is {types[column.name]}, which "
                    f"cannot be read as {column.data_type}. Declare the type the column has."
                ) from None
        raise InputError(f"{path}: cannot read the data: {str(exc).splitlines()[0]}") from None
