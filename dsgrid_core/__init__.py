"""dsgrid_core: registry, storage, validation and queries for dsgrid demand-side grid data.

Heavy libraries (pydantic, duckdb, pyarrow) are imported lazily so that the CLI starts fast.
Python users start from dsgrid_core.service (open_registry, run_query), as the CLI and the web
server do.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
