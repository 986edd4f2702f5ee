"""A registered dataset for browsing: its facts, a paged preview of its rows, which record
combinations it covers, and load profiles of chosen records."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
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
from dsgrid_core.browse.table_filters import INSTANT, NUMBER, check_columns, conditions
from dsgrid_core.browse.table_filters import column as _col
from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.data.base_store import MISSING_FILE
from dsgrid_core.data.duck import connect, page_connection
from dsgrid_core.data.parquet_pages import read_rows, row_count
from dsgrid_core.data.s3 import is_s3_url
from dsgrid_core.data.scan import table_expression
from dsgrid_core.errors import InputError
from dsgrid_core.query.run import parse_query, run_query
from dsgrid_core.query.units import family, unit_factor

PREVIEW_COLUMNS = [*NON_TIME_TYPES, "timestamp", "value"]
PREVIEW_KINDS = {"timestamp": INSTANT, "value": NUMBER}
RESOLUTIONS = ("hour", "day", "month")
# Coverage cell values: what a heatmap shows for one record combination.
PRESENT, DECLARED_MISSING, ABSENT = 2, 1, 0


def dataset_facts(registry, dataset_id: str, version: str | None = None) -> dict[str, Any]:
    record = registry.show("dataset", dataset_id, version)
    table = registry.data.locate(record.data_path)

    con = connect()
    try:
        first, last = con.execute(
            exp.select(exp.Min(this=_col("timestamp")), exp.Max(this=_col("timestamp")))
            .from_(table_expression(con, table))
            .sql("duckdb")
        ).fetchone()
    finally:
        con.close()
    config = record.config
    layout = config.get("data_layout") or {}
    return {
        "dataset_id": dataset_id,
        "version": record.version,
        "row_count": record.row_count,
        "size_bytes": record.size_bytes,
        "sha256": record.sha256,
        "time_range": [str(first) if first else None, str(last) if last else None],
        "layout": {
            "table_format": layout.get("table_format"),
            "value_format": layout.get("value_format"),
            "stored_as": "stacked Parquet",
        },
        "dimensions": record.extra.get("dimensions", {}),
        "trivial": record.extra.get("trivial", {}),
        "metadata": {
            k: v
            for k, v in config.items()
            if k not in ("dimensions", "dimension_references", "data_layout")
        },
    }


def preview(
    registry,
    dataset_id: str,
    version: str | None = None,
    *,
    filters: list[Filter | AnyOf] | None = None,
    sort: list[tuple[str, bool]] | None = None,
    limit: int | None = None,
    offset: int | None = None,
    token: str | None = None,
) -> Page:
    """A page of the stored rows (stacked), from ``offset`` or where ``token`` (the previous
    page's ``next``) points. Unfiltered, unsorted pages of a local table read only the row
    groups holding them (a table of millions of rows is never decoded whole for a page);
    filtered or sorted ones are cut in DuckDB on a small bounded connection."""
    limit = check_limit(limit)
    record = registry.show("dataset", dataset_id, version)
    table = registry.data.locate(record.data_path)
    check_columns(filters, sort, PREVIEW_COLUMNS)
    scope = page_scope("preview", dataset_id, record.version, filters, sort)
    offset = start_offset(offset, token, scope)
    if not filters and not sort and not is_s3_url(str(table)):
        total, rows = row_count(table), read_rows(table, offset, limit, PREVIEW_COLUMNS)
    else:
        total, rows = _sql_preview(table, filters, sort, offset, limit)
    items = [{**row, "timestamp": _iso(row["timestamp"])} for row in rows]
    return Page(
        items=items,
        total=total,
        limit=limit,
        next=next_offset_token(offset, len(items), total, scope),
        columns=PREVIEW_COLUMNS,
        offset=offset,
    )


def _sql_preview(table, filters, sort, offset, limit) -> tuple[int, list[dict]]:
    """Total and rows of a filtered or sorted preview page, in DuckDB. Without a sort rows come
    in the table's order (no ORDER BY: no sort of millions of rows); with one, the other
    columns break ties, so pages neither overlap nor skip rows."""
    where = conditions(filters, PREVIEW_KINDS)
    con = page_connection()
    try:
        source = table_expression(con, table)
        select = exp.select(*[_col(c) for c in PREVIEW_COLUMNS]).from_(source.copy())
        count = exp.select(exp.Count(this=exp.Star())).from_(source.copy())
        if where:
            select, count = select.where(exp.and_(*where)), count.where(exp.and_(*where))
        if sort:
            sorted_by = [name for name, _ in sort]
            ties = [(c, False) for c in PREVIEW_COLUMNS if c not in sorted_by]
            select = select.order_by(
                *[exp.Ordered(this=_col(n), desc=d, nulls_first=False) for n, d in [*sort, *ties]]
            )
        select = select.limit(limit).offset(offset)
        total = con.execute(count.sql("duckdb")).fetchone()[0]
        rows = con.raw.sql(select.sql("duckdb")).fetchall()
    finally:
        con.close()
    return total, [dict(zip(PREVIEW_COLUMNS, row, strict=True)) for row in rows]


def _iso(moment) -> str | None:
    """An instant as ISO text in UTC (``2012-01-01T05:00:00+00:00``), however it was read."""
    if moment is None:
        return None
    if getattr(moment, "tzinfo", None) is not None:
        moment = moment.astimezone(UTC)
    return moment.isoformat()


def _axis_ids(registry, record, t: str) -> list[str]:
    ref = record.extra["dimensions"][t]
    return [r["id"] for r in registry.records(ref["id"], ref["version"])]


def coverage(
    registry,
    dataset_id: str,
    version: str | None = None,
    *,
    x: str = "geography",
    y: str = "subsector",
) -> dict[str, Any]:
    """Which (x, y) record pairs the dataset holds rows for, declares missing, or lacks."""
    for t in (x, y):
        if t not in NON_TIME_TYPES:
            raise InputError(
                f"coverage: '{t}' is not a dimension type ({', '.join(NON_TIME_TYPES)})."
            )
    if x == y:
        raise InputError("coverage: choose two different dimension types.")
    record = registry.show("dataset", dataset_id, version)
    table = registry.data.locate(record.data_path)
    missing = registry.data.sibling(record.data_path, MISSING_FILE)

    def pairs(location) -> set[tuple[str, str]]:
        source = table_expression(con, location)
        sql = exp.select(_col(x), _col(y)).distinct().from_(source).sql("duckdb")
        return {(str(a), str(b)) for a, b in con.execute(sql).fetchall()}

    con = connect()
    try:
        present = pairs(table)
        declared = pairs(registry.data.locate(missing)) if registry.data.exists(missing) else set()
    finally:
        con.close()
    xs, ys = _axis_ids(registry, record, x), _axis_ids(registry, record, y)
    z = [
        [
            PRESENT if (a, b) in present else DECLARED_MISSING if (a, b) in declared else ABSENT
            for a in xs
        ]
        for b in ys
    ]
    counts = {"present": 0, "declared_missing": 0, "absent": 0}
    for row in z:
        for cell in row:
            counts[("absent", "declared_missing", "present")[cell]] += 1
    return {"x": x, "y": y, "x_ids": xs, "y_ids": ys, "z": z, "counts": counts}


def load_profile(
    registry,
    dataset_id: str,
    version: str | None = None,
    *,
    records: dict[str, list[str]] | None = None,
    by: str | None = None,
    resolution: str = "hour",
    use_cache: bool = False,
) -> dict[str, Any]:
    """Summed values of the chosen records over time, in the dataset's own time zone; one
    series per record of ``by`` (or one series in all). Values of different units are never
    added as they are: the chosen end uses are split by kind (energy, power, or a unit this
    tool does not know, each kept apart), and each kind is converted to its most common unit;
    ``conversions`` says what was converted from which unit, each series carries its ``unit``
    and ``kind``, and ``unit`` is set when every series shares one. The result cache is off by
    default: callers (the viewer, the API) keep their own caches, and a read-only registry
    folder may not take the cache's files."""
    if resolution not in RESOLUTIONS:
        raise InputError(f"resolution '{resolution}' is not one of {', '.join(RESOLUTIONS)}.")
    if by is not None and by not in NON_TIME_TYPES:
        raise InputError(f"'{by}' is not a dimension type ({', '.join(NON_TIME_TYPES)}).")
    record = registry.show("dataset", dataset_id, version)
    dims = record.extra["dimensions"]
    groups = _metric_groups(registry, dims["metric"], (records or {}).get("metric"))
    # each kind's unit is the most common of the dataset's (not of the chosen): the same
    # whichever end uses are picked
    every = _metric_groups(registry, dims["metric"], None)
    targets = {kind: _common_unit(every.get(kind) or units) for kind, units in groups.items()}
    # per end use: its kind, and the factor to its kind's unit (1 where nothing converts)
    kind_of, factor_of = {}, {}
    for kind, units in groups.items():
        for record_id, unit in units.items():
            kind_of[record_id] = kind
            factor_of[record_id] = (
                unit_factor(unit, targets[kind]) if unit and unit != targets[kind] else 1.0
            )
    # one query by end use as well, so that each is converted before anything is added
    result = _profile_query(
        registry, dataset_id, record, dims, records or {}, by, resolution, use_cache
    )
    table = result.table
    known = list(factor_of)
    where = pc.index_in(pc.cast(table.column("metric"), pa.string()), value_set=pa.array(known))
    factors = pc.fill_null(
        pc.take(pa.array([factor_of[m] for m in known], pa.float64()), where), 1.0
    )
    kinds = pc.fill_null(
        pc.take(pa.array([kind_of[m] for m in known], pa.string()), where), "no unit"
    )
    names = (
        pc.cast(table.column(by), pa.string())
        if by
        else pc.fill_null(pa.nulls(table.num_rows, pa.string()), "total")
    )
    summed = (
        pa.table(
            {
                "kind": kinds,
                "name": names,
                "timestamp": table.column("timestamp"),
                "value": pc.multiply(pc.cast(table.column("value"), pa.float64()), factors),
            }
        )
        .group_by(["kind", "name", "timestamp"])
        .aggregate([("value", "sum")])
        .sort_by([("name", "ascending"), ("kind", "ascending"), ("timestamp", "ascending")])
        .to_pydict()
    )
    series: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, name, t, v in zip(
        summed["kind"], summed["name"], summed["timestamp"], summed["value_sum"], strict=True
    ):
        s = series.setdefault(
            (name, kind),
            {"name": name, "kind": kind, "unit": targets.get(kind), "x": [], "y": []},
        )
        s["x"].append(t.isoformat() if hasattr(t, "isoformat") else str(t))
        s["y"].append(v)
    shown = list(series.values())
    units = {s["unit"] for s in shown} or set(targets.values())
    return {
        "resolution": resolution,
        "time_zone": result.metadata.get("time_zone"),
        "unit": next(iter(units)) if len(units) == 1 else None,  # the one unit of every series
        "kinds": list(groups),  # more than one: kept apart, never added
        "conversions": [c for kind in groups for c in _conversions(groups[kind], targets[kind])],
        "series": shown,
    }


def _metric_groups(registry, ref: dict[str, Any], chosen: list[str] | None) -> dict:
    """The chosen metric records (all when none is chosen) by kind: ``energy`` and ``power``
    (units this tool converts between), or the unit itself for any other unit; each kind maps
    record id -> unit."""
    metric = registry.records(ref["id"], ref["version"])
    wanted = set(chosen or [r["id"] for r in metric])
    groups: dict[str, dict[str, str | None]] = {}
    for r in metric:
        if r["id"] in wanted:
            unit = r.get("unit")
            kind = family(unit) or (unit or "no unit")
            groups.setdefault(kind, {})[r["id"]] = unit
    return groups or {"no unit": {i: None for i in wanted}}


def _common_unit(units: dict[str, str | None]) -> str | None:
    """The unit values of one kind are shown in: the most common one (ties: by name)."""
    counts = Counter(u for u in units.values() if u)
    if not counts:
        return None
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]


