"""Dimension mapping configs and the rules each mapping type imposes on its records."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

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
    """What a mapping type checks.

    unique_from: each from_id appears once; unique_to: each to_id appears once;
    sum_by: fractions must sum to 1 per 'from_id' or 'to_id' (None: no sum check);
    all_ones: every fraction must be 1; fractions_required: the CSV must have from_fraction.
    """

    unique_from: bool = False
    unique_to: bool = False
    sum_by: Literal["from_id", "to_id"] | None = "from_id"
    all_ones: bool = False
    fractions_required: bool = False


MAPPING_RULES: dict[MappingType, MappingRules] = {
    MappingType.ONE_TO_ONE: MappingRules(unique_from=True, unique_to=True),
    MappingType.MANY_TO_ONE_AGGREGATION: MappingRules(unique_from=True),
    MappingType.MANY_TO_ONE_REASSIGNMENT: MappingRules(unique_from=True),
    MappingType.DUPLICATION: MappingRules(sum_by=None, all_ones=True),
    MappingType.ONE_TO_MANY_DISAGGREGATION: MappingRules(unique_to=True, fractions_required=True),
    MappingType.MANY_TO_MANY_DISAGGREGATION: MappingRules(fractions_required=True),
    MappingType.MANY_TO_MANY_AGGREGATION: MappingRules(fractions_required=True),
    MappingType.ONE_TO_MANY_ASSIGNMENT: MappingRules(unique_to=True, sum_by="to_id"),
    # dsgrid's own test project maps one model year to two intervals under this type, so
    # only the per-to_id sum is enforced.
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
    legacy_keys: ClassVar[dict[str, str | None]] = {"filename": "file", "module": None}

    mapping_type: MappingType = MappingType.MANY_TO_ONE_AGGREGATION
    description: str = ""
    file: str | None = None
    records: list[dict[str, Any]] | None = None
    from_fraction_tolerance: float = FRACTION_TOLERANCE
    to_fraction_tolerance: float = FRACTION_TOLERANCE
    mapping_id: str | None = None

    @model_validator(mode="after")
    def _file_or_records(self):
        if (self.file is None) == (self.records is None):
            raise ValueError("give exactly one of 'file' (a mapping CSV) or 'records' (inline)")
        return self

    @property
    def rules(self) -> MappingRules:
        return MAPPING_RULES[self.mapping_type]


class DimensionMappingConfig(MappingBase):
    """A standalone mapping between two registered dimensions (registered on its own)."""

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
    """The base-to-supplemental mapping written inside a project's supplemental dimension."""

    mapping_type: MappingType = MappingType.MANY_TO_ONE_AGGREGATION


class DatasetMapping(MappingBase):
    """One entry of a submission's dimension_mappings.json5: dataset dimension -> project base."""

    dimension_type: DimensionType


class MappingNames(DsgridModel):
    from_: str = Field(alias="from")
    to: str


class MappingReference(DsgridModel):
    """A registered mapping named by its two dimension names (dsgrid's mapping references)."""

    legacy_keys: ClassVar[dict[str, str | None]] = {"mapping_id": None}
    from_dimension_type: DimensionType
    to_dimension_type: DimensionType
    mapping_names: MappingNames | None = None
    version: Version = "1.0.0"
    required_for_validation: bool = True


class DatasetMappingsFile(DsgridModel):
    """A submission's dimension_mappings.json5 (new mappings) or references file."""

    mappings: list[DatasetMapping] = Field(default_factory=list)
    references: list[MappingReference] = Field(default_factory=list)


class StandaloneMappingsFile(DsgridModel):
    """A file of mappings between registered dimensions (dimension_mappings_with_ids.json5)."""

    mappings: list[DimensionMappingConfig]
