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
from dsgrid_core.data.summaries import (
    DAY,
    DAY_OVER_CATEGORIES,
    DAY_OVER_GEOGRAPHY,
    FILES,
    KINDS,
    MONTH,
    MONTH_OVER_GEOGRAPHY,
    OVER_CATEGORIES,
    OVER_GEOGRAPHY,
    PER_UNIT,
    TOTAL,
    WEEK,
    local_day,
)
from dsgrid_core.errors import InputError
from dsgrid_core.settings import get as setting
from dsgrid_core.sql import ident, idents, lit

DAYS_TABLE = "__summary_days"


def summarizable(time_config) -> bool:
    """Whether a dataset with this time dimension gets summaries."""
    return isinstance(time_config, DatetimeTimeConfig)


def day_zone(time_config) -> str | None:
    """The zone a dataset's summaries by local period read their days in: the zone of its
    timestamps; None where each row has its own (aligned in standard clock time)."""
    if not isinstance(time_config.time_zone_format, AlignedInAbsoluteTime):
        return None
    zone = time_config.time_zone
    return "UTC" if zone in ("LOCAL", "NONE") else zone


def summary_share() -> float:
    """The largest share of a table's bytes its summaries may take (DSGRID_SUMMARY_SHARE)."""
    raw = setting("DSGRID_SUMMARY_SHARE")
    try:
        share = float(raw)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise InputError(
            f"DSGRID_SUMMARY_SHARE is {raw!r}: give the largest share of a dataset table's "
            "bytes its summaries may take, a number from 0 to 1 (default 0.05)."
        )
    return share


def _copy_sums(con, select: str, kind: str, folder: Path) -> dict[str, Any]:
    target = folder / FILES[kind]
    # Parquet 2 writes the values split by byte (BYTE_STREAM_SPLIT), which zstd packs about
    # 11 % tighter than plain doubles (every engine here reads it)
    copied = (
        f"COPY ({select}) TO {lit(str(target))} "
        "(FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2)"
    )
    rows = con.execute(copied).fetchone()[0]  # COPY answers with the rows it wrote
    size, digest = file_digest(target)
    return {"file": FILES[kind], "rows": rows, "size_bytes": size, "sha256": digest}


def _sums(source: str, keys: list[str], period: str | None = None) -> str:
    """SELECT the ids (and ``period``, an expression named by its kind) and the sum of value
    from ``source`` (a sum of sums where the source is a summary: null where every value is,
    as SQL's SUM); rows in order of period: their values compress about 7 % better than in
    order of ids. Ordered, the same rows make the same file from one registration to the next
    (a hash aggregate's order varies with its threads)."""
    columns = [idents(keys), *([period] if period else [])]
    value = f"CAST(SUM({ident('value')}) AS DOUBLE) AS {ident('value')}"
    select = f"SELECT {', '.join(columns)}, {value} FROM {source} GROUP BY ALL"  # noqa: S608
    order = f"{len(keys) + 1}, {idents(keys)}" if period else idents(keys)
    return f"{select} ORDER BY {order}"


def _read(folder: Path, kind: str) -> str:
    return f"read_parquet({lit(str(folder / FILES[kind]))})"


def metric_units(records: list[dict[str, Any]]) -> dict[str, str | None]:
    """Metric id -> its unit, from a metric dimension's records (None where one has none):
    what ``write_summaries`` groups the metrics by."""
    return {r["id"]: r.get("unit") for r in records}


def unit_groups(units: dict[str, str | None]) -> dict[str, str]:
    """Metric id -> the first id (in id order) of the metrics in its unit (``units``: metric
    id -> unit); a metric without a unit is a group of its own."""
    first: dict[str, str] = {}
    groups = {}
    for metric in sorted(units):
        unit = units[metric]
        groups[metric] = metric if unit is None else first.setdefault(unit, metric)
    return groups


def _grouped(source: str, groups: dict[str, str]) -> str:
    """``source`` with each metric id replaced by its group's (an id the groups lack, which
    the registration's checks rule out, stays itself); a projection, so the rows keep the
    source's order and their sums the same bits from one registration to the next."""
    metric = ident(PER_UNIT)
    cases = " ".join(
        f"WHEN {lit(member)} THEN {lit(first)}"
        for member, first in groups.items()
        if member != first
    )
    if not cases:
        return source
    renamed = f"CASE s.{metric} {cases} ELSE s.{metric} END"
    return f"(SELECT s.* REPLACE ({renamed} AS {metric}) FROM {source} s)"  # noqa: S608


