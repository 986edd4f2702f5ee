"""The bulk registration file: projects, datasets and submissions in one go."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from dsgrid_core.config.base import ComponentId, DsgridModel


class BulkProject(DsgridModel):
    project_id: ComponentId
    config_file: str


class BulkDataset(DsgridModel):
    legacy_keys: ClassVar[dict[str, str | None]] = {"replace_dimension_names_with_ids": None}
    dataset_id: ComponentId
    config_file: str
    dataset_path: str | None = None


class BulkSubmission(DsgridModel):
    legacy_keys: ClassVar[dict[str, str | None]] = {
        "replace_dimension_mapping_names_with_ids": None,
        "autogen_reverse_supplemental_mappings": None,
    }
    dataset_id: ComponentId
    project_id: ComponentId
    dimension_mapping_file: str | None = None
    dimension_mapping_references_file: str | None = None


class BulkRegistration(DsgridModel):
    projects: list[BulkProject] = Field(default_factory=list)
    datasets: list[BulkDataset] = Field(default_factory=list)
    dataset_submissions: list[BulkSubmission] = Field(default_factory=list)
