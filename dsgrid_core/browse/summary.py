"""A registry at a glance: counts, latest registrations, storage, and search across it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dsgrid_core.registry.store import KINDS


def folder_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                continue
    return total


def registry_state(registry) -> str:
    """Changes whenever anything is registered, updated or removed (cache validation)."""
    row = registry.store.con.execute(
        "SELECT count(*), coalesce(max(registered_at), '') FROM versions"
    ).fetchone()
    components = registry.store.con.execute(
        "SELECT count(*), coalesce(max(updated_at), '') FROM components"
    ).fetchone()
    return f"{row[0]}:{row[1]}:{components[0]}:{components[1]}"


def registry_summary(registry, *, latest: int = 10) -> dict[str, Any]:
    counts = {k: 0 for k in KINDS}
    for kind, count in registry.store.con.execute(
        "SELECT kind, count(*) FROM components GROUP BY kind"
    ).fetchall():
        counts[kind] = count
    recent = registry.store.con.execute(
        "SELECT v.kind, v.id, v.version, v.registered_at, v.log_message, v.submitter, c.name "
        "FROM versions v JOIN components c ON c.kind = v.kind AND c.id = v.id "
        "ORDER BY v.registered_at DESC, v.kind, v.id, v.version DESC LIMIT ?",
        (latest,),
    ).fetchall()
    db = registry.path / "registry.db"
    storage = {
        "database_bytes": sum(
            p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file()
        ),
        "data_bytes": folder_size(registry.path / "data"),
        "cache_bytes": folder_size(registry.path / "cache"),
    }
    storage["total_bytes"] = sum(storage.values())
    return {
        "path": str(registry.path),
        "counts": counts,
        "latest": [
            {
                "kind": r[0],
                "id": r[1],
                "version": r[2],
                "registered_at": r[3],
                "log_message": r[4],
                "submitter": r[5],
                "name": r[6],
            }
            for r in recent
        ],
        "storage": storage,
        "state": registry_state(registry),
    }


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(registry, text: str, *, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
    """Components whose id, name or description contain ``text``, and dimension records
    whose id or name do (with the dimensions holding them), best matches first."""
    text = (text or "").strip()
    if not text:
        return {"components": [], "records": []}
    pattern = _like(text)
    components = registry.store.con.execute(
        "SELECT kind, id, name, type, latest_version, description FROM components "
        "WHERE id LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\' "
        "OR description LIKE ?1 ESCAPE '\\' "
        "ORDER BY (lower(id) = lower(?2) OR lower(name) = lower(?2)) DESC, "
        "(id LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\') DESC, kind, id LIMIT ?3",
        (pattern, text, limit),
    ).fetchall()
    records = registry.store.con.execute(
        "SELECT r.dimension_id, r.version, r.record_id, r.name, c.name, c.type "
        "FROM dimension_records r JOIN components c "
        "ON c.kind = 'dimension' AND c.id = r.dimension_id AND c.latest_version = r.version "
        "WHERE r.record_id LIKE ?1 ESCAPE '\\' OR r.name LIKE ?1 ESCAPE '\\' "
        "ORDER BY (lower(r.record_id) = lower(?2) OR lower(r.name) = lower(?2)) DESC, "
        "r.dimension_id, r.position LIMIT ?3",
        (pattern, text, limit),
    ).fetchall()
    return {
        "components": [
            {
                "kind": r[0],
                "id": r[1],
                "name": r[2],
                "type": r[3],
                "version": r[4],
                "description": r[5],
            }
            for r in components
        ],
        "records": [
            {
                "dimension_id": r[0],
                "version": r[1],
                "record_id": r[2],
                "record_name": r[3],
                "dimension_name": r[4],
                "type": r[5],
            }
            for r in records
        ],
    }
