"""Project and dataset query configs (dsgrid's query JSON5)."""

from __future__ import annotations

import warnings
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator

from dsgrid_core.config.base import DsgridModel, LegacyKeyWarning
from dsgrid_core.config.dimension import DimensionType


class _Filter(DsgridModel):
    dimension_type: DimensionType
    dimension_name: str
    negate: bool = False


class ExpressionFilter(_Filter):
    """``column operator value`` where the value is compared as a literal."""

    filter_type: Literal["expression"] = "expression"
    column: str = "id"
    operator: str = "=="
    value: Any


class ExpressionRawFilter(_Filter):
    """dsgrid's ``(column value)``: the rest of a condition on ``column`` (``"== '06037'"``,
    ``"in ('CA', 'NY')"``, ``"like 'Small%'"``); or, our addition, a whole condition over the
    record columns (``"state = 'CA' OR state = 'TX'"``). Parsed and restricted to comparisons
    and boolean logic, never run as raw SQL."""

    filter_type: Literal["expression_raw"]
    column: str = "id"
    value: str | int | float


class ColumnOperatorFilter(_Filter):
    filter_type: Literal["column_operator"]
    column: str = "id"
    operator: Literal[
        "isin",
        "like",
        "startswith",
        "endswith",
        "contains",
        "rlike",
        "eqNullSafe",
        "isNull",
        "isNotNull",
    ]
    value: Any = None


class BetweenColumnOperatorFilter(_Filter):
    filter_type: Literal["between_column_operator"]
    column: str = "id"
    lower_bound: Any
    upper_bound: Any


class SubsetFilter(DsgridModel):
    filter_type: Literal["subset"]
    dimension_type: DimensionType
    dimension_names: list[str] = Field(min_length=1)


class SupplementalColumnOperatorFilter(DsgridModel):
    """Base records with a mapping to the supplemental records the condition selects; by
    default (dsgrid's: ``like '%'``) every base record the supplemental dimension maps."""

    filter_type: Literal["supplemental_column_operator"]
    dimension_type: DimensionType
    dimension_name: str
    column: str = "id"
    operator: Literal["isin", "like", "startswith", "endswith", "contains"] = "like"
    value: Any = "%"
    negate: bool = False


DimensionFilter = Annotated[
    ExpressionFilter
    | ExpressionRawFilter
    | ColumnOperatorFilter
    | BetweenColumnOperatorFilter
    | SubsetFilter
    | SupplementalColumnOperatorFilter,
    Field(discriminator="filter_type"),
]


class SourceDataset(DsgridModel):
    dataset_id: str
    dataset_type: Literal["standalone", "derived"] = "standalone"


class DatasetParams(DsgridModel):
    dimension_filters: list[DimensionFilter] = Field(default_factory=list)


class QueryDataset(DsgridModel):
    dataset_id: str
    source_datasets: list[SourceDataset] = Field(min_length=1)
    params: DatasetParams = Field(default_factory=DatasetParams)
    expression: str | None = None


class ProjectQueryParams(DsgridModel):
    project_id: str
    dataset: QueryDataset
    excluded_dataset_ids: list[str] = Field(default_factory=list)
    include_dsgrid_dataset_components: bool = False
    version: str | None = None

    @field_validator("include_dsgrid_dataset_components")
    @classmethod
    def _no_components(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "include_dsgrid_dataset_components: true is not supported (dsgrid 0.4 refuses "
                "it too); list the datasets in dataset.source_datasets"
            )
        return value


class DimensionRef(DsgridModel):
    dimension_name: str
    function: str | None = None
    alias: str | None = None


class Aggregation(DsgridModel):
    aggregation_function: Literal["sum", "mean", "min", "max", "count"] = "sum"
    dimensions: dict[DimensionType, list[str | DimensionRef]]

    @field_validator("aggregation_function", mode="before")
    @classmethod
    def _avg_is_mean(cls, value: Any) -> Any:
        # dsgrid names pyspark.sql.functions: avg and mean are one function
        return "mean" if value == "avg" else value


class Report(DsgridModel):
    report_type: Literal["peak_load"]
    inputs: dict[str, Any] | None = None


class TableFormat(DsgridModel):
    format_type: Literal["stacked", "pivoted", "unpivoted"] = "stacked"
    pivoted_dimension_type: DimensionType | None = None


class QueryResultParams(DsgridModel):
    legacy_keys: ClassVar[dict[str, str | None]] = {"supplemental_columns": None}
    replace_ids_with_names: bool = False
    aggregations: list[Aggregation] = Field(
        default_factory=list,
        description="Applied in order, each to the result of the one before (dsgrid's "
        "chained aggregations): a later aggregation keeps columns the one before kept, or "
        "maps a kept base dimension to a supplemental one (county, then state).",
    )
    aggregate_each_dataset: bool = False
    reports: list[Report] = Field(default_factory=list)
    column_type: Literal["dimension_names", "dimension_types"] = Field(
        "dimension_names",
        description="Result columns named after their dimensions (dsgrid's default) or after "
        "their dimension types (geography, metric, ...; time: 'timestamp').",
    )
    table_format: TableFormat = Field(default_factory=TableFormat)
    output_format: Literal["parquet", "csv"] = "parquet"
    sort_columns: list[str] = Field(default_factory=list)
    dimension_filters: list[DimensionFilter] = Field(default_factory=list)
    time_zone: str | None = Field(
        default=None,
        description="Convert the result's times to wall-clock times of this IANA zone, or of "
        "each row's geography record ('geography', as dsgrid), named in a time_zone column.",
    )

    @field_validator("column_type", mode="before")
    @classmethod
    def _legacy_column_type(cls, value: Any) -> Any:
        if value == "dimension_query_names":
            warnings.warn(
                "result.column_type 'dimension_query_names' is the former name of "
                "'dimension_names' (dsgrid 0.4 no longer reads it); read as 'dimension_names'",
                LegacyKeyWarning,
                stacklevel=2,
            )
            return "dimension_names"
        return value

    # Our additions, for interactive use: a page of the result, and a unit for every metric.
    limit: int | None = Field(default=None, ge=0)
    offset: int = Field(default=0, ge=0)
    unit: str | None = None


class ProjectQueryConfig(DsgridModel):
    name: str = Field(pattern=r"^[\w-]+$")
    version: str | None = None
    project: ProjectQueryParams
    result: QueryResultParams = Field(default_factory=QueryResultParams)
