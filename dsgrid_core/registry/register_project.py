"""Registering a project: its base, supplemental and subset dimensions and its mappings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.load import load_config
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.data.records import read_csv_rows
from dsgrid_core.errors import AlreadyExistsError, InputError
from dsgrid_core.registry.components import PreparedDimension, PreparedMapping, prepare_dimension
from dsgrid_core.registry.register_dimensions import (
    dimension_dependency,
    resolve_prepared,
    store_dimension,
)
from dsgrid_core.registry.register_mappings import (
    mapping_dependency,
    resolve_mapping,
    store_mapping,
)
from dsgrid_core.registry.store import Dependency


@dataclass
class ProjectPlan:
    """Everything a project version stores, resolved before the transaction starts."""

    config: ProjectConfig
    new_dimensions: list[PreparedDimension] = field(default_factory=list)
    new_mappings: list[PreparedMapping] = field(default_factory=list)
    base: dict[str, dict[str, Any]] = field(default_factory=dict)  # type -> {id, version, name}
    supplemental: list[dict[str, Any]] = field(default_factory=list)
    subsets: dict[str, dict[str, Any]] = field(default_factory=dict)
    deps: list[Dependency] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def resolved(self) -> dict[str, Any]:
        return {
            "base_dimensions": self.base,
            "supplemental_dimensions": self.supplemental,
            "subset_dimensions": self.subsets,
        }


def _records_of(
    registry, plan_dims: dict[str, PreparedDimension], dim_id: str, version: str
) -> list[str]:
    if dim_id in plan_dims:
        return plan_dims[dim_id].record_ids
    return [r["id"] for r in registry.store.dimension_records(dim_id, version)]


def plan_project(registry, config_file: Path, *, data_roots=()) -> ProjectPlan:

    config, notices = load_config(ProjectConfig, config_file)
    resolver = PathResolver(config_file.parent, data_roots)
    plan = ProjectPlan(config=config, notices=notices)
    prepared: dict[str, PreparedDimension] = {}

    def add_dimension(dim_config, where: str) -> PreparedDimension:
        prep = prepare_dimension(dim_config, resolver, config_file, where)
        resolve_prepared(registry, prep, allow_reuse=True)
        if any(p.id == prep.id and not p.reused for p in plan.new_dimensions):
            raise InputError(f"{config_file}: {where}: dimension '{prep.name}' appears twice.")
        if not prep.reused:
            plan.new_dimensions.append(prep)
        prepared[prep.id] = prep
        plan.deps.append(dimension_dependency(prep))
        return prep

    dims = config.dimensions
    for i, dim in enumerate(dims.base_dimensions):
        prep = add_dimension(dim, f"dimensions.base_dimensions[{i}]")
        _set_base(plan, config_file, prep.type, prep.id, prep.version, prep.name)
    for ref in dims.base_dimension_references:
        record = registry.find_dimension(ref.type.value, ref.name, ref.version, ref.dimension_id)
        name = registry.get("dimension", record.id).name
        _set_base(plan, config_file, ref.type.value, record.id, record.version, name)
        plan.deps.append(Dependency("dimension", record.id, record.version))

    for i, supp in enumerate(dims.supplemental_dimensions):
        where = f"dimensions.supplemental_dimensions[{i}]"
        prep = add_dimension(supp, where)
        base = plan.base[supp.type.value]
        from_dim = (
            base["id"],
            base["version"],
            base["name"],
            _records_of(registry, prepared, base["id"], base["version"]),
        )
        to_dim = (prep.id, prep.version, prep.name, prep.record_ids)
        from dsgrid_core.registry.components import prepare_mapping

        mapping = prepare_mapping(
            supp.mapping,
            resolver,
            config_file,
            f"{where}.mapping",
            from_dim,
            to_dim,
            supp.type.value,
        )
        resolve_mapping(registry, mapping, allow_reuse=True)
        if not mapping.reused:
            plan.new_mappings.append(mapping)
        plan.deps.append(mapping_dependency(mapping))
        plan.supplemental.append(
            {
                "type": prep.type,
                "id": prep.id,
                "version": prep.version,
                "name": prep.name,
                "mapping_id": mapping.id,
                "mapping_version": mapping.version,
            }
        )
    for ref in dims.supplemental_dimension_references:
        record = registry.find_dimension(ref.type.value, ref.name, ref.version, ref.dimension_id)
        name = registry.get("dimension", record.id).name
        plan.deps.append(Dependency("dimension", record.id, record.version))
        plan.supplemental.append(
            {
                "type": ref.type.value,
                "id": record.id,
                "version": record.version,
                "name": name,
                "mapping_id": None,
                "mapping_version": None,
            }
        )
    for ref in config.dimension_mappings.base_to_supplemental_references:
        mapping = _find_mapping(registry, ref)
        plan.deps.append(Dependency("dimension_mapping", mapping.id, mapping.version))
        to_id = mapping.config["to_dimension"]["dimension_id"]
        for supp in plan.supplemental:
            if supp["id"] == to_id and supp["mapping_id"] is None:
                supp["mapping_id"], supp["mapping_version"] = mapping.id, mapping.version
    unmapped = [s["name"] for s in plan.supplemental if s["mapping_id"] is None]
    if unmapped:
        raise InputError(
            f"{config_file}: supplemental dimension(s) {', '.join(unmapped)} have no "
            "mapping from the base dimension; add one to "
            "dimension_mappings.base_to_supplemental_references."
        )

    for i, subset in enumerate(dims.subset_dimensions):
        where = f"dimensions.subset_dimensions[{i}]"
        path = resolver.resolve(subset.filename, field=f"{where}.filename", config_file=config_file)
        header, rows = read_csv_rows(path)
        base = plan.base[subset.type.value]
        base_ids = set(_records_of(registry, prepared, base["id"], base["version"]))
        selectors: dict[str, list[str]] = {}
        for sel in subset.selectors:
            if sel.name not in header:
                raise InputError(
                    f"{path}: no column for selector '{sel.name}' (columns: {', '.join(header)})."
                )
            selectors[sel.name] = [r["id"] for r in rows if r[sel.name].strip().lower() == "x"]
        unknown = sorted({r["id"] for r in rows} - base_ids)
        if unknown:
            raise InputError(
                f"{path}: id(s) {', '.join(unknown[:5])} are not records of the "
                f"base {subset.type.value} dimension '{base['name']}'."
            )
        plan.subsets[subset.name] = {
            "type": subset.type.value,
            "selectors": selectors,
            "description": subset.description,
        }

    for ds in config.datasets:
        required_records(
            plan,
            registry,
            prepared,
            ds.required_dimensions,
            f"{config_file}: datasets[{ds.dataset_id}].required_dimensions",
        )
    return plan


def _set_base(
    plan: ProjectPlan, config_file: Path, type_: str, id: str, version: str, name: str
) -> None:
    if type_ in plan.base:
        raise InputError(
            f"{config_file}: more than one base dimension of type {type_}; give "
            "one base dimension per type."
        )
    plan.base[type_] = {"id": id, "version": version, "name": name}


def _find_mapping(registry, ref):
    names = ref.mapping_names
    for c in registry.store.list_components("dimension_mapping", ref.from_dimension_type.value):
        record = registry.store.get_version("dimension_mapping", c.id, ref.version)
        if record is None:
            continue
        if names is None or (
            record.config["from_dimension"]["name"] == names.from_
            and record.config["to_dimension"]["name"] == names.to
        ):
            return record
    what = f"'{names.from_}' to '{names.to}'" if names else ref.from_dimension_type.value
    raise InputError(f"no registered dimension mapping from {what} at version {ref.version}.")


def stored_project_plan(project_record) -> ProjectPlan:
    """The plan of an already registered project version (for reading its requirements)."""
    return ProjectPlan(
        config=ProjectConfig.model_validate(project_record.config),
        base=project_record.extra["base_dimensions"],
        supplemental=project_record.extra["supplemental_dimensions"],
        subsets=project_record.extra["subset_dimensions"],
    )


def required_records(
    plan: ProjectPlan, registry, prepared, required, where: str
) -> list[dict[str, list[str]]]:
    """Expand required_dimensions to groups of {type: [base ids]}; errors name bad ids."""
    groups: list[dict[str, list[str]]] = []
    entries = [required.single_dimensional] if required.single_dimensional else []
    entries += list(required.multi_dimensional)
    for entry in entries:
        group: dict[str, list[str]] = {}
        for dim_type, recs in entry.items():
            t = dim_type.value
            base = plan.base[t]
            base_ids = _records_of(registry, prepared, base["id"], base["version"])
            ids: list[str] = list(recs.base)
            unknown = [i for i in ids if i not in set(base_ids)]
            if unknown:
                raise InputError(
                    f"{where}.{t}: id(s) {', '.join(unknown[:5])} are not records of "
                    f"the base dimension '{base['name']}'."
                )
            for sub in recs.subset:
                subset = plan.subsets.get(sub.name)
                if subset is None:
                    raise InputError(f"{where}.{t}: no subset dimension named '{sub.name}'.")
                for sel in sub.selectors:
                    if sel not in subset["selectors"]:
                        raise InputError(
                            f"{where}.{t}: subset '{sub.name}' has no selector "
                            f"'{sel}'; it has {', '.join(subset['selectors'])}."
                        )
                    ids += subset["selectors"][sel]
            for supp_ref in recs.supplemental:
                supp = next((s for s in plan.supplemental if s["name"] == supp_ref.name), None)
                if supp is None:
                    raise InputError(f"{where}.{t}: no supplemental dimension '{supp_ref.name}'.")
                mapping = registry.store.mapping_records(
                    supp["mapping_id"], supp["mapping_version"]
                ) or next((m.records for m in plan.new_mappings if m.id == supp["mapping_id"]), [])
                wanted = set(supp_ref.record_ids)
                ids += [f for f, t_, _ in mapping if t_ in wanted]
            group[t] = list(dict.fromkeys(ids))
        groups.append(group)
    return groups


def register_project(registry, config_file: Path, log_message: str, *, data_roots=()):
    plan = plan_project(registry, config_file, data_roots=data_roots)
    project_id = plan.config.project_id
    if registry.store.get_component("project", project_id) is not None:
        raise AlreadyExistsError(
            f"project '{project_id}' is already registered. To change it run `dsgrid registry "
            f"projects update {project_id} {config_file} --update-type minor --version "
            f"{registry.get('project', project_id).version} --log-message ...`."
        )
    store_project_version(registry, plan, "1.0.0", log_message, new=True)
    return plan


def store_project_version(
    registry,
    plan: ProjectPlan,
    version: str,
    log_message: str,
    *,
    new: bool,
    status: dict[str, Any] | None = None,
    extra_deps: list[Dependency] = (),
) -> None:
    config = plan.config.model_dump(mode="json", by_alias=True, exclude_none=True)
    with registry._transaction():
        for prep in plan.new_dimensions:
            store_dimension(registry, prep, log_message)
        for mapping in plan.new_mappings:
            store_mapping(registry, mapping, log_message)
        record = registry.version_record(
            "project",
            plan.config.project_id,
            version,
            config,
            log_message,
            extra={**plan.resolved(), "datasets": status or {}},
        )
        deps = list(dict.fromkeys([*plan.deps, *extra_deps]))
        registry._add_component_version(
            "project",
            plan.config.project_id,
            plan.config.name,
            None,
            plan.config.description,
            record,
            deps,
            new=new,
        )
