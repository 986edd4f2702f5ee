"""Engines that run a query plan: DuckDB (embedded default) and Spark (local, cluster, Connect)."""

from __future__ import annotations

from dsgrid_core.engine.base import Engine
from dsgrid_core.settings import get as setting

ENGINES = ("duckdb", "spark")


def create_engine(name: str | None = None, **options) -> Engine:
    """An engine by name (default from DSGRID_ENGINE, else duckdb)."""
    name = (name or setting("DSGRID_ENGINE") or "duckdb").lower()
    if name == "duckdb":
        from dsgrid_core.engine.duckdb_engine import DuckDBEngine

        return DuckDBEngine(**options)
    if name == "spark":
        from dsgrid_core.engine.spark_engine import SparkEngine

        return SparkEngine(**options)
    from dsgrid_core.errors import InputError

    raise InputError(f"unknown engine '{name}'; use one of {', '.join(ENGINES)}.")
