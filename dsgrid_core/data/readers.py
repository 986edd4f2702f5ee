"""Read a dataset's files (CSV, JSON lines, Parquet; one or two tables; stacked or pivoted)
into one stacked DuckDB view: one column per dimension type, ``timestamp`` (or the time
columns of non-datetime time types) and ``value``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsgrid_core.config.dataset import DataFile, DataLayout
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.time_dimension import (
    AnnualTimeConfig,
    DatetimeTimeConfig,
    IndexTimeConfig,
    NoOpTimeConfig,
    RepresentativePeriodTimeConfig,
    TimeInPartsColumns,
)
from dsgrid_core.data.declared import declared_select
from dsgrid_core.data.time_offsets import offset_minutes_sql
from dsgrid_core.errors import InputError
from dsgrid_core.sql import ident, idents, lit

NUMERIC_TYPES = (
    "DOUBLE",
    "FLOAT",
    "REAL",
    "DECIMAL",
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "TINYINT",
    "HUGEINT",
    "UBIGINT",
    "UINTEGER",
    "USMALLINT",
    "UTINYINT",
)


def time_columns(time_config) -> list[str]:
    """Columns the registry stores for a time dimension."""
    if isinstance(time_config, DatetimeTimeConfig):
        return ["timestamp"]
    if isinstance(time_config, AnnualTimeConfig):
        return ["time_year"]
    if isinstance(time_config, RepresentativePeriodTimeConfig):
        return list(time_config.columns())  # month, day_of_week | is_weekday, hour
    if isinstance(time_config, IndexTimeConfig):
        return ["time_index"]
    return []


@dataclass
class DatasetShape:
    """What the reader needs to know about the dataset's dimensions."""

    trivial: dict[str, str]  # type -> the single record id
    pivot_ids: set[str] = field(default_factory=set)  # record ids of the pivoted dimension
    time: Any = None
    # Set by the reader: views of combinations the files declare missing by an empty value
    # (one table: a row or pivoted cell without value; two tables: a lookup row without id),
    # each as (view name, its dimension columns). As in dsgrid, they count as
    # missing_associations.
    null_associations: list[tuple[str, list[str]]] = field(default_factory=list)


def _file_format(data_file: DataFile, path: Path) -> str:
    if data_file.file_format:
        return {"jsonl": "json"}.get(data_file.file_format, data_file.file_format)
    if path.is_dir():
        return "parquet"
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".json", ".jsonl", ".ndjson"):
        return "json"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError(
        f"{path}: cannot tell the file format from the extension '{suffix}'; "
        "use .csv, .json (JSON lines) or .parquet, or set file_format."
    )


def scan_sql(con, path: Path, data_file: DataFile) -> str:
    """A table expression reading the file; CSV dimension columns stay text (keeps 06073)."""
    fmt = _file_format(data_file, path)
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            try:
                header = next(csv.reader(handle))
            except (StopIteration, csv.Error):
                raise InputError(f"{path}: empty or unreadable CSV (no header row).") from None
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}: not UTF-8 text (byte {exc.start} of the header); save it as UTF-8."
                ) from None
        header = [h.strip() for h in header]
        if len(set(header)) != len(header) or not all(header):
            raise InputError(f"{path}: the header has empty or repeated column names.")
        columns = "{" + ", ".join(f"{lit(h)}: 'VARCHAR'" for h in header) + "}"
        return (
            f"read_csv({lit(str(path))}, columns = {columns}, header = true, "
            "delim = ',', quote = '\"', auto_detect = false, strict_mode = false)"
        )
    if fmt == "json":
        return f"read_json({lit(str(path))}, format = 'newline_delimited')"
    target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    return f"read_parquet({lit(target)}, union_by_name = true)"


def describe(con, table_sql: str) -> dict[str, str]:
    import duckdb  # late: duckdb

    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {table_sql}").fetchall()  # noqa: S608
    except duckdb.Error as exc:
        raise InputError(f"cannot read data file: {str(exc).splitlines()[0]}") from None
    return {r[0]: r[1] for r in rows}


def _cast_checked(con, table: str, column: str, target: str, source: Path) -> str:
    """``TRY_CAST`` plus a check that nothing failed to convert, naming a bad value."""
    expr = f"TRY_CAST({ident(column)} AS {target})"
    bad = con.execute(
        f"SELECT {ident(column)}::VARCHAR, count(*) OVER () FROM {table} "  # noqa: S608
        f"WHERE {ident(column)} IS NOT NULL AND {expr} IS NULL LIMIT 1"
    ).fetchone()
    if bad:
        raise InputError(
            f"{source}: column '{column}' should be {target.lower()} but has "
            f"{bad[1]} value(s) that are not, e.g. '{bad[0]}'. Fix those values."
        )
    return expr


