"""The result of aligning a dataset's time with the project's, and the options that change it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dsgrid_core.config.time_adjustment import TimeBasedDataAdjustment


@dataclass(frozen=True)
class AlignOptions:
    """The dataset's entry in the project config: ``wrap_time_allowed`` and
    ``time_based_data_adjustment``; ``time_zones``: the zones of the dataset's geography
    records, for time kept in each geography's local clock; ``source``: how notices name
    the dataset (e.g. "submission of ds to project")."""

    wrap_time_allowed: bool = False
    adjustment: TimeBasedDataAdjustment = field(default_factory=TimeBasedDataAdjustment)
    time_zones: tuple[str, ...] = ()
    source: str = "the dataset"


@dataclass
class TimeMap:
    """Dataset time key -> project instant.

    ``key_columns`` name the dataset's stored time columns (plus ``time_zone`` when the key
    depends on the geography's zone); each row is ``(*key, instant, factor)``: the value at
    that key counts ``factor`` times at that instant (UTC, period beginning as the project
    labels it); an instant may have several rows (an interpolated fall-back hour), whose
    values are summed. ``shift_only`` is set when the map is a constant shift of stored
    instants. ``notes`` say what the map adjusted or ignored (ignored options are also
    given as `TimeAlignmentNotice` warnings).
    """

    key_columns: list[str]
    rows: list[tuple]
    project_instants: list[datetime]
    shift_seconds: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def shift_only(self) -> bool:
        return self.shift_seconds is not None

    def instants(self) -> list[datetime]:
        return [r[len(self.key_columns)] for r in self.rows]
