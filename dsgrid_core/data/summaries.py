"""Summaries kept with a dataset version: smaller tables that answer some queries exactly.

They are kept for a dataset whose stored time is the project's instants (a datetime time
dimension: no time map between them), and hold sums (null where every summed value is null, as
SQL's SUM is):

- ``summary_total.parquet``: the stored rows summed over time, one row per combination of the
  seven non-time dimension ids. It answers any sum whose result keeps no time column and
  filters no time. Hourly data shrinks by the number of hours (8,760 for a year).
- ``summary_day.parquet`` and ``summary_month.parquet``: the stored rows summed per local day
  (``day``: days since 1970-01-01 of the local date) and per local month (``month``: months
  since January 1970) beside the seven ids, read on the dataset's own clock (its time zone,
  recorded as ``zone``). They answer a sum over local periods (days, weeks, months, years;
  parts such as the month or the day of the week) wherever every stored day (month) falls in
  one of the result's periods: the planner checks that over the dataset's instants
  (``periods_of``), so a result in another zone, or by hour, reads the table. Hourly data
  shrinks 24 times per day, 730 times per month.
- ``summary_day_over_geography.parquet`` and ``summary_month_over_geography.parquet``: the same
  summed over geography too (the six other ids): what a sum per period that keeps no
  geography, filters none and weighs every geography id alike (a county -> state mapping, not
  a split) reads. Geography is the dimension with the most ids in dsgrid's datasets (counties),
  so these are a few thousandths of their table.
- ``summary_day_over_sector_subsector_metric_per_unit.parquet``: the sums per local day
  summed over sector, subsector and the metrics of each unit: per geography id, alternative
  (scenario, model year, weather year), unit and day. Its ``metric`` column names each unit's
  first metric id (in id order); the record keeps which metric went where (``groups``: metric
  id -> the id its values were summed under). What a state's daily or weekly lines of all
  uses read, where the plan weighs every sector and subsector id alike and every metric id of
  one unit alike (no filter on them, each unit converted by one factor). On the demo at 24M
  rows, 14 and 6 times fewer rows than the one per day (three and four units), 43 times in
  one unit. Kept before the one per week, which it outdoes for those lines.
- ``summary_week.parquet``: the stored rows summed per local week (``week``: Monday to Sunday,
  weeks since the one of 1970-01-01), for sums per week that keep the geography (a state's
  weekly lines): 7 times fewer rows than the one per day.

Of the summaries that answer a sum, the planner reads the one with the fewest rows.

Summaries are written at registration, into the staging folder beside the table, so they are
published with the version or not at all (`data.summary_writer`). Together they take at most a
share of the table's bytes (5 % unless DSGRID_SUMMARY_SHARE says otherwise): the writer keeps
them in the order of ``KINDS`` while they fit (daily data keeps no summary per day, a dataset of
four counties none over geography). The version record lists those kept (``extra["summaries"]``:
file, rows, size, SHA-256, and the zone of those by local period), which is how a query knows
they exist without asking the store (a dataset whose rows each keep their own zone has the total
only). Versions registered before summaries existed have none and are read in full (`dsgrid
registry copy --rewrite-summaries` writes today's in a copy: `registry.resummarize`). This module
is what a query needs (light: a repeated query loads no SQL library).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TOTAL = "total"
DAY = "day"
MONTH = "month"
WEEK = "week"
DAY_OVER_GEOGRAPHY = "day_over_geography"
MONTH_OVER_GEOGRAPHY = "month_over_geography"
DAY_OVER_CATEGORIES = "day_over_sector_subsector_metric_per_unit"
OVER_GEOGRAPHY = ("geography",)
OVER_CATEGORIES = ("sector", "subsector")
PER_UNIT = "metric"


@dataclass(frozen=True)
class Kind:
    """What one kind of summary sums over: its local period (the column ``day`` or ``month``;
    None for the sum over all time), the dimension types summed out beside time and the one
    summed within groups (the metrics of each unit; its column names each group's first id)."""

    period: str | None
    summed: tuple[str, ...] = ()
    grouped: str | None = None


# Every kind, in the order the writer keeps them while they fit the share of the table's bytes.
KINDS = {
    TOTAL: Kind(None),
    MONTH: Kind(MONTH),
    DAY: Kind(DAY),
    DAY_OVER_GEOGRAPHY: Kind(DAY, OVER_GEOGRAPHY),
    MONTH_OVER_GEOGRAPHY: Kind(MONTH, OVER_GEOGRAPHY),
    DAY_OVER_CATEGORIES: Kind(DAY, OVER_CATEGORIES, PER_UNIT),
    WEEK: Kind(WEEK),
}
FILES = {kind: f"summary_{kind}.parquet" for kind in KINDS}
_EPOCH = date(1970, 1, 1).toordinal()


def local_day(instant: datetime, zone: ZoneInfo) -> int:
    """Days since 1970-01-01 of an (aware) instant's date in ``zone``."""
    return instant.astimezone(zone).date().toordinal() - _EPOCH


def local_month(instant: datetime, zone: ZoneInfo) -> int:
    """Months since January 1970 of an (aware) instant's date in ``zone``."""
    local = instant.astimezone(zone)
    return (local.year - 1970) * 12 + local.month - 1


def local_week(instant: datetime, zone: ZoneInfo) -> int:
    """Weeks (Monday to Sunday) since the one of 1970-01-01 (a Thursday) of an (aware)
    instant's date in ``zone``."""
    return (local_day(instant, zone) + 3) // 7


KEYS = {DAY: local_day, MONTH: local_month, WEEK: local_week}


@dataclass(frozen=True)
class PeriodSummary:
    """A version's summary by local period: its kind (a key of ``KINDS``), where it is, the
    zone its periods are read in and its rows."""

    kind: str
    location: Path | str
    zone: str
    rows: int = 0
    groups: tuple[tuple[str, str], ...] = ()  # (id, the id it was summed under), in id order

    @property
    def period(self) -> str:
        """Its period column: ``day`` or ``month``."""
        return KINDS[self.kind].period

    @property
    def summed(self) -> tuple[str, ...]:
        """The dimension types it has summed out (their ids are not among its columns)."""
        return KINDS[self.kind].summed

    @property
    def grouped(self) -> str | None:
        """The dimension type it has summed within groups (``groups``), or None."""
        return KINDS[self.kind].grouped

    @property
    def label(self) -> str:
        """What a query's metadata says it read."""
        grouped = KINDS[self.kind].grouped
        *others, last = (*self.summed, *([grouped] if grouped else [])) or ("",)
        over = f"{', '.join(others)} and {last}" if others else last
        return (
            f"summary per {self.period}"
            + (f" over {over}" if over else "")
            + (" per unit" if grouped else "")
        )


def periods_of(
    zone: str, period: str, buckets: list[tuple[datetime, Any]]
) -> dict[int, Any] | None:
    """A summary's period (``day`` or ``month`` read in ``zone``) -> result period, where the
    summary answers a sum into ``buckets`` (stored instant -> result period): every stored
    period's instants land in one result period. None where some do not (a result by hour, or
    in another zone)."""
    tz, key = ZoneInfo(zone), KEYS[period]
    found: dict[int, Any] = {}
    for instant, bucket in buckets:
        if found.setdefault(key(instant, tz), bucket) != bucket:
            return None
    return found


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


def period_summaries(data_store, record) -> tuple[PeriodSummary, ...]:
    """The version's summaries by local period, fewest rows first (none for versions
    registered before they existed)."""
    kept = recorded(record.extra)
    found = [
        PeriodSummary(
            kind,
            summary_location(data_store, record, kind),
            kept[kind]["zone"],
            int(kept[kind].get("rows", 0)),
            tuple(sorted((kept[kind].get("groups") or {}).items())),
        )
        for kind, spec in KINDS.items()
        if spec.period is not None and kind in kept and record.data_path
    ]
    return tuple(sorted(found, key=lambda s: s.rows))