def _write_periods(
    con, table: str, folder: Path, time_config, zone: str, groups: dict[str, str]
) -> dict[str, Any]:
    """Every kind of summary: sums per local day from the stored rows (every stored instant is
    one of the time dimension's, the registration's time check, so the join to each one's day
    loses no row); from the days, sums per local month (a day's date names its month) and
    week, per day over geography and per day over sector, subsector and the metrics of each
    unit (``groups``); from those, the total over time and per month over geography."""
    tz = ZoneInfo(zone)
    instants = time_config.instants()
    con.execute(f"CREATE OR REPLACE TEMP TABLE {DAYS_TABLE} (instant TIMESTAMPTZ, day BIGINT)")
    con.execute(
        f"INSERT INTO {DAYS_TABLE} SELECT unnest($1::TIMESTAMPTZ[]), unnest($2::BIGINT[])",  # noqa: S608
        [instants, [local_day(t, tz) for t in instants]],
    )
    keys = list(NON_TIME_TYPES)
    fewer = [k for k in keys if k not in OVER_GEOGRAPHY]
    per_unit = [k for k in keys if k not in OVER_CATEGORIES]
    stored = (
        f"(SELECT s.*, d.day FROM {ident(table)} s JOIN {DAYS_TABLE} d "  # noqa: S608
        f"ON s.{ident('timestamp')} = d.instant)"
    )
    date = f"(DATE '1970-01-01' + CAST({ident(DAY)} AS INTEGER))"
    month = f"((year({date}) - 1970) * 12 + month({date}) - 1) AS {ident(MONTH)}"
    day = ident(DAY)
    week = f"CAST(floor(({day} + 3) / 7) AS BIGINT) AS {ident(WEEK)}"  # as local_week
    steps = (  # kind, its source, the ids it keeps, its period
        (DAY, stored, keys, day),
        (MONTH, _read(folder, DAY), keys, month),
        (TOTAL, _read(folder, MONTH), keys, None),
        (DAY_OVER_GEOGRAPHY, _read(folder, DAY), fewer, day),
        (MONTH_OVER_GEOGRAPHY, _read(folder, DAY_OVER_GEOGRAPHY), fewer, month),
        (WEEK, _read(folder, DAY), keys, week),
        (DAY_OVER_CATEGORIES, _grouped(_read(folder, DAY), groups), per_unit, day),
    )
    written = {}
    for kind, source, kept, period in steps:
        written[kind] = _copy_sums(con, _sums(source, kept, period), kind, folder)
        if period is not None:
            written[kind]["zone"] = zone
    written[DAY_OVER_CATEGORIES]["groups"] = groups
    con.execute(f"DROP TABLE {DAYS_TABLE}")
    return written


def _within(written: dict[str, dict[str, Any]], folder: Path, budget: float) -> dict:
    """The summaries kept, in the order of ``KINDS`` while their bytes fit in ``budget``; the
    files of the others are removed."""
    kept, used = {}, 0
    for kind in KINDS:
        entry = written.get(kind)
        if entry is None:
            continue
        if used + entry["size_bytes"] <= budget:
            kept[kind], used = entry, used + entry["size_bytes"]
        else:
            (folder / entry["file"]).unlink()
    return kept


def write_summaries(
    con, table: str, folder: Path, time_config, budget: float, metric_units: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Write the summaries of the stored rows (view or table ``table`` on DuckDB connection
    ``con``) into ``folder``, those that fit in ``budget`` bytes together (the share
    ``summary_share`` of the table's); what the version record keeps of them.
    ``metric_units``: the dataset's metric ids -> their unit (None where a record has none)."""
    if not summarizable(time_config):
        return {}
    zone = day_zone(time_config)
    if zone is not None:
        groups = unit_groups(metric_units)
        written = _write_periods(con, table, folder, time_config, zone, groups)
    else:
        total = _sums(ident(table), list(NON_TIME_TYPES))
        written = {TOTAL: _copy_sums(con, total, TOTAL, folder)}
    return _within(written, folder, budget)
