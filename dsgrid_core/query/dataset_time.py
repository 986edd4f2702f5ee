"""A dataset's time in a project query, as dsgrid lays it onto the project's time.

Datetime datasets reach the project's time by a constant shift of their stored instants
(``context.time_shift_seconds``). Annual, index and representative-period time need the
dataset's time map (``dsgrid_core.timealign``, the one its submission was checked with): a
table ``stored time key [, time zone] -> project instant, factor`` that the planner joins to
the stored rows (``planner.dataset_source``). Time read in each geography's clock takes the
zone of the row's geography record: the dataset's own records, or, with
``use_project_geography_time_zone``, the project records the row maps to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsgrid_core.config.time_dimension import (
    AnnualTimeConfig,
    IndexTimeConfig,
    RepresentativePeriodTimeConfig,
)
from dsgrid_core.config.time_zones import to_iana_time_zone
from dsgrid_core.errors import InputError

ZONE = "time_zone"
# dsgrid's rule for annual time: the year of the row becomes its model year
ANNUAL_MODEL_YEAR_FROM = "time_year"


@dataclass
class TimeJoin:
    """How a dataset's stored time columns become project instants.

    ``rows`` are ``(*key, [zone,] instant, factor)``: ``key_columns`` are stored columns,
    the zone (when ``zones`` is set) is that of the row's geography (``zones``: stored
    geography id -> IANA zone). ``model_year_from`` names the stored column that replaces
    the model year (annual time)."""

    key_columns: list[str]
    rows: list[tuple]
    zones: dict[str, str] | None = None
    model_year_from: str | None = None

    @property
    def key_count(self) -> int:
        """Distinct stored time keys (with zones): how many groups the time makes."""
        width = len(self.key_columns) + (1 if self.zones is not None else 0)
        return len({r[:width] for r in self.rows})

    def summed(self) -> list[tuple]:
        """``(*key, [zone,] factor)`` with the factors of each key summed over its instants:
        enough when the result keeps no time (a sum is linear)."""
        width = len(self.key_columns) + (1 if self.zones is not None else 0)
        totals: dict[tuple, float] = {}
        for r in self.rows:
            totals[r[:width]] = totals.get(r[:width], 0.0) + r[-1]
        return [(*k, f) for k, f in totals.items()]


def needs_time_map(dataset_time) -> bool:
    return isinstance(
        dataset_time, AnnualTimeConfig | IndexTimeConfig | RepresentativePeriodTimeConfig
    )


def _zone(record: dict[str, Any]) -> str | None:
    value = record.get("time_zone")
    return to_iana_time_zone(value, notify=False) if value else None


def geography_zones(
    dataset_id: str,
    dataset_geography: list[dict[str, Any]],
    project_geography: list[dict[str, Any]] | None,
    geography_mapping: list[tuple[str, str, float]] | None,
) -> dict[str, str]:
    """Stored geography id -> the zone its time is read in: the dataset's own record's zone,
    or (``project_geography`` given: use_project_geography_time_zone) the zone of the project
    records it maps to, which must agree."""
    ids = [r["id"] for r in dataset_geography]
    if project_geography is None:
        zones = {r["id"]: _zone(r) for r in dataset_geography}
        missing = [i for i in ids if not zones.get(i)]
        where = "its geography records"
    else:
        by_project = {r["id"]: _zone(r) for r in project_geography}
        targets: dict[str, set[str | None]] = {}
        for f, to, _ in geography_mapping or [(i, i, 1.0) for i in ids]:
            targets.setdefault(f, set()).add(by_project.get(to))
        split = sorted(i for i, z in targets.items() if len(z) > 1)
        if split:
            raise InputError(
                f"dataset '{dataset_id}' reads its time in the project's geography time zones, "
                f"but its geography record '{split[0]}' maps to project records in different "
                "zones; a query cannot read one row's time in two zones. Map each record "
                "within one zone."
            )
        zones = {i: next(iter(z)) for i, z in targets.items()}
        missing = [i for i in ids if not zones.get(i)]
        where = "the project's geography records it maps to"
    if missing:
        raise InputError(
            f"dataset '{dataset_id}' keeps time in each geography's zone, but {where} give no "
            f"time_zone for '{missing[0]}'"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
            + "; add a time_zone to those records."
        )
    return {i: z for i, z in zones.items() if z}


def time_join(time_map, zones: dict[str, str] | None, dataset_time) -> TimeJoin:
    """The planner's view of a time map (``timealign.TimeMap``)."""
    keys = [c for c in time_map.key_columns if c != ZONE]
    keyed_by_zone = ZONE in time_map.key_columns
    if keyed_by_zone and zones is None:
        raise InputError("a time map keyed by time zone needs the geography's zones")
    return TimeJoin(
        key_columns=keys,
        rows=[tuple(r) for r in time_map.rows],
        zones=zones if keyed_by_zone else None,
        model_year_from=(
            ANNUAL_MODEL_YEAR_FROM if isinstance(dataset_time, AnnualTimeConfig) else None
        ),
    )
