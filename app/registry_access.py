"""Read-only look-ups the viewer needs from a registry folder.

A stand-in until the pages call the dsgrid_core Registry: it reads the SQLite file directly,
read-only, so the web process can never change a registry.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

REGISTRY_DB_NAME = "registry.db"


def registry_db_path(registry: str | Path) -> Path:
    """The SQLite file of the registry folder `registry`."""
    return Path(registry) / REGISTRY_DB_NAME


def count_components_by_kind(registry: str | Path) -> dict[str, int] | None:
    """Rows of table `components` per `kind`, or None when the folder holds no registry.db.

    Raises sqlite3.Error when the file is not a registry (no such table, not a database).
    """
    db = registry_db_path(registry)
    if not db.is_file():
        return None
    # mode=ro: opening must never create or modify the file (as_uri percent-encodes ? and #).
    uri = f"{db.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        rows = conn.execute(
            "SELECT kind, COUNT(*) FROM components GROUP BY kind ORDER BY kind"
        ).fetchall()
    return {str(kind): int(count) for kind, count in rows}
