"""Dataset configs: metadata, dimensions, and the layout of the data files."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from dsgrid_core.config.any_dimension import AnyDimensionConfig
from dsgrid_core.config.base import ComponentId, DsgridModel
from dsgrid_core.config.dimension import DimensionReference, DimensionType

DATA_TYPES = {
    "int",
    "integer",
    "bigint",
    "long",
    "short",
    "tinyint",
    "smallint",
    "double",
    "float",
    "real",
    "string",
    "str",
    "varchar",
    "bool",
    "boolean",
    "date",
    "timestamp",
    "timestamp_tz",
    "timestamp_ntz",
}


class DataColumn(DsgridModel):
    name: str = Field(min_length=1)
    data_type: str | None = None
    dimension_type: DimensionType | None = None

    @model_validator(mode="after")
    def _known_type(self):
        if self.data_type is not None and self.data_type.lower() not in DATA_TYPES:
            raise ValueError(
                f"column '{self.name}': unknown data_type '{self.data_type}'; "
                f"use one of {', '.join(sorted(DATA_TYPES))}"
            )
        return self


class DataFile(DsgridModel):
    path: str
    columns: list[DataColumn] = Field(default_factory=list)
    file_format: Literal["csv", "parquet", "json", "jsonl"] | None = None
    ignore_columns: list[str] = Field(default_factory=list)


class DataLayout(DsgridModel):
    table_format: Literal["one_table", "two_table"]
    value_format: Literal["stacked", "pivoted"] = "stacked"
    pivoted_dimension_type: DimensionType | None = None
    data_file: DataFile | None = None
    lookup_data_file: DataFile | None = None
    missing_associations: list[str] = Field(default_factory=list)
    expected_associations: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self):
        if self.value_format == "pivoted" and self.pivoted_dimension_type is None:
            raise ValueError("value_format 'pivoted' needs pivoted_dimension_type (e.g. metric)")
        if self.value_format == "stacked" and self.pivoted_dimension_type is not None:
            raise ValueError("pivoted_dimension_type is only allowed with value_format 'pivoted'")
        if (
            self.table_format == "two_table"
            and self.data_file is not None
            and self.lookup_data_file is None
        ):
            raise ValueError("table_format 'two_table' needs lookup_data_file")
        if self.table_format == "one_table" and self.lookup_data_file is not None:
            raise ValueError("lookup_data_file is only allowed with table_format 'two_table'")
        return self


class DatasetConfig(DsgridModel):
    legacy_keys: ClassVar[dict[str, str | None]] = {
        "data_schema_type": None,
        "enable_unit_conversion": None,
        "use_project_geography_time_zone": None,
    }
    dataset_id: ComponentId
    dataset_type: Literal["modeled", "historical", "benchmark", "unspecified"] = "modeled"
    dataset_qualifier_metadata: dict[str, Any] | None = None
    data_classification: Literal["low", "moderate"] = "low"
    description: str = ""
    data_source: str | None = None
    sector_description: str | None = None
    origin_creator: str | None = None
    origin_organization: str | None = None
    origin_contributors: list[str] = Field(default_factory=list)
    origin_project: str | None = None
    origin_date: str | None = None
    origin_version: str | None = None
    source: str | None = None
    data_source_date: str | None = None
    data_source_version: str | None = None
    data_source_doi_url: str | None = None
    tags: list[str] = Field(default_factory=list)
    user_defined_metadata: dict[str, Any] = Field(default_factory=dict)
    trivial_dimensions: list[DimensionType] = Field(default_factory=list)
    dimensions: list[AnyDimensionConfig] = Field(default_factory=list)
    dimension_references: list[DimensionReference] = Field(default_factory=list)
    data_layout: DataLayout

    @model_validator(mode="before")
    @classmethod
    def _legacy_layout(cls, data: Any) -> Any:
        # Older files describe the layout as data_schema {data_schema_type, table_format} and
        # leave the data files to the registration command (a folder of load_data files).
        if not isinstance(data, dict) or "data_layout" in data:
            return data
        if "data_schema" not in data and "table_format" not in data:
            return data
        import warnings

        from dsgrid_core.config.base import LegacyKeyWarning

        data = dict(data)
        schema = dict(data.pop("data_schema", None) or {})
        table_format = schema.pop("table_format", None) or data.pop("table_format", None) or {}
        schema_type = schema.pop("data_schema_type", "standard")
        layout: dict[str, Any] = {
            "table_format": "one_table" if schema_type == "one_table" else "two_table",
        }
        if isinstance(table_format, dict) and table_format.get("format_type") == "pivoted":
            layout["value_format"] = "pivoted"
            layout["pivoted_dimension_type"] = table_format.get("pivoted_dimension_type")
        layout.update(schema)
        data["data_layout"] = layout
        warnings.warn(
            "DatasetConfig: legacy data_schema/table_format read as data_layout; the data "
            "files come from the registration command (--data-path)",
            LegacyKeyWarning,
            stacklevel=2,
        )
        return data

    @model_validator(mode="after")
    def _every_type_once(self):
        given = [d.type.value for d in self.dimensions] + [
            d.type.value for d in self.dimension_references
        ]
        dupes = sorted({t for t in given if given.count(t) > 1})
        if dupes:
            raise ValueError(f"more than one dimension of type {', '.join(dupes)}")
        missing = [t.value for t in DimensionType if t.value not in given]
        if missing:
            raise ValueError(
                f"no dimension of type {', '.join(missing)}: give each of the 8 "
                "types in 'dimensions' or 'dimension_references'"
            )
        if DimensionType.TIME in self.trivial_dimensions:
            raise ValueError("time cannot be a trivial dimension")
        return self
