"""SQLite store: the embedded default. One database file, WAL, writes in BEGIN IMMEDIATE."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dsgrid_core.registry.store import (
    SEARCH_COMPONENT_KEYS,
    SEARCH_RECORD_KEYS,
    ComponentSummary,
    Dependency,
    VersionRecord,
)
from dsgrid_core.sqlrows import from_row

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS components (
    kind TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, type TEXT,
    latest_version TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
    registered_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS versions (
    kind TEXT NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL, config TEXT NOT NULL,
    log_message TEXT NOT NULL, submitter TEXT NOT NULL, registered_at TEXT NOT NULL,
    row_count INTEGER, data_path TEXT, size_bytes INTEGER, sha256 TEXT, extra TEXT,
    PRIMARY KEY (kind, id, version),
    FOREIGN KEY (kind, id) REFERENCES components (kind, id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS dependencies (
    kind TEXT NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL,
    dep_kind TEXT NOT NULL, dep_id TEXT NOT NULL, dep_version TEXT NOT NULL,
    PRIMARY KEY (kind, id, version, dep_kind, dep_id, dep_version)
);
CREATE INDEX IF NOT EXISTS dependencies_reverse ON dependencies (dep_kind, dep_id);
CREATE TABLE IF NOT EXISTS dimension_records (
    dimension_id TEXT NOT NULL, version TEXT NOT NULL, position INTEGER NOT NULL,
    record_id TEXT NOT NULL, name TEXT, data TEXT NOT NULL,
    PRIMARY KEY (dimension_id, version, record_id)
);
CREATE TABLE IF NOT EXISTS mapping_records (
    mapping_id TEXT NOT NULL, version TEXT NOT NULL, position INTEGER NOT NULL,
    from_id TEXT NOT NULL, to_id TEXT, from_fraction REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS mapping_records_key ON mapping_records (mapping_id, version);
"""


