"""The bulk registration file: projects, datasets and submissions in one go.

As in dsgrid's own format, an entry's ``project_id`` or ``dataset_id`` names the component its
config file registers (dsgrid's journal of what a run registered is keyed by it); the registry
refuses an entry whose id and config disagree (see dsgrid_core.registry.bulk_check)."""

from __future__ import annotations

from collections import Counter

from pydantic import Field, field_validator, model_validator

from dsgrid_core.config.base import ComponentId, DsgridModel
from dsgrid_core.config.dimension import DimensionType


class BulkProject(DsgridModel):
    project_id: ComponentId
    config_file: str
    # the registration's log message; the command's --log-message, else "Register project ID"
    log_message: str | None = None


class BulkDataset(DsgridModel):
    dataset_id: ComponentId
    config_file: str
    dataset_path: str | None = None
    log_message: str | None = None
    # dsgrid: look up dimensions named in the config by name. We always resolve names of
    # dimension_references (and reuse identical registered dimensions), so both values
    # register the same thing.
    replace_dimension_names_with_ids: bool = False


class BulkSubmission(DsgridModel):
    dataset_id: ComponentId
    project_id: ComponentId
    dimension_mapping_file: str | None = None
    dimension_mapping_references_file: str | None = None
    log_message: str | None = None
    # as replace_dimension_names_with_ids: mapping references are resolved by name anyway
    replace_dimension_mapping_names_with_ids: bool = False
    # dimension types whose dataset dimension is one of the project's supplemental
    # dimensions: the mapping to the base dimension is made by reversing the project's
    # base-to-supplemental mapping (see dsgrid_core.registry.bulk_check)
    autogen_reverse_supplemental_mappings: list[DimensionType] = Field(default_factory=list)

    @field_validator("autogen_reverse_supplemental_mappings")
    @classmethod
    def _once_each(cls, value: list[DimensionType]) -> list[DimensionType]:
        return list(dict.fromkeys(value))  # dsgrid reads it as a set


class BulkRegistration(DsgridModel):
    projects: list[BulkProject] = Field(default_factory=list)
    datasets: list[BulkDataset] = Field(default_factory=list)
    dataset_submissions: list[BulkSubmission] = Field(default_factory=list)

    @model_validator(mode="after")
    def _each_once(self):
        """An id listed twice would be registered twice: the second would fail half-way."""
        for what, ids in (
            ("project_id", [p.project_id for p in self.projects]),
            ("dataset_id", [d.dataset_id for d in self.datasets]),
            (
                "submission",
                [f"{s.dataset_id} -> {s.project_id}" for s in self.dataset_submissions],
            ),
        ):
            twice = sorted(i for i, n in Counter(ids).items() if n > 1)
            if twice:
                raise ValueError(f"{what} listed more than once: {', '.join(twice)}")
        return self
