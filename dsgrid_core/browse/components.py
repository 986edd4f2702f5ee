"""Components for browsing: paged lists, one version in full, history with diffs, the
dependency graph, and where a component is used."""

from __future__ import annotations

from typing import Any

from dsgrid_core.browse import facets
from dsgrid_core.browse.paging import Filter, Page, matching_rows, page_rows
from dsgrid_core.browse.table_filters import check_columns
from dsgrid_core.registry.registry import normalize_kind

LIST_COLUMNS = [
    "kind",
    "id",
    "name",
    "type",
    "class",
    "status",
    "version",
    "description",
    "registered_at",
    "updated_at",
]


def _listed(registry, kind, type, text, project, class_=None, status=None) -> list[dict[str, Any]]:
    """The latest versions of ``kind`` with their class and status (see ``facets``), those
    matching the chosen values (checked: an unknown value is an InputError naming those the
    kind takes)."""
    kind = normalize_kind(kind) if kind else None
    chosen = facets.check_choices(kind, {"type": type, "class": class_, "status": status})
    rows = [s.to_dict() for s in registry.list(kind, type=chosen["type"], text=text)]
    rows = facets.annotate(registry, kind, rows)
    used = facets.used_by(registry, project) if project else None
    return facets.keep(rows, chosen, used)


def component_rows(
    registry,
    kind: str | None = None,
    *,
    type: str | None = None,
    text: str | None = None,
    project: str | None = None,
    class_: str | None = None,
    status: str | None = None,
    filters: list[Filter] | None = None,
    sort: list[tuple[str, bool]] | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and every component ``list_components`` pages through, at once (a
    download)."""
    check_columns(filters, sort, LIST_COLUMNS)
    rows = _listed(registry, kind, type, text, project, class_, status)
    return LIST_COLUMNS, matching_rows(
        rows, key=("kind", "id"), filters=filters or [], sort=sort, columns=LIST_COLUMNS
    )


def list_components(
    registry,
    kind: str | None = None,
    *,
    type: str | None = None,
    text: str | None = None,
    project: str | None = None,
    class_: str | None = None,
    status: str | None = None,
    filters: list[Filter] | None = None,
    sort: list[tuple[str, bool]] | None = None,
    limit: int | None = None,
    token: str | None = None,
    offset: int | None = None,
) -> Page:
    """One page of components; ``project`` keeps those the project's latest version uses,
    ``class_`` and ``status`` those of that class and status (``facets``)."""
    check_columns(filters, sort, LIST_COLUMNS)
    return page_rows(
        _listed(registry, kind, type, text, project, class_, status),
        key=("kind", "id"),
        filters=filters or [],
        sort=sort,
        limit=limit,
        token=token,
        offset=offset,
        columns=LIST_COLUMNS,
    )


def component_facets(
    registry,
    kind: str,
    *,
    type: str | None = None,
    text: str | None = None,
    project: str | None = None,
    class_: str | None = None,
    status: str | None = None,
    filters: list[Filter] | None = None,
) -> dict[str, dict[str, int]]:
    """Facet counts of a list (``facets.facet_counts``): per facet of the kind, how many
    components each value leaves under the other choices, the text and the filters."""
    kind = normalize_kind(kind)
    check_columns(filters, None, LIST_COLUMNS)
    chosen = facets.check_choices(
        kind, {"type": type, "class": class_, "status": status, "project": project}
    )
    rows = facets.annotate(registry, kind, [s.to_dict() for s in registry.list(kind, text=text)])
    return facets.facet_counts(registry, kind, rows, chosen, filters or [])


def _facts(record) -> dict[str, Any]:
    """What the registry measured: a dataset's rows, size, hash and file (relative to the data
    root); a dimension's record count."""
    facts: dict[str, Any] = {}
    if record.kind == "dataset":
        facts.update(
            row_count=record.row_count,
            size_bytes=record.size_bytes,
            sha256=record.sha256,
            data_path=record.data_path,
        )
    if "record_count" in record.extra:
        facts["record_count"] = record.extra["record_count"]
    return facts


def component(registry, kind: str, id: str, version: str | None = None) -> dict[str, Any]:
    """One version of a component: its summary, config, registry facts and dependencies."""
    kind = normalize_kind(kind)
    summary = registry.get(kind, id)
    record = registry.show(kind, id, version)
    return {
        "kind": kind,
        "id": id,
        "name": summary.name,
        "type": summary.type,
        "description": summary.description,
        "version": record.version,
        "latest_version": summary.version,
        "versions": [r.version for r in registry.history(kind, id)],
        "registered_at": record.registered_at,
        "submitter": record.submitter,
        "log_message": record.log_message,
        "config": record.config,
        "extra": record.extra,
        "facts": _facts(record),
        "dependencies": [
            {"kind": d.kind, "id": d.id, "version": d.version}
            for d in registry.dependencies(kind, id, record.version)
        ],
    }


