"""Dataset query configs: ours (result settings at the top level) and dsgrid's
``DatasetQueryModel`` (``to_dimension_references``, ``mapping_plan``, ``result``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from dsgrid_core.config.base import DsgridModel
from dsgrid_core.config.dimension import DimensionReference
from dsgrid_core.config.mapping_plan import DatasetMappingPlan
from dsgrid_core.config.query import (
    Aggregation,
    DimensionFilter,
    ProjectQueryConfig,
    ProjectQueryParams,
    QueryDataset,
    QueryResultParams,
    Report,
    SourceDataset,
    TableFormat,
)
from dsgrid_core.config.time_adjustment import TimeBasedDataAdjustment

# Our flat result keys (a dataset query of our own form): in dsgrid's form they are in
# ``result``.
_FLAT_RESULT_KEYS = (
    "aggregations",
    "dimension_filters",
    "replace_ids_with_names",
    "reports",
    "table_format",
    "column_type",
    "output_format",
    "sort_columns",
    "time_zone",
    "limit",
    "offset",
    "unit",
)
QUERY_FORMAT_VERSION = "0.1.0"  # dsgrid's QueryBaseModel.version (the query structure's)


class DatasetQueryConfig(DsgridModel):
    """A query of one registered dataset: in its own dimensions, or mapped onto registered
    dimensions through registered dimension mappings (no project).

    Two forms are read. dsgrid's ``DatasetQueryModel``: ``to_dimension_references`` (each the
    dataset's dimension of that type mapped onto the dimension named, through the one
    registered mapping from the one to the other), ``mapping_plan``,
    ``time_based_data_adjustment``, ``wrap_time_allowed`` and ``result`` (as in a project
    query); its columns are named after dimension types, as dsgrid's are, unless
    ``result.column_type`` says otherwise; ``version`` is the query format's (``0.1.0``) and
    the dataset is read at its latest version. Ours: the result settings at the top level and
    ``version`` the dataset's. The dataset's time is kept as it is: a time reference may only
    name the dataset's own time dimension."""

    name: str = Field(pattern=r"^[\w-]+$")
    dataset_id: str
    version: str | None = Field(
        default=None,
        description="Our form: the dataset version to read (default: the latest). dsgrid's "
        "form (with to_dimension_references): the query format version, '0.1.0'.",
    )
    to_dimension_references: list[DimensionReference] | None = Field(
        default=None,
        description="dsgrid's form: map the dataset onto these registered dimensions (type, "
        "name or dimension_id, version), one per type, each through the registered mapping "
        "from the dataset's dimension of that type. A time dimension may only be the "
        "dataset's own. Leave it out to query the dataset in its own dimensions.",
    )
    mapping_plan: DatasetMappingPlan | None = Field(
        default=None,
        description="dsgrid's mapping plan: the mapping steps of to_dimension_references "
        "(what changes only how dsgrid runs them, persisting or salting, is refused).",
    )
    time_based_data_adjustment: TimeBasedDataAdjustment = Field(
        default_factory=TimeBasedDataAdjustment,
        description="dsgrid's adjustment of data when time is mapped to another time "
        "dimension; time is not mapped in a dataset query here, so only the default (none) "
        "is accepted.",
    )
    wrap_time_allowed: bool = Field(
        default=False,
        description="dsgrid's permission to wrap time when it is mapped to another time "
        "dimension; the dataset's own time is kept, so nothing is wrapped.",
    )
    result: QueryResultParams | None = Field(
        default=None,
        description="dsgrid's form: the result settings, as in a project query (then not at "
        "the top level).",
    )
    aggregations: list[Aggregation] = Field(default_factory=list, max_length=1)
    dimension_filters: list[DimensionFilter] = Field(default_factory=list)
    replace_ids_with_names: bool = False
    reports: list[Report] = Field(default_factory=list)
    table_format: TableFormat = Field(default_factory=TableFormat)
    column_type: Literal["dimension_names", "dimension_types"] = "dimension_names"
    output_format: Literal["parquet", "csv"] = "parquet"
    sort_columns: list[str] = Field(default_factory=list)
    time_zone: str | None = None
    limit: int | None = Field(default=None, ge=0)
    offset: int = Field(default=0, ge=0)
    unit: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_form_of_result(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        result = data.get("result")
        if result is not None:
            flat = [k for k in _FLAT_RESULT_KEYS if k in data and data[k] != _flat_default(k)]
            if flat:
                raise ValueError(
                    f"{', '.join(flat)}: given both at the top level and with 'result'; put "
                    "the result settings in 'result' (dsgrid's form) or at the top level, not "
                    "both"
                )
        refs = data.get("to_dimension_references")
        if isinstance(refs, list):
            # dsgrid reads a reference's type as 'type' (its alias) or 'dimension_type'
            data["to_dimension_references"] = [
                {
                    "type": r["dimension_type"],
                    **{k: v for k, v in r.items() if k != "dimension_type"},
                }
                if isinstance(r, dict) and "dimension_type" in r and "type" not in r
                else r
                for r in refs
            ]
        if refs is not None:
            # dsgrid names the columns of a dataset query after dimension types
            if isinstance(result, dict):
                if "column_type" not in result:
                    data["result"] = {**result, "column_type": "dimension_types"}
            elif result is None:
                data.setdefault("column_type", "dimension_types")
        return data

    @field_validator("to_dimension_references")
    @classmethod
    def _some_references(cls, value: list[DimensionReference] | None):
        if value is not None and not value:
            raise ValueError(
                "a dataset query must list at least one dimension to map (as in dsgrid); "
                "leave the key out to query the dataset in its own dimensions"
            )
        return value

    @field_validator("time_based_data_adjustment")
    @classmethod
    def _no_time_adjustment(cls, value: TimeBasedDataAdjustment) -> TimeBasedDataAdjustment:
        if value != TimeBasedDataAdjustment():
            raise ValueError(
                "not supported: it applies when the dataset's time is mapped to another time "
                "dimension, and a dataset query here keeps the dataset's own time; remove it"
            )
        return value

    @model_validator(mode="after")
    def _dsgrid_form(self):
        if self.to_dimension_references is not None and self.version not in (
            None,
            QUERY_FORMAT_VERSION,
        ):
            raise ValueError(
                f"version '{self.version}': with to_dimension_references (dsgrid's form) "
                f"'version' is dsgrid's query format version, '{QUERY_FORMAT_VERSION}', and "
                "the dataset is read at its latest version; remove it or give "
                f"'{QUERY_FORMAT_VERSION}'"
            )
        if self.mapping_plan is not None and self.mapping_plan.dataset_id != self.dataset_id:
            raise ValueError(
                f"mapping_plan.dataset_id '{self.mapping_plan.dataset_id}' is not the query's "
                f"dataset_id '{self.dataset_id}'"
            )

        try:
            self.as_project_query()
        except ValidationError as exc:
            problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
            raise ValueError(f"result: {problems}") from None
        return self

    @property
    def dataset_version(self) -> str | None:
        """The dataset version to read (None: the latest)."""
        return None if self.to_dimension_references is not None else self.version

    @property
    def result_params(self) -> QueryResultParams:
        """The result settings, from ``result`` (dsgrid's form) or the top level (ours)."""
        if self.result is not None:
            return self.result
        return QueryResultParams(
            aggregations=self.aggregations,
            dimension_filters=self.dimension_filters,
            replace_ids_with_names=self.replace_ids_with_names,
            reports=self.reports,
            table_format=self.table_format,
            column_type=self.column_type,
            output_format=self.output_format,
            sort_columns=self.sort_columns,
            time_zone=self.time_zone,
            limit=self.limit,
            offset=self.offset,
            unit=self.unit,
        )

    def as_project_query(self) -> ProjectQueryConfig:
        """The same question in the project-query shape the planner reads."""
        return ProjectQueryConfig(
            name=self.name,
            project=ProjectQueryParams(
                project_id=self.dataset_id,
                dataset=QueryDataset(
                    dataset_id=self.dataset_id,
                    source_datasets=[SourceDataset(dataset_id=self.dataset_id)],
                ),
            ),
            result=self.result_params,
        )


def _flat_default(key: str) -> Any:
    """The default of one of DatasetQueryConfig's top-level result keys, as JSON."""
    default = DatasetQueryConfig.model_fields[key].get_default(call_default_factory=True)
    return default.model_dump(mode="json") if isinstance(default, DsgridModel) else default
