"""The bulk registration file: projects, datasets and submissions in one go.

As in dsgrid's own format, an entry's ``project_id`` or ``dataset_id`` names the component its
config file registers (dsgrid's journal of what a run registered is keyed by it); the registry
refuses an entry whose id and config disagree (see dsgrid_core.registry.bulk_check)."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from pydantic import Field, model_validator

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