def _time_exprs(con, table: str, types: dict[str, str], time_config, source: Path) -> list[str]:
    """Expressions producing the stored time columns from the file's columns."""
    if isinstance(time_config, NoOpTimeConfig) or time_config is None:
        return []
    if isinstance(time_config, DatetimeTimeConfig):
        if time_config.time_zone_required_in_geography():
            raise InputError(
                f"{source}: time_zone_format aligned_in_std_clock_time (a time_zone column per "
                "row) is not supported yet; give timestamps aligned in absolute time."
            )
        tz = lit(time_config.time_zone if time_config.time_zone not in ("LOCAL", "NONE") else "UTC")
        fmt = time_config.column_format
        if isinstance(fmt, TimeInPartsColumns):
            parts = [fmt.year_column, fmt.month_column, fmt.day_column]
            needed = parts + ([fmt.hour_column] if fmt.hour_column else [])
            _require(
                types,
                needed + ([fmt.offset_column] if fmt.offset_column else []),
                source,
                "time in parts",
            )
            casts = [_cast_checked(con, table, c, "INTEGER", source) for c in needed]
            hour = casts[3] if fmt.hour_column else "0"
            clock = f"make_timestamp({casts[0]}, {casts[1]}, {casts[2]}, {hour}, 0, 0)"
            if fmt.offset_column:
                minutes = offset_minutes_sql(con, table, fmt.offset_column, source)
                # clock time minus its UTC offset is UTC
                utc = f"({clock} - to_minutes({minutes}))"
                return [f"timezone('UTC', {utc}) AS timestamp"]
            return [f"timezone({tz}, {clock}) AS timestamp"]
        column = fmt.time_column
        _require(types, [column], source, "time")
        col_type = types[column].upper()
        # DuckDB names Parquet's aware timestamps "TIMESTAMP WITH TIME ZONE", or
        # TIMESTAMPTZ_NS/_MS/_S for other units (pandas writes nanoseconds): all are instants.
        if "TIME ZONE" in col_type or col_type.startswith("TIMESTAMPTZ"):
            return [f"{ident(column)}::TIMESTAMPTZ AS timestamp"]
        if col_type.startswith("TIMESTAMP") or col_type == "DATE":
            return [f"timezone({tz}, {ident(column)}::TIMESTAMP) AS timestamp"]
        text = f"trim({ident(column)}::VARCHAR)"
        with_offset = f"regexp_matches({text}, '([+-][0-9]{{2}}:?[0-9]{{2}}|Z)$')"
        aware = f"TRY_CAST({text} AS TIMESTAMPTZ)"
        naive = f"timezone({tz}, TRY_CAST({text} AS TIMESTAMP))"
        expr = f"CASE WHEN {with_offset} THEN {aware} ELSE {naive} END"
        bad = con.execute(
            f"SELECT {ident(column)}::VARCHAR FROM {table} "  # noqa: S608
            f"WHERE {ident(column)} IS NOT NULL AND ({expr}) IS NULL LIMIT 1"
        ).fetchone()
        if bad:
            raise InputError(
                f"{source}: column '{column}' has a value that is not a timestamp:"
                f" '{bad[0]}'. Write timestamps like 2012-01-01 00:00:00 or "
                "2012-01-01T00:00:00-05:00."
            )
        return [f"{expr} AS timestamp"]
    names = time_columns(time_config)
    aliases = {"time_year": ["time_year", "year"], "time_index": ["time_index", "index"]}
    out = []
    for name in names:
        found = next((c for c in aliases.get(name, [name]) if c in types), None)
        if found is None:
            raise InputError(f"{source}: missing time column '{name}'.")
        out.append(f"{_cast_checked(con, table, found, 'INTEGER', source)} AS {ident(name)}")
    return out


def _require(types: dict[str, str], columns: list[str], source: Path, what: str) -> None:
    missing = [c for c in columns if c not in types]
    if missing:
        raise InputError(
            f"{source}: missing {what} column(s) {', '.join(missing)}; the file "
            f"has {', '.join(types)}."
        )


def _time_source_columns(time_config) -> set[str]:
    if isinstance(time_config, DatetimeTimeConfig):
        return set(time_config.column_format.columns())
    return {
        "time_year",
        "year",
        "time_index",
        "index",
        "month",
        "day_of_week",
        "is_weekday",
        "hour",
    } & set(time_columns(time_config) + ["year", "index"])


