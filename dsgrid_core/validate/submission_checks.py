"""The submission check: after mapping a dataset to the project's base dimensions, every
record combination the project requires is present (or declared missing), the time
dimensions line up, and metric units can be converted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from dsgrid_core.config.dimension import ENERGY_UNITS, NON_TIME_TYPES, POWER_UNITS
from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.data.scan import table_sql
from dsgrid_core.errors import CheckFailed
from dsgrid_core.sql import ident, idents, lit
from dsgrid_core.timealign import AlignOptions, align
from dsgrid_core.timealign.datetime_map import AlignmentError
from dsgrid_core.timealign.zones import dataset_zone
from dsgrid_core.validate.report import explain_missing


@dataclass
class SubmissionCheckInput:
    table_path: Path | str  # the dataset's stored Parquet (a path or an s3:// URL)
    missing_path: Path | str | None  # its declared-missing combinations, when stored
    mappings: dict[str, list[tuple[str, str | None, float]]]  # type -> records (non-identity)
    base_records: dict[str, list[str]]  # project base ids per type
    required_groups: list[dict[str, list[str]]]  # from required_dimensions
    source: str


def _mapped_sql(source_sql: str, mappings: dict, dims: list[str]) -> str:
    """Distinct combinations of ``source_sql`` with each mapped dimension replaced."""
    select, joins = [], []
    for dim in dims:
        if dim in mappings:
            alias = ident(f"m_{dim}")
            joins.append(
                f"JOIN {ident('map_' + dim)} {alias} ON s.{ident(dim)} = "
                f"{alias}.from_id AND {alias}.to_id IS NOT NULL"
            )
            select.append(f"{alias}.to_id AS {ident(dim)}")
        else:
            select.append(f"s.{ident(dim)}")
    return f"SELECT DISTINCT {', '.join(select)} FROM ({source_sql}) s " + " ".join(joins)


def _required_sql(dims: list[str], groups: list[dict[str, list[str]]]) -> str:
    """Required combinations: each group is a cross product; groups over the same dimensions
    are unioned; different dimension sets are crossed; other dimensions need all records."""
    by_dims: dict[tuple[str, ...], list[dict[str, list[str]]]] = {}
    for group in groups:
        by_dims.setdefault(tuple(sorted(group)), []).append(group)
    covered = {d for key in by_dims for d in key}
    parts = [f"SELECT {ident(d)} FROM {ident('base_' + d)}" for d in dims if d not in covered]
    for key, members in by_dims.items():
        unions = []
        for group in members:
            crosses = [
                f"(SELECT unnest([{', '.join(lit(v) for v in group[d])}]::VARCHAR[]) AS {ident(d)})"
                for d in key
            ]
            unions.append("SELECT * FROM " + " CROSS JOIN ".join(crosses))
        parts.append(" UNION ".join(unions))
    return "SELECT * FROM " + " CROSS JOIN ".join(f"({p})" for p in parts)


def check_submission(con, check: SubmissionCheckInput, report_dir: Path | None = None) -> dict:
    dims = list(NON_TIME_TYPES)
    for dim, records in check.mappings.items():
        name = ident("map_" + dim)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} (from_id VARCHAR, to_id VARCHAR, fraction DOUBLE)"
        )
        con.executemany(f"INSERT INTO {name} VALUES (?, ?, ?)", records)  # noqa: S608
    for dim, ids in check.base_records.items():
        name = ident("base_" + dim)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({ident(dim)} VARCHAR)")
        con.executemany(f"INSERT INTO {name} VALUES (?)", [[i] for i in ids])  # noqa: S608
    data = f"SELECT DISTINCT {idents(dims)} FROM {table_sql(con, check.table_path)}"  # noqa: S608
    con.execute(
        "CREATE OR REPLACE TEMP TABLE mapped_present AS " + _mapped_sql(data, check.mappings, dims)
    )
    if check.missing_path:
        declared = f"SELECT * FROM {table_sql(con, check.missing_path)}"  # noqa: S608
        con.execute(
            "CREATE OR REPLACE TEMP TABLE mapped_declared AS "
            + _mapped_sql(declared, check.mappings, dims)
        )
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE mapped_declared AS SELECT * FROM "  # noqa: S608
            "mapped_present WHERE false"
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE required_missing AS SELECT * FROM ("  # noqa: S608
        + _required_sql(dims, check.required_groups)
        + f") r ANTI JOIN mapped_present USING ({idents(dims)}) "
        f"ANTI JOIN mapped_declared USING ({idents(dims)})"
    )
    n_missing = con.execute("SELECT count(*) FROM required_missing").fetchone()[0]
    if n_missing:
        universe = {d: len(check.base_records[d]) for d in dims}
        raise explain_missing(
            con,
            "required_missing",
            universe,
            headline=f"{check.source}: the project requires record combinations the dataset "
            "does not provide after mapping",
            hint="Add the data, fix the dimension mappings, or declare the combinations as "
            "missing associations of the dataset.",
            report_dir=report_dir,
            report_name="missing_required_combinations",
        )
    present = con.execute("SELECT count(*) FROM mapped_present").fetchone()[0]
    return {"mapped_combinations": int(present)}


def check_time_alignment(dataset_time, project_time, source: str, options=None):
    """Lay the dataset's time onto the project's as dsgrid does (see dsgrid_core.timealign):
    datetimes in another zone or interval type, index time, representative periods, annual
    totals; with the dataset entry's wrap_time_allowed, leap-day and daylight-saving
    adjustments. Returns the time map (None for no-op time); raises CheckFailed saying what
    does not line up. Options that do not apply are ignored with a TimeAlignmentNotice
    warning naming ``source``."""
    try:
        time_map = align(
            dataset_time, project_time, replace(options or AlignOptions(), source=source)
        )
    except AlignmentError as exc:
        raise CheckFailed(f"{source}: {exc}") from None
    if isinstance(dataset_time, DatetimeTimeConfig) and _null_zone_mismatch(
        dataset_time, project_time
    ):
        raise CheckFailed(
            f"{source}: the dataset's time zone is null, which dsgrid reads as the standard "
            "time of the project's zone; the stored data were read as UTC. Give the dataset's "
            "time_zone_format.time_zone explicitly"
        )
    return time_map


def _null_zone_mismatch(dataset_time, project_time) -> bool:
    fmt = dataset_time.time_zone_format
    if getattr(fmt, "time_zone", "x") is not None:
        return False
    zone = dataset_zone(dataset_time, project_time)
    return str(getattr(zone, "key", zone)) != "UTC"


def unit_family(unit: str | None) -> str | None:
    if unit in ENERGY_UNITS:
        return "energy"
    if unit in POWER_UNITS:
        return "power"
    return None


def check_units(pairs: list[tuple[str, str | None, str, str | None]], source: str) -> None:
    """``pairs``: (dataset metric id, unit, project metric id, unit) for each mapped pair.

    Units are free text (as in dsgrid): two different units convert only within one of the
    known tables (energy, power); any other pair (energy to power, or a unit outside the
    tables such as 'ft2' to 'm2') would be queried unconverted, a wrong number. An empty unit
    means "no unit" and converts nothing. Datasets whose metric mapping already converts
    (enable_unit_conversion: false) are not checked (see submit)."""
    bad = [
        f"{a} ({ua}) -> {b} ({ub})"
        for a, ua, b, ub in pairs
        if ua
        and ub
        and ua != ub
        and (unit_family(ua) is None or unit_family(ua) != unit_family(ub))
    ]
    if bad:
        raise CheckFailed(
            f"{source}: metric units cannot be converted for "
            f"{', '.join(bad[:5])}: only energy units (kWh, MWh, therm, MBtu, ...) convert to "
            "each other, and power units (kW, MW, ...). Map to a metric in the same unit, or "
            "give the factors as the mapping's from_fraction and set "
            "enable_unit_conversion: false in the dataset config."
        )
