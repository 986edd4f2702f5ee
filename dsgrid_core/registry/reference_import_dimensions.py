"""Planning the import of one reference dimension version: its stored model translated to our
dimension config (records moved to our record table) and checked by our registration.

Why apart: dimensions are planned first and indexed by (id, version), since every mapping,
dataset and project version names its dimensions that way; see ``reference_import``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.files import PathResolver
from dsgrid_core.errors import ConfigError
from dsgrid_core.registry.components import prepare_dimension
from dsgrid_core.registry.reference_database import RefModel
from dsgrid_core.registry.reference_import_common import (
    INTERNAL_KEYS,
    DimensionIndex,
    Plan,
    component_summary,
    drop_none,
    label,
    unreadable,
    version_record,
)


def dimension_config(model: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(our dimension config dict with records inline, its records)."""
    config = {
        k: v for k, v in model.items() if k not in INTERNAL_KEYS | {"dimension_class", "file"}
    }
    config = drop_none(config)
    if config.get("class") == "DimensionRecordBaseModel":
        # The reference's plain record class (id and name), which it gives the dimensions it
        # makes itself (the "all" supplemental dimensions): the generic class of the type,
        # as our registration of the same project names it.
        words = str(config.get("type", "")).split("_")
        config["class"] = "".join(w.capitalize() for w in words) + "DimensionBaseModel"
    records = config.get("records") or []
    # The reference fills every field of its record class, "" where the file had no column
    # (a Subsector record gets sector and abbr): fields empty in every record are left out,
    # so the records are what the file gave and match the same file registered here.
    empty = {
        k
        for k in dict.fromkeys(k for r in records for k in r)
        if k not in ("id", "name") and all(r.get(k) in ("", None) for r in records)
    }
    if empty:
        records = [{k: v for k, v in r.items() if k not in empty} for r in records]
        config["records"] = records
    if model.get("type") != "time" and not records:
        config["records"] = []
    return config, records


def _parse_dimension(ref: RefModel) -> Any:
    config, _ = dimension_config(ref.model)
    try:
        return parse_dimension(config)
    except (ValidationError, ConfigError, ValueError) as exc:
        raise unreadable(f"{label(ref)} ('{ref.model.get('name')}')", exc) from None


def plan_dimension(m: RefModel, dims: DimensionIndex) -> Plan:
    """The plan of one dimension version; indexes it in ``dims`` for the versions after."""
    parsed = _parse_dimension(m)
    prep = prepare_dimension(parsed, PathResolver(Path.cwd()), None, label(m))
    dims[(m.id, m.version)] = {
        "name": prep.name,
        "type": prep.type,
        "config": parsed,
        "record_ids": prep.record_ids,
        "records": prep.records,
    }
    record = version_record(
        m,
        prep.config,
        extra={"hash": prep.hash, "record_count": len(prep.records), "type": prep.type},
    )
    return Plan(
        record=record,
        summary=component_summary(m, prep.name, prep.type, prep.description),
        deps=[],
        dimension_records=prep.records or None,
    )
