"""Checks of a dataset's stacked table against its dimensions.

Run on the staged Parquet file before anything is registered: record ids known, no duplicate
rows, time exactly as the time dimension says, and every expected combination of records
present (minus declared missing associations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.data.readers import time_columns
from dsgrid_core.errors import CheckFailed
from dsgrid_core.sql import ident, idents
from dsgrid_core.validate.associations import (
    AssociationRules,
    create_record_tables,
    excused_combinations_sql,
    load_association_tables,
    missing_combinations_sql,
)
from dsgrid_core.validate.report import explain_missing

MAX_IDS = 8


@dataclass
class DatasetCheckInput:
    table: str  # a view or table in ``con`` (the stacked data)
    records: dict[str, list[str]]  # dimension type -> record ids (non-time types)
    time: object  # the time dimension config
    missing_association_paths: list[Path]
    expected_association_paths: list[Path]
    source: str  # what to call the data in messages
    data_files: str = ""  # the data file(s) read, named in messages about values
    pivoted_dimension_type: str | None = None  # its records were the file's value columns
    # views of combinations the files declare missing by empty values (DatasetShape)
    null_associations: list[tuple[str, list[str]]] = field(default_factory=list)
    # dataset_type historical with annual time: each row's year is its model year (dsgrid's
    # rule), so a combination has one year, not every year of the time dimension
    historical_annual: bool = False


def expected_time_values(time_config) -> list[tuple]:
    """The expected rows of the stored time columns."""
    if isinstance(time_config, DatetimeTimeConfig):
        return [(t,) for t in time_config.instants()]
    if hasattr(time_config, "years"):
        return [(y,) for y in time_config.years()]
    if hasattr(time_config, "periods"):
        return list(time_config.periods())
    if hasattr(time_config, "indices"):
        return [(i,) for i in time_config.indices()]
    return []


def create_expected_time_table(con, time_config, name: str = "expected_time") -> list[str]:
    cols = time_columns(time_config)
    if not cols:
        return []
    types = ["TIMESTAMPTZ" if c == "timestamp" else "INTEGER" for c in cols]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(name)} ("
        + ", ".join(f"{ident(c)} {t}" for c, t in zip(cols, types, strict=True))
        + ")"
    )
    rows = expected_time_values(time_config)
    if rows:
        import pyarrow as pa  # late: pyarrow

        arrays = list(zip(*rows, strict=True))
        if cols == ["timestamp"]:
            table = pa.table({"timestamp": pa.array(arrays[0], pa.timestamp("us", tz="UTC"))})
        else:
            table = pa.table(
                {c: pa.array(a, pa.int32()) for c, a in zip(cols, arrays, strict=True)}
            )
        con.register("__expected_time_arrow", table)
        con.execute(f"INSERT INTO {ident(name)} SELECT * FROM __expected_time_arrow")  # noqa: S608
        con.unregister("__expected_time_arrow")
    return cols


def _fmt(value) -> str:
    if hasattr(value, "astimezone"):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def _non_finite_values(con, check: DatasetCheckInput, count: int, dims, tcols) -> CheckFailed:
    """NaN, inf and -inf (and 1e400, which every reader turns into inf) are no load: a sum
    over them is NaN or inf, silently. Name the file, the column and an example row."""
    row = con.execute(
        f"SELECT {idents(dims + tcols)}, value FROM {ident(check.table)} "  # noqa: S608
        "WHERE NOT isfinite(value) LIMIT 1"
    ).fetchone()
    where = dict(zip(dims + tcols, row[:-1], strict=True))
    column = where[check.pivoted_dimension_type] if check.pivoted_dimension_type else "value"
    shown = ", ".join(
        f"{k}={_fmt(v)}" for k, v in where.items() if k != check.pivoted_dimension_type
    )
    files = check.data_files or check.source
    return CheckFailed(
        f"{files}: {count:,} value(s) are not finite numbers (NaN, inf or -inf; a number too "
        f"large for a double, such as 1e400, reads as inf), e.g. column '{column}' in the row "
        f"{shown}: {row[-1]}. Fix those values (leave a combination out, and declare it in "
        "missing_associations, if it has no value).",
        problems=[{"field": column, "message": f"non-finite value {row[-1]} ({shown})"}],
    )


def _check_year_is_model_year(con, check: DatasetCheckInput) -> None:
    """A historical dataset with annual time reports each year as its own model year."""
    table = ident(check.table)
    bad, example = con.execute(
        f"SELECT count(*), min(time_year::VARCHAR || ' with model_year ' || model_year) "  # noqa: S608
        f"FROM {table} WHERE time_year::VARCHAR IS DISTINCT FROM model_year"
    ).fetchone()
    if bad:
        raise CheckFailed(
            f"{check.source}: {bad:,} rows of this historical dataset with annual time have a "
            f"year other than their model year, e.g. {example}. In a historical dataset the "
            "year of a value is its model year: fix the rows, or set dataset_type to modeled."
        )


def check_dataset_table(con, check: DatasetCheckInput, report_dir: Path | None = None) -> dict:
    """Raise CheckFailed with a readable explanation, or return facts about the table."""
    table = ident(check.table)
    dims = list(NON_TIME_TYPES)
    tcols = time_columns(check.time)

    # 1. dimension columns hold known record ids, never NULL
    for dim in dims:
        known = set(check.records[dim])
        values = con.execute(f"SELECT {ident(dim)}, count(*) FROM {table} GROUP BY ALL").fetchall()  # noqa: S608
        nulls = sum(n for v, n in values if v is None)
        if nulls:
            raise CheckFailed(
                f"{check.source}: {nulls:,} rows have no {dim} id. Every row needs "
                f"a {dim} record id."
            )
        unknown = sorted(((v, n) for v, n in values if v not in known), key=lambda x: -x[1])
        if unknown:
            shown = [f"'{v}' ({n:,} rows)" for v, n in unknown[:MAX_IDS]]
            more = f" and {len(unknown) - MAX_IDS} more" if len(unknown) > MAX_IDS else ""
            example = ", ".join(sorted(known)[:5])
            raise CheckFailed(
                f"{check.source}: {len(unknown)} {dim} id(s) are not records of the dataset's "
                f"{dim} dimension: {', '.join(shown)}{more}. Known ids look like: {example}. "
                "Fix the data, or add these records to the dimension."
            )

    # One pass over the values for both: NULL, and NaN/inf/-inf (isfinite is NULL for NULL).
    null_values, non_finite = con.execute(
        f"SELECT count(*) FILTER (WHERE value IS NULL), "  # noqa: S608
        f"count(*) FILTER (WHERE NOT isfinite(value)) FROM {table}"
    ).fetchone()
    if null_values:
        raise CheckFailed(
            f"{check.source}: {null_values:,} rows of the data table have no value. In two "
            "tables a combination without data is a lookup row with an empty id (or a row of "
            "missing_associations): remove these rows, or fill them in."
        )
    if non_finite:
        raise _non_finite_values(con, check, int(non_finite), dims, tcols)

    # 2. time values are exactly those of the time dimension
    expected_cols = create_expected_time_table(con, check.time)
    if expected_cols:
        n_expected = con.execute("SELECT count(*) FROM expected_time").fetchone()[0]
        extra = con.execute(
            f"SELECT {idents(tcols)}, count(*) FROM (SELECT DISTINCT {idents(tcols)} "  # noqa: S608
            f"FROM {table}) d ANTI JOIN expected_time USING ({idents(tcols)}) "
            f"GROUP BY ALL ORDER BY ALL LIMIT 5"
        ).fetchall()
        if extra:
            n_extra = con.execute(
                f"SELECT count(*) FROM (SELECT DISTINCT {idents(tcols)} FROM {table}) d "  # noqa: S608
                f"ANTI JOIN expected_time USING ({idents(tcols)})"
            ).fetchone()[0]
            first_expected = con.execute(
                f"SELECT min({ident(tcols[0])}) FROM expected_time"
            ).fetchone()[0]  # noqa: S608
            first_data = con.execute(f"SELECT min({ident(tcols[0])}) FROM {table}").fetchone()[0]  # noqa: S608
            shown = ", ".join(_fmt(r[0]) if len(r) == 2 else str(r[:-1]) for r in extra)
            raise CheckFailed(
                f"{check.source}: {n_extra:,} distinct time value(s) in the data are not in the "
                f"time dimension (which has {n_expected:,}), e.g. {shown}. The data starts at "
                f"{_fmt(first_data)}, the time dimension at {_fmt(first_expected)}: check the "
                "time zone, time_interval_type (period_beginning/period_ending) and ranges."
            )

    # 3. no duplicate rows for one combination and time. First as many distinct hashes of the
    # key as rows (one integer to count, not eight columns to group): then no two rows share
    # a key. Fewer (duplicates, or hashes that collide): group by the key itself.
    rows, hashes = con.execute(
        f"SELECT count(*), count(DISTINCT hash({idents(dims + tcols)})) FROM {table}"  # noqa: S608
    ).fetchone()
    dup = None
    if hashes < rows:
        dup = con.execute(
            f"SELECT {idents(dims + tcols)}, count(*) AS n FROM {table} GROUP BY ALL "  # noqa: S608
            "HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
    if dup:
        n_dup = con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} GROUP BY {idents(dims + tcols)} "  # noqa: S608
            "HAVING count(*) > 1)"
        ).fetchone()[0]
        combo = ", ".join(f"{d}={v}" for d, v in zip(dims + tcols, dup[:-1], strict=True))
        raise CheckFailed(
            f"{check.source}: {n_dup:,} combinations appear more than once, e.g. "
            f"{combo} ({dup[-1]} rows). Each combination and time must appear "
            "once."
        )

    # 4. every expected combination present, at every time
    create_record_tables(con, {d: check.records[d] for d in dims})
    rules = AssociationRules(
        expected=load_association_tables(
            con, check.expected_association_paths, check.records, "expected_assoc"
        ),
        missing=load_association_tables(
            con, check.missing_association_paths, check.records, "missing_assoc"
        )
        + list(check.null_associations),
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE present AS SELECT {idents(dims)}, "  # noqa: S608
        f"count(*) AS n_times FROM {table} GROUP BY ALL"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE missing_combos AS "
        + missing_combinations_sql(dims, "present", rules)
    )
    n_missing = con.execute("SELECT count(*) FROM missing_combos").fetchone()[0]
    universe = {d: len(check.records[d]) for d in dims}
    if n_missing:
        raise explain_missing(
            con,
            "missing_combos",
            universe,
            headline=f"{check.source}: dimension associations are incomplete",
            hint="Add the data, or declare the combinations in missing_associations.",
            report_dir=report_dir,
            report_name="missing_associations",
            excused_sql=excused_combinations_sql(dims, rules),
        )
    if expected_cols and check.historical_annual:
        _check_year_is_model_year(con, check)
    elif expected_cols:
        short = con.execute(
            "SELECT count(*) FROM present WHERE n_times < (SELECT count(*) FROM expected_time)"
        ).fetchone()[0]
        if short:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE missing_times AS SELECT {idents(dims + tcols)} "  # noqa: S608
                f"FROM (SELECT * FROM present WHERE n_times < {int(n_expected)}) p "
                f"CROSS JOIN expected_time ANTI JOIN {table} d USING ({idents(dims + tcols)})"
            )
            if len(tcols) > 1:
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE missing_times AS SELECT "  # noqa: S608
                    f"{idents(dims)}, concat_ws('-', {idents(tcols)}) AS time "
                    "FROM missing_times"
                )
            else:
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE missing_times AS SELECT "  # noqa: S608
                    f"{idents(dims)}, strftime({ident(tcols[0])}, '%Y-%m-%d %H:%M UTC') "
                    f"AS time FROM missing_times"
                    if tcols == ["timestamp"]
                    else f"CREATE OR REPLACE TEMP TABLE missing_times AS SELECT {idents(dims)},"
                    f" {ident(tcols[0])}::VARCHAR AS time FROM missing_times"
                )
            raise explain_missing(
                con,
                "missing_times",
                {**universe, "time": int(n_expected)},
                headline=f"{check.source}: {short:,} combination(s) lack some time steps",
                hint="Every combination present must cover the whole time dimension.",
                report_dir=report_dir,
                report_name="missing_time_steps",
            )
    row_count, combos = con.execute(
        f"SELECT (SELECT count(*) FROM {table}), (SELECT count(*) FROM present)"
    ).fetchone()  # noqa: S608
    return {"row_count": int(row_count), "combinations": int(combos)}
