"""Summaries kept with a dataset version: smaller tables that answer some queries exactly.

Both are kept for a dataset whose stored time is the project's instants (a datetime time
dimension: no time map between them), and hold sums (null where every summed value is null, as
SQL's SUM is):

- ``summary_total.parquet``: the stored rows summed over time, one row per combination of the
  seven non-time dimension ids. It answers any sum whose result keeps no time column and
  filters no time. Hourly data shrinks by the number of hours (8,760 for a year).
- ``summary_day.parquet``: the stored rows summed per local day, ``day`` (days since
  1970-01-01 of the local date) beside the seven ids, the day read in the dataset's own time
  zone (recorded as ``zone``). It answers a sum over local periods (days, weeks, months, years;
  parts such as the month or the day of the week) wherever every stored day falls in one of
  the result's periods: the planner checks that over the dataset's instants (``day_periods``),
  so a result in another zone, or by hour, reads the table. Hourly data shrinks 24 times.

Summaries are written at registration, into the staging folder beside the table, so they are
published with the version or not at all (`data.summary_writer`); the version record lists
them (``extra["summaries"]``: file, rows, size, SHA-256), which is how a query knows they exist
without asking the store. Versions registered before summaries existed have none and are read
in full. This module is what a query needs (light: a repeated query loads no SQL library).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TOTAL = "total"
DAY = "day"
FILES = {TOTAL: "summary_total.parquet", DAY: "summary_day.parquet"}
DAY_COLUMN = "day"
_EPOCH = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class DaySummary:
    """Where a version's summary per local day is, and the zone its days are read in."""

    location: Path | str
    zone: str


def local_day(instant: datetime, zone: ZoneInfo) -> int:
    """The summary's key of an (aware) instant: days since 1970-01-01 of its date in ``zone``."""
    return instant.astimezone(zone).date().toordinal() - _EPOCH


def day_periods(day_zone: str, buckets: list[tuple[datetime, Any]]) -> dict[int, Any] | None:
    """Local day (in ``day_zone``) -> result period, where a summary per local day answers a
    sum into ``buckets`` (stored instant -> result period): every stored day's instants land
    in one period. None where some day's do not (a result by hour, or in another zone)."""
    zone = ZoneInfo(day_zone)
    period: dict[int, Any] = {}
    for instant, bucket in buckets:
        if period.setdefault(local_day(instant, zone), bucket) != bucket:
            return None
    return period


def recorded(extra: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The summaries a dataset version record lists (none for older versions)."""
    found = (extra or {}).get("summaries")
    return found if isinstance(found, dict) else {}


def summary_location(data_store, record, kind: str = TOTAL) -> Path | str | None:
    """Where the version's summary ``kind`` is (a path or an s3:// URL), or None."""
    entry = recorded(record.extra).get(kind)
    if entry is None or not record.data_path:
        return None
    return data_store.locate(data_store.sibling(record.data_path, entry["file"]))


def day_summary(data_store, record) -> DaySummary | None:
    """The version's summary per local day, or None (versions registered before it existed)."""
    location = summary_location(data_store, record, DAY)
    if location is None:
        return None
    return DaySummary(location, recorded(record.extra)[DAY]["zone"])
