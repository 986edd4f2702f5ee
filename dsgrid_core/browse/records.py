"""Dimension and mapping records for browsing: paged grids, the fraction-sum check of a
mapping explained per record, and the from -> to flows of a mapping for a Sankey diagram."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dsgrid_core.browse.paging import Filter, Page, matching_rows, page_rows
from dsgrid_core.config.mapping import FRACTION_TOLERANCE, MAPPING_RULES, MappingType

MAPPING_COLUMNS = ["from_id", "to_id", "from_fraction"]


def record_columns(records: list[dict[str, Any]]) -> list[str]:
    """Every column any record has, id and name first."""
    columns = list(dict.fromkeys(k for r in records for k in r))
    head = [c for c in ("id", "name") if c in columns]
    return head + [c for c in columns if c not in head]


def _in_file_order(rows: list[dict[str, Any]], columns: list[str], **paging) -> Page:
    """A page of records; without a sort they keep the order of their file."""
    positioned = [{**r, "_position": i} for i, r in enumerate(rows)]
    page = page_rows(positioned, key="_position", columns=columns, **paging)
    page.items = [{k: v for k, v in r.items() if k != "_position"} for r in page.items]
    return page


def _every_in_file_order(rows, columns, filters, sort) -> list[dict[str, Any]]:
    """Every matching record, sorted; without a sort in the order of their file."""
    positioned = [{**r, "_position": i} for i, r in enumerate(rows)]
    matched = matching_rows(
        positioned, key="_position", filters=filters or [], sort=sort, columns=columns
    )
    return [{k: v for k, v in r.items() if k != "_position"} for r in matched]


def dimension_records_rows(
    registry,
    dimension_id: str,
    version: str | None = None,
    *,
    filters: list[Filter] | None = None,
    sort: list[tuple[str, bool]] | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and every matching record of a dimension version, in the order its pages
    have (a download reads them at once instead of page after page)."""
    records = registry.records(dimension_id, version)
    columns = record_columns(records)
    return columns, _every_in_file_order(records, columns, filters, sort)


