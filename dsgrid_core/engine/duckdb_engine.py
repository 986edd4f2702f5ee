"""DuckDB: the embedded default engine."""

from __future__ import annotations

import os

from sqlglot import exp

from dsgrid_core.errors import InputError
from dsgrid_core.sql import ident, lit


class DuckDBEngine:
    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None):
        from dsgrid_core.data.duck import connect

        self.con = connect(
            threads=threads,
            memory_limit=memory_limit or os.environ.get("DSGRID_DUCKDB_MEMORY_LIMIT"),
        )
        self._paths: list[str] = []

    def register_parquet(self, name: str, path: str) -> None:
        self._paths.append(str(path))
        self.con.execute(
            f"CREATE OR REPLACE VIEW {ident(name)} AS SELECT * FROM "  # noqa: S608
            f"read_parquet({lit(str(path))})"
        )

    def register_arrow(self, name: str, table) -> None:
        self.con.raw.register(name, table)

    def lock_down(self) -> None:
        """Once the inputs are registered, SQL may read those files and nothing else."""
        from dsgrid_core.sql import lit

        if self._paths:
            self.con.execute("SET allowed_paths = [" + ", ".join(lit(p) for p in self._paths) + "]")
        self.con.execute("SET enable_external_access = false")

    def execute(self, sql: str):
        import duckdb

        try:
            return self.con.raw.sql(sql).to_arrow_table()
        except duckdb.InterruptException:
            raise QueryInterrupted(
                "the query was interrupted (cancelled or over its time limit)."
            ) from None
        except duckdb.OutOfMemoryException as exc:
            raise InputError(
                f"DuckDB ran out of memory ({str(exc).splitlines()[0]}). Raise "
                "DSGRID_DUCKDB_MEMORY_LIMIT, or aggregate more / filter in the "
                "query."
            ) from None
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


class QueryInterrupted(Exception):
    pass
