"""The time buckets of one summed plan (stored instant -> result period) and the summary by
local period each dataset reads, worked out once per time dimension: a project's datasets
mostly share theirs, and each costs a pass in Python over a year of instants (some 10 ms),
so the last few are remembered for the next query (pure functions of the time dimension,
its shift, the result's periods and a summary's zone)."""

from __future__ import annotations

from functools import lru_cache

from dsgrid_core.data.summaries import PeriodSummary, periods_of
from dsgrid_core.query.context_types import SourceDataset
from dsgrid_core.query.planner.outputs import Shape
from dsgrid_core.query.planner.sqltree import Rows
from dsgrid_core.query.planner.timekeys import TimeOutput, bucket_rows
from dsgrid_core.query.planner.treatments import Treatment


class _Config:
    """A time dimension, equal to another with the same JSON (a key of the caches below)."""

    def __init__(self, config):
        self.config, self.json = config, config.model_dump_json()

    def __eq__(self, other) -> bool:
        return isinstance(other, _Config) and other.json == self.json

    def __hash__(self) -> int:
        return hash(self.json)


@lru_cache(maxsize=16)
def _buckets(config: _Config, shift_seconds: int, output: TimeOutput) -> Rows:
    return bucket_rows(config.config, shift_seconds, output)


@lru_cache(maxsize=32)
def _periods(
    zone: str, period: str, config: _Config, shift_seconds: int, output: TimeOutput
) -> tuple[tuple[int, object], ...] | None:
    """A summary's period -> result period (``data.summaries.periods_of``), None where one of
    its periods splits across the result's."""
    found = periods_of(zone, period, _buckets(config, shift_seconds, output).rows)
    return None if found is None else tuple(sorted(found.items()))


class TimeBuckets:
    """For one plan (``shape``, its ``tables``): each dataset's bucket table, registered in
    ``tables`` only when a dataset reads its table through it, and the periods of the summaries
    that answer."""

    def __init__(self, shape: Shape, tables: dict):
        self.shape, self.tables = shape, tables
        self._names: dict[tuple, str] = {}

    def _name(self, key: tuple, stem: str) -> str:
        if key not in self._names:
            taken = set(self.tables) | set(self._names.values())
            self._names[key] = next(
                f"{stem}_{n}" for n in range(len(taken) + 1) if f"{stem}_{n}" not in taken
            )
        return self._names[key]

    def _key(self, ds: SourceDataset) -> tuple:
        return (_Config(ds.time_config), ds.time_shift_seconds, self.shape.time)

    def bucket(self, ds: SourceDataset) -> tuple[str, Rows]:
        """The dataset's bucket table and its name (not registered)."""
        key = self._key(ds)
        return self._name(key, "time"), _buckets(*key)

    def read_through_bucket(self, ds: SourceDataset) -> str:
        """Register the dataset's bucket table (it reads its table through it); its name."""
        name, rows = self.bucket(ds)
        self.tables[name] = ("rows", rows)
        return name

    def summary(
        self, ds: SourceDataset, time_conditions: list, plans: list[Treatment]
    ) -> tuple[PeriodSummary, str] | None:
        """The smallest of the dataset's summaries by local period that answers its sum into
        the buckets, with its table (period -> result period) registered in ``tables``; None
        where none does: none kept, a time map, a time filter, or each summary's periods split
        across the result's (a result by hour, or in another zone). A summary summed over a
        dimension answers only where the plan weighs each of its ids alike (a constant, no
        filter): a sum that keeps it, filters it or splits its ids does not; one summed within
        groups (the metrics of each unit), where the plan weighs the ids of each group alike."""
        if ds.time_join is not None or time_conditions:
            return None
        key = self._key(ds)
        alike = {tr.type for tr in plans if tr.kind == "scale" and tr.keep_ids is None}
        by_type = {tr.type: tr for tr in plans}
        for summary in ds.period_summaries:
            if not alike.issuperset(summary.summed):
                continue
            if summary.grouped and not _alike_in_groups(by_type[summary.grouped], summary):
                continue
            periods = _periods(summary.zone, summary.period, *key)
            if periods is not None:
                name = self._name((summary.zone, summary.period, *key), "periods")
                column = _buckets(*key).columns[1]
                self.tables[name] = (
                    "rows",
                    Rows([(summary.period, "integer"), column], list(periods)),
                )
                return summary, name
        return None


def _alike_in_groups(tr: Treatment, summary: PeriodSummary) -> bool:
    """Whether plan ``tr`` weighs the ids of each of the summary's groups alike, so that the
    group's sum (under its first id) times that id's weight is the sum of the ids' weighted
    values: every id of the dataset, none filtered out, one factor per group."""
    if tr.kind == "scale":
        return tr.keep_ids is None
    if tr.kind != "factor" or not summary.groups:
        return False
    factors = tr.factors
    if set(factors) != {member for member, _ in summary.groups}:
        return False
    return all(factors[member] == factors[first] for member, first in summary.groups)
