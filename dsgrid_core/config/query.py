"""Project and dataset query configs (dsgrid's query JSON5)."""

from __future__ import annotations

import warnings
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from dsgrid_core.config.base import DsgridModel, LegacyKeyWarning
from dsgrid_core.config.dimension import DimensionType
from dsgrid_core.config.mapping_plan import DatasetMappingPlan


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


class ProjectionSourceDataset(DsgridModel):
    """dsgrid's ProjectionDatasetModel: the initial-value dataset's rows (at ``base_year``)
    once per model year of the growth-rate dataset, times the growth of that year."""

    dataset_type: Literal["projection"]
    dataset_id: str = Field(
        description="Identifier of the resulting dataset: one the project lists in its "
        "datasets (dsgrid's rule), named in the expression."
    )
    initial_value_dataset_id: str = Field(description="Dataset holding the initial values.")
    growth_rate_dataset_id: str = Field(
        description="Dataset of growth rates per model year (often with no-op time)."
    )
    construction_method: Literal["exponential_growth", "annual_multiplier"] = Field(
        "exponential_growth",
        description="exponential_growth: value x (1 + rate) ** (model_year - base_year). "
        "annual_multiplier is refused when run (dsgrid 0.4.0 itself stops on it).",
    )
    base_year: int | None = Field(
        None,
        description="A model year of the initial-value dataset; by default its smallest.",
    )


def _source_kind(value: Any) -> str:
    kind = (
        value.get("dataset_type")
        if isinstance(value, dict)
        else getattr(value, "dataset_type", None)
    )
    return "projection" if kind == "projection" else "dataset"


AnySourceDataset = Annotated[
    Annotated[SourceDataset, Tag("dataset")]
    | Annotated[ProjectionSourceDataset, Tag("projection")],
    Discriminator(_source_kind),
]


class DatasetParams(DsgridModel):
    dimension_filters: list[DimensionFilter] = Field(default_factory=list)


class QueryDataset(DsgridModel):
    dataset_id: str
    source_datasets: list[AnySourceDataset] = Field(min_length=1)
    params: DatasetParams = Field(default_factory=DatasetParams)
    expression: str | None = None

    def read_dataset_ids(self) -> list[str]:
        """Every registered dataset the sources read (a projection reads two)."""
        ids: list[str] = []
        for source in self.source_datasets:
            if isinstance(source, ProjectionSourceDataset):
                ids += [source.initial_value_dataset_id, source.growth_rate_dataset_id]
            else:
                ids.append(source.dataset_id)
        return ids


class SparkConfByDataset(DsgridModel):
    dataset_id: str
    conf: dict[str, Any]


class ProjectQueryParams(DsgridModel):
    project_id: str
    dataset: QueryDataset
    excluded_dataset_ids: list[str] = Field(default_factory=list)
    include_dsgrid_dataset_components: bool = False
    version: str | None = None
    mapping_plans: list[DatasetMappingPlan] = Field(
        default_factory=list,
        description="dsgrid's order of each source dataset's mapping steps. The query runs as "
        "one statement, where the order cannot change the answer; steps that would persist, "
        "salt or keep intermediate tables are refused.",
    )
    spark_conf_per_dataset: list[SparkConfByDataset] = Field(
        default_factory=list,
        description="dsgrid's Spark settings while one dataset is processed: refused unless "
        "empty (the query runs as one statement; give Spark settings to the engine).",
    )

    @field_validator("mapping_plans", "spark_conf_per_dataset")
    @classmethod
    def _one_per_dataset(cls, value: list) -> list:
        ids = [item.dataset_id for item in value]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"dataset {', '.join(twice)} is listed more than once")
        return value

    @field_validator("spark_conf_per_dataset")
    @classmethod
    def _no_spark_conf(cls, value: list) -> list:
        if value:
            raise ValueError(
                "Spark settings per dataset are not supported: the query runs as one "
                "statement, not dataset by dataset; remove them (give Spark settings to the "
                "engine instead)"
            )
        return value

    @model_validator(mode="after")
    def _plans_of_source_datasets(self):
        sources = set()
        for ds in self.dataset.source_datasets:
            # a projection's sources are its initial values and growth rates (dsgrid's)
            growth = getattr(ds, "growth_rate_dataset_id", None)
            if growth:
                sources.update((ds.initial_value_dataset_id, growth))
            else:
                sources.add(ds.dataset_id)
        for plan in self.mapping_plans:
            if plan.dataset_id not in sources:
                raise ValueError(
                    f"mapping_plans: dataset {plan.dataset_id} is not a source dataset of the "
                    f"query ({', '.join(sorted(sources))})"
                )
        return self

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
    unit: str | None = Field(
        default=None,
        description="Convert every metric to this unit (MWh), or each kind to its own unit: "
        "an energy and a power unit, comma-separated (MWh,MW; energy and power never added).",
    )


