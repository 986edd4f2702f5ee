"""Updating a component with a new config file: a new version, older versions kept."""

from __future__ import annotations

from pathlib import Path

from dsgrid_core.config.files import PathResolver, load_json5
from dsgrid_core.config.source import ConfigSource
from dsgrid_core.errors import InputError
from dsgrid_core.registry.store import Dependency, VersionRecord


def update_component(
    registry,
    kind: str,
    id: str,
    config_file: Path,
    new_version: str,
    log_message: str,
    *,
    expected_current: str,
    data_roots=(),
    report_dir=None,
    progress=None,
) -> VersionRecord:
    if not log_message:
        raise InputError("give a --log-message saying what changed.")
    # Every write re-checks, inside its transaction, that the component is still at the version
    # the user named: of several concurrent updates of one version, exactly one wins.
    if kind == "dimension":
        _update_dimension(
            registry, id, config_file, new_version, log_message, data_roots, expected_current
        )
    elif kind == "dimension_mapping":
        _update_mapping(
            registry, id, config_file, new_version, log_message, data_roots, expected_current
        )
    elif kind == "project":
        _update_project(
            registry, id, config_file, new_version, log_message, data_roots, expected_current
        )
    elif kind == "dataset":
        from dsgrid_core.registry.register_dataset import (  # late: sqlglot
            plan_dataset,
            store_dataset_version,
        )

        plan = plan_dataset(registry, ConfigSource.from_file(config_file), data_roots=data_roots)
        if plan.config.dataset_id != id:
            raise InputError(
                f"{config_file} describes dataset '{plan.config.dataset_id}', not '{id}'."
            )
        store_dataset_version(
            registry,
            plan,
            new_version,
            log_message,
            new=False,
            report_dir=report_dir,
            progress=progress,
            expected_current=expected_current,
        )
    return registry.show(kind, id, new_version)


def _refuse_if_unchanged(config_file, current: VersionRecord, content_hash: str, config) -> None:
    """An update must change something. The content hash leaves out the description and
    display name (so that registering the same records again reuses a dimension), so the
    stored config is compared too: a corrected description is a change worth a version."""
    if content_hash == current.extra.get("hash") and config == current.config:
        raise InputError(
            f"{config_file}: nothing changed compared with version {current.version} (records, "
            "settings and description are the same)."
        )


def _update_dimension(
    registry, id, config_file, new_version, log_message, data_roots, expected_current
):
    from dsgrid_core.registry.components import prepare_dimension  # late: pydantic
    from dsgrid_core.registry.register_dimensions import store_dimension  # late: pydantic

    current = registry.show("dimension", id)
    from dsgrid_core.config.load import validate_dimension  # late: pydantic

    config = validate_dimension(load_json5(config_file), str(config_file))
    prep = prepare_dimension(
        config, PathResolver(config_file.parent, data_roots), config_file, "dimension"
    )
    if prep.type != current.config["type"]:
        raise InputError(
            f"{config_file}: dimension '{id}' is {current.config['type']}; an update "
            f"cannot change its type to {prep.type}."
        )
    _refuse_if_unchanged(config_file, current, prep.hash, prep.config)
    prep.id, prep.version = id, new_version
    with registry._transaction():
        registry._check_current("dimension", id, expected_current)
        store_dimension(registry, prep, log_message, new=False)


def _update_mapping(
    registry, id, config_file, new_version, log_message, data_roots, expected_current
):
    from dsgrid_core.config.load import load_config  # late: pydantic
    from dsgrid_core.config.mapping import DimensionMappingConfig  # late: pydantic
    from dsgrid_core.registry.components import prepare_mapping  # late: pydantic
    from dsgrid_core.registry.register_mappings import (  # late: pydantic
        dimension_endpoint,
        store_mapping,
    )

    current = registry.show("dimension_mapping", id)
    config, _ = load_config(DimensionMappingConfig, config_file)
    from_dim = dimension_endpoint(registry, config.from_dimension)
    to_dim = dimension_endpoint(registry, config.to_dimension)
    prep = prepare_mapping(
        config,
        PathResolver(config_file.parent, data_roots),
        config_file,
        "mapping",
        from_dim,
        to_dim,
        config.from_dimension.type.value,
    )
    _refuse_if_unchanged(config_file, current, prep.hash, prep.config)
    prep.id, prep.version = id, new_version
    with registry._transaction():
        registry._check_current("dimension_mapping", id, expected_current)
        store_mapping(registry, prep, log_message, new=False)


def _update_project(
    registry, id, config_file, new_version, log_message, data_roots, expected_current
):
    from dsgrid_core.registry.register_project import (  # late: pydantic
        plan_project,
        store_project_version,
    )

    current = registry.show("project", id)
    plan = plan_project(registry, ConfigSource.from_file(config_file), data_roots=data_roots)
    if plan.config.project_id != id:
        raise InputError(f"{config_file} describes project '{plan.config.project_id}', not '{id}'.")
    # Datasets already submitted stay submitted if the new config still lists them.
    status = {
        k: v
        for k, v in current.extra.get("datasets", {}).items()
        if plan.config.dataset(k) is not None
    }
    extra_deps = []
    for ds_id, info in status.items():
        entry = plan.config.dataset(ds_id)
        entry.status, entry.version = "Registered", info["version"]
        entry.mapping_references = info.get("mappings", [])
        extra_deps.append(Dependency("dataset", ds_id, info["version"]))
        extra_deps += [
            Dependency("dimension_mapping", m["mapping_id"], m["version"])
            for m in info.get("mappings", [])
        ]
    with registry._transaction():
        registry._check_current("project", id, expected_current)
        store_project_version(
            registry,
            plan,
            new_version,
            log_message,
            new=False,
            status=status,
            extra_deps=extra_deps,
        )
