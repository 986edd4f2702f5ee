"""Registering a project: its base, supplemental and subset dimensions and its mappings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.config.source import ConfigSource
from dsgrid_core.errors import AlreadyExistsError, InputError
from dsgrid_core.registry.components import (
    PreparedDimension,
    PreparedMapping,
    prepare_dimension,
    prepare_mapping,
)
from dsgrid_core.registry.project_generated import (
    ALL_DIMENSION_TYPES,
    plan_all_dimension,
    plan_subset,
    subset_supplemental,
)
from dsgrid_core.registry.project_requirements import (  # noqa: F401 - used by callers
    base_for,
    bases_from_extra,
    check_bases_named,
    records_of,
    required_records,
)
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
    """Everything a project version stores, resolved before the transaction starts.

    ``bases`` lists every base dimension ({type, id, version, name}) in config order; a type may
    have several. ``base`` keeps, per type, the first of them: the form older stored versions
    have and readers that know one base per type use (see ``base_for``)."""

    config: ProjectConfig
    new_dimensions: list[PreparedDimension] = field(default_factory=list)
    new_mappings: list[PreparedMapping] = field(default_factory=list)
    bases: list[dict[str, Any]] = field(default_factory=list)
    supplemental: list[dict[str, Any]] = field(default_factory=list)
    subsets: dict[str, dict[str, Any]] = field(default_factory=dict)
    deps: list[Dependency] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def base(self) -> dict[str, dict[str, Any]]:
        first: dict[str, dict[str, Any]] = {}
        for b in self.bases:
            first.setdefault(b["type"], {k: b[k] for k in ("id", "version", "name")})
        return first

    def resolved(self) -> dict[str, Any]:
        return {
            "base_dimensions": self.base,
            "base_dimension_list": self.bases,
            "supplemental_dimensions": self.supplemental,
            "subset_dimensions": self.subsets,
        }


def plan_project(registry, source: ConfigSource, *, data_roots=()) -> ProjectPlan:
    config, notices = source.validate(ProjectConfig)
    config_name = source.name  # the config as messages name it
    resolver = PathResolver(source.folder, data_roots)
    plan = ProjectPlan(config=config, notices=notices)
    prepared: dict[str, PreparedDimension] = {}

    def add_dimension(dim_config, where: str) -> PreparedDimension:
        prep = prepare_dimension(dim_config, resolver, config_name, where)
        resolve_prepared(registry, prep, allow_reuse=True)
        if any(p.id == prep.id and not p.reused for p in plan.new_dimensions):
            raise InputError(f"{config_name}: {where}: dimension '{prep.name}' appears twice.")
        if not prep.reused:
            plan.new_dimensions.append(prep)
        prepared[prep.id] = prep
        plan.deps.append(dimension_dependency(prep))
        return prep

    def add_supplemental(prep: PreparedDimension, mapping_config, base: dict, where: str):
        from_dim = (
            base["id"],
            base["version"],
            base["name"],
            records_of(registry, prepared, base["id"], base["version"]),
        )
        to_dim = (prep.id, prep.version, prep.name, prep.record_ids)
        mapping = prepare_mapping(
            mapping_config, resolver, config_name, where, from_dim, to_dim, prep.type
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
                "base_id": base["id"],
                "base_name": base["name"],
            }
        )

    dims = config.dimensions
    for i, dim in enumerate(dims.base_dimensions):
        prep = add_dimension(dim, f"dimensions.base_dimensions[{i}]")
        plan.bases.append(
            {"type": prep.type, "id": prep.id, "version": prep.version, "name": prep.name}
        )
    for ref in dims.base_dimension_references:
        record = registry.find_dimension(ref.type.value, ref.name, ref.version, ref.dimension_id)
        name = registry.get("dimension", record.id).name
        plan.bases.append(
            {"type": ref.type.value, "id": record.id, "version": record.version, "name": name}
        )
        plan.deps.append(Dependency("dimension", record.id, record.version))
    _check_bases(plan, config_name)

    for i, supp in enumerate(dims.supplemental_dimensions):
        where = f"dimensions.supplemental_dimensions[{i}]"
        base = base_for(
            plan.bases,
            supp.type.value,
            supp.mapping.project_base_dimension_name,
            f"{config_name}: {where}.mapping.project_base_dimension_name",
        )
        prep = add_dimension(supp, where)
        add_supplemental(prep, supp.mapping, base, f"{where}.mapping")
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
    for i, ref in enumerate(config.dimension_mappings.base_to_supplemental_references):
        mapping = find_mapping(
            registry, ref, f"{config_name}: dimension_mappings.base_to_supplemental_references[{i}]"
        )
        plan.deps.append(Dependency("dimension_mapping", mapping.id, mapping.version))
        to_id = mapping.config["to_dimension"]["dimension_id"]
        from_id = mapping.config["from_dimension"]["dimension_id"]
        for supp in plan.supplemental:
            if supp["id"] == to_id and supp["mapping_id"] is None:
                base = next((b for b in plan.bases if b["id"] == from_id), None)
                supp["mapping_id"], supp["mapping_version"] = mapping.id, mapping.version
                if base is not None:
                    supp["base_id"], supp["base_name"] = base["id"], base["name"]
    unmapped = [s["name"] for s in plan.supplemental if s["mapping_id"] is None]
    if unmapped:
        raise InputError(
            f"{config_name}: supplemental dimension(s) {', '.join(unmapped)} have no "
            "mapping from the base dimension; add one to "
            "dimension_mappings.base_to_supplemental_references."
        )

    for i, subset in enumerate(dims.subset_dimensions):
        plan_subset(plan, registry, prepared, resolver, config_name, i, subset)
        group = plan.subsets[subset.name]
        listed = any(s["name"] == subset.name for s in plan.supplemental)
        # listed among supplemental_dimension_references: made before (a dumped project)
        if subset.create_supplemental_dimension and not listed:
            supp_config, mapping_config = subset_supplemental(subset, group, prepared, registry)
            where = f"dimensions.subset_dimensions[{i}]"
            base = next(b for b in plan.bases if b["id"] == group["base_id"])
            prep = add_dimension(supp_config, where)
            add_supplemental(prep, mapping_config, base, f"{where} (generated mapping)")

    for type_ in ALL_DIMENSION_TYPES:
        plan_all_dimension(
            plan, registry, prepared, config_name, type_, add_dimension, add_supplemental
        )

    for ds in config.datasets:
        where = f"{config_name}: datasets[{ds.dataset_id}].required_dimensions"
        required_records(plan, registry, prepared, ds.required_dimensions, where)
        check_bases_named(plan, ds.required_dimensions, where)
    return plan


def _check_bases(plan: ProjectPlan, config_name: str) -> None:
    seen: dict[str, str] = {}
    for b in plan.bases:
        if b["id"] in seen:
            raise InputError(
                f"{config_name}: base dimension '{b['name']}' is listed twice "
                f"(same records as '{seen[b['id']]}')."
            )
        seen[b["id"]] = b["name"]
    times = [b for b in plan.bases if b["type"] == "time"]
    if len(times) != 1:
        raise InputError(f"{config_name}: a project has one base time dimension ({len(times)}).")


def find_mapping(registry, ref, where: str = ""):
    """The registered mapping a reference names: by mapping_id (dsgrid's form) or by the names
    of its two dimensions. Never a guess among several."""
    prefix = f"{where}: " if where else ""
    if ref.mapping_id is not None:
        record = registry.store.get_version("dimension_mapping", ref.mapping_id, ref.version)
        if record is None:
            raise InputError(
                f"{prefix}no registered dimension mapping '{ref.mapping_id}' at version "
                f"{ref.version}."
            )
        return record
    names = ref.mapping_names
    found = []
    for c in registry.store.list_components("dimension_mapping", ref.from_dimension_type.value):
        record = registry.store.get_version("dimension_mapping", c.id, ref.version)
        if record is None:
            continue
        if (
            record.config["from_dimension"]["name"] == names.from_
            and record.config["to_dimension"]["name"] == names.to
        ):
            found.append(record)
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(r.id for r in found)
        raise InputError(
            f"{prefix}several registered mappings go from '{names.from_}' to '{names.to}' "
            f"({ids}); name one by mapping_id."
        )
    raise InputError(
        f"{prefix}no registered dimension mapping from '{names.from_}' to '{names.to}' at "
        f"version {ref.version}."
    )


_find_mapping = find_mapping  # older name, kept for callers outside this module


def stored_project_plan(project_record) -> ProjectPlan:
    """The plan of an already registered project version (for reading its requirements)."""
    return ProjectPlan(
        config=ProjectConfig.model_validate(project_record.config),
        bases=bases_from_extra(project_record.extra),
        supplemental=project_record.extra["supplemental_dimensions"],
        subsets=project_record.extra["subset_dimensions"],
    )


def register_project(registry, source: ConfigSource, log_message: str, *, data_roots=()):
    plan = plan_project(registry, source, data_roots=data_roots)
    project_id = plan.config.project_id
    if registry.store.get_component("project", project_id) is not None:
        raise AlreadyExistsError(
            f"project '{project_id}' is already registered. To change it run `dsgrid registry "
            f"projects update {project_id} {source.name} --update-type minor --version "
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
