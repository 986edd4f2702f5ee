"""Preparing dimensions and mappings for storage: records read and checked, ids chosen,
identical content recognised so that re-registering the same dimension reuses it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsgrid_core.config.base import slugify
from dsgrid_core.config.dimension import DimensionConfig
from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.mapping import MappingBase
from dsgrid_core.config.time_dimension import TimeBase
from dsgrid_core.data.records import (
    MappingRecord,
    check_mapping_ids,
    load_dimension_records,
    load_mapping_records,
)


def content_hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class PreparedDimension:
    type: str
    name: str
    description: str
    config: dict[str, Any]
    records: list[dict[str, Any]]
    hash: str
    id: str | None = None  # set when stored or matched
    version: str = "1.0.0"
    reused: bool = False

    @property
    def record_ids(self) -> list[str]:
        return [r["id"] for r in self.records]


def prepare_dimension(
    config: DimensionConfig | TimeBase, resolver: PathResolver, config_file: Path | None, where: str
) -> PreparedDimension:
    stored = config.model_dump(
        mode="json", by_alias=True, exclude_none=True, exclude={"file", "records", "dimension_id"}
    )
    records: list[dict[str, Any]] = []
    if isinstance(config, DimensionConfig):
        file = (
            resolver.resolve(config.file, field=f"{where}.file", config_file=config_file)
            if config.file
            else None
        )
        records = load_dimension_records(
            file, config.records, config.record_class, f"{config_file}: {where}.records"
        )
    stored["class"] = config.record_class
    # what makes two dimensions the same: not their wording, nor a supplemental dimension's
    # mapping from the base (a component of its own, registered and versioned apart)
    identity = {
        k: v for k, v in stored.items() if k not in ("description", "display_name", "mapping")
    }
    return PreparedDimension(
        type=config.type.value,
        name=config.name,
        description=config.description,
        config=stored,
        records=records,
        hash=content_hash([identity, records]),
    )


@dataclass
class PreparedMapping:
    from_dim: tuple[str, str]  # (id, version)
    to_dim: tuple[str, str]
    type: str
    config: dict[str, Any]
    records: list[MappingRecord]
    hash: str
    name: str = ""
    description: str = ""
    id: str | None = None
    version: str = "1.0.0"
    reused: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def prepare_mapping(
    config: MappingBase,
    resolver: PathResolver,
    config_file: Path | None,
    where: str,
    from_dim: tuple[str, str, str, list[str]],
    to_dim: tuple[str, str, str, list[str]],
    dimension_type: str,
) -> PreparedMapping:
    """``from_dim``/``to_dim`` are (id, version, name, record ids)."""
    file = (
        resolver.resolve(config.file, field=f"{where}.file", config_file=config_file)
        if config.file
        else None
    )
    source = str(file) if file else f"{config_file}: {where}"
    records = load_mapping_records(config, file, source)
    check_mapping_ids(records, set(from_dim[3]), set(to_dim[3]), source, from_dim[2], to_dim[2])
    stored = config.model_dump(
        mode="json",
        exclude_none=True,
        exclude={
            "file",
            "records",
            "mapping_id",
            "dimension_type",
            "from_dimension",
            "to_dimension",
        },
    )
    stored["from_dimension"] = {
        "dimension_id": from_dim[0],
        "version": from_dim[1],
        "name": from_dim[2],
        "type": dimension_type,
    }
    stored["to_dimension"] = {
        "dimension_id": to_dim[0],
        "version": to_dim[1],
        "name": to_dim[2],
        "type": dimension_type,
    }
    identity = {k: v for k, v in stored.items() if k != "description"}
    return PreparedMapping(
        from_dim=from_dim[:2],
        to_dim=to_dim[:2],
        type=dimension_type,
        config=stored,
        records=records,
        hash=content_hash([identity, records]),
        name=f"{from_dim[2]} to {to_dim[2]}",
        description=config.description,
    )


def candidate_dimension_id(name: str, type_: str, taken) -> str:
    base = slugify(name)
    for candidate in (base, f"{base}_{type_}", *(f"{base}_{type_}_{i}" for i in range(2, 1000))):
        if not taken(candidate):
            return candidate
    raise RuntimeError("no free dimension id")


def candidate_mapping_id(from_id: str, to_id: str, taken) -> str:
    base = f"{from_id}__to__{to_id}"
    for candidate in (base, *(f"{base}_{i}" for i in range(2, 1000))):
        if not taken(candidate):
            return candidate
    raise RuntimeError("no free mapping id")
