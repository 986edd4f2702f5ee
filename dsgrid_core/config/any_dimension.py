"""Any dimension config, time or not: the one union a dimension entry is validated against,
told apart by its ``type`` and ``time_type``."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from pydantic import Discriminator, Tag, TypeAdapter

from dsgrid_core.config.dimension import DimensionConfig
from dsgrid_core.config.time_dimension import (
    AnnualTimeConfig,
    DatetimeTimeConfig,
    IndexTimeConfig,
    NoOpTimeConfig,
    RepresentativePeriodTimeConfig,
    TimeBase,
)


def _dimension_tag(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("type")
        return str(value.get("time_type", "datetime")) if kind == "time" else "dimension"
    if isinstance(value, TimeBase):
        return value.time_type
    return "dimension"


AnyDimensionConfig = Annotated[
    Annotated[DimensionConfig, Tag("dimension")]
    | Annotated[DatetimeTimeConfig, Tag("datetime")]
    | Annotated[AnnualTimeConfig, Tag("annual")]
    | Annotated[RepresentativePeriodTimeConfig, Tag("representative_period")]
    | Annotated[IndexTimeConfig, Tag("index")]
    | Annotated[NoOpTimeConfig, Tag("noop")],
    Discriminator(_dimension_tag),
]
TimeDimensionConfig = (
    DatetimeTimeConfig
    | AnnualTimeConfig
    | RepresentativePeriodTimeConfig
    | IndexTimeConfig
    | NoOpTimeConfig
)


def parse_dimension(data: dict[str, Any]):
    """Validate one dimension entry, choosing the time variant by ``time_type``."""
    return _dimension_adapter().validate_python(data)


@functools.cache
def _dimension_adapter():
    return TypeAdapter(AnyDimensionConfig)
