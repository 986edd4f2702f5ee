"""Ranges of time dimensions (datetime, annual, month, index) and their checks.

Frequencies are pydantic durations, as in dsgrid: ``"01:00:00"``, ``"1 day, 0:00:00"``,
ISO 8601 (``"PT1H"``, ``"P0DT1H0M0.000000S"``) or a number of seconds.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from dsgrid_core.config.base import DsgridModel

DEFAULT_STR_FORMAT = "%Y-%m-%d %H:%M:%S"


@functools.cache
def _duration_adapter():
    return TypeAdapter(timedelta)


def parse_frequency(value: Any) -> timedelta:
    """A frequency as dsgrid writes it (see the module docstring) as a timedelta."""
    try:
        return _duration_adapter().validate_python(value)
    except ValidationError:
        raise ValueError(
            f"cannot read frequency '{value}': write it as HH:MM:SS (01:00:00), "
            "'1 day, 0:00:00', ISO 8601 (PT1H) or a number of seconds"
        ) from None


def parse_time(text: str, fmt: str, what: str) -> datetime:
    try:
        return datetime.strptime(text, fmt)
    except ValueError as exc:
        raise ValueError(f"{what} '{text}' does not match str_format '{fmt}': {exc}") from None


class DatetimeRange(DsgridModel):
    """A contiguous run of timestamps, start and end included."""

    start: str = Field(description="First timestamp (tz-naive; the zone is in time_zone_format)")
    end: str = Field(description="Last timestamp, inclusive")
    str_format: str = Field(DEFAULT_STR_FORMAT, description="strptime format of start and end")
    frequency: timedelta = Field(timedelta(hours=1), description="Time between timestamps")

    @model_validator(mode="after")
    def _check(self):
        freq = self.frequency
        if freq <= timedelta(0):
            raise ValueError(f"frequency must be positive, not {freq}")
        if freq in (timedelta(days=365), timedelta(days=366)):
            raise ValueError(
                f"frequency {freq} is a year: use an annual time dimension "
                "(time_type: annual, class: AnnualTime) for yearly values"
            )
        start = parse_time(self.start, self.str_format, "start")
        end = parse_time(self.end, self.str_format, "end")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(
                "start and end must be tz-naive: give the time zone in time_zone_format"
            )
        if end < start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if (end - start) % freq:
            raise ValueError(
                f"the range {self.start} .. {self.end} is not a whole number of "
                f"frequency steps ({freq})"
            )
        return self

    def bounds(self) -> tuple[datetime, datetime]:
        return datetime.strptime(self.start, self.str_format), datetime.strptime(
            self.end, self.str_format
        )

    def local_timestamps(self) -> list[datetime]:
        """Every naive timestamp of the range, stepping by the frequency on the clock face."""
        start, end = self.bounds()
        count = (end - start) // self.frequency + 1
        return [start + i * self.frequency for i in range(count)]


class AnnualRange(DsgridModel):
    """A run of years, start and end included, every ``frequency`` years."""

    start: str = Field(description="First year")
    end: str = Field(description="Last year, inclusive")
    str_format: str = Field("%Y", description="strptime format of start and end")
    frequency: int = Field(1, description="Years between values")

    @model_validator(mode="after")
    def _check(self):
        if self.frequency <= 0:
            raise ValueError(f"frequency must be a positive number of years, not {self.frequency}")
        start = parse_time(self.start, self.str_format, "start")
        end = parse_time(self.end, self.str_format, "end")
        if end < start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if (end.year - start.year) % self.frequency:
            raise ValueError(
                f"years {start.year} .. {end.year} are not a whole number of "
                f"{self.frequency}-year steps"
            )
        return self

    def years(self) -> list[int]:
        start = datetime.strptime(self.start, self.str_format).year
        end = datetime.strptime(self.end, self.str_format).year
        return list(range(start, end + 1, self.frequency))


class MonthRange(DsgridModel):
    """A run of months of a representative-period dimension (January is 1)."""

    start: int = Field(description="First month (1-12)")
    end: int = Field(description="Last month, inclusive (1-12)")

    @model_validator(mode="after")
    def _check(self):
        for name in ("start", "end"):
            if not 1 <= getattr(self, name) <= 12:
                raise ValueError(f"{name} must be a month number 1-12, not {getattr(self, name)}")
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class IndexRange(DsgridModel):
    """A run of integer time indices; ``start`` stands for ``starting_timestamp`` and each
    next index one ``frequency`` later."""

    start: int = Field(description="First index")
    end: int = Field(description="Last index, inclusive")
    starting_timestamp: str = Field(description="The timestamp index `start` stands for")
    str_format: str = Field(DEFAULT_STR_FORMAT, description="strptime format of starting_timestamp")
    frequency: timedelta = Field(timedelta(hours=1), description="Time between indices")

    @model_validator(mode="after")
    def _check(self):
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.frequency <= timedelta(0):
            raise ValueError(f"frequency must be positive, not {self.frequency}")
        parse_time(self.starting_timestamp, self.str_format, "starting_timestamp")
        return self

    def first(self) -> datetime:
        return datetime.strptime(self.starting_timestamp, self.str_format)
