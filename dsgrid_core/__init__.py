"""dsgrid_core: registry, storage, validation and queries for dsgrid demand-side grid data.

Heavy libraries (pydantic, duckdb, pyarrow) are imported lazily so that the CLI starts fast.
"""

__version__ = "0.1.0"

__all__ = ["Registry", "__version__"]


def __getattr__(name: str):
    if name == "Registry":
        from dsgrid_core.registry.registry import Registry

        return Registry
    raise AttributeError(name)