def mapping_records_rows(
    registry,
    mapping_id: str,
    version: str | None = None,
    *,
    filters: list[Filter] | None = None,
    sort: list[tuple[str, bool]] | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """Every matching row of a mapping version, in the order its pages have."""
    rows = mapping_rows(registry, mapping_id, version)
    return MAPPING_COLUMNS, _every_in_file_order(rows, MAPPING_COLUMNS, filters, sort)


def dimension_records_page(
    registry,
    dimension_id: str,
    version: str | None = None,
    *,
    filters: list[Filter] | None = None,
    sort: list[tuple[str, bool]] | None = None,
    limit: int | None = None,
    token: str | None = None,
    offset: int | None = None,
) -> Page:
    records = registry.records(dimension_id, version)
    return _in_file_order(
        records,
        record_columns(records),
        filters=filters or [],
        sort=sort,
        limit=limit,
        token=token,
        offset=offset,
    )


def mapping_rows(registry, mapping_id: str, version: str | None = None) -> list[dict[str, Any]]:
    return [
        {"from_id": f, "to_id": t, "from_fraction": x}
        for f, t, x in registry.mapping_records(mapping_id, version)
    ]


def mapping_records_page(
    registry,
    mapping_id: str,
    version: str | None = None,
    *,
    filters: list[Filter] | None = None,
    sort: list[tuple[str, bool]] | None = None,
    limit: int | None = None,
    token: str | None = None,
    offset: int | None = None,
) -> Page:
    return _in_file_order(
        mapping_rows(registry, mapping_id, version),
        MAPPING_COLUMNS,
        filters=filters or [],
        sort=sort,
        limit=limit,
        token=token,
        offset=offset,
    )


def fraction_check(registry, mapping_id: str, version: str | None = None) -> dict[str, Any]:
    """The sums the mapping's type requires (per from_id or per to_id), each marked ok or not,
    worst first; with the rule in words."""
    record = registry.show("dimension_mapping", mapping_id, version)
    mapping_type = MappingType(record.config.get("mapping_type", "many_to_one_aggregation"))
    rules = MAPPING_RULES[mapping_type]
    rows = registry.mapping_records(mapping_id, record.version)
    if rules.all_ones:
        items = [
            {"from_id": f, "to_id": t, "sum": x, "rows": 1, "ok": abs(x - 1) <= 1e-12}
            for f, t, x in rows
        ]
        items.sort(key=lambda i: (i["ok"], -abs(i["sum"] - 1), str(i["from_id"])))
        return {
            "mapping_type": mapping_type.value,
            "sum_by": None,
            "rule": f"{mapping_type.value}: every fraction is 1 (each row copies the value).",
            "tolerance": 0.0,
            "sums": items,
            "failures": sum(1 for i in items if not i["ok"]),
        }
    if rules.sum_by is None:
        return {
            "mapping_type": mapping_type.value,
            "sum_by": None,
            "rule": f"{mapping_type.value}: fractions are multipliers; no sum is required.",
            "tolerance": None,
            "sums": [],
            "failures": 0,
        }
    tolerance = record.config.get(
        "from_fraction_tolerance" if rules.sum_by == "from_id" else "to_fraction_tolerance",
        FRACTION_TOLERANCE,
    )
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for f, t, x in rows:
        key = f if rules.sum_by == "from_id" else t
        if key is not None:
            sums[key] += x
            counts[key] += 1
    items = [
        {
            rules.sum_by: key,
            "sum": total,
            "rows": counts[key],
            "ok": abs(total - 1) <= tolerance,
        }
        for key, total in sums.items()
    ]
    items.sort(key=lambda i: (i["ok"], -abs(i["sum"] - 1), str(i[rules.sum_by])))
    return {
        "mapping_type": mapping_type.value,
        "sum_by": rules.sum_by,
        "rule": f"{mapping_type.value}: fractions sum to 1 per {rules.sum_by} "
        f"(tolerance {tolerance:g}).",
        "tolerance": tolerance,
        "sums": items,
        "failures": sum(1 for i in items if not i["ok"]),
    }


def mapping_flows(
    registry, mapping_id: str, version: str | None = None, *, max_nodes: int = 40
) -> dict[str, Any]:
    """from -> to flows weighted by fraction. With more than ``max_nodes`` ids on a side, the
    smallest are gathered into one "other (n)" node so the diagram stays readable; the full
    matrix is left to the records grid."""
    rows = [(f, t, x) for f, t, x in registry.mapping_records(mapping_id, version) if t]

    def keep(ids_weights: dict[str, float]) -> dict[str, str]:
        ranked = sorted(ids_weights, key=lambda k: (-ids_weights[k], k))
        if len(ranked) <= max_nodes:
            return {k: k for k in ranked}
        kept, rest = ranked[: max_nodes - 1], ranked[max_nodes - 1 :]
        other = f"other ({len(rest)})"
        return {**{k: k for k in kept}, **{k: other for k in rest}}

    from_weight: dict[str, float] = defaultdict(float)
    to_weight: dict[str, float] = defaultdict(float)
    for f, t, x in rows:
        from_weight[f] += x
        to_weight[t] += x
    from_label, to_label = keep(from_weight), keep(to_weight)
    links: dict[tuple[str, str], float] = defaultdict(float)
    for f, t, x in rows:
        links[(from_label[f], to_label[t])] += x
    sources = sorted(set(from_label.values()))
    targets = sorted(set(to_label.values()))
    return {
        "sources": sources,
        "targets": targets,
        "links": [{"source": s, "target": t, "value": v} for (s, t), v in sorted(links.items())],
        "grouped": len(from_weight) > max_nodes or len(to_weight) > max_nodes,
        "from_count": len(from_weight),
        "to_count": len(to_weight),
    }
