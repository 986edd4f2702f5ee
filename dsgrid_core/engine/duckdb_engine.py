"""DuckDB: the embedded default engine."""

from __future__ import annotations

from sqlglot import exp

from dsgrid_core.data.duck import connect, serving
from dsgrid_core.data.s3 import is_s3_url
from dsgrid_core.data.scan import table_sql
from dsgrid_core.engine.base import Engine, QueryInterrupted
from dsgrid_core.errors import InputError
from dsgrid_core.settings import get as setting
from dsgrid_core.sql import ident, lit

__all__ = ["DuckDBEngine", "QueryInterrupted"]  # QueryInterrupted: still importable from here


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = "duckdb"
    writes_parquet_itself = True
    can_lock_down = True

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None):
        # connect() bounds memory: DSGRID_DUCKDB_MEMORY_LIMIT, else the server's limit in the
        # web server and its jobs (see dsgrid_core.data.duck).
        self.con = connect(threads=threads, memory_limit=memory_limit)
        self._paths: list[str] = []

    def register_parquet(self, name: str, path: str) -> None:
        """A stored table (a local path, or an s3:// URL read through pyarrow) as a view."""
        if not is_s3_url(path):
            self._paths.append(str(path))  # lock_down allows these files and no others
        self.con.execute(
            f"CREATE OR REPLACE VIEW {ident(name)} AS SELECT * FROM {table_sql(self.con, path)}"  # noqa: S608
        )

    def register_rows(self, name: str, columns: list[tuple[str, str]], rows: list) -> None:
        types = {
            "string": "VARCHAR",
            "double": "DOUBLE",
            "instant": "TIMESTAMPTZ",
            "wallclock": "TIMESTAMP",
            "integer": "BIGINT",
        }
        spec = ", ".join(f"{ident(c)} {types[t]}" for c, t in columns)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(name)} ({spec})")
        if rows:
            # one statement for all rows: unnest one list parameter per column
            lists = [list(values) for values in zip(*rows, strict=True)]
            selects = ", ".join(
                f"unnest(${i + 1}::{types[t]}[])" for i, (_, t) in enumerate(columns)
            )
            self.con.execute(f"INSERT INTO {ident(name)} SELECT {selects}", lists)  # noqa: S608

    def lock_down(self, writable=()) -> None:
        """Once the inputs are registered, SQL may read those files, write into ``writable``
        folders, and touch nothing else."""
        self.con.lock_down(readable=self._paths, writable=writable)

    def register_result(self, name: str, path, sql: str) -> None:
        """The query's own result, already written, for reports to read."""
        self.con.execute(
            f"CREATE OR REPLACE VIEW {ident(name)} AS SELECT * FROM read_parquet({lit(str(path))})"  # noqa: S608
        )

    def copy_to_parquet(self, sql: str, path) -> int:
        """Write a result straight to Parquet (no Arrow round trip); returns its row count."""
        import duckdb  # late: duckdb

        try:
            rows = self.con.execute(
                f"COPY ({sql}) TO {lit(str(path))} (FORMAT parquet, COMPRESSION zstd)"
            ).fetchall()
        except duckdb.InterruptException:
            raise QueryInterrupted("the query was interrupted.") from None
        except duckdb.OutOfMemoryException as exc:
            raise _out_of_memory(exc) from None
        return int(rows[0][0]) if rows else 0

    def execute(self, sql: str):
        import duckdb  # late: duckdb

        try:
            return self.con.raw.sql(sql).to_arrow_table()
        except duckdb.InterruptException:
            raise QueryInterrupted(
                "the query was interrupted (cancelled or over its time limit)."
            ) from None
        except duckdb.OutOfMemoryException as exc:
            raise _out_of_memory(exc) from None
        except Exception as exc:
            if type(exc).__name__ == "InterruptException" or "INTERRUPT" in str(exc).upper():
                raise QueryInterrupted("the query was interrupted.") from None
            raise

    def interrupt(self) -> None:
        self.con.raw.interrupt()

    def close(self) -> None:
        self.con.raw.close()

    def local_time(self, expr: exp.Expression, time_zone: str) -> exp.Expression:
        return exp.Anonymous(this="timezone", expressions=[exp.Literal.string(time_zone), expr])


def _out_of_memory(exc: Exception) -> InputError:
    """What to do when a query hits its memory limit, naming the setting that set it."""
    where = (
        "DSGRID_DUCKDB_MEMORY_LIMIT (or, in the web server, DSGRID_SERVER_DUCKDB_MEMORY_LIMIT)"
        if serving() and not setting("DSGRID_DUCKDB_MEMORY_LIMIT")
        else "DSGRID_DUCKDB_MEMORY_LIMIT"
    )
    return InputError(
        f"DuckDB ran out of memory ({str(exc).splitlines()[0]}). Raise {where}, or aggregate "
        "more / filter in the query."
    )
