"""DuckDB connections configured the same way everywhere (UTC session, bounded resources)."""

from __future__ import annotations

import os


def connect(database: str = ":memory:", *, threads: int | None = None,
            memory_limit: str | None = None):
    import duckdb

    con = duckdb.connect(database)
    con.execute("SET TimeZone = 'UTC'")
    threads = threads or int(os.environ.get("DSGRID_DUCKDB_THREADS", "0") or 0)
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    memory_limit = memory_limit or os.environ.get("DSGRID_DUCKDB_MEMORY_LIMIT")
    if memory_limit:
        from dsgrid_core.sql import lit

        con.execute(f"SET memory_limit = {lit(memory_limit)}")
    con.execute("SET preserve_insertion_order = false")
    return con
