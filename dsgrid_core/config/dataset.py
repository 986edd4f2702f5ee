"""Dataset configs: metadata, dimensions, and the layout of the data files."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from dsgrid_core.config.any_dimension import AnyDimensionConfig
from dsgrid_core.config.base import ComponentId, DsgridModel, LegacyKeyWarning
from dsgrid_core.config.dimension import RECORD_CLASSES, DimensionReference, DimensionType

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
    "text",
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

    @model_validator(mode="after")
    def _declared_once(self):
        # A column both declared and ignored would be typed and then dropped: the config
        # contradicts itself (dsgrid refuses it too).
        names = [c.name for c in self.columns]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"columns declares {', '.join(twice)} more than once")
        both = sorted(set(names) & set(self.ignore_columns))
        if both:
            raise ValueError(
                f"column(s) {', '.join(both)} are in both 'columns' and 'ignore_columns'; "
                "keep each in one of them"
            )
        return self


class RegistryDataLayout(DsgridModel):
    """The layout dsgrid stores with a registered dataset (no file paths). A config read back
    from a dsgrid registry has it instead of data_layout; the data files then come from the
    registration command (--data-path)."""

    table_format: Literal["one_table", "two_table"]
    value_format: Literal["stacked", "pivoted"]
    pivoted_dimension_type: DimensionType | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if self.value_format == "pivoted" and self.pivoted_dimension_type is None:
            raise ValueError("value_format 'pivoted' needs pivoted_dimension_type (e.g. metric)")
        if self.value_format == "stacked" and self.pivoted_dimension_type is not None:
            raise ValueError("pivoted_dimension_type is only allowed with value_format 'pivoted'")
        return self


class QuantityQualifier(DsgridModel):
    """The dataset's values are quantities (dsgrid's default qualifier)."""

    dataset_qualifier_type: Literal["quantity"] = "quantity"


class GrowthRateQualifier(DsgridModel):
    """The dataset's values are growth rates of the given kind."""

    dataset_qualifier_type: Literal["growth_rate"] = "growth_rate"
    growth_rate_type: Literal["exponential_annual", "exponential_monthly"]


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
    }
    # written by dsgrid into the configs it stores: read back, never used as input
    id: int | None = None
    version: str | None = None
    dataset_id: ComponentId
    dataset_type: Literal["modeled", "historical", "benchmark", "unspecified"] = "unspecified"
    dataset_qualifier_metadata: QuantityQualifier | GrowthRateQualifier = Field(
        default_factory=QuantityQualifier, discriminator="dataset_qualifier_type"
    )
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
    data_source_authors: list[str] | None = None
    tags: list[str] = Field(default_factory=list)
    user_defined_metadata: dict[str, Any] = Field(default_factory=dict)
    trivial_dimensions: list[DimensionType] = Field(default_factory=list)
    dimensions: list[AnyDimensionConfig] = Field(default_factory=list)
    dimension_references: list[DimensionReference] = Field(default_factory=list)
    data_layout: DataLayout
    registry_data_layout: RegistryDataLayout | None = None  # read as data_layout
    # False: the dataset's metric mapping already converts units (its from_fraction holds
    # the factors), so queries must not convert the mapped values again.
    enable_unit_conversion: bool = True
    # True: local time comes from the project's geography records' time_zone, so the
    # dataset's geography records need none.
    use_project_geography_time_zone: bool = False

    @model_validator(mode="before")
    @classmethod
    def _older_forms(cls, data: Any) -> Any:
        """Two forms of older dsgrid files, read with a notice: 'data_source' in
        trivial_dimensions (a dimension type dsgrid 0.2 had, gone since: nothing to add), and a
        dimension without 'type' whose record class has only one type (EnergyEndUse: metric)."""
        if not isinstance(data, dict):
            return data

        data = dict(data)
        # dsgrid writes null for these when unset (its fields are optional): our default
        for key in ("description", "tags", "origin_contributors"):
            if key in data and data[key] is None:
                del data[key]
        trivial = data.get("trivial_dimensions")
        if isinstance(trivial, list) and "data_source" in trivial:
            data["trivial_dimensions"] = [t for t in trivial if t != "data_source"]
            warnings.warn(
                "DatasetConfig: trivial dimension 'data_source' is a dimension type of older "
                "dsgrid versions and is ignored; remove it from trivial_dimensions",
                LegacyKeyWarning,
                stacklevel=2,
            )
        dims = data.get("dimensions")
        if isinstance(dims, list):
            fixed = []
            for i, dim in enumerate(dims):
                cls_name = dim.get("class") if isinstance(dim, dict) else None
                rc = RECORD_CLASSES.get(cls_name) if isinstance(cls_name, str) else None
                if (
                    rc is not None
                    and rc.dimension_type
                    and not {"type", "dimension_type"} & set(dim)
                ):
                    dim = {**dim, "type": rc.dimension_type}
                    warnings.warn(
                        f"DatasetConfig: dimensions[{i}] has no 'type'; read as "
                        f"'{rc.dimension_type}' from its class {dim['class']}. Add "
                        f'type: "{rc.dimension_type}"',
                        LegacyKeyWarning,
                        stacklevel=2,
                    )
                fixed.append(dim)
            data["dimensions"] = fixed
        return data

    @model_validator(mode="before")
    @classmethod
    def _registry_layout(cls, data: Any) -> Any:
        # A config dumped from a dsgrid registry has registry_data_layout (no files) instead
        # of data_layout: read it as the layout, the files coming from --data-path.
        if not isinstance(data, dict) or data.get("registry_data_layout") is None:
            return data
        if data.get("data_layout") is not None:
            raise ValueError("data_layout and registry_data_layout cannot both be set")
        data = dict(data)
        layout = data.pop("registry_data_layout")
        data["data_layout"] = layout.model_dump() if isinstance(layout, DsgridModel) else layout
        RegistryDataLayout.model_validate(data["data_layout"])  # its own keys only
        return data

    @model_validator(mode="before")
    @classmethod
    def _legacy_layout(cls, data: Any) -> Any:
        # Older files describe the layout as data_schema {data_schema_type, table_format} and
        # leave the data files to the registration command (a folder of load_data files).
        if not isinstance(data, dict) or "data_layout" in data:
            return data
        if "data_schema" not in data and "table_format" not in data:
            return data

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
        names = [d.name for d in self.dimensions]
        files = [f for d in self.dimensions if (f := getattr(d, "file", None)) is not None]
        for what, items in (("dimension name", names), ("dimension records file", files)):
            twice = sorted({i for i in items if items.count(i) > 1})
            if twice:
                raise ValueError(f"{what} {', '.join(twice)} used by more than one dimension")
        return self
