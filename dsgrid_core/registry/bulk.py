"""Bulk registration: projects, then datasets, then submissions, from one file.

Relative paths are resolved against the bulk file's folder, which is also an allowed data
root (dsgrid's own test data reaches from dataset configs up to a shared datasets folder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsgrid_core.config.bulk import BulkRegistration
from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.load import load_config


def bulk_register(
    registry,
    bulk_file: Path,
    *,
    log_message: str | None = None,
    data_roots=(),
    report_dir: Path | None = None,
    progress=None,
) -> list[dict[str, Any]]:
    bulk, _ = load_config(BulkRegistration, bulk_file)
    folder = bulk_file.parent.resolve()
    roots = [folder, *data_roots]
    resolver = PathResolver(folder, roots)
    message = log_message or f"bulk registration from {bulk_file.name}"
    done: list[dict[str, Any]] = []

    def step(what: str) -> None:
        if progress is not None:
            progress(what)

    for p in bulk.projects:
        path = resolver.resolve(p.config_file, field="projects.config_file", config_file=bulk_file)
        step(f"project {p.project_id}")
        plan = registry.register_project(path, message, data_roots=roots)
        if plan.config.project_id != p.project_id:
            from dsgrid_core.errors import InputError

            raise InputError(
                f"{bulk_file}: project_id '{p.project_id}' but {path} registers "
                f"'{plan.config.project_id}'."
            )
        done.append({"kind": "project", "id": p.project_id, "version": "1.0.0"})
    for d in bulk.datasets:
        path = resolver.resolve(d.config_file, field="datasets.config_file", config_file=bulk_file)
        data_path = (
            resolver.resolve(d.dataset_path, field="datasets.dataset_path", config_file=bulk_file)
            if d.dataset_path
            else None
        )
        step(f"dataset {d.dataset_id}")
        registry.register_dataset(
            path, message, data_roots=roots, data_path=data_path, report_dir=report_dir
        )
        done.append({"kind": "dataset", "id": d.dataset_id, "version": "1.0.0"})
    for s in bulk.dataset_submissions:
        mfile = (
            resolver.resolve(
                s.dimension_mapping_file, field="dimension_mapping_file", config_file=bulk_file
            )
            if s.dimension_mapping_file
            else None
        )
        step(f"submission {s.dataset_id} -> {s.project_id}")
        result = registry.submit_dataset(
            s.project_id, s.dataset_id, mfile, message, data_roots=roots, report_dir=report_dir
        )
        done.append(
            {
                "kind": "submission",
                "id": f"{s.dataset_id}->{s.project_id}",
                "version": result["project_version"],
            }
        )
    return done
