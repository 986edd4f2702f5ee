"""DuckDB connections configured the same way everywhere (UTC session, bounded resources)."""

from __future__ import annotations

from dsgrid_core.settings import get as setting


class _Result:
    """A drained result: duckdb 2 refuses new work while a result is only partly fetched."""

    def __init__(self, rows: list[tuple]):
        self._rows = rows

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple]:
        return self._rows


class Connection:
    """A DuckDB connection whose ``execute`` always drains its result."""

    def __init__(self, con):
        self.raw = con

    def execute(self, sql: str, parameters=None) -> _Result:
        cursor = self.raw.execute(sql) if parameters is None else self.raw.execute(sql, parameters)
        try:
            rows = cursor.fetchall()
        except Exception:  # noqa: BLE001 - statements without a result set
            rows = []
        return _Result(rows)

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


def connect(
    database: str = ":memory:", *, threads: int | None = None, memory_limit: str | None = None
) -> Connection:
    import duckdb

    con = Connection(duckdb.connect(database))
    con.execute("SET TimeZone = 'UTC'")
    threads = threads or int(setting("DSGRID_DUCKDB_THREADS") or 0)
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    memory_limit = memory_limit or setting("DSGRID_DUCKDB_MEMORY_LIMIT")
    if memory_limit:
        from dsgrid_core.sql import lit

        con.execute(f"SET memory_limit = {lit(memory_limit)}")
    con.execute("SET preserve_insertion_order = false")
    return con
