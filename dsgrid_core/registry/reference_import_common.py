"""What every per-kind planner of the reference import (``reference_import_*``) shares: the
plan of one version to write, the version record and summary built from a reference version,
and the refusals worded the same way for every kind.

Why one module: the planners of dimensions, mappings, datasets and projects each turn one
reference version into a ``Plan``; keeping its shape and the wording of refusals here keeps
the four alike and lets ``reference_import`` write any plan without knowing its kind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dsgrid_core.errors import InputError
from dsgrid_core.registry.reference_database import RefModel
from dsgrid_core.registry.store import ComponentSummary, Dependency, VersionRecord

# Keys the reference adds to every stored model; registry bookkeeping, not config.
INTERNAL_KEYS = {"id", "version", "dimension_id", "mapping_id", "file_hash", "module"}

# (id, version) of a reference dimension -> what later versions need of it: name, type,
# parsed config, record ids and records (filled as dimensions are planned, in order)
DimensionIndex = dict[tuple[str, str], dict[str, Any]]
# (id, version) of a reference mapping -> its records and from/to dimension references
MappingIndex = dict[tuple[str, str], dict[str, Any]]


@dataclass
class Plan:
    """Everything to write for one version, prepared and checked before the transaction
    starts, so that a refusal leaves the target registry untouched."""

    record: VersionRecord
    summary: ComponentSummary
    deps: list[Dependency]
    dimension_records: list[dict[str, Any]] | None = None
    mapping_records: list[tuple[str, str | None, float]] | None = None
    staging: Path | None = None


def drop_none(value: Any) -> Any:
    """The reference dumps every unset field as null; ours leaves unset fields out."""
    if isinstance(value, dict):
        return {
            k: (v if k == "records" else drop_none(v))  # records keep their empty cells
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value


def label(ref: RefModel) -> str:
    """How messages name a reference version: "dimension mapping <id> <version>"."""
    return f"{ref.kind.replace('_', ' ')} {ref.id} {ref.version}"


def short_error(exc: Exception) -> str:
    """The first few problems of a validation error (or the first line of another), enough
    for a user to find the field without a page of pydantic output."""
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
        )
    return str(exc).splitlines()[0][:300]


def unreadable(where: str, exc: Exception) -> InputError:
    """The refusal of a stored config our models do not accept (raise it ``from None``)."""
    return InputError(
        f"{where}: its config is in a form this dsgrid-viewer does not read yet: "
        f"{short_error(exc)}. Nothing was imported."
    )


def refuse_non_default(where: str, model: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Fields the reference stores that we cannot apply unless at their defaults: refused,
    never dropped silently."""
    for key, default in defaults.items():
        if key in model and model[key] is not None and model[key] != default:
            raise InputError(
                f"{where}: '{key}' is {json.dumps(model[key])}; this dsgrid-viewer cannot "
                f"apply that yet (only {json.dumps(default)}). Nothing was imported."
            )


def dimension_of(dims: DimensionIndex, ref: dict[str, Any], where: str) -> dict[str, Any]:
    """The already planned dimension a config names by dimension_id and version."""
    key = (ref.get("dimension_id"), ref.get("version"))
    if key not in dims:
        raise InputError(
            f"{where}: it names dimension {key[0]} version {key[1]}, which the reference "
            "registry does not hold (or holds only later). Nothing was imported."
        )
    return dims[key]


def version_record(m: RefModel, config: dict[str, Any], **kw: Any) -> VersionRecord:
    """Our version record of a reference version: same id, version, log message, submitter
    and registration time, with our translated config."""
    return VersionRecord(
        kind=m.kind,
        id=m.id,
        version=m.version,
        config=config,
        log_message=m.log_message,
        submitter=m.submitter,
        registered_at=m.registered_at,
        **kw,
    )


def component_summary(
    m: RefModel, name: str, type_: str | None, description: str
) -> ComponentSummary:
    """Our component summary of a reference version, dated by its registration."""
    return ComponentSummary(
        kind=m.kind,
        id=m.id,
        name=name,
        type=type_,
        version=m.version,
        description=description or "",
        registered_at=m.registered_at,
        updated_at=m.registered_at,
    )
