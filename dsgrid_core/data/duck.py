"""DuckDB connections configured the same way everywhere (UTC session, bounded resources).

DuckDB takes 80% of the machine's memory by default. A command-line query may: it is the one
thing running. A web server may not: one worker's queries and page reads share the machine with
the other workers and their clients (six concurrent result pages took a server to 12.9 GB).
So a connection opened while serving (see ``serving``) is bounded by
DSGRID_SERVER_DUCKDB_MEMORY_LIMIT unless DSGRID_DUCKDB_MEMORY_LIMIT says otherwise, and page
reads use their own small connection (``page_connection``).

Every DuckDB connection of the application is opened here (``connect``, ``page_connection``):
each is in UTC with the memory limit and thread count the settings ask for, and may be confined
to the files it was given (``Connection.lock_down``, which the DuckDB engine applies once a
query's inputs are registered). A time limit is the job runner's: it interrupts the engine.
"""

from __future__ import annotations

import sys
import threading

from dsgrid_core.settings import get as setting

# Threads in which the web server (jobs.dispatch: dsgrid-query-<id>, dsgrid-register-<id>) and
# `dsgrid worker` (jobs.worker: dsgrid-job-<id>) run jobs.
JOB_THREAD_PREFIX = "dsgrid-"


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

    def lock_down(self, readable=(), writable=()) -> None:
        """From now on, SQL may read the ``readable`` files, write into the ``writable``
        folders, and touch nothing else (no other file, no network); it cannot be undone."""
        from dsgrid_core.sql import lit  # late: sqlglot

        if readable:
            self.execute("SET allowed_paths = [" + ", ".join(lit(str(p)) for p in readable) + "]")
        if writable:
            folders = ", ".join(lit(str(p).rstrip("/") + "/") for p in writable)
            self.execute(f"SET allowed_directories = [{folders}]")
        self.execute("SET enable_external_access = false")

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


def serving() -> bool:
    """Whether this code runs for the web server: inside a web request (API routes and Dash
    callbacks alike run in a Flask request context) or in a job thread of the server or of a
    `dsgrid worker`."""
    flask = sys.modules.get("flask")
    if flask is not None and flask.has_request_context():
        return True
    return threading.current_thread().name.startswith(JOB_THREAD_PREFIX)


def default_memory_limit() -> str | None:
    """DSGRID_DUCKDB_MEMORY_LIMIT when set; else, for the web server and its jobs,
    DSGRID_SERVER_DUCKDB_MEMORY_LIMIT; else none (DuckDB's own default)."""
    explicit = setting("DSGRID_DUCKDB_MEMORY_LIMIT")
    if explicit:
        return explicit
    return setting("DSGRID_SERVER_DUCKDB_MEMORY_LIMIT") if serving() else None


def connect(
    database: str = ":memory:",
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    preserve_order: bool = False,
) -> Connection:
    """A connection; ``preserve_order`` keeps rows in the order they are read when a statement
    has no ORDER BY (pages in file order), at some cost to memory for large results."""
    import duckdb  # late: duckdb

    con = Connection(duckdb.connect(database))
    con.execute("SET TimeZone = 'UTC'")
    threads = threads or int(setting("DSGRID_DUCKDB_THREADS") or 0)
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    memory_limit = memory_limit or default_memory_limit()
    if memory_limit:
        from dsgrid_core.sql import lit  # late: sqlglot

        con.execute(f"SET memory_limit = {lit(memory_limit)}")
    con.execute(f"SET preserve_insertion_order = {'true' if preserve_order else 'false'}")
    return con


def page_connection() -> Connection:
    """A small connection for reading one page of a table (filtered, sorted): bounded by
    DSGRID_PAGE_DUCKDB_MEMORY_LIMIT, whoever asks, so that many pages read at once stay within
    a known amount of memory; rows in file order unless the statement sorts them."""
    return connect(memory_limit=setting("DSGRID_PAGE_DUCKDB_MEMORY_LIMIT"), preserve_order=True)
