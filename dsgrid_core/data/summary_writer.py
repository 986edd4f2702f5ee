"""Writing a dataset version's summaries (`data.summaries`) at registration, from its stored
rows on a DuckDB connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.config.time_formats import AlignedInAbsoluteTime
from dsgrid_core.data.storage import file_digest
from dsgrid_core.data.summaries import DAY, DAY_COLUMN, FILES, TOTAL, local_day
from dsgrid_core.sql import ident, lit

DAYS_TABLE = "__summary_days"


def summarizable(time_config) -> bool:
    """Whether a dataset with this time dimension gets summaries."""
    return isinstance(time_config, DatetimeTimeConfig)


def day_zone(time_config) -> str | None:
    """The zone a dataset's summary per local day reads its days in: the zone of its
    timestamps; None where each row has its own (aligned in standard clock time)."""
    if not isinstance(time_config.time_zone_format, AlignedInAbsoluteTime):
        return None
    zone = time_config.time_zone
    return "UTC" if zone in ("LOCAL", "NONE") else zone


def _written(con, kind: str, target: Path, **extra) -> dict[str, Any]:
    rows = con.execute(f"SELECT count(*) FROM read_parquet({lit(str(target))})").fetchone()[0]  # noqa: S608
    size, digest = file_digest(target)
    return {"file": FILES[kind], "rows": rows, "size_bytes": size, "sha256": digest, **extra}


def _write_total(con, table: str, folder: Path) -> dict[str, Any]:
    """The rows summed over time, from ``table``: the stored rows, or their sums per day (24
    times fewer to read; a sum of sums, null where every value is, as SQL's SUM)."""
    target = folder / FILES[TOTAL]
    keys = ", ".join(ident(c) for c in NON_TIME_TYPES)
    con.execute(
        f"COPY (SELECT {keys}, CAST(SUM({ident('value')}) AS DOUBLE) AS {ident('value')} "  # noqa: S608 - identifiers and a literal path
        f"FROM {ident(table)} GROUP BY {keys}) TO {lit(str(target))} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    return _written(con, TOTAL, target)


def _write_days(con, table: str, folder: Path, time_config, zone: str) -> dict[str, Any]:
    """The rows summed per local day; every stored instant is one of the time dimension's (the
    registration's time check), so the join to the day of each loses no row."""
    tz = ZoneInfo(zone)
    instants = time_config.instants()
    con.execute(f"CREATE OR REPLACE TEMP TABLE {DAYS_TABLE} (instant TIMESTAMPTZ, day BIGINT)")
    con.execute(
        f"INSERT INTO {DAYS_TABLE} SELECT unnest($1::TIMESTAMPTZ[]), unnest($2::BIGINT[])",  # noqa: S608
        [instants, [local_day(t, tz) for t in instants]],
    )
    target = folder / FILES[DAY]
    keys = ", ".join(f"s.{ident(c)}" for c in NON_TIME_TYPES)
    con.execute(
        f"COPY (SELECT {keys}, d.day AS {ident(DAY_COLUMN)}, "  # noqa: S608 - identifiers and a literal path
        f"CAST(SUM(s.{ident('value')}) AS DOUBLE) AS {ident('value')} "
        f"FROM {ident(table)} s JOIN {DAYS_TABLE} d ON s.{ident('timestamp')} = d.instant "
        f"GROUP BY ALL) TO {lit(str(target))} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    con.execute(f"DROP TABLE {DAYS_TABLE}")
    return _written(con, DAY, target, zone=zone)


def write_summaries(con, table: str, folder: Path, time_config) -> dict[str, dict[str, Any]]:
    """Write the summaries of the stored rows (view or table ``table`` on DuckDB connection
    ``con``) into ``folder``; what the version record keeps of them."""
    if not summarizable(time_config):
        return {}
    zone = day_zone(time_config)
    if zone is None:
        return {TOTAL: _write_total(con, table, folder)}
    day = _write_days(con, table, folder, time_config, zone)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {DAYS_TABLE}_sums AS "  # noqa: S608 - a literal path
        f"SELECT * FROM read_parquet({lit(str(folder / FILES[DAY]))})"
    )
    total = _write_total(con, f"{DAYS_TABLE}_sums", folder)
    con.execute(f"DROP VIEW {DAYS_TABLE}_sums")
    return {TOTAL: total, DAY: day}
