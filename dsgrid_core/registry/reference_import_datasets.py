"""Planning the import of one reference dataset version: its stored config translated to
ours, and its stored table (``<data path>/data/<id>/<version>/``) read and checked by our
registration checks (records, time, associations) into a staging folder.

Why apart: the dataset is the only kind with data; its table is staged here, before the
transaction, and published by ``reference_import`` only when every version is planned.
The reference stores each time type in its own columns (a UTC ``timestamp`` for datetime
whatever the input form; ``time_year``, ``time_index``, the representative period's parts,
none for no-op time), which our time configs read as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq
from pydantic import ValidationError

from dsgrid_core.config.dataset import DatasetConfig
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.time_dimension import DatetimeTimeConfig, TimestampColumn
from dsgrid_core.data.base_store import TABLE_FILE
from dsgrid_core.errors import InputError
from dsgrid_core.registry.reference_database import (
    DATA_TABLE,
    LOOKUP_TABLE,
    ReferenceRegistry,
    RefModel,
)
from dsgrid_core.registry.reference_import_common import (
    INTERNAL_KEYS,
    DimensionIndex,
    Plan,
    component_summary,
    dimension_of,
    drop_none,
    label,
    refuse_non_default,
    unreadable,
    version_record,
)
from dsgrid_core.registry.register_dataset import DatasetPlan, stage_dataset_table

if TYPE_CHECKING:
    from dsgrid_core.registry.registry import Registry

# Dataset fields the reference stores that we cannot apply unless at their defaults.
DATASET_DEFAULTS = {"enable_unit_conversion": True, "use_project_geography_time_zone": False}


def _stored_time(time_config: Any, columns: list[str]) -> Any:
    """The reference stores datetime data with a UTC ``timestamp`` column whatever the input
    form (time in parts included); read it as such, with the dimension's ranges and
    interval."""
    if isinstance(time_config, DatetimeTimeConfig) and "timestamp" in columns:
        return time_config.model_copy(
            update={"column_format": TimestampColumn(dtype="timestamp_tz", time_column="timestamp")}
        )
    return time_config


def _our_layout(where: str, model: dict[str, Any]) -> dict[str, Any]:
    """Our data_layout of the reference's stored layout (registry_data_layout, or the older
    data_layout)."""
    layout = model.get("registry_data_layout") or model.get("data_layout")
    if not layout:
        raise InputError(f"{where}: no registry_data_layout in its stored config.")
    ours = {
        "table_format": layout["table_format"],
        "value_format": layout.get("value_format") or "stacked",
    }
    if layout.get("pivoted_dimension_type"):
        ours["pivoted_dimension_type"] = layout["pivoted_dimension_type"]
    return ours


def _dimensions(where: str, model: dict[str, Any], dims: DimensionIndex, plan: DatasetPlan) -> None:
    """Fill the plan's dimensions, records and time from the stored dimension references;
    every type must be there, trivial ones with a single record."""
    for dim_ref in model.get("dimension_references", []):
        d = dimension_of(dims, dim_ref, where)
        t = d["type"]
        plan.dimensions[t] = {
            "id": dim_ref["dimension_id"],
            "version": dim_ref["version"],
            "name": d["name"],
        }
        plan.records[t] = d["record_ids"]
        if t == "time":
            plan.time = d["config"]
    absent = [t for t in (*NON_TIME_TYPES, "time") if t not in plan.dimensions]
    if absent:
        raise InputError(f"{where}: no dimension of type(s) {', '.join(absent)}.")
    for t in plan.config.trivial_dimensions:
        if len(plan.records[t.value]) != 1:
            raise InputError(
                f"{where}: trivial dimension {t.value} has {len(plan.records[t.value])} records."
            )


def plan_dataset(
    registry: Registry, ref: ReferenceRegistry, m: RefModel, dims: DimensionIndex
) -> Plan:
    """The plan of one dataset version, its table checked and staged in ``registry``'s data
    folder (the caller discards the staging folder if the import stops)."""
    where = label(m)
    model = m.model
    refuse_non_default(where, model, DATASET_DEFAULTS)
    if model.get("dimensions"):
        raise InputError(
            f"{where}: it holds inline dimensions in its stored config, which a dsgrid-toolkit "
            "0.4 registry does not write; is this registry from another version? Nothing was "
            "imported."
        )
    our_layout = _our_layout(where, model)
    folder = ref.data_path / "data" / m.id / m.version
    table = folder / DATA_TABLE
    if not table.exists():
        raise InputError(
            f"{where}: its data table {table} does not exist; give the reference's data "
            "folder with --data-path. Nothing was imported."
        )
    lookup = folder / LOOKUP_TABLE if our_layout["table_format"] == "two_table" else None
    if lookup is not None and not lookup.exists():
        raise InputError(f"{where}: its lookup table {lookup} does not exist.")
    missing = sorted((folder / "missing_associations").glob("*.parquet"))
    body = {
        k: v
        for k, v in model.items()
        if k not in INTERNAL_KEYS | set(DATASET_DEFAULTS) | {"registry_data_layout", "data_layout"}
    }
    body = drop_none(body) | {"data_layout": our_layout, "dimensions": []}
    try:
        config = DatasetConfig.model_validate(body)
    except ValidationError as exc:
        raise unreadable(where, exc) from None
    plan = DatasetPlan(config=config)
    _dimensions(where, model, dims, plan)
    plan.time = _stored_time(plan.time, pq.read_schema(table).names)
    plan.data_path, plan.lookup_path, plan.missing_paths = table, lookup, missing
    plan.expected_paths = sorted((folder / "expected_associations").glob("*.parquet"))
    staging, facts = stage_dataset_table(registry, plan)
    stored_config = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    record = version_record(
        m,
        stored_config,
        row_count=facts["row_count"],
        size_bytes=facts["size_bytes"],
        sha256=facts["sha256"],
        data_path=f"{m.id}/{m.version}/{TABLE_FILE}",
        extra={
            "dimensions": plan.dimensions,
            "combinations": facts["combinations"],
            "summaries": facts["summaries"],
            "trivial": {d.value: plan.records[d.value][0] for d in config.trivial_dimensions},
        },
    )
    return Plan(
        record=record,
        summary=component_summary(m, m.id, config.dataset_type, config.description),
        deps=[],
        staging=staging,
    )
