"""A whole dataset.json5 guessed from a data table: its layout, time, and a dimension for each
dimension column (an existing one whose records match, or a new one from the values)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dsgrid_core.config.base import slugify
from dsgrid_core.config.dataset import DataFile
from dsgrid_core.config.dimension import DEFAULT_CLASS, NON_TIME_TYPES
from dsgrid_core.data.duck import connect
from dsgrid_core.errors import InputError
from dsgrid_core.infer.dimension import records_from_values

TIME_PART_COLUMNS = ("year", "month", "day", "hour")
TIMESTAMP_NAMES = ("timestamp", "time", "datetime", "time_stamp", "date_time")
STR_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class DatasetGuess:
    config: dict[str, Any]
    reasons: dict[str, str] = field(default_factory=dict)  # config path -> why
    questions: list[str] = field(default_factory=list)  # what the user must still decide


def _scan(path: Path) -> str:
    """The same reader registration uses (CSV columns stay text, so 06073 keeps its zero)."""
    from dsgrid_core.data.readers import scan_sql  # late: sqlglot

    return scan_sql(None, path, DataFile(path=str(path)))


def _column_kinds(con, source: str, types: dict[str, str], sample: int = 20000) -> dict:
    """For text columns, whether every value reads as a number or as a timestamp (and with
    which UTC offset, when the text carries one)."""
    from dsgrid_core.sql import ident  # late: sqlglot

    kinds: dict[str, str] = {}
    offsets: dict[str, set[str]] = {}
    for column, type_ in types.items():
        if "TIMESTAMP" in type_:
            kinds[column] = "instant" if "TIME ZONE" in type_ else "timestamp"
        elif any(k in type_ for k in ("DOUBLE", "FLOAT", "INT", "DECIMAL", "REAL")):
            kinds[column] = "number"
        elif type_ == "VARCHAR":
            c = ident(column)
            row = con.execute(
                f"SELECT count({c}), count(TRY_CAST({c} AS DOUBLE)), "  # noqa: S608
                f"count(TRY_CAST({c} AS TIMESTAMPTZ)), "
                f"list(DISTINCT regexp_extract({c}, '([+-]\\d\\d:?\\d\\d|Z)$', 1)) "
                f"FROM (SELECT {c} FROM {source} LIMIT {int(sample)})"
            ).fetchone()
            present, numbers, stamps, tails = row
            if present and numbers == present:
                kinds[column] = "number"
            elif present and stamps == present and column.lower() not in NON_TIME_TYPES:
                tails = {t for t in tails if t}
                kinds[column] = "instant" if tails else "timestamp"
                offsets[column] = tails
            else:
                kinds[column] = "text"
        else:
            kinds[column] = "text"
    return {"kinds": kinds, "offsets": offsets}


def _zone_of_offsets(tails: set[str]) -> str | None:
    """One fixed UTC offset (-05:00) as an IANA zone (Etc/GMT+5); None if several."""
    if len(tails) != 1:
        return None
    tail = next(iter(tails)).replace(":", "")
    if tail in ("Z", "+0000", "-0000"):
        return "UTC"
    sign, hours, minutes = tail[0], int(tail[1:3]), int(tail[3:5])
    if minutes:
        return None
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def _frequency(times: list[datetime]) -> timedelta | None:
    diffs = Counter(b - a for a, b in zip(times, times[1:], strict=False) if b > a)
    return diffs.most_common(1)[0][0] if diffs else None


def _frequency_text(step: timedelta) -> str:
    total = int(step.total_seconds())
    hours, rest = divmod(total, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _matching_dimension(registry, t: str, values: set[str]):
    """The registered dimension of type ``t`` holding the most of ``values`` (all of them, or
    None)."""
    best = None
    for summary in registry.list("dimension", type=t):
        ids = {r["id"] for r in registry.records(summary.id)}
        if values <= ids and (best is None or len(ids) < best[1]):
            best = (summary, len(ids))
    return best[0] if best else None


def _describe(con, source: str, name: str) -> dict[str, str]:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()  # noqa: S608
    except Exception as exc:  # noqa: BLE001 - DuckDB names what it could not read
        raise InputError(f"{name}: cannot read it as a table: {str(exc).splitlines()[0]}") from None
    return {row[0]: str(row[1]).upper() for row in described}


def infer_dataset(
    path: Path,
    *,
    lookup: Path | None = None,
    registry=None,
    dataset_id: str | None = None,
    time_zone: str = "UTC",
) -> DatasetGuess:
    """A complete dataset.json5 for a data table (with its lookup table for the two-table
    layout), from columns and values: dimension columns by name, stacked or pivoted values,
    the time range and frequency; registered dimensions are referenced when they hold every
    value."""
    path = Path(path)
    con = connect()
    try:
        source = _scan(path)
        types = _describe(con, source, path.name)
        guess = DatasetGuess(config={})
        reasons = guess.reasons
        dim_source, dim_types = source, types
        if lookup is not None:
            lookup = Path(lookup)
            dim_source = _scan(lookup)
            dim_types = _describe(con, dim_source, lookup.name)
            if "id" not in types or "id" not in dim_types:
                raise InputError(
                    f"a two-table dataset joins the data table and the lookup table on an 'id' "
                    f"column; {path.name if 'id' not in types else lookup.name} has none."
                )
            reasons["data_layout.table_format"] = (
                f"two tables: {path.name} (values by id) and {lookup.name} (dimensions by id)"
            )
        elif "id" in types:
            guess.questions.append(
                f"{path.name} has an 'id' column: if it is the load_data of a two-table "
                "dataset, give its lookup table (id plus one column per dimension)."
            )
        dims = [c for c in dim_types if c in NON_TIME_TYPES]
        probe = _column_kinds(con, source, types)
        kinds = probe["kinds"]
        time_cols = [
            c
            for c in types
            if kinds[c] in ("instant", "timestamp")
            and (c.lower() in TIMESTAMP_NAMES or "TIMESTAMP" in types[c] or kinds[c] == "instant")
        ]
        parts = [c for c in TIME_PART_COLUMNS if c in types]
        numeric = [
            c
            for c in types
            if c not in dims
            and c != "id"
            and c not in time_cols
            and c not in parts
            and kinds[c] == "number"
        ]
        from dsgrid_core.sql import ident, lit  # late: sqlglot

        if "value" in types:
            value_format, pivoted = "stacked", []
            reasons["data_layout.value_format"] = "a 'value' column holds the values"
        elif numeric:
            value_format, pivoted = "pivoted", numeric
            reasons["data_layout.value_format"] = (
                f"{len(numeric)} numeric columns ({', '.join(numeric[:4])}"
                f"{'...' if len(numeric) > 4 else ''}) hold the values: one column per metric"
            )
        else:
            raise InputError(
                f"{path.name}: no 'value' column and no numeric columns: where are the values?"
            )
        layout: dict[str, Any] = {
            "table_format": "two_table" if lookup is not None else "one_table",
            "value_format": value_format,
            "data_file": {"path": path.name},
        }
        if lookup is not None:
            layout["lookup_data_file"] = {"path": lookup.name}
        if value_format == "pivoted":
            layout["pivoted_dimension_type"] = "metric"
        # time
        time_config: dict[str, Any] = {
            "type": "time",
            "time_type": "datetime",
            "name": f"{dataset_id or slugify(path.stem)} time",
            "description": "Inferred from the data table.",
            "time_interval_type": "period_beginning",
            "measurement_type": "total",
            "time_zone_format": {"format_type": "aligned_in_absolute_time", "time_zone": time_zone},
        }
        if time_cols:
            column = time_cols[0]
            if kinds[column] == "instant":
                zone = _zone_of_offsets(probe["offsets"].get(column, set()))
                if zone and time_zone == "UTC":
                    time_zone = zone
                    time_config["time_zone_format"]["time_zone"] = zone
                    reasons["dimensions.time.time_zone_format"] = (
                        f"every timestamp in '{column}' carries the UTC offset of {zone}"
                    )
                # instants, shown as wall-clock times of the dataset's time zone
                expr = f"timezone({lit(time_zone)}, {ident(column)}::TIMESTAMPTZ)"
            else:
                expr = ident(column) + "::TIMESTAMP"
            reasons["dimensions.time"] = f"column '{column}' holds timestamps"
        elif len(parts) == 4:
            expr = "make_timestamp(" + ", ".join(f"{ident(p)}::BIGINT" for p in parts) + ", 0, 0)"
            time_config["column_format"] = {
                "dtype": "time_format_in_parts",
                "year_column": "year",
                "month_column": "month",
                "day_column": "day",
                "hour_column": "hour",
            }
            reasons["dimensions.time"] = "columns year, month, day and hour give the time"
        else:
            raise InputError(
                f"{path.name}: no time column: name one 'timestamp', or give year, month, day "
                "and hour columns."
            )
        times = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT {expr} AS t FROM {source} ORDER BY t"  # noqa: S608
            ).fetchall()
        ]
        step = _frequency(times)
        if step is None:
            raise InputError(
                f"{path.name}: fewer than two distinct times; cannot tell a frequency."
            )
        # dsgrid 0.4's form: each range carries its own format and frequency
        time_config["ranges"] = [
            {
                "start": times[0].strftime(STR_FORMAT),
                "end": times[-1].strftime(STR_FORMAT),
                "str_format": STR_FORMAT,
                "frequency": _frequency_text(step),
            }
        ]
        expected = int((times[-1] - times[0]) / step) + 1
        reasons["dimensions.time.ranges"] = (
            f"{len(times):,} distinct times from {times[0]} to {times[-1]}, every "
            f"{_frequency_text(step)}"
            + (f" ({expected - len(times):,} steps missing)" if expected != len(times) else "")
        )
        if time_zone == "UTC" and "dimensions.time.time_zone_format" not in reasons:
            guess.questions.append(
                "The times were read as UTC. If they are local times, choose their time zone."
            )
        # dimensions
        dimensions, references, trivial = [time_config], [], []
        for t in NON_TIME_TYPES:
            if t == "metric" and value_format == "pivoted":
                values = pivoted
            elif t in dims:
                values = [
                    r[0]
                    for r in con.execute(
                        f"SELECT DISTINCT CAST({ident(t)} AS VARCHAR) FROM {dim_source}"  # noqa: S608
                        f" ORDER BY 1"
                    ).fetchall()
                ]
            else:
                trivial.append(t)
                guess.questions.append(
                    f"The table has no {t} column: {t} is a trivial dimension; give its one "
                    "record (id and name)."
                )
                dimensions.append(
                    {
                        "type": t,
                        "class": DEFAULT_CLASS[t],
                        "name": f"{dataset_id or slugify(path.stem)} {t}",
                        "description": "Trivial dimension: one record.",
                        "records": [{"id": f"{t}_1", "name": f"{t}_1"}],
                    }
                )
                reasons[f"dimensions.{t}"] = f"no '{t}' column: a trivial dimension"
                continue
            found = _matching_dimension(registry, t, set(map(str, values))) if registry else None
            if found is not None:
                references.append({"type": t, "name": found.name, "version": found.version})
                reasons[f"dimension_references.{t}"] = (
                    f"the registered dimension '{found.name}' holds all {len(values)} values"
                )
                continue
            records = records_from_values(values)
            dimensions.append(
                {
                    "type": t,
                    # a metric's usual class needs units: the generic one until they are given
                    "class": "MetricDimensionBaseModel" if t == "metric" else DEFAULT_CLASS[t],
                    "name": f"{dataset_id or slugify(path.stem)} {t}",
                    "description": f"Records taken from the data table's {t} values.",
                    "records": records,
                }
            )
            reasons[f"dimensions.{t}"] = f"{len(records)} distinct values in column '{t}'"
            if t == "metric":
                guess.questions.append(
                    "Metric records need a unit (kWh, MWh, therm, ...) for unit conversion: "
                    "add unit and fuel_id to each and make the class EnergyEndUse."
                )
    finally:
        con.close()
    ds_id = dataset_id or slugify(path.stem)
    guess.config = {
        "dataset_id": ds_id,
        "dataset_type": "modeled",
        "data_classification": "low",
        "description": f"{ds_id}, described from {path.name}.",
        "trivial_dimensions": trivial,
        "dimensions": dimensions,
        "dimension_references": references,
        "data_layout": layout,
    }
    return guess