def _conversions(units: dict[str, str | None], target: str | None) -> list[dict[str, Any]]:
    """Which records were converted to ``target``, from which unit, by which factor."""
    by_unit: dict[str, list[str]] = {}
    for record_id, unit in sorted(units.items()):
        if unit and target and unit != target:
            by_unit.setdefault(unit, []).append(record_id)
    return [
        {"from": u, "to": target, "factor": unit_factor(u, target), "records": ids}
        for u, ids in sorted(by_unit.items())
    ]


def _profile_query(registry, dataset_id, record, dims, records, by, resolution, use_cache):
    """The dataset query behind a profile: sums by time, ``by`` and end use, unconverted."""
    time_ref: dict[str, Any] = {"dimension_name": dims["time"]["name"]}
    if resolution != "hour":
        time_ref["function"] = f"start_of_{resolution}"
    dimensions: dict[str, list] = {"time": [time_ref], "metric": [dims["metric"]["name"]]}
    if by and by != "metric":
        dimensions[by] = [dims[by]["name"]]
    filters = [
        {
            "filter_type": "column_operator",
            "dimension_type": t,
            "dimension_name": dims[t]["name"],
            "operator": "isin",
            "value": list(ids),
        }
        for t, ids in records.items()
        if ids
    ]
    query = parse_query(
        {
            "name": "load_profile",
            "dataset_id": dataset_id,
            "version": record.version,
            "aggregations": [{"dimensions": dimensions}],
            "dimension_filters": filters,
            "time_zone": _dataset_zone(registry, dims["time"]),
            "column_type": "dimension_types",
            "sort_columns": ["timestamp"],
        }
    )
    return run_query(registry, query, use_cache=use_cache)


def _dataset_zone(registry, time_ref: dict[str, Any]) -> str:
    config = parse_dimension(registry.show("dimension", time_ref["id"], time_ref["version"]).config)
    zone = getattr(config, "time_zone", None) or "UTC"
    return "UTC" if zone in ("LOCAL", "NONE") else zone
