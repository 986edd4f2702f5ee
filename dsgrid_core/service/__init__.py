"""The application's one API for its front doors (the CLI, the web pages, the HTTP API, the job
worker) and for Python users: registries opened with everything their home folder holds,
queries run from a model, a dict or a file.

Layering: the service sits above registry, query, jobs and browse, and below the front doors;
nothing below it imports it (tests/unit/test_layering.py)."""

from dsgrid_core.service.housekeeping import HOME_AREAS, open_registry

__all__ = ["HOME_AREAS", "open_registry", "run_query"]


def __getattr__(name: str):
    if name == "run_query":
        from dsgrid_core.service.queries import (
            run_query,  # late: pydantic (the CLI often needs not)
        )

        return run_query
    raise AttributeError(name)
