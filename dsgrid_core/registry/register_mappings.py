"""Registering dimension mappings between registered dimensions."""

from __future__ import annotations

import dataclasses

from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.load import validate_model
from dsgrid_core.config.mapping import DimensionMappingConfig, StandaloneMappingsFile
from dsgrid_core.config.source import ConfigSource
from dsgrid_core.errors import AlreadyExistsError, StaleVersionError
from dsgrid_core.registry.components import PreparedMapping, candidate_mapping_id, prepare_mapping
from dsgrid_core.registry.store import Dependency


def dimension_endpoint(registry, ref) -> tuple[str, str, str, list[str]]:
    record = registry.find_dimension(ref.type.value, ref.name, ref.version, ref.dimension_id)
    ids = [r["id"] for r in registry.store.dimension_records(record.id, record.version)]
    return record.id, record.version, registry.get("dimension", record.id).name, ids


def resolve_mapping(registry, prep: PreparedMapping, *, allow_reuse: bool) -> None:
    """Reuse an identical mapping between the same dimension versions, or pick a new id."""
    from_id, to_id = prep.from_dim[0], prep.to_dim[0]
    for c in registry.store.list_components("dimension_mapping"):
        for record in registry.store.history("dimension_mapping", c.id):
            if record.extra.get("hash") == prep.hash:
                if not allow_reuse:
                    raise AlreadyExistsError(
                        f"this mapping from '{from_id}' to '{to_id}' is already registered as "
                        f"'{c.id}' version {record.version}; nothing to do."
                    )
                prep.id, prep.version, prep.reused = c.id, record.version, True
                return
    prep.id = candidate_mapping_id(
        from_id, to_id, lambda i: registry.store.get_component("dimension_mapping", i) is not None
    )


def store_mapping(registry, prep: PreparedMapping, log_message: str, *, new: bool = True) -> None:
    """Write a prepared mapping (inside the caller's transaction). A new one is resolved again
    first: another process may have registered the same mapping since it was planned."""
    if prep.reused:
        return
    if new:
        recheck_new_mapping(registry, prep)
        if prep.reused:
            return
    record = registry.version_record(
        "dimension_mapping",
        prep.id,
        prep.version,
        prep.config,
        log_message,
        extra={"hash": prep.hash, "record_count": len(prep.records), "type": prep.type},
    )
    deps = [Dependency("dimension", *prep.from_dim), Dependency("dimension", *prep.to_dim)]
    registry._add_component_version(
        "dimension_mapping", prep.id, prep.name, prep.type, prep.description, record, deps, new=new
    )
    registry.store.put_mapping_records(prep.id, prep.version, prep.records)


def recheck_new_mapping(registry, prep: PreparedMapping) -> None:
    """Resolve ``prep`` again under the write lock: reuse the same mapping registered meanwhile
    under the planned id and version; if anything else moved, ask for the command to be run
    again (the caller's plan already names the planned id)."""
    again = dataclasses.replace(prep, id=None, reused=False)
    resolve_mapping(registry, again, allow_reuse=True)
    if (again.id, again.version) == (prep.id, prep.version):
        prep.reused = again.reused
        return
    raise StaleVersionError(
        f"while this registration was being prepared, another process registered a mapping "
        f"from '{prep.from_dim[0]}' to '{prep.to_dim[0]}' (it was to be '{prep.id}', now it "
        f"would be '{again.id}' version {again.version}). Nothing was changed; run the "
        "command again."
    )


def mapping_dependency(prep: PreparedMapping) -> Dependency:
    return Dependency("dimension_mapping", prep.id, prep.version)


def register_mappings_file(
    registry, source: ConfigSource, log_message: str, *, data_roots=()
) -> list[PreparedMapping]:
    """A config with one mapping, or a ``mappings: [...]`` list."""
    data = source.data
    resolver = PathResolver(source.folder, data_roots)
    if "mappings" in data:
        model, _ = validate_model(StandaloneMappingsFile, data, source.name)
        configs = model.mappings
    else:
        config, _ = validate_model(DimensionMappingConfig, data, source.name)
        configs = [config]
    preps = []
    for i, config in enumerate(configs):
        from_dim = dimension_endpoint(registry, config.from_dimension)
        to_dim = dimension_endpoint(registry, config.to_dimension)
        preps.append(
            prepare_mapping(
                config,
                resolver,
                source.name,
                f"mappings[{i}]",
                from_dim,
                to_dim,
                config.from_dimension.type.value,
            )
        )
    with registry._transaction():
        for prep in preps:
            resolve_mapping(registry, prep, allow_reuse=False)
            store_mapping(registry, prep, log_message)
    return preps
