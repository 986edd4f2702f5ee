"""Submitting a dataset to a project: register its mappings, check it, mark it registered
and bump the project version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.load import load_config
from dsgrid_core.config.mapping import DatasetMappingsFile
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.errors import AlreadyExistsError, InputError
from dsgrid_core.registry import versions as semver
from dsgrid_core.registry.components import prepare_mapping
from dsgrid_core.registry.register_mappings import (
    mapping_dependency,
    resolve_mapping,
    store_mapping,
)
from dsgrid_core.registry.register_project import required_records, stored_project_plan
from dsgrid_core.registry.store import Dependency


def _records(registry, dim: dict[str, Any]) -> list[dict[str, Any]]:
    return registry.store.dimension_records(dim["id"], dim["version"])


def submit_dataset(
    registry,
    project_id: str,
    dataset_id: str,
    mappings_file: Path | None,
    log_message: str,
    *,
    data_roots=(),
    report_dir: Path | None = None,
    dataset_version: str | None = None,
    progress=None,
    references_file: Path | None = None,
) -> dict[str, Any]:
    from dsgrid_core.data.duck import connect
    from dsgrid_core.data.storage import MISSING_FILE
    from dsgrid_core.validate.submission_checks import (
        SubmissionCheckInput,
        check_submission,
        check_time_alignment,
        check_units,
    )

    registry._require_writable()
    project = registry.show("project", project_id)
    dataset = registry.show("dataset", dataset_id, dataset_version)
    config = ProjectConfig.model_validate(project.config)
    entry = config.dataset(dataset_id)
    if entry is None:
        listed = ", ".join(d.dataset_id for d in config.datasets) or "none"
        raise InputError(
            f"project '{project_id}' does not expect dataset '{dataset_id}' "
            f"(it expects: {listed}). Add it to the project's datasets with "
            "`dsgrid registry projects update`."
        )
    status = dict(project.extra.get("datasets", {}))
    if status.get(dataset_id, {}).get("status") == "Registered":
        raise AlreadyExistsError(
            f"dataset '{dataset_id}' is already submitted to project "
            f"'{project_id}' (project version {project.version})."
        )
    base = project.extra["base_dimensions"]
    ds_dims = dataset.extra["dimensions"]

    # mappings: new ones from the file, registered ones by reference
    preps = []
    # dsgrid's bulk format may name a second file of references to registered mappings
    files = [f for f in (mappings_file, references_file) if f is not None]
    for source_file in files:
        mfile, _ = load_config(DatasetMappingsFile, source_file)
        resolver = PathResolver(source_file.parent, data_roots)
        for i, m in enumerate(mfile.mappings):
            t = m.dimension_type.value
            src, dst = ds_dims[t], base[t]
            from_dim = (
                src["id"],
                src["version"],
                src["name"],
                [r["id"] for r in _records(registry, src)],
            )
            to_dim = (
                dst["id"],
                dst["version"],
                dst["name"],
                [r["id"] for r in _records(registry, dst)],
            )
            prep = prepare_mapping(m, resolver, source_file, f"mappings[{i}]", from_dim, to_dim, t)
            resolve_mapping(registry, prep, allow_reuse=True)
            preps.append(prep)
        for ref in mfile.references:
            from dsgrid_core.registry.register_project import _find_mapping

            record = _find_mapping(registry, ref)
            from dsgrid_core.registry.components import PreparedMapping

            preps.append(
                PreparedMapping(
                    from_dim=(
                        record.config["from_dimension"]["dimension_id"],
                        record.config["from_dimension"]["version"],
                    ),
                    to_dim=(
                        record.config["to_dimension"]["dimension_id"],
                        record.config["to_dimension"]["version"],
                    ),
                    type=ref.from_dimension_type.value,
                    config=record.config,
                    records=registry.store.mapping_records(record.id, record.version),
                    hash="",
                    id=record.id,
                    version=record.version,
                    reused=True,
                )
            )
    shown = ", ".join(map(str, files)) or f"the submission of '{dataset_id}'"
    by_type = {p.type: p for p in preps}
    if len(by_type) != len(preps):
        raise InputError(f"{shown}: more than one mapping for the same dimension type.")
    for t in by_type:
        if by_type[t].from_dim[0] != ds_dims[t]["id"] or by_type[t].to_dim[0] != base[t]["id"]:
            raise InputError(
                f"{shown}: the {t} mapping must go from the dataset's "
                f"dimension '{ds_dims[t]['name']}' to the project's base dimension "
                f"'{base[t]['name']}'."
            )
    unmapped = [
        t
        for t in (*NON_TIME_TYPES, "time")
        if ds_dims[t]["id"] != base[t]["id"] and t not in by_type and t != "time"
    ]
    if unmapped:
        details = "; ".join(
            f"{t}: dataset '{ds_dims[t]['name']}' vs project '{base[t]['name']}'" for t in unmapped
        )
        raise InputError(
            f"dataset '{dataset_id}' uses dimensions that differ from the project's "
            f"base dimensions and has no mapping for them ({details}). Add a "
            "mapping for each type to the dimension mappings file."
        )

    source = f"submission of {dataset_id} to {project_id}"
    ds_time = parse_dimension(
        registry.show("dimension", ds_dims["time"]["id"], ds_dims["time"]["version"]).config
    )
    pj_time = parse_dimension(
        registry.show("dimension", base["time"]["id"], base["time"]["version"]).config
    )
    check_time_alignment(ds_time, pj_time, source)
    if "metric" in by_type:
        ds_units = {r["id"]: r.get("unit") for r in _records(registry, ds_dims["metric"])}
        pj_units = {r["id"]: r.get("unit") for r in _records(registry, base["metric"])}
        check_units(
            [
                (f, ds_units.get(f), t, pj_units.get(t))
                for f, t, _ in by_type["metric"].records
                if t
            ],
            source,
        )

    plan = stored_project_plan(project)
    groups = required_records(
        plan,
        registry,
        {},
        entry.required_dimensions,
        f"project {project_id}: datasets[{dataset_id}]",
    )
    base_records = {t: [r["id"] for r in _records(registry, base[t])] for t in NON_TIME_TYPES}
    stored = registry.show("dataset", dataset_id, dataset.version)
    missing = registry.data.sibling(stored.data_path, MISSING_FILE)
    missing_location = registry.data.locate(missing) if registry.data.exists(missing) else None
    con = connect()
    try:
        if progress:
            progress("checking required combinations")
        facts = check_submission(
            con,
            SubmissionCheckInput(
                table_path=registry.data.locate(stored.data_path),
                missing_path=missing_location,
                mappings={t: p.records for t, p in by_type.items()},
                base_records=base_records,
                required_groups=groups,
                source=source,
            ),
            report_dir=report_dir,
        )
    finally:
        con.close()

    new_version = semver.bump(project.version, "minor")
    entry.status = "Registered"
    entry.version = dataset.version
    entry.mapping_references = [
        {"mapping_id": p.id, "version": p.version, "dimension_type": t}
        for t, p in sorted(by_type.items())
    ]
    status[dataset_id] = {
        "status": "Registered",
        "version": dataset.version,
        "mappings": entry.mapping_references,
    }
    new_config = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    old_deps = registry.store.dependencies("project", project_id, project.version)
    deps = [
        *old_deps,
        Dependency("dataset", dataset_id, dataset.version),
        *(mapping_dependency(p) for p in preps),
    ]
    with registry._transaction():
        current = registry.get("project", project_id)
        if current.version != project.version:
            from dsgrid_core.errors import StaleVersionError

            raise StaleVersionError(
                f"project '{project_id}' changed to {current.version} "
                "while the submission was checked; submit again."
            )
        for prep in preps:
            store_mapping(registry, prep, log_message)
        record = registry.version_record(
            "project",
            project_id,
            new_version,
            new_config,
            log_message,
            extra={
                **{
                    k: project.extra[k]
                    for k in ("base_dimensions", "supplemental_dimensions", "subset_dimensions")
                },
                "datasets": status,
            },
        )
        registry._add_component_version(
            "project",
            project_id,
            config.name,
            None,
            config.description,
            record,
            list(dict.fromkeys(deps)),
            new=False,
        )
    return {"project_version": new_version, "mappings": [p.id for p in preps], **facts}