def versions(registry, kind: str, id: str) -> list[dict[str, Any]]:
    return [
        {
            "version": r.version,
            "registered_at": r.registered_at,
            "submitter": r.submitter,
            "log_message": r.log_message,
        }
        for r in registry.history(normalize_kind(kind), id)
    ]


def diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """Changes from ``old`` to ``new`` (JSON values): one entry per added, removed or changed
    leaf, with a dotted path (list items by index, or by their id when items carry one)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                out.append({"path": sub, "change": "removed", "old": old[key], "new": None})
            elif key not in old:
                out.append({"path": sub, "change": "added", "old": None, "new": new[key]})
            else:
                out += diff(old[key], new[key], sub)
        return out
    if isinstance(old, list) and isinstance(new, list):
        keyed = _keyed(old), _keyed(new)
        if keyed[0] is not None and keyed[1] is not None:
            return diff(keyed[0], keyed[1], path)
        out = []
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(new):
                out.append({"path": sub, "change": "removed", "old": old[i], "new": None})
            elif i >= len(old):
                out.append({"path": sub, "change": "added", "old": None, "new": new[i]})
            else:
                out += diff(old[i], new[i], sub)
        return out
    if old != new:
        return [{"path": path, "change": "changed", "old": old, "new": new}]
    return []


ITEM_KEYS = ("dataset_id", "dimension_id", "mapping_id", "id", "name")


def _keyed(items: list) -> dict[str, Any] | None:
    """A list of objects that all carry the same unique key, as a dict by that key."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in ITEM_KEYS:
        values = [i.get(key) for i in items]
        if all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            return {v: i for v, i in zip(values, items, strict=True)}
    return None


def version_diff(registry, kind: str, id: str, old: str, new: str) -> dict[str, Any]:
    kind = normalize_kind(kind)
    a, b = registry.show(kind, id, old), registry.show(kind, id, new)
    changes = diff(
        {"config": a.config, "registry": a.extra}, {"config": b.config, "registry": b.extra}
    )
    deps_a = {(d.kind, d.id): d.version for d in registry.dependencies(kind, id, old)}
    deps_b = {(d.kind, d.id): d.version for d in registry.dependencies(kind, id, new)}
    for key in sorted(set(deps_a) | set(deps_b)):
        if deps_a.get(key) != deps_b.get(key):
            changes.append(
                {
                    "path": f"dependencies.{key[0]}.{key[1]}",
                    "change": "added"
                    if key not in deps_a
                    else "removed"
                    if key not in deps_b
                    else "changed",
                    "old": deps_a.get(key),
                    "new": deps_b.get(key),
                }
            )
    return {"kind": kind, "id": id, "old": old, "new": new, "changes": changes}


def node_id(kind: str, id: str) -> str:
    return f"{kind}:{id}"


def dependency_graph(registry, kind: str, id: str, version: str | None = None) -> dict[str, Any]:
    """Nodes and edges from a component down through everything it uses (a project: its
    datasets, their dimensions, its dimensions and mappings), plus what uses it directly."""
    kind = normalize_kind(kind)
    root = registry.show(kind, id, version)
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, str]] = []

    def add(k: str, i: str, v: str, role: str) -> str:
        key = node_id(k, i)
        if key not in nodes:
            summary = registry.lookup(k, i)
            nodes[key] = {
                "id": key,
                "kind": k,
                "component_id": i,
                "version": v,
                "label": summary.name if summary else i,
                "type": summary.type if summary else None,
                "role": role,
            }
        return key

    start = add(kind, id, root.version, "root")
    queue = [(kind, id, root.version, start)]
    seen = set()
    while queue:
        k, i, v, key = queue.pop()
        if (k, i, v) in seen:
            continue
        seen.add((k, i, v))
        for dep in registry.dependencies(k, i, v):
            child = add(dep.kind, dep.id, dep.version, "uses")
            edges.append({"source": key, "target": child})
            queue.append((dep.kind, dep.id, dep.version, child))
    for user, _used_version in registry.dependents(kind, id):
        latest = registry.lookup(user.kind, user.id)
        if latest is None or latest.version != user.version:
            continue
        key = add(user.kind, user.id, user.version, "used_by")
        edges.append({"source": key, "target": start})
    unique = {(e["source"], e["target"]): e for e in edges}
    return {"nodes": list(nodes.values()), "edges": list(unique.values())}


def where_used(registry, kind: str, id: str) -> list[dict[str, Any]]:
    """Latest versions of components that use this one, with the version they use."""
    kind = normalize_kind(kind)
    out = []
    for user, used in registry.dependents(kind, id):
        latest = registry.lookup(user.kind, user.id)
        out.append(
            {
                "kind": user.kind,
                "id": user.id,
                "version": user.version,
                "uses_version": used,
                "latest": latest is not None and latest.version == user.version,
                "name": latest.name if latest else user.id,
            }
        )
    return out
