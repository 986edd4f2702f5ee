"""Engines that run a query plan: DuckDB (embedded default) and Spark (local, cluster, Connect).

``ENGINES`` names each engine's class as "module:Class"; a module is imported only when its
engine is created (DuckDB and pyspark stay unloaded until a query runs on them), so another
engine is one more entry and an ``Engine`` subclass (dsgrid_core.engine.base).
"""

from __future__ import annotations

from importlib import import_module

from dsgrid_core.engine.base import Engine
from dsgrid_core.errors import InputError
from dsgrid_core.settings import get as setting

ENGINES: dict[str, str] = {
    "duckdb": "dsgrid_core.engine.duckdb_engine:DuckDBEngine",
    "spark": "dsgrid_core.engine.spark_engine:SparkEngine",
}


def engine_class(name: str) -> type[Engine]:
    """The class of an engine named in ``ENGINES``, its module imported on first use."""
    try:
        target = ENGINES[name]
    except KeyError:
        raise InputError(f"unknown engine '{name}'; use one of {', '.join(ENGINES)}.") from None
    module, _, attribute = target.partition(":")
    return getattr(import_module(module), attribute)


def create_engine(name: str | None = None, **options) -> Engine:
    """An engine by name (default from DSGRID_ENGINE, else duckdb)."""
    name = (name or setting("DSGRID_ENGINE") or "duckdb").lower()
    return engine_class(name)(**options)