COMPARED_DIMENSIONS = ("scenario", "model_year", "weather_year", "dataset", "dataset_version")


class Comparison(DsgridModel):
    """Our addition: two alternatives of one dimension (two scenarios, model years, weather
    years, two of the query's source datasets, or two versions of one of them) side by side in
    one result: per remaining group, ``base``, ``other``, ``difference`` (other - base) and
    ``relative_difference`` ((other - base) / base, null where base is 0). Alternatives are
    never summed together."""

    dimension: str = Field(
        description="scenario, model_year, weather_year (records of the project's base "
        "dimension of that type), dataset (two of the query's source datasets) or "
        "dataset_version (two versions of the source dataset dataset_id)."
    )
    base: str = Field(min_length=1, description="The record id, dataset id or version compared to.")
    other: str = Field(min_length=1, description="The record id, dataset id or version compared.")
    dataset_id: str | None = Field(
        None,
        description="dataset_version only: the source dataset read at version base on one "
        "side and at version other on the other (the query's other datasets at the versions "
        "the project lists).",
    )

    @field_validator("dimension")
    @classmethod
    def _known_dimension(cls, value: str) -> str:
        if value in ("version", "versions"):
            raise ValueError(
                f"'{value}' is not a comparison dimension; to compare two versions of a "
                "dataset use dimension: dataset_version with its dataset_id"
            )
        if value not in COMPARED_DIMENSIONS:
            raise ValueError(
                f"'{value}' cannot be compared; compare one of "
                f"{', '.join(COMPARED_DIMENSIONS)} (alternatives, not parts of a total)"
            )
        return value

    @model_validator(mode="after")
    def _two_records(self):
        versions = self.dimension == "dataset_version"
        if versions and not self.dataset_id:
            raise ValueError(
                "comparison.dataset_id: a comparison of versions names the dataset whose "
                "versions base and other are; add dataset_id (one of the source datasets)"
            )
        if not versions and self.dataset_id is not None:
            raise ValueError(
                f"comparison.dataset_id: only a dataset_version comparison names a dataset; "
                f"remove it, or compare dimension: dataset_version (not {self.dimension})"
            )
        if self.base == self.other:
            what = f"versions of {self.dataset_id}" if versions else f"{self.dimension} records"
            raise ValueError(
                f"base and other are both '{self.base}'; pick two different {what} to compare"
            )
        return self


class ProjectQueryConfig(DsgridModel):
    name: str = Field(pattern=r"^[\w-]+$")
    version: str | None = None
    project: ProjectQueryParams
    result: QueryResultParams = Field(default_factory=QueryResultParams)
    comparison: Comparison | None = Field(
        default=None,
        description="Our addition: compare two scenarios, model years, weather years, source "
        "datasets or versions of a source dataset in one query (see docs/queries.md, "
        "Comparisons).",
    )

    @model_validator(mode="after")
    def _compared_datasets_are_sources(self):
        comparison = self.comparison
        if comparison is not None and comparison.dimension == "dataset_version":
            plain = [
                s.dataset_id
                for s in self.project.dataset.source_datasets
                if isinstance(s, SourceDataset)
                and s.dataset_id not in self.project.excluded_dataset_ids
            ]
            if comparison.dataset_id not in plain:
                raise ValueError(
                    f"comparison.dataset_id: dataset '{comparison.dataset_id}' is not a source "
                    f"dataset of the query ({', '.join(plain) or 'none'}); list it in "
                    "project.dataset.source_datasets (not as a projection, not excluded)"
                )
            return self
        if comparison is None or comparison.dimension != "dataset":
            return self
        sources = [s.dataset_id for s in self.project.dataset.source_datasets]
        for side in ("base", "other"):
            if getattr(comparison, side) not in sources:
                raise ValueError(
                    f"comparison.{side}: dataset '{getattr(comparison, side)}' is not a source "
                    f"dataset of the query ({', '.join(sources)}); list it in "
                    "project.dataset.source_datasets"
                )
        if self.project.dataset.expression:
            raise ValueError(
                "comparison: a comparison of datasets reads each dataset alone; remove "
                "project.dataset.expression"
            )
        return self