class SqliteStore:
    """Metadata in ``<registry>/registry.db``."""

    def __init__(self, db_path: Path, *, read_only: bool = False, timeout: float = 30.0):
        self.db_path = Path(db_path)
        self.read_only = read_only
        if read_only:
            uri = f"file:{self.db_path}?mode=ro"
            self.con = sqlite3.connect(
                uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        else:
            self.con = sqlite3.connect(
                self.db_path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("PRAGMA synchronous=NORMAL")
        self.con.execute("PRAGMA foreign_keys=ON")
        self.con.row_factory = sqlite3.Row
        self._depth = 0

    @classmethod
    def create(cls, db_path: Path) -> SqliteStore:
        store = cls(db_path)
        store.con.executescript(SCHEMA)
        store.con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        return store

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction that takes the write lock up front; nested calls join it."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        for attempt in range(8):
            try:
                self.con.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 7:
                    raise
                time.sleep(0.05 * 2**attempt)
        self._depth = 1
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")
        finally:
            self._depth = 0

    # --- meta: the schema version, and a data root other than <folder>/data ---------------

    def get_meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- components --------------------------------------------------------------------

    @staticmethod
    def _summary(row: sqlite3.Row) -> ComponentSummary:
        return from_row(ComponentSummary, row, renamed={"version": "latest_version"})

    def add_component(self, summary: ComponentSummary) -> None:
        self.con.execute(
            "INSERT INTO components VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                summary.kind,
                summary.id,
                summary.name,
                summary.type,
                summary.version,
                summary.description,
                summary.registered_at,
                summary.updated_at,
            ),
        )

    def set_latest(self, kind, id, version, name, description, updated_at) -> None:
        self.con.execute(
            "UPDATE components SET latest_version = ?, name = ?, description = ?, updated_at = ?"
            " WHERE kind = ? AND id = ?",
            (version, name, description, updated_at, kind, id),
        )

    def get_component(self, kind: str, id: str) -> ComponentSummary | None:
        row = self.con.execute(
            "SELECT * FROM components WHERE kind = ? AND id = ?", (kind, id)
        ).fetchone()
        return self._summary(row) if row else None

    def list_components(self, kind=None, type=None, name=None, text=None):
        clauses, params = [], []
        for column, value in (("kind", kind), ("type", type)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if name:
            clauses.append("name LIKE ? ESCAPE '\\'")
            params.append("%" + _escape_like(name) + "%")
        if text:
            clauses.append(
                "(id LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' "
                "OR description LIKE ? ESCAPE '\\')"
            )
            params += ["%" + _escape_like(text) + "%"] * 3
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.con.execute(
            f"SELECT * FROM components {where} ORDER BY kind, id",  # noqa: S608
            params,
        ).fetchall()
        return [self._summary(r) for r in rows]

    def remove_component(self, kind: str, id: str) -> None:
        versions = [
            r[0]
            for r in self.con.execute(
                "SELECT version FROM versions WHERE kind = ? AND id = ?", (kind, id)
            )
        ]
        self.con.execute("DELETE FROM dependencies WHERE kind = ? AND id = ?", (kind, id))
        if kind == "dimension":
            self.con.execute("DELETE FROM dimension_records WHERE dimension_id = ?", (id,))
        if kind == "dimension_mapping":
            self.con.execute("DELETE FROM mapping_records WHERE mapping_id = ?", (id,))
        self.con.execute("DELETE FROM versions WHERE kind = ? AND id = ?", (kind, id))
        self.con.execute("DELETE FROM components WHERE kind = ? AND id = ?", (kind, id))
        del versions

    # --- versions ----------------------------------------------------------------------

    def add_version(self, record: VersionRecord) -> None:
        self.con.execute(
            "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.kind,
                record.id,
                record.version,
                json.dumps(record.config),
                record.log_message,
                record.submitter,
                record.registered_at,
                record.row_count,
                record.data_path,
                record.size_bytes,
                record.sha256,
                json.dumps(record.extra),
            ),
        )

    @staticmethod
    def _version(row: sqlite3.Row) -> VersionRecord:
        return from_row(VersionRecord, row, json_columns={"config": {}, "extra": {}})

    def get_version(self, kind: str, id: str, version: str) -> VersionRecord | None:
        row = self.con.execute(
            "SELECT * FROM versions WHERE kind = ? AND id = ? AND version = ?", (kind, id, version)
        ).fetchone()
        return self._version(row) if row else None

    def history(self, kind: str, id: str) -> list[VersionRecord]:
        rows = self.con.execute(
            "SELECT * FROM versions WHERE kind = ? AND id = ?", (kind, id)
        ).fetchall()
        records = [self._version(r) for r in rows]
        return sorted(records, key=lambda r: tuple(int(p) for p in r.version.split(".")))

    def iter_versions(self) -> Iterator[VersionRecord]:
        for row in self.con.execute("SELECT * FROM versions ORDER BY kind, id"):
            yield self._version(row)

    # --- dependencies ------------------------------------------------------------------

    def add_dependencies(self, kind, id, version, deps: list[Dependency]) -> None:
        self.con.executemany(
            "INSERT OR IGNORE INTO dependencies VALUES (?, ?, ?, ?, ?, ?)",
            [(kind, id, version, d.kind, d.id, d.version) for d in deps],
        )

    def dependencies(self, kind, id, version) -> list[Dependency]:
        rows = self.con.execute(
            "SELECT dep_kind, dep_id, dep_version FROM dependencies "
            "WHERE kind = ? AND id = ? AND version = ? ORDER BY dep_kind, dep_id",
            (kind, id, version),
        ).fetchall()
        return [Dependency(*r) for r in rows]

    def dependents(self, kind, id) -> list[tuple[Dependency, str]]:
        """Every (component version that uses it, which of its versions it uses)."""
        rows = self.con.execute(
            "SELECT kind, id, version, dep_version FROM dependencies "
            "WHERE dep_kind = ? AND dep_id = ? ORDER BY kind, id, version",
            (kind, id),
        ).fetchall()
        return [(Dependency(r[0], r[1], r[2]), r[3]) for r in rows]

    # --- records -----------------------------------------------------------------------

    def put_dimension_records(self, id, version, records) -> None:
        self.con.executemany(
            "INSERT INTO dimension_records VALUES (?, ?, ?, ?, ?, ?)",
            [
                (id, version, i, r["id"], r.get("name"), json.dumps(r))
                for i, r in enumerate(records)
            ],
        )

    def dimension_records(self, id, version) -> list[dict[str, Any]]:
        rows = self.con.execute(
            "SELECT data FROM dimension_records WHERE dimension_id = ? AND version = ? "
            "ORDER BY position",
            (id, version),
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def put_mapping_records(self, id, version, records) -> None:
        self.con.executemany(
            "INSERT INTO mapping_records VALUES (?, ?, ?, ?, ?, ?)",
            [(id, version, i, f, t, x) for i, (f, t, x) in enumerate(records)],
        )

    def mapping_records(self, id, version):
        rows = self.con.execute(
            "SELECT from_id, to_id, from_fraction FROM mapping_records "
            "WHERE mapping_id = ? AND version = ? ORDER BY position",
            (id, version),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    # --- questions about the whole store ------------------------------------------------

    def state_token(self) -> str:
        versions = self.con.execute(
            "SELECT count(*), coalesce(max(registered_at), '') FROM versions"
        ).fetchone()
        components = self.con.execute(
            "SELECT count(*), coalesce(max(updated_at), '') FROM components"
        ).fetchone()
        return f"{versions[0]}:{versions[1]}:{components[0]}:{components[1]}"

    def counts_by_kind(self) -> dict[str, int]:
        return dict(self.con.execute("SELECT kind, count(*) FROM components GROUP BY kind"))

    def latest_registrations(self, limit: int) -> list[dict[str, Any]]:
        rows = self.con.execute(
            "SELECT v.kind, v.id, v.version, v.registered_at, v.log_message, v.submitter, "
            "c.name FROM versions v JOIN components c ON c.kind = v.kind AND c.id = v.id "
            "ORDER BY v.registered_at DESC, v.rowid DESC LIMIT ?",
            (limit,),
        ).fetchall()
        keys = ("kind", "id", "version", "registered_at", "log_message", "submitter", "name")
        return [dict(zip(keys, tuple(r), strict=True)) for r in rows]

    def search(self, text: str, limit: int, needles: list[str] | None = None):
        # every needle (lowercase; default: the text) is inside the row's id, name or
        # description; the needles are bound as one JSON list, so the SQL text is constant
        # (the columns are qualified: json_each has an id, a key and a type of its own)
        bound = json.dumps(needles if needles is not None else [text.lower()])
        components = self.con.execute(
            "SELECT c.kind, c.id, c.name, c.type, c.latest_version, c.description "
            "FROM components c WHERE NOT EXISTS (SELECT 1 FROM json_each(?1) n "
            "WHERE instr(lower(c.id), n.value) = 0 AND instr(lower(c.name), n.value) = 0 "
            "AND instr(lower(coalesce(c.description, '')), n.value) = 0) "
            "ORDER BY (lower(c.id) = lower(?2) OR lower(c.name) = lower(?2)) DESC, "
            "NOT EXISTS (SELECT 1 FROM json_each(?1) n "
            "WHERE instr(lower(c.id), n.value) = 0 AND instr(lower(c.name), n.value) = 0) DESC, "
            "c.kind, c.id LIMIT ?3",
            (bound, text, limit),
        ).fetchall()
        records = self.con.execute(
            "SELECT r.dimension_id, r.version, r.record_id, r.name, c.name, c.type "
            "FROM dimension_records r JOIN components c "
            "ON c.kind = 'dimension' AND c.id = r.dimension_id AND c.latest_version = r.version "
            "WHERE NOT EXISTS (SELECT 1 FROM json_each(?1) n "
            "WHERE instr(lower(r.record_id), n.value) = 0 "
            "AND instr(lower(coalesce(r.name, '')), n.value) = 0) "
            "ORDER BY (lower(r.record_id) = lower(?2) OR lower(r.name) = lower(?2)) DESC, "
            "r.dimension_id, r.position LIMIT ?3",
            (bound, text, limit),
        ).fetchall()
        return (
            [dict(zip(SEARCH_COMPONENT_KEYS, tuple(r), strict=True)) for r in components],
            [dict(zip(SEARCH_RECORD_KEYS, tuple(r), strict=True)) for r in records],
        )

    def all_dependencies(self) -> list[tuple[Dependency, Dependency]]:
        return [
            (Dependency(r[0], r[1], r[2]), Dependency(r[3], r[4], r[5]))
            for r in self.con.execute(
                "SELECT kind, id, version, dep_kind, dep_id, dep_version FROM dependencies"
            )
        ]

    def record_count(self, dimension_id: str, version: str) -> int:
        return self.con.execute(
            "SELECT count(*) FROM dimension_records WHERE dimension_id = ? AND version = ?",
            (dimension_id, version),
        ).fetchone()[0]

    def integrity_problems(self) -> list[str]:
        problems = [r[0] for r in self.con.execute("PRAGMA integrity_check").fetchall()]
        problems = [] if problems == ["ok"] else problems[:20]
        for row in self.con.execute("PRAGMA foreign_key_check").fetchall()[:20]:
            problems.append(f"row {row[1]} of {row[0]} points to a missing {row[2]}")
        return problems


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
