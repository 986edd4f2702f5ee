"""Registering dimensions, alone or as part of a project or dataset."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from dsgrid_core.config.files import PathResolver, load_json5
from dsgrid_core.config.load import validate_model
from dsgrid_core.config.registry_files import DimensionsFile
from dsgrid_core.errors import AlreadyExistsError, InputError, StaleVersionError
from dsgrid_core.registry.components import (
    PreparedDimension,
    candidate_dimension_id,
    prepare_dimension,
)
from dsgrid_core.registry.store import Dependency


def existing_dimension(registry, prep: PreparedDimension):
    """The registered dimension with the same type and name, if any, as a summary."""
    for c in registry.store.list_components("dimension", prep.type):
        if c.name == prep.name:
            return c
    return None


def resolve_prepared(registry, prep: PreparedDimension, *, allow_reuse: bool) -> None:
    """Give ``prep`` its id: reuse an identical registered dimension, refuse a conflicting
    one (same type and name, other content), or pick a new id."""
    current = existing_dimension(registry, prep)
    if current is not None:
        for record in registry.store.history("dimension", current.id):
            if record.extra.get("hash") == prep.hash:
                if not allow_reuse:
                    raise AlreadyExistsError(
                        f"{prep.type} dimension '{prep.name}' is already registered with the "
                        f"same content as '{current.id}' version {record.version}; nothing to "
                        "do. Reference it by name and version instead."
                    )
                prep.id, prep.version, prep.reused = current.id, record.version, True
                return
        raise AlreadyExistsError(
            f"a {prep.type} dimension named '{prep.name}' is already registered as "
            f"'{current.id}' (version {current.version}) with different records or settings. "
            f"To change it run `dsgrid registry dimensions update {current.id} FILE "
            f"--update-type minor --version {current.version} --log-message ...`; to keep both, "
            "give the new one another name."
        )
    prep.id = candidate_dimension_id(
        prep.name, prep.type, lambda i: registry.store.get_component("dimension", i) is not None
    )


def store_dimension(
    registry, prep: PreparedDimension, log_message: str, *, new: bool = True
) -> None:
    """Write a prepared dimension (inside the caller's transaction).

    A new dimension is looked up again first: it was resolved before the write lock was taken,
    and another process may have registered the same dimension (or taken its id) since."""
    if prep.reused:
        return
    if new:
        recheck_new_dimension(registry, prep)
        if prep.reused:
            return
    record = registry.version_record(
        "dimension",
        prep.id,
        prep.version,
        prep.config,
        log_message,
        extra={"hash": prep.hash, "record_count": len(prep.records), "type": prep.type},
    )
    registry._add_component_version(
        "dimension", prep.id, prep.name, prep.type, prep.description, record, [], new=new
    )
    if prep.records:
        registry.store.put_dimension_records(prep.id, prep.version, prep.records)


def recheck_new_dimension(registry, prep: PreparedDimension) -> None:
    """Resolve ``prep`` again under the write lock. The same content registered meanwhile under
    the planned id and version is reused, as a later sequential registration would; conflicting
    content gets resolve_prepared's message; anything else that moved (the planned id now taken
    by another dimension) asks for the command to be run again, since the caller's plan already
    names the planned id."""
    again = dataclasses.replace(prep, id=None, reused=False)
    resolve_prepared(registry, again, allow_reuse=True)  # raises on conflicting content
    if (again.id, again.version) == (prep.id, prep.version):
        prep.reused = again.reused
        return
    raise StaleVersionError(
        f"{prep.type} dimension '{prep.name}' was to be registered as '{prep.id}', but the "
        f"registry now gives it '{again.id}' version {again.version}: another process "
        "registered a dimension meanwhile, or another dimension of this registration has a "
        "name that makes the same id. Nothing was changed; run the command again (or give "
        "one of the dimensions another name)."
    )


def dimension_dependency(prep: PreparedDimension) -> Dependency:
    return Dependency("dimension", prep.id, prep.version)


def register_dimensions_file(
    registry, config_file: Path, log_message: str, *, data_roots=()
) -> list[PreparedDimension]:
    """A file with one dimension, or a ``dimensions: [...]`` list."""
    data = load_json5(config_file)
    resolver = PathResolver(config_file.parent, data_roots)
    if "dimensions" in data:
        model, _ = validate_model(DimensionsFile, data, str(config_file))
        configs = model.dimensions
    else:
        from dsgrid_core.config.load import validate_dimension

        configs = [validate_dimension(data, str(config_file))]
    preps = [
        prepare_dimension(c, resolver, config_file, f"dimensions[{i}]")
        for i, c in enumerate(configs)
    ]
    names = [(p.type, p.name) for p in preps]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise InputError(
            f"{config_file}: dimension(s) listed twice: "
            + ", ".join(f"{t} '{n}'" for t, n in sorted(dupes))
        )
    with registry._transaction():
        for prep in preps:
            resolve_prepared(registry, prep, allow_reuse=False)
            store_dimension(registry, prep, log_message)
    return preps
