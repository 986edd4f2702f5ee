"""Importing a dsgrid-toolkit 0.4 registry (its SQLite database and data folder) into ours.

Why: users of the reference toolkit move over in one command, keeping every project, dataset,
dimension and dimension mapping with all their versions, log messages, submitters and dates.

What the reference keeps (read from its database, never written):

* ``registrations``: one row per registration (timestamp, submitter, update type, log
  message); ``models``: one row per component version (``model_type``, ``model_id``,
  ``version``, the config as JSON, including dimension and mapping records);
  ``current_versions``: the current version of each component; ``contains``: which versions a
  version uses; ``key_value``: the registry's facts (``data_path``).
* ``<data path>/data/<dataset_id>/<version>/``: the dataset's stored table
  (``table.parquet``; for a two-table layout also ``lookup_table.parquet``) with the time
  already converted to a UTC ``timestamp`` column, and its ``missing_associations`` tables.

Each reference version becomes one of ours with the same id (dimension and mapping UUIDs are
kept, so configs naming them by ``dimension_id`` still resolve), version, log message,
submitter and registration time. Configs are translated to our models (registry-internal keys
dropped, records moved to our record tables) and validated by them; each dataset version's
data is read and checked by our registration checks (records, time, associations) before
anything is written. Everything is then written in one transaction: a refusal or failure
leaves the target registry as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsgrid_core.errors import AlreadyExistsError, InputError
from dsgrid_core.registry.reference_database import (
    DATA_TABLE,
    LOOKUP_TABLE,
    ReferenceRegistry,
    RefModel,
    read_reference,
)
from dsgrid_core.registry.store import ComponentSummary, Dependency, VersionRecord

# Keys the reference adds to every stored model; registry bookkeeping, not config.
_INTERNAL = {"id", "version", "dimension_id", "mapping_id", "file_hash", "module"}


@dataclass
class ImportReport:
    components: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    records: int = 0
    dataset_rows: dict[str, int] = field(default_factory=dict)  # "id version" -> rows
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _drop_none(value: Any) -> Any:
    """The reference dumps every unset field as null; ours leaves unset fields out."""
    if isinstance(value, dict):
        return {
            k: (v if k == "records" else _drop_none(v))  # records keep their empty cells
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


# --- translation of each kind -----------------------------------------------------------------


def dimension_config(model: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(our dimension config dict with records inline, its records)."""
    config = {k: v for k, v in model.items() if k not in _INTERNAL | {"dimension_class", "file"}}
    config = _drop_none(config)
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


def _where(ref: RefModel) -> str:
    return f"{ref.kind.replace('_', ' ')} {ref.id} {ref.version}"


def _parse_dimension(ref: RefModel):
    from pydantic import ValidationError

    from dsgrid_core.config.any_dimension import parse_dimension
    from dsgrid_core.errors import ConfigError

    config, _ = dimension_config(ref.model)
    try:
        return parse_dimension(config)
    except (ValidationError, ConfigError, ValueError) as exc:
        raise InputError(
            f"{_where(ref)} ('{ref.model.get('name')}'): its config is in a form this "
            f"dsgrid-viewer does not read yet: {_short(exc)}. Nothing was imported."
        ) from None


def _short(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
        )
    return str(exc).splitlines()[0][:300]


@dataclass
class _Plan:
    """Everything to write, prepared and checked before the transaction starts."""

    record: VersionRecord
    summary: ComponentSummary
    deps: list[Dependency]
    dimension_records: list[dict[str, Any]] | None = None
    mapping_records: list[tuple[str, str | None, float]] | None = None
    staging: Path | None = None


