"""A registry at a glance: counts, latest registrations, storage, and search across it."""

from __future__ import annotations

from typing import Any

from dsgrid_core.data.storage import folder_size
from dsgrid_core.registry.store import KINDS


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
    """Components whose id, name or description contain ``text``, and dimension records
    whose id or name do (with the dimensions holding them), best matches first."""
    text = (text or "").strip()
    if not text:
        return {"components": [], "records": []}
    components, records = registry.search(text, limit)
    return {"components": components, "records": records}
