"""Queries as Python users and the pages run them: from a model, a dict or a JSON5 file."""

from __future__ import annotations

from pathlib import Path

from dsgrid_core.query.run import QueryResult, load_query, parse_query
from dsgrid_core.query.run import run_query as run_model


def run_query(
    registry, query, *, engine: str | None = None, use_cache: bool = True, **options
) -> QueryResult:
    """Run a project or dataset query (a model, a dict, or a JSON5 path); returns a
    QueryResult whose ``table`` is a pyarrow.Table (``to_pandas()`` for pandas)."""
    if isinstance(query, str | Path):
        query = load_query(Path(query))
    elif isinstance(query, dict):
        query = parse_query(query)
    return run_model(
        registry, query, engine=engine, use_cache=use_cache, engine_options=options or None
    )
