"""A project for browsing: its dimensions, the datasets it expects with their status, and which
required record combinations each submitted dataset provides."""

from __future__ import annotations

from itertools import product
from typing import Any

from sqlglot import exp

from dsgrid_core.browse.datasets import ABSENT, DECLARED_MISSING, MISSING_FILE, PRESENT
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.project import RequiredDimensions
from dsgrid_core.data.duck import connect
from dsgrid_core.data.scan import table_expression
from dsgrid_core.errors import InputError, NotFoundError
from dsgrid_core.registry.project_requirements import bases_from_extra
from dsgrid_core.registry.register_project import (
    base_for,
    required_records,
    stored_project_plan,
)

NOT_REQUIRED = -1  # a combination the project does not ask for, and the dataset lacks
ANY = object()


def _ids(registry, ref: dict[str, Any]) -> list[str]:
    return [r["id"] for r in registry.records(ref["id"], ref["version"])]


def project_overview(registry, project_id: str, version: str | None = None) -> dict[str, Any]:
    record = registry.show("project", project_id, version)
    extra, config = record.extra, record.config
    status = extra.get("datasets", {})
    expected = []
    for ds in config.get("datasets", []):
        submitted = status.get(ds["dataset_id"], {})
        expected.append(
            {
                "dataset_id": ds["dataset_id"],
                "dataset_type": ds.get("dataset_type"),
                "status": submitted.get("status", "Unregistered"),
                "version": submitted.get("version"),
                "mappings": submitted.get("mappings", []),
                "required_dimensions": ds.get("required_dimensions", {}),
            }
        )

    # every base dimension, several of a type when the project has them
    base = [
        {
            **ref,
            "records": len(registry.records(ref["id"], ref["version"])),
        }
        for ref in bases_from_extra(extra)
    ]
    return {
        "project_id": project_id,
        "version": record.version,
        "name": config.get("name"),
        "description": config.get("description"),
        "status": config.get("status"),
        "base_dimensions": base,
        "supplemental_dimensions": extra.get("supplemental_dimensions", []),
        "subset_dimensions": [
            {"name": name, **subset} for name, subset in extra.get("subset_dimensions", {}).items()
        ],
        "datasets": expected,
    }


def _required_pairs(
    groups: list[dict[str, list[str]]], x: str, y: str, base: dict[str, list[str]]
) -> set[tuple[str, str]]:
    """The (x, y) projection of the required combinations: each group is a cross product,
    groups over the same dimensions are unioned, different dimension sets are crossed, and
    dimensions no group names require every base record (as the submission check reads them)."""
    by_dims: dict[tuple[str, ...], list[dict[str, list[str]]]] = {}
    for group in groups:
        by_dims.setdefault(tuple(sorted(group)), []).append(group)
    combined: set[tuple] = {(ANY, ANY)}
    for members in by_dims.values():
        projected = set()
        for g in members:
            xs = g[x] if x in g else [ANY]
            ys = g[y] if y in g else [ANY]
            projected |= set(product(xs, ys))
        combined = {
            (a if a is not ANY else c, b if b is not ANY else d)
            for a, b in combined
            for c, d in projected
        }
    out: set[tuple[str, str]] = set()
    for a, b in combined:
        for xa in base[x] if a is ANY else [a]:
            for yb in base[y] if b is ANY else [b]:
                out.add((xa, yb))
    return out


def _mapped_pairs(pairs, mappings: dict[str, dict[str, list[str]]], x: str, y: str):
    out = set()
    for a, b in pairs:
        for xa in mappings.get(x, {}).get(a, [a]) if x in mappings else [a]:
            for yb in mappings.get(y, {}).get(b, [b]) if y in mappings else [b]:
                out.add((xa, yb))
    return out


def project_coverage(
    registry,
    project_id: str,
    dataset_id: str,
    *,
    version: str | None = None,
    x: str = "geography",
    y: str = "subsector",
) -> dict[str, Any]:
    """For one submitted dataset, every (x, y) pair of project base records: provided by the
    dataset after mapping, declared missing, required but absent, or not required."""
    for t in (x, y):
        if t not in NON_TIME_TYPES:
            raise InputError(f"coverage: '{t}' is not a dimension type.")
    if x == y:
        raise InputError("coverage: choose two different dimension types.")
    project = registry.show("project", project_id, version)
    info = project.extra.get("datasets", {}).get(dataset_id)
    if not info or info.get("status") != "Registered":
        raise NotFoundError(
            f"dataset '{dataset_id}' is not submitted to project '{project_id}' "
            f"(version {project.version})."
        )
    entry = next(d for d in project.config["datasets"] if d["dataset_id"] == dataset_id)
    plan = stored_project_plan(project)
    groups = required_records(
        plan,
        registry,
        {},
        RequiredDimensions.model_validate(entry.get("required_dimensions") or {}),
        f"project {project_id}: datasets[{dataset_id}]",
    )
    # the base dimensions this dataset was mapped to (by name when a type has several)
    bases = bases_from_extra(project.extra)
    names = info.get("base_dimension_names") or {}
    base_refs = {
        t: base_for(bases, t, names.get(t), f"project {project_id}: datasets[{dataset_id}]")
        for t in (x, y)
    }
    base = {
        t: [r["id"] for r in registry.records(base_refs[t]["id"], base_refs[t]["version"])]
        for t in (x, y)
    }
    mappings: dict[str, dict[str, list[str]]] = {}
    for m in info.get("mappings", []):
        if m["dimension_type"] in (x, y):
            table: dict[str, list[str]] = {}
            for f, t, _ in registry.mapping_records(m["mapping_id"], m["version"]):
                if t is not None:
                    table.setdefault(f, []).append(t)
            mappings[m["dimension_type"]] = table
    dataset = registry.show("dataset", dataset_id, info["version"])
    data = registry.data.locate(dataset.data_path)
    missing = registry.data.sibling(dataset.data_path, MISSING_FILE)

    def pairs(location):
        sql = (
            exp.select(exp.column(x, quoted=True), exp.column(y, quoted=True))
            .distinct()
            .from_(table_expression(con, location))
            .sql("duckdb")
        )
        return {(str(a), str(b)) for a, b in con.execute(sql).fetchall()}

    con = connect()
    try:
        provided = _mapped_pairs(pairs(data), mappings, x, y)
        declared = (
            _mapped_pairs(pairs(registry.data.locate(missing)), mappings, x, y)
            if registry.data.exists(missing)
            else set()
        )
    finally:
        con.close()
    required = _required_pairs(groups, x, y, {t: base[t] for t in (x, y)})
    z = []
    for b in base[y]:
        row = []
        for a in base[x]:
            pair = (a, b)
            if pair in provided:
                row.append(PRESENT)
            elif pair in declared:
                row.append(DECLARED_MISSING)
            elif pair in required:
                row.append(ABSENT)
            else:
                row.append(NOT_REQUIRED)
        z.append(row)
    counts = {"present": 0, "declared_missing": 0, "required_absent": 0, "not_required": 0}
    names = {PRESENT: "present", DECLARED_MISSING: "declared_missing", ABSENT: "required_absent"}
    for row in z:
        for cell in row:
            counts[names.get(cell, "not_required")] += 1
    return {
        "x": x,
        "y": y,
        "x_ids": base[x],
        "y_ids": base[y],
        "z": z,
        "counts": counts,
        "required": len(required),
    }
