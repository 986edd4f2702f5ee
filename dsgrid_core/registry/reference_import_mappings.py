"""Planning the import of one reference dimension mapping version: its stored model (from
and to dimensions named by id and version) translated to our mapping config, its records
checked against both dimensions' records by our registration.

Why apart: mappings are indexed by (id, version) as they are planned, since a project names
its base-to-supplemental mappings that way; see ``reference_import_projects``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.mapping import SupplementalMapping
from dsgrid_core.registry.components import prepare_mapping
from dsgrid_core.registry.reference_database import RefModel
from dsgrid_core.registry.reference_import_common import (
    INTERNAL_KEYS,
    DimensionIndex,
    MappingIndex,
    Plan,
    component_summary,
    dimension_of,
    drop_none,
    label,
    unreadable,
    version_record,
)


def plan_mapping(m: RefModel, dims: DimensionIndex, mappings: MappingIndex) -> Plan:
    """The plan of one mapping version; indexes it in ``mappings`` for the versions after."""
    model = m.model
    where = label(m)
    from_ref, to_ref = model["from_dimension"], model["to_dimension"]
    src, dst = dimension_of(dims, from_ref, where), dimension_of(dims, to_ref, where)
    body = {
        k: v
        for k, v in model.items()
        if k not in INTERNAL_KEYS | {"from_dimension", "to_dimension", "file", "archetype"}
    }
    body = drop_none(body)
    try:
        config = SupplementalMapping.model_validate(body)
    except ValidationError as exc:
        raise unreadable(where, exc) from None
    prep = prepare_mapping(
        config,
        PathResolver(Path.cwd()),
        None,
        where,
        (from_ref["dimension_id"], from_ref["version"], src["name"], src["record_ids"]),
        (to_ref["dimension_id"], to_ref["version"], dst["name"], dst["record_ids"]),
        src["type"],
    )
    mappings[(m.id, m.version)] = {"records": prep.records, "to": to_ref, "from": from_ref}
    record = version_record(
        m,
        prep.config,
        extra={"hash": prep.hash, "record_count": len(prep.records), "type": prep.type},
    )
    return Plan(
        record=record,
        summary=component_summary(m, prep.name, prep.type, prep.description),
        deps=[],
        mapping_records=list(prep.records),
    )