def _declared_view(
    con, view: str, path: Path, data_file: DataFile, field: str, pivot_type: str | None
) -> None:
    """``view`` over the file, with the columns the config declares for it checked and
    applied (see ``declared``); ``<view>_file`` is the file as read."""
    raw = f"{view}_file"
    con.execute(
        f"CREATE OR REPLACE VIEW {ident(raw)} AS SELECT * FROM "  # noqa: S608
        f"{scan_sql(con, path, data_file)}"
    )
    types = describe(con, ident(raw))
    select = declared_select(
        con, raw, types, data_file, path, field, pivoted_dimension_type=pivot_type
    )
    con.execute(f"CREATE OR REPLACE VIEW {ident(view)} AS {select}")


def build_stacked_view(
    con, layout: DataLayout, data_path: Path, lookup_path: Path | None, shape: DatasetShape
) -> str:
    """Create the view ``stacked`` over the input files and return its name."""
    data_file = layout.data_file or DataFile(path=str(data_path))
    pivot_type = layout.pivoted_dimension_type.value if layout.pivoted_dimension_type else None
    _declared_view(con, "src_data", data_path, data_file, "data_layout.data_file", pivot_type)
    data_types = describe(con, "src_data")
    time_cols = _time_source_columns(shape.time)

    dim_exprs: dict[str, str] = {}
    relation = "src_data"
    available = dict(data_types)
    if layout.table_format == "two_table":
        lookup_file = layout.lookup_data_file or DataFile(path=str(lookup_path))
        _declared_view(
            con, "src_lookup", lookup_path, lookup_file, "data_layout.lookup_data_file", pivot_type
        )
        lookup_types = describe(con, "src_lookup")
        _require(data_types, ["id"], data_path, "id")
        _require(lookup_types, ["id"], lookup_path, "id")
        lookup_dims = [c for c in lookup_types if c in NON_TIME_TYPES]
        unknown = [c for c in lookup_types if c not in (*NON_TIME_TYPES, "id", "scaling_factor")]
        if unknown:
            raise InputError(
                f"{lookup_path}: unexpected column(s) {', '.join(unknown)}; a "
                "lookup table has id, dimension columns and scaling_factor."
            )
        scaling = "scaling_factor" in lookup_types
        sf = (
            _cast_checked(con, "src_lookup", "scaling_factor", "DOUBLE", lookup_path)
            if scaling
            else None
        )
        lookup_select = ", ".join(
            [f"{ident('id')}::VARCHAR AS {ident('__lookup_id')}"]
            + [f"{ident(c)}::VARCHAR AS {ident(c)}" for c in lookup_dims]
            + ([f"{sf} AS {ident('__scaling_factor')}"] if scaling else [])
        )
        null_ids = con.execute("SELECT count(*) FROM src_lookup WHERE id IS NULL").fetchone()[0]
        if null_ids and lookup_dims:
            con.execute(
                "CREATE OR REPLACE VIEW null_assoc_lookup AS SELECT DISTINCT "  # noqa: S608
                + ", ".join(f"{ident(c)}::VARCHAR AS {ident(c)}" for c in lookup_dims)
                + " FROM src_lookup WHERE id IS NULL"
            )
            shape.null_associations.append(("null_assoc_lookup", lookup_dims))
        con.execute(
            f"CREATE OR REPLACE VIEW src_lookup_cast AS SELECT {lookup_select} "  # noqa: S608
            "FROM src_lookup WHERE id IS NOT NULL"
        )
        orphan = con.execute(
            "SELECT d.id::VARCHAR FROM (SELECT DISTINCT id FROM src_data) d ANTI JOIN "
            "src_lookup_cast l ON d.id::VARCHAR = l.__lookup_id LIMIT 1"
        ).fetchone()
        if orphan:
            raise InputError(
                f"{data_path}: id {orphan[0]} has no row in the lookup table "
                f"{lookup_path}. Every id of the data table needs a lookup row."
            )
        relation = (
            "(SELECT * FROM src_data JOIN src_lookup_cast "
            "ON src_data.id::VARCHAR = src_lookup_cast.__lookup_id)"
        )
        available = {
            **{k: v for k, v in data_types.items() if k != "id"},
            **{c: "VARCHAR" for c in lookup_dims},
        }
        value_scale = f" * {ident('__scaling_factor')}" if scaling else ""
    else:
        value_scale = ""

    con.execute(f"CREATE OR REPLACE VIEW joined AS SELECT * FROM {relation}")  # noqa: S608
    time_exprs = _time_exprs(con, "joined", {**available}, shape.time, data_path)

    value_columns: list[str]
    if layout.value_format == "pivoted":
        value_columns = [
            c for c in data_types if c not in time_cols and c not in NON_TIME_TYPES and c != "id"
        ]
        unknown = sorted(set(value_columns) - shape.pivot_ids)
        if unknown:
            raise InputError(
                f"{data_path}: column(s) {', '.join(unknown[:5])} are neither dimension nor "
                f"time columns, nor records of the pivoted {pivot_type} dimension. Rename them "
                f"to {pivot_type} record ids, or remove them."
            )
        if not value_columns:
            raise InputError(
                f"{data_path}: a pivoted table needs one column per {pivot_type} "
                "record; found none."
            )
        for c in value_columns:
            if available[c].upper() not in NUMERIC_TYPES:
                _cast_checked(con, "joined", c, "DOUBLE", data_path)
    else:
        _require(available, ["value"], data_path, "value")
        if available["value"].upper() not in NUMERIC_TYPES:
            _cast_checked(con, "joined", "value", "DOUBLE", data_path)
        value_columns = []
        extra = [
            c
            for c in available
            if c not in (*NON_TIME_TYPES, "value") and c not in time_cols and not c.startswith("__")
        ]
        if extra:
            raise InputError(
                f"{data_path}: unexpected column(s) {', '.join(extra)}. A stacked "
                "table has one column per dimension type, the time column(s) and "
                "value."
            )

    for dim in NON_TIME_TYPES:
        if dim == pivot_type:
            continue
        if dim in available:
            dim_exprs[dim] = f"{ident(dim)}::VARCHAR AS {ident(dim)}"
        elif dim in shape.trivial:
            dim_exprs[dim] = f"{lit(shape.trivial[dim])} AS {ident(dim)}"
        else:
            raise InputError(
                f"{data_path}: no column for dimension '{dim}'. Add the column, or "
                f"list '{dim}' in trivial_dimensions if it has a single record."
            )

    stored_time = time_columns(shape.time)
    select = ", ".join([*dim_exprs.values(), *time_exprs])
    if layout.value_format == "pivoted":
        con.execute(
            f"CREATE OR REPLACE VIEW wide AS SELECT {select}, "  # noqa: S608
            + ", ".join(f"{ident(c)}::DOUBLE{value_scale} AS {ident(c)}" for c in value_columns)
            + " FROM joined"
        )
        # INCLUDE NULLS: an empty cell declares its combination missing (below)
        con.execute(
            "CREATE OR REPLACE VIEW stacked_raw AS SELECT * FROM wide UNPIVOT INCLUDE NULLS "  # noqa: S608 - identifiers quoted
            f"({ident('value')} FOR {ident(pivot_type)} IN ({idents(value_columns)}))"
        )
        order = [*NON_TIME_TYPES, *stored_time, "value"]
        con.execute(
            f"CREATE OR REPLACE VIEW stacked_all AS SELECT {idents(order)} "  # noqa: S608
            "FROM stacked_raw"
        )
    else:
        con.execute(
            f"CREATE OR REPLACE VIEW stacked_all AS SELECT {select}, "  # noqa: S608
            f"{ident('value')}::DOUBLE{value_scale} AS {ident('value')} FROM joined"
        )
    if layout.table_format == "one_table":
        # dsgrid reads a row (or pivoted cell) without value as "this combination has no
        # data": it is left out of the table and its combination counted as missing. (In two
        # tables a missing combination is a lookup row without id; a data row without value
        # is refused by the checks.)
        dims = list(NON_TIME_TYPES)
        con.execute(
            f"CREATE OR REPLACE VIEW null_assoc_rows AS SELECT DISTINCT {idents(dims)} "  # noqa: S608
            "FROM stacked_all WHERE value IS NULL"
        )
        shape.null_associations.append(("null_assoc_rows", dims))
        con.execute(
            "CREATE OR REPLACE VIEW stacked AS SELECT * FROM stacked_all WHERE value IS NOT NULL"
        )
    else:
        con.execute("CREATE OR REPLACE VIEW stacked AS SELECT * FROM stacked_all")
    return "stacked"


def stored_columns(time_config) -> list[str]:
    return [*NON_TIME_TYPES, *time_columns(time_config), "value"]


_SAFE = re.compile(r"^[\w.-]+$")
