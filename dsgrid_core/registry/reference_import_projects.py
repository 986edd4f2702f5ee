"""Planning the import of one reference project version: its stored config (dimensions named
by id and version, datasets with their submission status) translated to our project config
and the facts our registered project versions keep (base, supplemental and subset dimensions,
registered datasets with their mappings).

Why apart: a project version is planned last, from the dimensions and mappings already
planned; what it names must be among them, and the dataset options we cannot apply yet are
refused here rather than dropped.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.errors import InputError
from dsgrid_core.registry.reference_database import RefModel
from dsgrid_core.registry.reference_import_common import (
    DimensionIndex,
    MappingIndex,
    Plan,
    component_summary,
    dimension_of,
    label,
    refuse_non_default,
    unreadable,
    version_record,
)

# Project dataset fields the reference stores that we cannot apply unless at their defaults.
PROJECT_DATASET_DEFAULTS = {
    "wrap_time_allowed": False,
    "time_based_data_adjustment": {
        "leap_day_adjustment": "none",
        "daylight_saving_adjustment": {"spring_forward_hour": "none", "fall_back_hour": "none"},
    },
}


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


def _bases(where: str, dimensions: dict[str, Any], dims: DimensionIndex) -> list[dict[str, Any]]:
    """Every base dimension in order (a type may have several)."""
    bases = []
    for dim_ref in dimensions.get("base_dimension_references", []):
        d = dimension_of(dims, dim_ref, f"{where}: base dimension")
        bases.append(
            {
                "type": d["type"],
                "id": dim_ref["dimension_id"],
                "version": dim_ref["version"],
                "name": d["name"],
            }
        )
    return bases


def _supplementals(
    where: str,
    model: dict[str, Any],
    dims: DimensionIndex,
    mappings: MappingIndex,
    bases: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each supplemental dimension with the base-to-supplemental mapping that leads to it
    (and the base dimension that mapping starts from)."""
    by_id = {b["id"]: b for b in bases}
    mapping_refs = (model.get("dimension_mappings") or {}).get("base_to_supplemental_references")
    mapping_refs = mapping_refs or []
    supplemental = []
    for dim_ref in (model.get("dimensions") or {}).get("supplemental_dimension_references", []):
        d = dimension_of(dims, dim_ref, f"{where}: supplemental dimension")
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
    return supplemental


def _subsets(
    where: str, dimensions: dict[str, Any], dims: DimensionIndex, bases: list[dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """(the subset dimensions as our project versions keep them, their config entries)."""
    subsets: dict[str, dict[str, Any]] = {}
    subset_configs = []
    for i, subset in enumerate(dimensions.get("subset_dimensions", [])):
        selectors: dict[str, list[str]] = {}
        descriptions: dict[str, str] = {}
        for sel_ref in subset.get("selector_references", []):
            d = dimension_of(dims, sel_ref, f"{where}: subset '{subset['name']}'")
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
    return subsets, subset_configs


def _datasets(
    where: str, model: dict[str, Any], base_names: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """(the project's dataset entries, the registered datasets with their version and
    mappings)."""
    datasets, status = [], {}
    for ds in model.get("datasets", []):
        ds_where = f"{where}: datasets[{ds['dataset_id']}]"
        refuse_non_default(ds_where, ds, PROJECT_DATASET_DEFAULTS)
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
    return datasets, status


def plan_project(m: RefModel, dims: DimensionIndex, mappings: MappingIndex) -> Plan:
    """The plan of one project version, from the dimensions and mappings planned before."""
    where = label(m)
    model = m.model
    dimensions = model.get("dimensions") or {}
    if dimensions.get("base_dimensions") or dimensions.get("supplemental_dimensions"):
        raise InputError(
            f"{where}: it holds inline dimensions in its stored config, which a dsgrid-toolkit "
            "0.4 registry does not write. Nothing was imported."
        )
    bases = _bases(where, dimensions, dims)
    # ``base``: the first base dimension per type, the form registered project versions keep
    # (see register_project.ProjectPlan)
    base: dict[str, dict[str, Any]] = {}
    for b in bases:
        base.setdefault(b["type"], {k: b[k] for k in ("id", "version", "name")})
    base_names = {t: b["name"] for t, b in base.items()}
    supplemental = _supplementals(where, model, dims, mappings, bases)
    subsets, subset_configs = _subsets(where, dimensions, dims, bases)
    datasets, status = _datasets(where, model, base_names)
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
        raise unreadable(where, exc) from None
    stored = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    record = version_record(
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
    return Plan(
        record=record,
        summary=component_summary(m, config.name, None, config.description),
        deps=[],
    )
