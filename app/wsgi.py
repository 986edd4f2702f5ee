"""WSGI entry point for a team server: `DSGRID_REGISTRY=PATH gunicorn app.wsgi:server`.

`gunicorn app:server` serves the same object: the package builds it on first access of
`app.server`. Importing this module asks for it, so importing this module builds the app.
"""

from app import server

__all__ = ["server"]
