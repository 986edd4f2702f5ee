"""The dsgrid-viewer Dash application.

`create_app()` builds a fresh app each call; nothing is created at import time, so tests can make
one app per registry and `import app` stays cheap. The registry folder an app shows is stored in
`app.server.config["DSGRID_REGISTRY"]`; pages and the HTTP API open it per request through
`app.state.registry()`.

Serving: `dsgrid --registry PATH serve` on one machine; behind gunicorn,
`DSGRID_REGISTRY=PATH gunicorn app:server` (the server is created on first access).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import dash

__all__ = ["create_app"]

REGISTRY_CONFIG_KEY = "DSGRID_REGISTRY"
REGISTRY_ENV_VAR = "DSGRID_REGISTRY"

_PACKAGE_DIR = Path(__file__).resolve().parent
# Static files live inside the package (app/assets/) rather than in a top-level assets/ folder:
# package data is installed by a non-editable `pip install .` too, so this one absolute path is
# right for a checkout, a wheel and gunicorn alike. See assets/README.md.
ASSETS_DIR = _PACKAGE_DIR / "assets"
PAGES_DIR = _PACKAGE_DIR / "pages"


def create_app(registry_path: str | os.PathLike[str] | None = None, **settings: Any) -> dash.Dash:
    """Build the viewer for the registry folder `registry_path` (default: env DSGRID_REGISTRY).

    ``settings``: ``host`` (where `dsgrid serve` listens; writes need the access token unless
    it is loopback), ``read_only``, ``api_token``, ``cache_dir``, ``cache_redis_url``;
    ``api_url`` (with no registry path: show the registry of that dsgrid-viewer server through
    its /api/v1) and ``api_url_token`` (that server's access token, for queries)."""
    # Heavy imports stay here so that `dsgrid --help` and `import app.ids` stay fast.
    import dash  # late: dash (keeps import app cheap)
    import flask  # late: flask (keeps import app cheap)

    from app import not_found, security, state  # late: keeps import app cheap
    from app.api import api_blueprint  # late: keeps import app cheap
    from app.components import component_page  # late: keeps import app cheap
    from app.layout import shell  # late: keeps import app cheap
    from dsgrid_core.service.workers import runs_in_workers  # late: keeps import app cheap

    runs_in_workers()  # a misspelt DSGRID_JOB_RUNNER stops the server here, not a job later
    api_url = settings.get("api_url")
    if registry_path is None and not api_url:
        from dsgrid_core.settings import get as setting  # late: keeps import app cheap

        registry_path = setting(REGISTRY_ENV_VAR)
        if not registry_path:  # gunicorn on a remote registry: DSGRID_API_URL
            api_url = setting("DSGRID_API_URL")
            settings.setdefault("api_url_token", setting("DSGRID_API_URL_TOKEN"))
    if api_url:
        from dsgrid_core.service.remote_viewer import RemoteViewer  # late: keeps import app cheap

        RemoteViewer(api_url)  # a malformed URL stops the server here (InputError)

    # Our own Flask server: pages rely on flask.current_app, whatever Dash's default backend is.
    server = flask.Flask(__name__, static_folder=None)
    server.config[REGISTRY_CONFIG_KEY] = os.fspath(registry_path) if registry_path else None
    server.config[state.API_URL_KEY] = api_url
    server.config[state.API_URL_TOKEN_KEY] = settings.get("api_url_token")
    state.configure(server, settings)
    security.configure(server, settings)
    server.register_blueprint(api_blueprint, url_prefix="/api/v1")

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(ASSETS_DIR),
        # Bootstrap is served from assets/: no CDN is reachable offline.
        external_stylesheets=[],
        suppress_callback_exceptions=True,
        title="dsgrid-viewer",
    )
    app.layout = shell
    component_page.register_callbacks(app)
    security.content_security_policy(app)
    not_found.configure(server)
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    return app


def __getattr__(name: str) -> Any:
    # `gunicorn app:server` (the entry point named in the viewer issue) without building an app
    # when the package is merely imported: the server is made on first access, then kept.
    if name == "server":
        server = create_app().server
        globals()["server"] = server
        return server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
