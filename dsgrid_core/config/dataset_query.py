"""Dataset query configs: ours (result settings at the top level) and dsgrid's
``DatasetQueryModel`` (``to_dimension_references``, ``mapping_plan``, ``result``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from dsgrid_core.config.base import DsgridModel
from dsgrid_core.config.dimension import DimensionReference
from dsgrid_core.config.mapping import MappingReference
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


class MapOperation(DsgridModel):
    """dsgrid's ``MapOperation``: one step of a dataset's mapping plan. The steps are run by
    one SQL statement whatever their order, so only what leaves the answer exactly as it is
    can be asked for here: no persisted intermediate tables, no salting."""

    name: str = Field(
        description="Identifier of the operation (unique in the plan). For an entry of "
        "'mappings' without mapping_reference: the name of the dimension it maps to."
    )
    handle_data_skew: bool | None = Field(
        default=None,
        description="dsgrid's salting of skewed joins: null (the tool decides: no salting) "
        "or false. true is refused: no salting is done here.",
    )
    persist: bool = Field(
        default=False,
        description="Write the intermediate table after this step: false. true is refused: "
        "the query runs as one statement, with no intermediate tables.",
    )
    mapping_reference: MappingReference | None = Field(
        default=None,
        description="The registered mapping this step applies (dsgrid's dimension mapping "
        "reference: from_dimension_type, to_dimension_type, mapping_id, version). Only on "
        "entries of 'mappings'.",
    )

    @field_validator("handle_data_skew")
    @classmethod
    def _no_salting(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError(
                "true is not supported: no salting of skewed data is done here (the result "
                "would be the same); set it to false or null, or remove it"
            )
        return value

    @field_validator("persist")
    @classmethod
    def _no_persist(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "true is not supported: the query runs as one statement and writes no "
                "intermediate table; set it to false or remove it"
            )
        return value


def _fixed_operation(name: str) -> Any:
    return Field(
        default_factory=lambda: MapOperation(name=name, handle_data_skew=False, persist=False),
        description=f"dsgrid's '{name}' step (done in the query's one statement).",
    )


class DatasetMappingPlan(DsgridModel):
    """dsgrid's ``DatasetMappingPlan`` for a dataset query: the mapping steps, one per
    dimension mapped by ``to_dimension_references`` (in any order: the answer does not
    depend on it)."""

    dataset_id: str = Field(description="The query's dataset_id.")
    mappings: list[MapOperation] = Field(
        default_factory=list,
        description="One entry per mapped dimension: each names the registered mapping that "
        "to_dimension_references uses, by mapping_reference or by the name of the dimension "
        "it maps to. A plan leaving one out, or naming another mapping, is refused.",
    )
    apply_fraction_op: MapOperation = _fixed_operation("apply_fraction_op")
    apply_scaling_factor_op: MapOperation = _fixed_operation("apply_scaling_factor_op")
    convert_units_op: MapOperation = _fixed_operation("convert_units_op")
    map_time_op: MapOperation = _fixed_operation("map_time")
    keep_intermediate_files: bool = Field(
        default=False,
        description="false. true is refused: no intermediate files are written.",
    )

    @field_validator("keep_intermediate_files")
    @classmethod
    def _no_intermediate_files(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "true is not supported: the query writes no intermediate files; set it to "
                "false or remove it"
            )
        return value

    @field_validator(
        "apply_fraction_op", "apply_scaling_factor_op", "convert_units_op", "map_time_op"
    )
    @classmethod
    def _no_reference_on_fixed_steps(cls, value: MapOperation) -> MapOperation:
        if value.mapping_reference is not None:
            raise ValueError(
                "mapping_reference is read only on the entries of 'mappings'; remove it here"
            )
        return value

    @model_validator(mode="after")
    def _unique_names(self):
        names = [m.name for m in self.mappings] + [
            self.apply_fraction_op.name,
            self.apply_scaling_factor_op.name,
            self.convert_units_op.name,
            self.map_time_op.name,
        ]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                f"mapping_plan: operation names must be unique; {', '.join(twice)} appear "
                "more than once"
            )
        return self


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
        from pydantic import ValidationError

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
