"""Models for files that only list components: dimensions.json5, mapping reference files."""

from __future__ import annotations

from pydantic import Field

from dsgrid_core.config.any_dimension import AnyDimensionConfig
from dsgrid_core.config.base import DsgridModel


class DimensionsFile(DsgridModel):
    """A file of dimensions to register together (dsgrid's dimensions.json5)."""

    dimensions: list[AnyDimensionConfig] = Field(min_length=1)
