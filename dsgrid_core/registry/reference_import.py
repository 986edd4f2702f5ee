"""Importing a dsgrid-toolkit 0.4 registry (its SQLite database and data folder) into ours.

Why: users of the reference toolkit move over in one command, keeping every project, dataset,
dimension and dimension mapping with all their versions, log messages, submitters and dates.

What the reference keeps (read from its database, never written):

* ``registrations``: one row per registration (timestamp, submitter, update type, log
  message); ``models``: one row per component version (``model_type``, ``model_id``,
  ``version``, the config as JSON, including dimension and mapping records);
  ``current_versions``: the current version of each component; ``contains``: which versions a
  version uses; ``key_value``: the registry's facts (``data_path``).
* ``<data path>/data/<dataset_id>/<version>/``: the dataset's stored table
  (``table.parquet``; for a two-table layout also ``lookup_table.parquet``) with the time
  already converted to a UTC ``timestamp`` column, and its ``missing_associations`` tables.

Each reference version becomes one of ours with the same id (dimension and mapping UUIDs are
kept, so configs naming them by ``dimension_id`` still resolve), version, log message,
submitter and registration time. Configs are translated to our models (registry-internal keys
dropped, records moved to our record tables) and validated by them; each dataset version's
data is read and checked by our registration checks (records, time, associations) before
anything is written. Everything is then written in one transaction: a refusal or failure
leaves the target registry as it was.

This module holds the entry point, its report and the writing; the planning of each kind is
in ``reference_import_dimensions``, ``_mappings``, ``_datasets`` and ``_projects`` (what
they share in ``reference_import_common``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsgrid_core.errors import AlreadyExistsError
from dsgrid_core.registry.reference_database import read_reference
from dsgrid_core.registry.reference_import_common import (
    DimensionIndex,
    MappingIndex,
    Plan,
    label,
)
from dsgrid_core.registry.reference_import_datasets import plan_dataset
from dsgrid_core.registry.reference_import_dimensions import dimension_config, plan_dimension
from dsgrid_core.registry.reference_import_mappings import plan_mapping
from dsgrid_core.registry.reference_import_projects import plan_project
from dsgrid_core.registry.store import Dependency

if TYPE_CHECKING:
    from dsgrid_core.registry.registry import Registry

__all__ = ["ImportReport", "dimension_config", "import_reference"]


@dataclass
class ImportReport:
    """What an import wrote, per kind, as `dsgrid registry import` reports it."""

    components: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    records: int = 0
    dataset_rows: dict[str, int] = field(default_factory=dict)  # "id version" -> rows
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_reference(
    registry: Registry,
    url: str,
    data_path: Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import every component version of the reference registry at ``url`` into ``registry``
    (open for writing). Ids already present in ``registry`` are refused before anything is
    written."""
    say = progress or (lambda _m: None)
    registry._require_writable()
    ref = read_reference(url, data_path)
    taken = sorted(
        f"{m.kind.replace('_', ' ')} {m.id}"
        for m in {(m.kind, m.id): m for m in ref.models}.values()
        if registry.store.get_component(m.kind, m.id) is not None
    )
    if taken:
        raise AlreadyExistsError(
            f"the target registry already holds {', '.join(taken[:5])}"
            f"{' and more' if len(taken) > 5 else ''}; import into a new or empty registry "
            "(`dsgrid registry create DIR`). Nothing was changed."
        )
    rows = ref.by_row()
    plans: list[Plan] = []
    # state built as the versions are prepared, in the reference's order
    dims: DimensionIndex = {}
    mappings: MappingIndex = {}
    seen: set[tuple[str, str]] = set()
    report = ImportReport()
    try:
        for i, m in enumerate(ref.models, 1):
            say(f"{label(m)} ({i}/{len(ref.models)})")
            deps = [
                Dependency(rows[u].kind, rows[u].id, rows[u].version) for u in m.uses if u in rows
            ]
            new = (m.kind, m.id) not in seen
            seen.add((m.kind, m.id))
            if m.kind == "dimension":
                plan = plan_dimension(m, dims)
            elif m.kind == "dimension_mapping":
                plan = plan_mapping(m, dims, mappings)
            elif m.kind == "dataset":
                plan = plan_dataset(registry, ref, m, dims)
                report.dataset_rows[f"{m.id} {m.version}"] = plan.record.row_count or 0
            else:
                plan = plan_project(m, dims, mappings)
            plan.deps = list(dict.fromkeys(deps))
            plan.summary.version = m.version
            plan.record.extra["new"] = new
            plans.append(plan)
        say(f"writing {len(plans)} versions")
        _write(registry, plans, report)
    except BaseException:
        for plan in plans:
            if plan.staging is not None:
                registry.data.discard(plan.staging)
        raise
    for kind, version in ref.current.items():
        latest = registry.store.get_component(*kind)
        if latest is not None and latest.version != version:
            report.notes.append(
                f"{kind[0]} {kind[1]}: the reference's current version is {version}; ours is "
                f"the latest, {latest.version}."
            )
    return report


def _write(registry: Registry, plans: list[Plan], report: ImportReport) -> None:
    """Publish the staged data, then write every version in one transaction."""
    published: list[tuple[str, str]] = []
    try:
        for plan in plans:
            if plan.staging is not None:
                registry.data.prepare_publish(plan.staging, plan.record.id, plan.record.version)
        with registry._transaction():
            for plan in plans:
                rec = plan.record
                new = rec.extra.pop("new")
                store = registry.store
                if new:
                    store.add_component(plan.summary)
                else:
                    store.set_latest(
                        rec.kind,
                        rec.id,
                        rec.version,
                        plan.summary.name,
                        plan.summary.description,
                        rec.registered_at,
                    )
                store.add_version(rec)
                if plan.deps:
                    store.add_dependencies(rec.kind, rec.id, rec.version, plan.deps)
                if plan.dimension_records:
                    store.put_dimension_records(rec.id, rec.version, plan.dimension_records)
                    report.records += len(plan.dimension_records)
                if plan.mapping_records:
                    store.put_mapping_records(rec.id, rec.version, plan.mapping_records)
                    report.records += len(plan.mapping_records)
                report.versions[rec.kind] = report.versions.get(rec.kind, 0) + 1
                if new:
                    report.components[rec.kind] = report.components.get(rec.kind, 0) + 1
                if plan.staging is not None:
                    registry.data.publish(plan.staging, rec.id, rec.version)
                    published.append((rec.id, rec.version))
                    plan.staging = None
    except BaseException:
        for dataset_id, version in published:
            registry.data.unpublish(dataset_id, version)
        raise
    for dataset_id, version in published:
        registry.data.release(dataset_id, version)
