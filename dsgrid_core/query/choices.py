"""What a query over a project can name: its submitted datasets, the dimensions of each type
(base first, then supplemental), the subset selectors of each type, its time dimension and
zone, and the records of any of those dimensions. The query builder offers exactly these."""

from __future__ import annotations

from collections import Counter
from typing import Any

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.query.context import load_project_context
from dsgrid_core.query.units import family


def project_choices(registry, project_id: str) -> dict[str, Any]:
    """{project_id, version, datasets, dimensions: {type: [names]}, subsets: {type:
    [selectors]}, time_name, time_zone}; DsgridError when the project is unknown."""
    record = registry.show("project", project_id)
    context = load_project_context(registry, project_id)
    subsets: dict[str, list[str]] = {}
    for subset in context.subsets.values():
        subsets.setdefault(subset["type"], []).extend(subset["selectors"])
    return {
        "project_id": project_id,
        "version": record.version,
        "datasets": _submitted(record),
        "dimensions": {
            t: [context.base[t].name]
            + [s.dimension.name for s in context.supplemental if s.dimension.type == t]
            for t in NON_TIME_TYPES
        },
        "subsets": subsets,
        "time_name": context.base["time"].name,
        "time_zone": context.time_zone,
        "default_unit": default_unit(context.base["metric"].records),
    }


def _submitted(record) -> list[str]:
    """The project's datasets that are submitted, in the order of its config."""
    status = record.extra.get("datasets", {})
    return [
        d["dataset_id"]
        for d in record.config.get("datasets", [])
        if status.get(d["dataset_id"], {}).get("status") == "Registered"
    ]


def default_unit(metric_records: list[dict[str, Any]]) -> str | None:
    """The unit a result that adds metrics together is given when none is chosen: the most
    common unit of the project's metric records, when they differ but are all of one kind
    (energy, or power); None when they share one unit (nothing to convert) or mix kinds
    (the query then says why it cannot add them)."""
    units = Counter(r.get("unit") for r in metric_records)
    families = {family(u) for u in units}
    if len(units) < 2 or len(families) != 1 or None in families:
        return None
    return sorted(units.items(), key=lambda item: (-item[1], item[0]))[0][0]


def dimension_records(
    registry, project_id: str, dimension_type: str, name: str
) -> list[dict[str, Any]]:
    """The records ({id, name, unit}) of one of the project's dimensions, by its name."""
    info, _ = load_project_context(registry, project_id).dimension(dimension_type, name)
    return [
        {"id": str(r["id"]), "name": str(r.get("name") or r["id"]), "unit": r.get("unit")}
        for r in info.records
    ]
