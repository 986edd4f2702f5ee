"""Project configs: base, supplemental and subset dimensions, and the datasets a project needs."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from dsgrid_core.config.any_dimension import AnyDimensionConfig
from dsgrid_core.config.base import ComponentId, DimensionName, DsgridModel, Version
from dsgrid_core.config.dimension import (
    NON_TIME_TYPES,
    DimensionConfig,
    DimensionReference,
    DimensionType,
)
from dsgrid_core.config.mapping import MappingReference, SupplementalMapping


class SupplementalDimensionConfig(DimensionConfig):
    """A supplemental dimension and the mapping from the base dimension of its type."""

    mapping: SupplementalMapping


class SubsetSelector(DsgridModel):
    name: DimensionName
    description: str = ""
    column_values: dict[str, Any] | None = None


class SubsetDimensionConfig(DsgridModel):
    """Named selections of a base dimension's records: a CSV with ``id`` and one column per
    selector, marked ``x`` for the records it selects."""

    legacy_keys: ClassVar[dict[str, str | None]] = {"file": "filename"}
    name: DimensionName
    description: str = ""
    type: DimensionType
    filename: str
    selectors: list[SubsetSelector] = Field(min_length=1)
    create_supplemental_dimension: bool = True


class SubsetRef(DsgridModel):
    name: str
    selectors: list[str] = Field(min_length=1)


class SupplementalRef(DsgridModel):
    name: str
    record_ids: list[str] = Field(default_factory=list)


class RequiredRecords(DsgridModel):
    """Records required of one dimension: base ids, subset selectors, supplemental records."""

    base: list[str] = Field(default_factory=list)
    base_missing: list[str] = Field(default_factory=list)
    subset: list[SubsetRef] = Field(default_factory=list)
    supplemental: list[SupplementalRef] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _record_ids_object(cls, data: Any) -> Any:
        # dsgrid also writes base as {record_ids: [...]} (project_with_dimension_ids.json5).
        if isinstance(data, dict):
            data = dict(data)
            for key in ("base", "base_missing"):
                if isinstance(data.get(key), dict):
                    inner = dict(data[key])
                    ids = inner.pop("record_ids", [])
                    if inner:
                        raise ValueError(f"{key}: unknown keys {sorted(inner)}")
                    data[key] = ids
        return data


class RequiredDimensions(DsgridModel):
    single_dimensional: dict[DimensionType, RequiredRecords] = Field(default_factory=dict)
    multi_dimensional: list[dict[DimensionType, RequiredRecords]] = Field(default_factory=list)

    @field_validator("single_dimensional", "multi_dimensional")
    @classmethod
    def _no_time(cls, value):
        groups = value if isinstance(value, list) else [value]
        for group in groups:
            if DimensionType.TIME in group:
                raise ValueError("time cannot be listed in required_dimensions")
        return value


class ProjectDataset(DsgridModel):
    """A dataset the project expects."""

    legacy_keys: ClassVar[dict[str, str | None]] = {"dataset_type_description": None}
    dataset_id: ComponentId
    dataset_type: Literal["modeled", "historical", "benchmark", "unspecified"] = "modeled"
    version: Version | None = None
    status: Literal["Unregistered", "Registered"] = "Unregistered"
    required_dimensions: RequiredDimensions = Field(default_factory=RequiredDimensions)
    mapping_references: list[dict[str, Any]] = Field(default_factory=list)


class ProjectDimensions(DsgridModel):
    base_dimensions: list[AnyDimensionConfig] = Field(default_factory=list)
    base_dimension_references: list[DimensionReference] = Field(default_factory=list)
    supplemental_dimensions: list[SupplementalDimensionConfig] = Field(default_factory=list)
    supplemental_dimension_references: list[DimensionReference] = Field(default_factory=list)
    subset_dimensions: list[SubsetDimensionConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _every_type_once(self):
        types = [d.type.value for d in self.base_dimensions] + [
            d.type.value for d in self.base_dimension_references
        ]
        missing = [t for t in (*NON_TIME_TYPES, "time") if t not in types]
        if missing:
            raise ValueError(
                f"base dimensions are missing for type(s) {', '.join(missing)}: a project needs "
                "one base dimension of each of the 8 types"
            )
        return self


class ProjectDimensionMappings(DsgridModel):
    base_to_supplemental_references: list[MappingReference] = Field(default_factory=list)


class ProjectConfig(DsgridModel):
    legacy_keys: ClassVar[dict[str, str | None]] = {"registration": None}
    project_id: ComponentId
    name: str
    description: str = ""
    status: Literal["Initial Registration", "In Progress", "Complete", "Deprecated"] = (
        "Initial Registration"
    )
    datasets: list[ProjectDataset] = Field(default_factory=list)
    dimensions: ProjectDimensions
    dimension_mappings: ProjectDimensionMappings = Field(default_factory=ProjectDimensionMappings)

    @model_validator(mode="after")
    def _unique_datasets(self):
        ids = [d.dataset_id for d in self.datasets]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"datasets listed twice: {', '.join(dupes)}")
        return self

    def dataset(self, dataset_id: str) -> ProjectDataset | None:
        return next((d for d in self.datasets if d.dataset_id == dataset_id), None)
