"""Dimension mapping configs and the rules each mapping type imposes on its records."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from dsgrid_core.config.base import DsgridModel, Version
from dsgrid_core.config.dimension import DimensionReference, DimensionType

FRACTION_TOLERANCE = 1e-6


class MappingType(enum.StrEnum):
    ONE_TO_ONE = "one_to_one"
    MANY_TO_ONE_AGGREGATION = "many_to_one_aggregation"
    MANY_TO_ONE_REASSIGNMENT = "many_to_one_reassignment"
    DUPLICATION = "duplication"
    ONE_TO_MANY_DISAGGREGATION = "one_to_many_disaggregation"
    MANY_TO_MANY_DISAGGREGATION = "many_to_many_disaggregation"
    MANY_TO_MANY_AGGREGATION = "many_to_many_aggregation"
    ONE_TO_MANY_ASSIGNMENT = "one_to_many_assignment"
    MANY_TO_ONE_ASSIGNMENT = "many_to_one_assignment"
    MANY_TO_MANY_ASSIGNMENT = "many_to_many_assignment"
    ONE_TO_ONE_EXPLICIT_MULTIPLIERS = "one_to_one_explicit_multipliers"
    ONE_TO_MANY_EXPLICIT_MULTIPLIERS = "one_to_many_explicit_multipliers"
    MANY_TO_ONE_EXPLICIT_MULTIPLIERS = "many_to_one_explicit_multipliers"
    MANY_TO_MANY_EXPLICIT_MULTIPLIERS = "many_to_many_explicit_multipliers"


@dataclass(frozen=True)
class MappingRules:
    """What a mapping type checks (dsgrid's mapping archetypes).

    unique_from: each from_id appears once; unique_to: each non-empty to_id appears once;
    sum_by: fractions must sum to 1 per 'from_id' or 'to_id' (None: no sum check);
    all_ones: every fraction must be 1; fractions_required: the CSV must have from_fraction
    (dsgrid reads a missing from_fraction as 1 for every type, so no type requires it).
    """

    unique_from: bool = False
    unique_to: bool = False
    sum_by: Literal["from_id", "to_id"] | None = "from_id"
    all_ones: bool = False
    fractions_required: bool = False

    @property
    def archetype(self) -> str:
        # dsgrid's names count the other side: "many_to_one" lets to_ids repeat (many from
        # records go to one to record) and keeps each from_id once.
        shape = (
            f"{'one' if self.unique_to else 'many'}_to_{'one' if self.unique_from else 'many'}_map"
        )
        return f"{shape}_fraction_sum_{self.sum_by}_eq1" if self.sum_by else shape

    @property
    def pairs_may_repeat(self) -> bool:
        """A (from_id, to_id) pair may be listed twice only where both ids may repeat; its
        rows then add up, as a join over the records does."""
        return not (self.unique_from or self.unique_to)


MAPPING_RULES: dict[MappingType, MappingRules] = {
    MappingType.ONE_TO_ONE: MappingRules(unique_from=True, unique_to=True),
    MappingType.MANY_TO_ONE_AGGREGATION: MappingRules(unique_from=True),
    MappingType.MANY_TO_ONE_REASSIGNMENT: MappingRules(unique_from=True),
    MappingType.DUPLICATION: MappingRules(unique_to=True, sum_by=None, all_ones=True),
    MappingType.ONE_TO_MANY_DISAGGREGATION: MappingRules(unique_to=True),
    MappingType.MANY_TO_MANY_DISAGGREGATION: MappingRules(),
    MappingType.MANY_TO_MANY_AGGREGATION: MappingRules(),
    MappingType.ONE_TO_MANY_ASSIGNMENT: MappingRules(unique_to=True, sum_by="to_id"),
    # dsgrid gives this type the many-to-many archetype (its own test project maps one model
    # year to two intervals under it), so only the per-to_id sum is enforced.
    MappingType.MANY_TO_ONE_ASSIGNMENT: MappingRules(sum_by="to_id"),
    MappingType.MANY_TO_MANY_ASSIGNMENT: MappingRules(sum_by="to_id"),
    MappingType.ONE_TO_ONE_EXPLICIT_MULTIPLIERS: MappingRules(
        unique_from=True, unique_to=True, sum_by=None
    ),
    MappingType.ONE_TO_MANY_EXPLICIT_MULTIPLIERS: MappingRules(unique_to=True, sum_by=None),
    MappingType.MANY_TO_ONE_EXPLICIT_MULTIPLIERS: MappingRules(unique_from=True, sum_by=None),
    MappingType.MANY_TO_MANY_EXPLICIT_MULTIPLIERS: MappingRules(sum_by=None),
}


class MappingBase(DsgridModel):
    legacy_keys: ClassVar[dict[str, str | None]] = {"module": None}

    mapping_type: MappingType = MappingType.MANY_TO_ONE_AGGREGATION
    archetype: str | None = None
    description: str = ""
    file: str | None = Field(default=None, validation_alias=AliasChoices("file", "filename"))
    records: list[dict[str, Any]] | None = None
    from_fraction_tolerance: float = FRACTION_TOLERANCE
    to_fraction_tolerance: float = FRACTION_TOLERANCE
    mapping_id: str | None = None

    @field_validator("description", mode="before")
    @classmethod
    def _null_description(cls, value: Any) -> Any:
        return "" if value is None else value  # dsgrid writes description: null

    @model_validator(mode="after")
    def _file_or_records(self):
        if (self.file is None) == (self.records is None):
            raise ValueError("give exactly one of 'file' (a mapping CSV) or 'records' (inline)")
        if self.file is not None and not self.file.lower().endswith(".csv"):
            raise ValueError(f"file '{self.file}': a mapping's records file must be a .csv file")
        expected = self.rules.archetype
        if self.archetype is not None and self.archetype != expected:
            raise ValueError(
                f"archetype '{self.archetype}' does not go with mapping_type "
                f"{self.mapping_type.value} (its archetype is '{expected}'); remove archetype, "
                "dsgrid derives it from mapping_type"
            )
        return self

    @property
    def rules(self) -> MappingRules:
        return MAPPING_RULES[self.mapping_type]


class DimensionMappingConfig(MappingBase):
    """A standalone mapping between two registered dimensions (registered on its own)."""

    # dsgrid writes these in the configs it stores: its database id, version and file hash
    legacy_keys: ClassVar[dict[str, str | None]] = {
        **MappingBase.legacy_keys,
        "file_hash": None,
        "id": None,
        "version": None,
    }
    from_dimension: DimensionReference
    to_dimension: DimensionReference

    @model_validator(mode="after")
    def _same_type(self):
        if self.from_dimension.type != self.to_dimension.type:
            raise ValueError(
                f"from_dimension is {self.from_dimension.type.value} but to_dimension is "
                f"{self.to_dimension.type.value}: a mapping stays within one dimension type"
            )
        return self


class SupplementalMapping(MappingBase):
    """The base-to-supplemental mapping written inside a project's supplemental dimension.
    ``project_base_dimension_name`` names the base dimension it maps from when the project has
    several of this type."""

    mapping_type: MappingType = MappingType.MANY_TO_ONE_AGGREGATION
    project_base_dimension_name: str | None = None


class DatasetMapping(MappingBase):
    """One entry of a submission's dimension_mappings.json5: dataset dimension -> project base."""

    dimension_type: DimensionType
    project_base_dimension_name: str | None = None


class MappingNames(DsgridModel):
    from_: str = Field(alias="from")
    to: str


class MappingReference(DsgridModel):
    """A registered mapping: by ``mapping_id`` (dsgrid's form) or by its two dimension names
    (``mapping_names``, the form of dsgrid's test data, resolved to an id when read)."""

    legacy_keys: ClassVar[dict[str, str | None]] = {"required_for_validation": None}
    from_dimension_type: DimensionType
    to_dimension_type: DimensionType
    mapping_id: str | None = None
    mapping_names: MappingNames | None = None
    version: Version

    @model_validator(mode="before")
    @classmethod
    def _stored_form(cls, data: Any) -> Any:
        # Project versions stored by earlier releases of this package wrote dimension_type.
        if isinstance(data, dict) and "dimension_type" in data:
            data = dict(data)
            t = data.pop("dimension_type")
            data.setdefault("from_dimension_type", t)
            data.setdefault("to_dimension_type", t)
        return data

    @model_validator(mode="after")
    def _id_or_names(self):
        if (self.mapping_id is None) == (self.mapping_names is None):
            raise ValueError("give exactly one of mapping_id or mapping_names")
        return self


class DatasetMappingsFile(DsgridModel):
    """A submission's dimension_mappings.json5 (new mappings) or references file."""

    mappings: list[DatasetMapping] = Field(default_factory=list)
    references: list[MappingReference] = Field(default_factory=list)


class StandaloneMappingsFile(DsgridModel):
    """A file of mappings between registered dimensions (dimension_mappings_with_ids.json5)."""

    mappings: list[DimensionMappingConfig]
