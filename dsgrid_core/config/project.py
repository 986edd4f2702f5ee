"""Project configs: base, supplemental and subset dimensions, and the datasets a project needs."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from dsgrid_core.config.any_dimension import AnyDimensionConfig
from dsgrid_core.config.base import ComponentId, DimensionName, DsgridModel, Version
from dsgrid_core.config.dimension import (
    NON_TIME_TYPES,
    DimensionConfig,
    DimensionReference,
    DimensionType,
)
from dsgrid_core.config.mapping import MappingReference, SupplementalMapping
from dsgrid_core.config.time_adjustment import TimeBasedDataAdjustment, half_given


class SupplementalDimensionConfig(DimensionConfig):
    """A supplemental dimension and the mapping from the base dimension of its type."""

    mapping: SupplementalMapping


class SubsetSelector(DsgridModel):
    """One selector of a subset group: a column of the group's CSV. Its name becomes a record of
    the group's supplemental dimension; ``column_values`` fill that record's other columns."""

    name: DimensionName
    description: str
    column_values: dict[str, str] = Field(default_factory=dict)
    # Filled by dsgrid from the group's CSV; a stored project carries them.
    records: list[str] = Field(default_factory=list)


class SubsetDimensionConfig(DsgridModel):
    """Named selections of a base dimension's records: a CSV with ``id`` (every record of the
    base dimension) and one column per selector; a non-empty cell selects the record."""

    name: DimensionName
    description: str
    type: DimensionType
    filename: str | None = Field(default=None, validation_alias=AliasChoices("filename", "file"))
    selectors: list[SubsetSelector]
    selector_references: list[DimensionReference] = Field(default_factory=list)
    create_supplemental_dimension: bool = True
    base_dimension_name: str | None = None
    record_ids: list[str] = Field(default_factory=list)

    @field_validator("selectors")
    @classmethod
    def _same_columns(cls, selectors: list[SubsetSelector]) -> list[SubsetSelector]:
        # Selector column_values become columns of one records table, so all must agree.
        if selectors:
            first = sorted(selectors[0].column_values)
            for sel in selectors[1:]:
                if sorted(sel.column_values) != first:
                    raise ValueError(
                        f"selector '{sel.name}' defines column_values {sorted(sel.column_values)} "
                        f"but '{selectors[0].name}' defines {first}: every selector of a group "
                        "must define the same columns"
                    )
        names = [s.name for s in selectors]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"selector name(s) listed twice: {', '.join(dupes)}")
        return selectors


class SubsetRef(DsgridModel):
    name: str
    selectors: list[str]


class SupplementalRef(DsgridModel):
    name: str
    record_ids: list[str] = Field(default_factory=list)


class RequiredBase(DsgridModel):
    """Record ids of one base dimension; ``dimension_name`` names the base dimension when the
    project has several of this type (dsgrid's RequiredBaseDimensionModel)."""

    record_ids: list[str] = Field(default_factory=list)
    dimension_name: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_list(cls, data: Any) -> Any:
        # Older dsgrid files write base: [ids]; both forms are current in dsgrid 0.4.
        if isinstance(data, list):
            return {"record_ids": data}
        return data


class RequiredRecords(DsgridModel):
    """Records required of one dimension: base ids (or all but ``base_missing``) and subset
    selectors. dsgrid 0.4 dropped ``supplemental`` requirements: they are read and ignored
    with a notice, as dsgrid does."""

    legacy_keys: ClassVar[dict[str, str | None]] = {"supplemental": None}
    base: RequiredBase = Field(default_factory=RequiredBase)
    base_missing: RequiredBase = Field(default_factory=RequiredBase)
    subset: list[SubsetRef] = Field(default_factory=list)

    @model_validator(mode="after")
    def _base_or_missing(self):
        if self.base.record_ids and self.base_missing.record_ids:
            raise ValueError(
                "base and base_missing cannot both list record_ids: give the records the "
                "dataset has (base) or the ones it lacks (base_missing)"
            )
        return self

    def defines_requirement(self) -> bool:
        return bool(self.base.record_ids or self.base_missing.record_ids or self.subset)


class RequiredDimensions(DsgridModel):
    """Which record combinations a dataset must provide. A type listed nowhere needs every
    record of its base dimension; a type may appear in single_dimensional or in
    multi_dimensional entries, not both; each multi_dimensional entry names two or more types,
    and entries that share a type must name the same set of types."""

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

    @model_validator(mode="after")
    def _consistent(self):
        single = {t for t, r in self.single_dimensional.items() if r.defines_requirement()}
        combos: set[tuple[str, ...]] = set()
        for i, entry in enumerate(self.multi_dimensional):
            dims = sorted(t.value for t, r in entry.items() if r.defines_requirement())
            both = [d for d in dims if DimensionType(d) in single]
            if both:
                raise ValueError(
                    f"multi_dimensional[{i}]: {', '.join(both)} also in single_dimensional; "
                    "a dimension's requirement goes in one of the two sections"
                )
            if len(dims) < 2:
                raise ValueError(
                    f"multi_dimensional[{i}] names {dims or 'no dimension'}: an entry must "
                    "require records of at least two dimensions (use single_dimensional for one)"
                )
            combo = tuple(dims)
            if combo not in combos:
                for other in combos:
                    if set(combo) & set(other):
                        raise ValueError(
                            f"multi_dimensional entries over {list(other)} and {list(combo)} "
                            "share some dimensions but not all: entries that share a "
                            "dimension must name the same dimensions"
                        )
            combos.add(combo)
        return self


class BaseDimensionNames(DsgridModel):
    """The project base dimension (by name) each dimension type of a dataset maps to; set at
    submission, needed when the project has several base dimensions of a type."""

    geography: str | None = None
    metric: str | None = None
    model_year: str | None = None
    scenario: str | None = None
    sector: str | None = None
    subsector: str | None = None
    time: str | None = None
    weather_year: str | None = None


class ProjectDataset(DsgridModel):
    """A dataset the project expects."""

    legacy_keys: ClassVar[dict[str, str | None]] = {"dataset_type_description": None}
    dataset_id: ComponentId
    dataset_type: Literal["modeled", "historical", "benchmark", "unspecified"]
    version: Version | None = None
    status: Literal["Unregistered", "Registered"] = "Unregistered"
    required_dimensions: RequiredDimensions = Field(default_factory=RequiredDimensions)
    mapping_references: list[MappingReference] = Field(default_factory=list)
    base_dimension_names: BaseDimensionNames = Field(default_factory=BaseDimensionNames)
    wrap_time_allowed: bool = False
    time_based_data_adjustment: TimeBasedDataAdjustment = Field(
        default_factory=TimeBasedDataAdjustment
    )

    @model_validator(mode="before")
    @classmethod
    def _daylight_saving_both_hours(cls, data: Any) -> Any:
        # Checked here too so that the refusal names the dataset.
        adjustment = data.get("time_based_data_adjustment") if isinstance(data, dict) else None
        dst = adjustment.get("daylight_saving_adjustment") if isinstance(adjustment, dict) else None
        if isinstance(dst, dict):
            problem = half_given(dst.get("spring_forward_hour"), dst.get("fall_back_hour"))
            if problem:
                raise ValueError(
                    f"dataset '{data.get('dataset_id')}': time_based_data_adjustment.{problem}"
                )
        return data


class ProjectDimensions(DsgridModel):
    base_dimensions: list[AnyDimensionConfig] = Field(default_factory=list)
    base_dimension_references: list[DimensionReference] = Field(default_factory=list)
    supplemental_dimensions: list[SupplementalDimensionConfig] = Field(default_factory=list)
    supplemental_dimension_references: list[DimensionReference] = Field(default_factory=list)
    subset_dimensions: list[SubsetDimensionConfig] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _some_base(cls, data: Any) -> Any:
        if isinstance(data, dict) and not (
            data.get("base_dimensions") or data.get("base_dimension_references")
        ):
            raise ValueError("give base_dimensions or base_dimension_references")
        return data

    @model_validator(mode="after")
    def _every_type(self):
        types = [d.type.value for d in self.base_dimensions] + [
            d.type.value for d in self.base_dimension_references
        ]
        missing = [t for t in (*NON_TIME_TYPES, "time") if t not in types]
        if missing:
            raise ValueError(
                f"base dimensions are missing for type(s) {', '.join(missing)}: a project needs "
                "a base dimension of each of the 8 types"
            )
        if types.count("time") > 1:
            raise ValueError("a project has one base time dimension; more than one is given")
        return self

    @model_validator(mode="after")
    def _unique_names_and_files(self):
        files = [
            d.file
            for d in self.base_dimensions
            if isinstance(d, DimensionConfig) and d.file is not None
        ]
        dupes = sorted({f for f in files if files.count(f) > 1})
        if dupes:
            raise ValueError(f"base dimensions share the record file(s) {', '.join(dupes)}")
        seen: set[str] = set()
        names = [d.name for d in self.base_dimensions]
        names += [d.name for d in self.supplemental_dimensions]
        for group in self.subset_dimensions:
            names += [group.name, *(s.name for s in group.selectors)]
        for name in names:
            if name in seen:
                raise ValueError(
                    f"dimension name '{name}' is used twice in the project (base, supplemental, "
                    "subset groups and their selectors share one name space)"
                )
            seen.add(name)
        return self


class ProjectDimensionMappings(DsgridModel):
    base_to_supplemental_references: list[MappingReference] = Field(default_factory=list)
    # Filled at submission: dataset id -> the mappings that take it to the project.
    dataset_to_project: dict[str, list[MappingReference]] = Field(default_factory=dict)


class ProjectConfig(DsgridModel):
    legacy_keys: ClassVar[dict[str, str | None]] = {
        "registration": None,
        "id": None,
        "version": None,
    }
    project_id: ComponentId
    name: str
    description: str
    status: Literal[
        "Initial Registration", "In Progress", "Complete", "Published", "Deprecated"
    ] = "Initial Registration"
    datasets: list[ProjectDataset]
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