def import_reference(
    registry,
    url: str,
    data_path: Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import every component version of the reference registry at ``url`` into ``registry``
    (open for writing). Ids already present in ``registry`` are refused before anything is
    written."""
    say = progress or (lambda _m: None)
    registry._require_writable()
    ref = read_reference(url, data_path)
    taken = sorted(
        f"{m.kind.replace('_', ' ')} {m.id}"
        for m in {(m.kind, m.id): m for m in ref.models}.values()
        if registry.store.get_component(m.kind, m.id) is not None
    )
    if taken:
        raise AlreadyExistsError(
            f"the target registry already holds {', '.join(taken[:5])}"
            f"{' and more' if len(taken) > 5 else ''}; import into a new or empty registry "
            "(`dsgrid registry create DIR`). Nothing was changed."
        )
    rows = ref.by_row()
    plans: list[_Plan] = []
    # state built as the versions are prepared, in the reference's order
    dims: dict[tuple[str, str], dict[str, Any]] = {}  # (id, version) -> {config, records, ...}
    mappings: dict[tuple[str, str], dict[str, Any]] = {}
    seen: set[tuple[str, str]] = set()
    report = ImportReport()
    try:
        for i, m in enumerate(ref.models, 1):
            say(f"{_where(m)} ({i}/{len(ref.models)})")
            deps = [
                Dependency(rows[u].kind, rows[u].id, rows[u].version) for u in m.uses if u in rows
            ]
            new = (m.kind, m.id) not in seen
            seen.add((m.kind, m.id))
            if m.kind == "dimension":
                plan = _plan_dimension(m, dims)
            elif m.kind == "dimension_mapping":
                plan = _plan_mapping(m, dims, mappings)
            elif m.kind == "dataset":
                plan = _plan_dataset(registry, ref, m, dims)
                report.dataset_rows[f"{m.id} {m.version}"] = plan.record.row_count or 0
            else:
                plan = _plan_project(m, dims, mappings)
            plan.deps = list(dict.fromkeys(deps))
            plan.summary.version = m.version
            plan.record.extra["new"] = new
            plans.append(plan)
        say(f"writing {len(plans)} versions")
        _write(registry, plans, report)
    except BaseException:
        for plan in plans:
            if plan.staging is not None:
                registry.data.discard(plan.staging)
        raise
    for kind, version in ref.current.items():
        latest = registry.store.get_component(*kind)
        if latest is not None and latest.version != version:
            report.notes.append(
                f"{kind[0]} {kind[1]}: the reference's current version is {version}; ours is "
                f"the latest, {latest.version}."
            )
    return report


def _record(m: RefModel, config: dict[str, Any], **kw) -> VersionRecord:
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


def _summary(m: RefModel, name: str, type_: str | None, description: str) -> ComponentSummary:
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


def _plan_dimension(m: RefModel, dims: dict) -> _Plan:
    from dsgrid_core.config.files import PathResolver
    from dsgrid_core.registry.components import prepare_dimension

    parsed = _parse_dimension(m)
    prep = prepare_dimension(parsed, PathResolver(Path.cwd()), None, _where(m))
    dims[(m.id, m.version)] = {
        "name": prep.name,
        "type": prep.type,
        "config": parsed,
        "record_ids": prep.record_ids,
        "records": prep.records,
    }
    record = _record(
        m,
        prep.config,
        extra={"hash": prep.hash, "record_count": len(prep.records), "type": prep.type},
    )
    return _Plan(
        record=record,
        summary=_summary(m, prep.name, prep.type, prep.description),
        deps=[],
        dimension_records=prep.records or None,
    )


def _dim(dims: dict, ref: dict[str, Any], where: str) -> dict[str, Any]:
    key = (ref.get("dimension_id"), ref.get("version"))
    if key not in dims:
        raise InputError(
            f"{where}: it names dimension {key[0]} version {key[1]}, which the reference "
            "registry does not hold (or holds only later). Nothing was imported."
        )
    return dims[key]


def _plan_mapping(m: RefModel, dims: dict, mappings: dict) -> _Plan:
    from pydantic import ValidationError

    from dsgrid_core.config.files import PathResolver
    from dsgrid_core.config.mapping import SupplementalMapping
    from dsgrid_core.registry.components import prepare_mapping

    model = m.model
    where = _where(m)
    from_ref, to_ref = model["from_dimension"], model["to_dimension"]
    src, dst = _dim(dims, from_ref, where), _dim(dims, to_ref, where)
    body = {
        k: v
        for k, v in model.items()
        if k not in _INTERNAL | {"from_dimension", "to_dimension", "file", "archetype"}
    }
    body = _drop_none(body)
    try:
        config = SupplementalMapping.model_validate(body)
    except ValidationError as exc:
        raise InputError(
            f"{where}: its config is in a form this dsgrid-viewer does not read yet: "
            f"{_short(exc)}. Nothing was imported."
        ) from None
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
    record = _record(
        m,
        prep.config,
        extra={"hash": prep.hash, "record_count": len(prep.records), "type": prep.type},
    )
    return _Plan(
        record=record,
        summary=_summary(m, prep.name, prep.type, prep.description),
        deps=[],
        mapping_records=list(prep.records),
    )


# Dataset and project fields the reference stores that we cannot apply unless at their
# defaults: refused, never dropped silently.
_DATASET_DEFAULTS = {"enable_unit_conversion": True, "use_project_geography_time_zone": False}
_PROJECT_DATASET_DEFAULTS = {
    "wrap_time_allowed": False,
    "time_based_data_adjustment": {
        "leap_day_adjustment": "none",
        "daylight_saving_adjustment": {"spring_forward_hour": "none", "fall_back_hour": "none"},
    },
}


def _refuse_non_default(where: str, model: dict[str, Any], defaults: dict[str, Any]) -> None:
    for key, default in defaults.items():
        if key in model and model[key] is not None and model[key] != default:
            raise InputError(
                f"{where}: '{key}' is {json.dumps(model[key])}; this dsgrid-viewer cannot "
                f"apply that yet (only {json.dumps(default)}). Nothing was imported."
            )


def _stored_time(time_config, columns: list[str]):
    """The reference stores datetime data with a UTC ``timestamp`` column whatever the input
    form (time in parts included); read it as such, with the dimension's ranges and
    interval."""
    from dsgrid_core.config.time_dimension import DatetimeTimeConfig, TimestampColumn

    if isinstance(time_config, DatetimeTimeConfig) and "timestamp" in columns:
        return time_config.model_copy(
            update={"column_format": TimestampColumn(dtype="timestamp_tz", time_column="timestamp")}
        )
    return time_config


def _plan_dataset(registry, ref: ReferenceRegistry, m: RefModel, dims: dict) -> _Plan:
    import pyarrow.parquet as pq
    from pydantic import ValidationError

    from dsgrid_core.config.dataset import DatasetConfig
    from dsgrid_core.config.dimension import NON_TIME_TYPES
    from dsgrid_core.registry.register_dataset import DatasetPlan, stage_dataset_table

    where = _where(m)
    model = m.model
    _refuse_non_default(where, model, _DATASET_DEFAULTS)
    if model.get("dimensions"):
        raise InputError(
            f"{where}: it holds inline dimensions in its stored config, which a dsgrid-toolkit "
            "0.4 registry does not write; is this registry from another version? Nothing was "
            "imported."
        )
    layout = model.get("registry_data_layout") or model.get("data_layout")
    if not layout:
        raise InputError(f"{where}: no registry_data_layout in its stored config.")
    folder = ref.data_path / "data" / m.id / m.version
    table = folder / DATA_TABLE
    if not table.exists():
        raise InputError(
            f"{where}: its data table {table} does not exist; give the reference's data "
            "folder with --data-path. Nothing was imported."
        )
    our_layout = {
        "table_format": layout["table_format"],
        "value_format": layout.get("value_format") or "stacked",
    }
    if layout.get("pivoted_dimension_type"):
        our_layout["pivoted_dimension_type"] = layout["pivoted_dimension_type"]
    lookup = folder / LOOKUP_TABLE if layout["table_format"] == "two_table" else None
    if lookup is not None and not lookup.exists():
        raise InputError(f"{where}: its lookup table {lookup} does not exist.")
    missing = sorted((folder / "missing_associations").glob("*.parquet"))
    body = {
        k: v
        for k, v in model.items()
        if k not in _INTERNAL | set(_DATASET_DEFAULTS) | {"registry_data_layout", "data_layout"}
    }
    body = _drop_none(body) | {"data_layout": our_layout, "dimensions": []}
    try:
        config = DatasetConfig.model_validate(body)
    except ValidationError as exc:
        raise InputError(
            f"{where}: its config is in a form this dsgrid-viewer does not read yet: "
            f"{_short(exc)}. Nothing was imported."
        ) from None
    plan = DatasetPlan(config=config)
    for dim_ref in model.get("dimension_references", []):
        d = _dim(dims, dim_ref, where)
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
    for t in config.trivial_dimensions:
        if len(plan.records[t.value]) != 1:
            raise InputError(
                f"{where}: trivial dimension {t.value} has {len(plan.records[t.value])} records."
            )
    plan.time = _stored_time(plan.time, pq.read_schema(table).names)
    plan.data_path, plan.lookup_path, plan.missing_paths = table, lookup, missing
    plan.expected_paths = sorted((folder / "expected_associations").glob("*.parquet"))
    staging, facts = stage_dataset_table(registry, plan)
    stored_config = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    from dsgrid_core.data.storage import TABLE_FILE

    record = _record(
        m,
        stored_config,
        row_count=facts["row_count"],
        size_bytes=facts["size_bytes"],
        sha256=facts["sha256"],
        data_path=f"{m.id}/{m.version}/{TABLE_FILE}",
        extra={
            "dimensions": plan.dimensions,
            "combinations": facts["combinations"],
            "trivial": {d.value: plan.records[d.value][0] for d in config.trivial_dimensions},
        },
    )
    return _Plan(
        record=record,
        summary=_summary(m, m.id, config.dataset_type, config.description),
        deps=[],
        staging=staging,
    )


def _required(where: str, required: dict[str, Any], base_names: dict[str, str]) -> dict:
    """The reference's stored required_dimensions in our form: each ``base`` and
    ``base_missing`` is {record_ids, dimension_name}; a dimension_name other than the base
    dimension's would name records of another dimension, which we cannot apply."""

    def entry(dim_type: str, recs: dict[str, Any]) -> dict[str, Any]:
        out = dict(recs)
        for key in ("base", "base_missing"):
            value = out.get(key)
            if isinstance(value, dict):
                name = value.get("dimension_name")
                if name and name != base_names.get(dim_type) and value.get("record_ids"):
                    raise InputError(
                        f"{where}.{dim_type}.{key}: record ids of dimension '{name}', which "
                        f"is not the project's base {dim_type} dimension; this dsgrid-viewer "
                        "cannot apply that yet. Nothing was imported."
                    )
                out[key] = list(value.get("record_ids") or [])
        return {k: v for k, v in out.items() if v}

    single = {t: entry(t, r) for t, r in (required.get("single_dimensional") or {}).items()}
    multi = [
        {t: entry(t, r) for t, r in group.items()}
        for group in required.get("multi_dimensional") or []
    ]
    return {
        "single_dimensional": {t: r for t, r in single.items() if r},
        "multi_dimensional": [{t: r for t, r in g.items() if r} for g in multi],
    }


def _plan_project(m: RefModel, dims: dict, mappings: dict) -> _Plan:
    from pydantic import ValidationError

    from dsgrid_core.config.project import ProjectConfig

    where = _where(m)
    model = m.model
    dimensions = model.get("dimensions") or {}
    if dimensions.get("base_dimensions") or dimensions.get("supplemental_dimensions"):
        raise InputError(
            f"{where}: it holds inline dimensions in its stored config, which a dsgrid-toolkit "
            "0.4 registry does not write. Nothing was imported."
        )
    # Every base dimension in order (a type may have several); ``base``: the first per type,
    # the form registered project versions keep (see register_project.ProjectPlan).
    bases: list[dict[str, Any]] = []
    for dim_ref in dimensions.get("base_dimension_references", []):
        d = _dim(dims, dim_ref, f"{where}: base dimension")
        bases.append(
            {
                "type": d["type"],
                "id": dim_ref["dimension_id"],
                "version": dim_ref["version"],
                "name": d["name"],
            }
        )
    base: dict[str, dict[str, Any]] = {}
    for b in bases:
        base.setdefault(b["type"], {k: b[k] for k in ("id", "version", "name")})
    by_id = {b["id"]: b for b in bases}
    base_names = {t: b["name"] for t, b in base.items()}
    supplemental = []
    mapping_refs = (model.get("dimension_mappings") or {}).get("base_to_supplemental_references")
    mapping_refs = mapping_refs or []
    for dim_ref in dimensions.get("supplemental_dimension_references", []):
        d = _dim(dims, dim_ref, f"{where}: supplemental dimension")
        found = None
        for mref in mapping_refs:
            mp = mappings.get((mref["mapping_id"], mref["version"]))
            if mp and (mp["to"]["dimension_id"], mp["to"]["version"]) == (
                dim_ref["dimension_id"],
                dim_ref["version"],
            ):
                found = mref
                break
        if found is None:
            raise InputError(
                f"{where}: supplemental dimension '{d['name']}' has no mapping from the base "
                "dimension in dimension_mappings.base_to_supplemental_references."
            )
        entry = {
            "type": d["type"],
            "id": dim_ref["dimension_id"],
            "version": dim_ref["version"],
            "name": d["name"],
            "mapping_id": found["mapping_id"],
            "mapping_version": found["version"],
        }
        from_base = by_id.get(mp["from"]["dimension_id"])
        if from_base is not None:
            entry["base_id"], entry["base_name"] = from_base["id"], from_base["name"]
        supplemental.append(entry)
    subsets: dict[str, dict[str, Any]] = {}
    subset_configs = []
    for i, subset in enumerate(dimensions.get("subset_dimensions", [])):
        selectors: dict[str, list[str]] = {}
        descriptions: dict[str, str] = {}
        for sel_ref in subset.get("selector_references", []):
            d = _dim(dims, sel_ref, f"{where}: subset '{subset['name']}'")
            selectors[d["name"]] = list(d["record_ids"])
            descriptions[d["name"]] = d["config"].description or ""
        named = subset.get("base_dimension_name")
        of_type = [b for b in bases if b["type"] == subset["type"]]
        subset_base = next((b for b in of_type if b["name"] == named), None) if named else None
        subset_base = subset_base or (of_type[0] if of_type else None)
        if subset_base is None:
            raise InputError(f"{where}: subset '{subset['name']}' has no base dimension.")
        subsets[subset["name"]] = {
            "type": subset["type"],
            "selectors": selectors,
            "description": subset.get("description") or "",
            "base_id": subset_base["id"],
            "base_version": subset_base["version"],
            "base_name": subset_base["name"],
        }
        subset_configs.append(
            {
                "name": subset["name"],
                "description": subset.get("description") or "",
                "type": subset["type"],
                "filename": f"subset_{i}.csv",  # written by `dump`, from the stored selectors
                "selectors": [{"name": s, "description": descriptions[s]} for s in selectors],
                "create_supplemental_dimension": subset.get("create_supplemental_dimension", True),
            }
        )
    datasets, status = [], {}
    for ds in model.get("datasets", []):
        ds_where = f"{where}: datasets[{ds['dataset_id']}]"
        _refuse_non_default(ds_where, ds, _PROJECT_DATASET_DEFAULTS)
        refs = [
            {
                "mapping_id": r["mapping_id"],
                "version": r["version"],
                "dimension_type": r["from_dimension_type"],
            }
            for r in ds.get("mapping_references") or []
        ]
        entry = {
            "dataset_id": ds["dataset_id"],
            "dataset_type": ds.get("dataset_type") or "modeled",
            "status": ds.get("status") or "Unregistered",
            "required_dimensions": _required(
                f"{ds_where}.required_dimensions", ds.get("required_dimensions") or {}, base_names
            ),
        }
        if ds.get("version"):
            entry["version"] = ds["version"]
        if refs:
            entry["mapping_references"] = refs
        datasets.append(entry)
        if entry["status"] == "Registered":
            status[ds["dataset_id"]] = {
                "status": "Registered",
                "version": ds.get("version"),
                "mappings": sorted(refs, key=lambda r: r["dimension_type"]),
            }
    config_dict = {
        "project_id": model["project_id"],
        "name": model.get("name") or model["project_id"],
        "description": model.get("description") or "",
        "datasets": datasets,
        "dimensions": {
            "base_dimension_references": [
                {"type": t, "name": b["name"], "dimension_id": b["id"], "version": b["version"]}
                for t, b in base.items()
            ],
            "supplemental_dimension_references": [
                {
                    "type": s["type"],
                    "name": s["name"],
                    "dimension_id": s["id"],
                    "version": s["version"],
                }
                for s in supplemental
            ],
            "subset_dimensions": subset_configs,
        },
    }
    if model.get("status"):
        config_dict["status"] = model["status"]
    try:
        config = ProjectConfig.model_validate(config_dict)
    except ValidationError as exc:
        raise InputError(
            f"{where}: its config is in a form this dsgrid-viewer does not read yet: "
            f"{_short(exc)}. Nothing was imported."
        ) from None
    stored = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    record = _record(
        m,
        stored,
        extra={
            "base_dimensions": base,
            "base_dimension_list": bases,
            "supplemental_dimensions": supplemental,
            "subset_dimensions": subsets,
            "datasets": status,
        },
    )
    return _Plan(
        record=record,
        summary=_summary(m, config.name, None, config.description),
        deps=[],
    )


def _write(registry, plans: list[_Plan], report: ImportReport) -> None:
    """Publish the staged data, then write every version in one transaction."""
    published: list[tuple[str, str]] = []
    try:
        for plan in plans:
            if plan.staging is not None:
                registry.data.prepare_publish(plan.staging, plan.record.id, plan.record.version)
        with registry._transaction():
            for plan in plans:
                rec = plan.record
                new = rec.extra.pop("new")
                store = registry.store
                if new:
                    store.add_component(plan.summary)
                else:
                    store.set_latest(
                        rec.kind,
                        rec.id,
                        rec.version,
                        plan.summary.name,
                        plan.summary.description,
                        rec.registered_at,
                    )
                store.add_version(rec)
                if plan.deps:
                    store.add_dependencies(rec.kind, rec.id, rec.version, plan.deps)
                if plan.dimension_records:
                    store.put_dimension_records(rec.id, rec.version, plan.dimension_records)
                    report.records += len(plan.dimension_records)
                if plan.mapping_records:
                    store.put_mapping_records(rec.id, rec.version, plan.mapping_records)
                    report.records += len(plan.mapping_records)
                report.versions[rec.kind] = report.versions.get(rec.kind, 0) + 1
                if new:
                    report.components[rec.kind] = report.components.get(rec.kind, 0) + 1
                if plan.staging is not None:
                    registry.data.publish(plan.staging, rec.id, rec.version)
                    published.append((rec.id, rec.version))
                    plan.staging = None
    except BaseException:
        for dataset_id, version in published:
            registry.data.unpublish(dataset_id, version)
        raise
    for dataset_id, version in published:
        registry.data.release(dataset_id, version)
