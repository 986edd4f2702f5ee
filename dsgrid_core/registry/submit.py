"""Submitting a dataset to a project: register its mappings, check it, mark it registered
and bump the project version."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.mapping import DatasetMappingsFile, MappingReference
from dsgrid_core.config.project import BaseDimensionNames, ProjectConfig
from dsgrid_core.config.source import ConfigSource
from dsgrid_core.data.base_store import MISSING_FILE
from dsgrid_core.data.duck import connect
from dsgrid_core.data.records import record_time_zones
from dsgrid_core.errors import AlreadyExistsError, InputError, StaleVersionError
from dsgrid_core.registry import versions as semver
from dsgrid_core.registry.bulk_autogen import with_reverse_mappings
from dsgrid_core.registry.components import PreparedMapping, prepare_mapping
from dsgrid_core.registry.project_requirements import required_base_names
from dsgrid_core.registry.register_mappings import (
    mapping_dependency,
    resolve_mapping,
    store_mapping,
)
from dsgrid_core.registry.register_project import (
    base_for,
    bases_from_extra,
    find_mapping,
    required_records,
    stored_project_plan,
)
from dsgrid_core.registry.store import Dependency
from dsgrid_core.timealign import AlignOptions


def _records(registry, dim: dict[str, Any]) -> list[dict[str, Any]]:
    return registry.store.dimension_records(dim["id"], dim["version"])


def _submit_with_reverse_mappings(
    registry, project_id, dataset_id, mappings, log_message, types: list[str], **kw
) -> dict[str, Any]:
    unknown = [t for t in types if t not in NON_TIME_TYPES]
    if unknown:
        raise InputError(
            f"autogen_reverse_supplemental_mappings: {', '.join(unknown)} is not a dimension "
            f"type that has records; use one of {', '.join(sorted(NON_TIME_TYPES))}"
        )
    with tempfile.TemporaryDirectory(prefix="dsgrid-autogen-") as scratch:
        folder = Path(scratch)
        combined = with_reverse_mappings(
            registry,
            project_id,
            dataset_id,
            types,
            mappings,
            folder,
            "autogen_reverse_supplemental_mappings",
        )
        kw["data_roots"] = [*kw.get("data_roots", ()), folder.resolve()]
        return submit_dataset(registry, project_id, dataset_id, combined, log_message, **kw)


def submit_dataset(
    registry,
    project_id: str,
    dataset_id: str,
    mappings: ConfigSource | None,
    log_message: str,
    *,
    data_roots=(),
    report_dir: Path | None = None,
    dataset_version: str | None = None,
    progress=None,
    references: ConfigSource | None = None,
    autogen_reverse: Sequence[str] = (),
) -> dict[str, Any]:
    """Submit a registered dataset to a project. ``mappings``: the dataset's dimension
    mappings (a dimension mappings config); ``references``: a second such config, of
    references to registered mappings (dsgrid's bulk format). ``autogen_reverse``: dimension
    types whose dataset dimension is one of the project's supplemental dimensions, mapped to
    the base by reversing the project's mapping (dsgrid's
    autogen_reverse_supplemental_mappings)."""
    if autogen_reverse:
        return _submit_with_reverse_mappings(
            registry,
            project_id,
            dataset_id,
            mappings,
            log_message,
            list(autogen_reverse),
            data_roots=data_roots,
            report_dir=report_dir,
            dataset_version=dataset_version,
            progress=progress,
            references=references,
        )
    from dsgrid_core.validate.submission_checks import (  # late: sqlglot
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
    bases = bases_from_extra(project.extra)
    ds_dims = dataset.extra["dimensions"]
    ds_records = {t: [r["id"] for r in _records(registry, ds_dims[t])] for t in NON_TIME_TYPES}

    # mappings: new ones from the file, registered ones by reference
    preps = []
    # dsgrid's bulk format may name a second file of references to registered mappings
    sources = [c for c in (mappings, references) if c is not None]
    for source in sources:
        mfile, _ = source.validate(DatasetMappingsFile)
        resolver = PathResolver(source.folder, data_roots)
        for i, m in enumerate(mfile.mappings):
            t = m.dimension_type.value
            src = ds_dims[t]
            dst = base_for(
                bases,
                t,
                m.project_base_dimension_name,
                f"{source.name}: mappings[{i}].project_base_dimension_name",
            )
            from_dim = (src["id"], src["version"], src["name"], ds_records[t])
            to_dim = (
                dst["id"],
                dst["version"],
                dst["name"],
                [r["id"] for r in _records(registry, dst)],
            )
            prep = prepare_mapping(m, resolver, source.name, f"mappings[{i}]", from_dim, to_dim, t)
            resolve_mapping(registry, prep, allow_reuse=True)
            preps.append(prep)
        for i, ref in enumerate(mfile.references):
            record = find_mapping(registry, ref, f"{source.name}: references[{i}]")
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
    shown = ", ".join(c.name for c in sources) or f"the submission of '{dataset_id}'"
    by_type = {p.type: p for p in preps}
    if len(by_type) != len(preps):
        raise InputError(f"{shown}: more than one mapping for the same dimension type.")
    base = _chosen_bases(bases, ds_dims, ds_records, by_type, registry, shown, dataset_id)
    for t, names in required_base_names(entry.required_dimensions).items():
        wrong = sorted(n for n in names if n not in (base[t]["name"], base[t]["id"]))
        if wrong:
            raise InputError(
                f"project '{project_id}' requires {t} records of base dimension "
                f"'{wrong[0]}' from dataset '{dataset_id}', but the dataset maps to "
                f"'{base[t]['name']}'. Map its {t} dimension to '{wrong[0]}' (a mapping with "
                "project_base_dimension_name), or correct the project's requirement."
            )
    for t in by_type:
        if by_type[t].from_dim[0] != ds_dims[t]["id"]:
            raise InputError(
                f"{shown}: the {t} mapping must go from the dataset's "
                f"dimension '{ds_dims[t]['name']}' to a base dimension of the project."
            )

    source = f"submission of {dataset_id} to {project_id}"
    ds_time = parse_dimension(
        registry.show("dimension", ds_dims["time"]["id"], ds_dims["time"]["version"]).config
    )
    pj_time = parse_dimension(
        registry.show("dimension", base["time"]["id"], base["time"]["version"]).config
    )

    zones = ()
    if ds_time.time_zone_required_in_geography():
        # the zones of the dataset's own geography records, or, as dsgrid, of the project's
        # when use_project_geography_time_zone says those apply
        own = not dataset.config.get("use_project_geography_time_zone", False)
        zones = record_time_zones(
            _records(registry, ds_dims["geography"] if own else base["geography"])
        )
    time_map = check_time_alignment(
        ds_time,
        pj_time,
        source,
        AlignOptions(entry.wrap_time_allowed, entry.time_based_data_adjustment, zones),
    )
    # enable_unit_conversion false: the metric mapping's fractions already convert units
    if "metric" in by_type and dataset.config.get("enable_unit_conversion", True):
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
    # Records of the dataset's dimension that are records of the chosen base dimension need no
    # mapping: the dataset covers a subset of the project's records.
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
    references = [
        MappingReference(
            from_dimension_type=t, to_dimension_type=t, mapping_id=p.id, version=p.version
        )
        for t, p in sorted(by_type.items())
    ]
    entry.mapping_references = references
    entry.base_dimension_names = BaseDimensionNames(**{t: b["name"] for t, b in base.items()})
    config.dimension_mappings.dataset_to_project[dataset_id] = references
    status[dataset_id] = {
        "status": "Registered",
        "version": dataset.version,
        "mappings": [
            {"mapping_id": p.id, "version": p.version, "dimension_type": t}
            for t, p in sorted(by_type.items())
        ],
        "base_dimension_names": {t: b["name"] for t, b in base.items()},
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
                    for k in (
                        "base_dimensions",
                        "base_dimension_list",
                        "supplemental_dimensions",
                        "subset_dimensions",
                    )
                    if k in project.extra
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
    notices = list(time_map.notes) if time_map is not None else []
    return {
        "project_version": new_version,
        "mappings": [p.id for p in preps],
        **facts,
        **({"notices": notices} if notices else {}),
    }


def _chosen_bases(bases, ds_dims, ds_records, by_type, registry, shown, dataset_id) -> dict:
    """The project base dimension each dimension type of the dataset maps to.

    A mapped type goes to its mapping's target. An unmapped type goes to the base dimension
    that is the dataset's own dimension, or else whose records include all the dataset's
    records (a dataset may cover part of the project: no mapping needed); with several base
    dimensions of a type exactly one may qualify."""
    chosen: dict[str, dict] = {}
    for t in (*NON_TIME_TYPES, "time"):
        of_type = [b for b in bases if b["type"] == t]
        if t in by_type:
            target = by_type[t].to_dim[0]
            found = [b for b in of_type if b["id"] == target]
            if not found:
                names = ", ".join(repr(b["name"]) for b in of_type)
                raise InputError(
                    f"{shown}: the {t} mapping goes to dimension '{target}', which is not a "
                    f"base {t} dimension of the project ({names})."
                )
            chosen[t] = found[0]
            continue
        same = [b for b in of_type if b["id"] == ds_dims[t]["id"]]
        if same:
            chosen[t] = same[0]
            continue
        if t == "time":
            chosen[t] = of_type[0]
            continue
        wanted = set(ds_records[t])
        covering = [b for b in of_type if wanted <= {r["id"] for r in _records(registry, b)}]
        if len(covering) == 1:
            chosen[t] = covering[0]
            continue
        if covering:
            names = ", ".join(repr(b["name"]) for b in covering)
            raise InputError(
                f"dataset '{dataset_id}': its {t} records are records of several base "
                f"{t} dimensions of the project ({names}); give a {t} mapping (with "
                "project_base_dimension_name) to say which."
            )
        names = ", ".join(repr(b["name"]) for b in of_type)
        raise InputError(
            f"dataset '{dataset_id}' uses {t} dimension '{ds_dims[t]['name']}', whose "
            f"records are not all records of the project's base {t} dimension(s) ({names}), "
            f"and has no {t} mapping. Add a mapping for {t} to the dimension mappings file."
        )
    return chosen
