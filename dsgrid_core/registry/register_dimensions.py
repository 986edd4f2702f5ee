"""Registering dimensions, alone or as part of a project or dataset."""

from __future__ import annotations

import dataclasses
import warnings

from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.load import validate_dimension, validate_model
from dsgrid_core.config.registry_files import DimensionsFile
from dsgrid_core.config.source import ConfigSource
from dsgrid_core.errors import AlreadyExistsError, InputError, Notice, StaleVersionError
from dsgrid_core.registry.components import (
    PreparedDimension,
    candidate_dimension_id,
    prepare_dimension,
)
from dsgrid_core.registry.store import Dependency


def same_named_dimensions(registry, prep: PreparedDimension) -> list:
    """The registered dimensions with the same type and name (dsgrid lets several share a name:
    its dimensions are told apart by id)."""
    return [
        c for c in registry.store.list_components("dimension", prep.type) if c.name == prep.name
    ]


class SameNameNotice(Notice):
    """A dimension was registered under a name another dimension of its type already has."""


def resolve_prepared(registry, prep: PreparedDimension, *, allow_reuse: bool) -> None:
    """Give ``prep`` its id: reuse a registered dimension with the same type, name and content
    (refused when ``allow_reuse`` is false: registering it again would do nothing), else pick
    a new id. As in dsgrid, a dimension may share its name with another of other content
    (datasets each bring their own 'sector'): it gets its own id, and a notice says that the
    name alone no longer picks one dimension."""
    namesakes = same_named_dimensions(registry, prep)
    for current in namesakes:
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
    prep.id = candidate_dimension_id(
        prep.name, prep.type, lambda i: registry.store.get_component("dimension", i) is not None
    )
    if namesakes:
        others = ", ".join(f"'{c.id}'" for c in namesakes)
        warnings.warn(
            f"{prep.type} dimension '{prep.name}' is registered as '{prep.id}': the name is "
            f"already used by {others} with other records or settings. References to it by "
            "name are now ambiguous: give dimension_id. (To change the existing dimension "
            f"instead, run `dsgrid registry dimensions update {namesakes[0].id} FILE ...`.)",
            SameNameNotice,
            stacklevel=2,
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
    with warnings.catch_warnings():  # said once already, when prep was resolved
        warnings.simplefilter("ignore", SameNameNotice)
        resolve_prepared(registry, again, allow_reuse=True)
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
    registry, source: ConfigSource, log_message: str, *, data_roots=()
) -> list[PreparedDimension]:
    """A config with one dimension, or a ``dimensions: [...]`` list."""
    data = source.data
    resolver = PathResolver(source.folder, data_roots)
    if "dimensions" in data:
        model, _ = validate_model(DimensionsFile, data, source.name)
        configs = model.dimensions
    else:
        configs = [validate_dimension(data, source.name)]
    preps = [
        prepare_dimension(c, resolver, source.name, f"dimensions[{i}]")
        for i, c in enumerate(configs)
    ]
    names = [(p.type, p.name) for p in preps]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise InputError(
            f"{source.name}: dimension(s) listed twice: "
            + ", ".join(f"{t} '{n}'" for t, n in sorted(dupes))
        )
    with registry._transaction():
        for prep in preps:
            resolve_prepared(registry, prep, allow_reuse=False)
            store_dimension(registry, prep, log_message)
    return preps
