"""A registry at a glance: counts, latest registrations, storage, and search across it."""

from __future__ import annotations

from typing import Any

from dsgrid_core.browse import text_match
from dsgrid_core.data.storage import folder_size
from dsgrid_core.registry.store import KINDS

# at most this many candidate components and records are matched per search
SEARCH_CANDIDATES = 20_000


def registry_state(registry) -> str:
    """Changes whenever anything is registered, updated or removed (cache validation)."""
    return registry.state_token()


def registry_summary(registry, *, latest: int = 10) -> dict[str, Any]:
    counts = {k: 0 for k in KINDS}
    counts.update(registry.counts_by_kind())
    db = registry.path / "registry.db"
    storage = {
        "database_bytes": sum(
            p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file()
        ),
        "data_bytes": registry.data.size_of(),
        "cache_bytes": folder_size(registry.path / "cache"),
    }
    storage["total_bytes"] = sum(storage.values())
    return {
        "path": str(registry.path),
        "counts": counts,
        "latest": registry.latest_registrations(latest),
        "storage": storage,
        "state": registry_state(registry),
    }


def search(registry, text: str, *, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
    """Components whose id, name or description, and dimension records (of latest versions,
    with the dimensions holding them) whose id or name match every word of ``text`` as a
    word, a word form or a prefix (dsgrid_core.browse.text_match), best matches first, at
    most ``limit`` of each; each hit says why in ``matched``."""
    query = text_match.parse(text)
    if query is None:
        return {"components": [], "records": []}
    # the registry hands over candidates holding every word's stem; the matching picks and
    # ranks them (so the candidates are more than the limit)
    cap = max(limit, SEARCH_CANDIDATES)
    components, records = registry.search(query.text, cap, query.needles)
    return {
        "components": text_match.rank_components(query, components, limit),
        "records": text_match.rank_records(query, records, limit),
    }


# the columns of a search as a file: which group a hit is in, the fields of both groups, why
SEARCH_COLUMNS = [
    "hit",
    "kind",
    "id",
    "name",
    "type",
    "version",
    "description",
    "dimension_id",
    "dimension_name",
    "record_id",
    "record_name",
    "why",
]


def search_rows(found: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The hits of a ``search`` answer as the rows of one file: components, then records, in
    the answer's order, each with ``hit`` (component or record) and ``why`` (its ``matched``
    in words, as the search page shows it)."""
    rows = []
    for group, hits in (("component", found["components"]), ("record", found["records"])):
        for hit in hits:
            why = text_match.explain(hit.get("matched") or [])
            rows.append({"hit": group, **hit, "why": why})
    return rows
