"""dsgrid's dataset mapping plans (``DatasetMappingPlan``, ``MapOperation``): the order and
the persistence of the mapping steps of one dataset, in dataset and project queries. A query
here runs as one statement, so the order cannot change its answer; what would change how the
steps run (persisting, salting, keeping intermediate files) is refused."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from dsgrid_core.config.base import DsgridModel
from dsgrid_core.config.mapping import MappingReference


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
