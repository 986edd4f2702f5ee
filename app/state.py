"""What a request needs from the server: the registry (opened read-only, once per request) and
the read cache (flask-caching), which forgets everything when the registry changes.

Cache: FileSystemCache in a private folder of this user, ``webcache-<hash of the registry
path>`` under ``~/.cache/dsgrid-viewer`` by default (DSGRID_CACHE_DIR or the ``cache_dir``
setting to choose another), Redis when DSGRID_CACHE_REDIS_URL is set (several gunicorn workers
then share it). Every cached answer is keyed on the registry's state, and the cache is cleared
the first time a request sees a new state.

The file cache unpickles its files on every request, so whoever can write its folder can run
code as the server: the folder is made, or accepted, only when no other user can write it
(`dsgrid_core.private_dirs`), and the server refuses to start otherwise.
"""

from __future__ import annotations

import hashlib
from typing import Any

import flask

from dsgrid_core.errors import InputError
from dsgrid_core.private_dirs import ensure_private_dir, private_subdir
from dsgrid_core.service import open_registry
from dsgrid_core.service.local_viewer import LocalViewer
from dsgrid_core.service.remote_viewer import RemoteViewer
from dsgrid_core.settings import get as setting

REGISTRY_KEY = "DSGRID_REGISTRY"
API_URL_KEY = "DSGRID_API_URL"  # a remote server whose /api/v1 the pages read
API_URL_TOKEN_KEY = "DSGRID_API_URL_TOKEN"  # noqa: S105 (a config key: the token is its value)
STATE_KEY = "dsgrid:registry-state"
DEFAULT_TIMEOUT = 3600


class NoRegistry(Exception):
    """The server was started without a registry folder, or the folder holds none."""


def cache_config(registry: str | None, settings: dict[str, Any]) -> dict[str, Any]:
    """flask-caching's config; makes the file cache's private folder (PrivateFolderError, an
    InputError, when the folder can be written by another user)."""
    redis_url = settings.get("cache_redis_url") or setting("DSGRID_CACHE_REDIS_URL")
    if redis_url:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "dsgrid:",
            "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT,
        }
    if settings.get("cache_dir"):
        folder = ensure_private_dir(settings["cache_dir"], setting="the cache_dir setting")
    elif setting("DSGRID_CACHE_DIR"):
        folder = ensure_private_dir(setting("DSGRID_CACHE_DIR"), setting="DSGRID_CACHE_DIR")
    else:
        tag = hashlib.sha256(str(registry).encode()).hexdigest()[:12]
        folder = private_subdir(f"webcache-{tag}", setting="DSGRID_CACHE_DIR")
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": str(folder),
        "CACHE_THRESHOLD": 2000,
        "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT,
    }


def configure(server: flask.Flask, settings: dict[str, Any]) -> None:
    from flask_caching import Cache  # late: flask_caching

    source = server.config.get(REGISTRY_KEY) or server.config.get(API_URL_KEY)
    Cache(server, config=cache_config(source, settings))
    server.teardown_appcontext(_close_registry)


def registry():
    """The registry of this server, opened read-only for the current request (NoRegistry when
    the server shows a remote API's registry, or none)."""
    if "dsgrid_registry" not in flask.g:
        path = flask.current_app.config.get(REGISTRY_KEY)
        if not path:
            if flask.current_app.config.get(API_URL_KEY):
                raise NoRegistry(
                    "this viewer shows the registry of "
                    f"{flask.current_app.config[API_URL_KEY]}; changes are made on that server."
                )
            raise NoRegistry("no registry is open: start the viewer with --registry PATH.")
        try:
            flask.g.dsgrid_registry = open_registry(path, read_only=True)
        except InputError as exc:
            raise NoRegistry(str(exc)) from None
    return flask.g.dsgrid_registry


def registry_path() -> str | None:
    return flask.current_app.config.get(REGISTRY_KEY)


def is_remote() -> bool:
    """Whether this server shows another server's registry through its API."""
    return bool(flask.current_app.config.get(API_URL_KEY))


def _close_registry(_exc=None) -> None:
    reg = flask.g.pop("dsgrid_registry", None)
    if reg is not None:
        reg.close()


def _cache():
    return next(iter(flask.current_app.extensions["cache"].values()))


def _source():
    """The request's viewer: over the remote API when the server was started with one, else
    over the registry folder."""
    if "dsgrid_viewer" not in flask.g:
        config = flask.current_app.config
        if config.get(API_URL_KEY):
            flask.g.dsgrid_viewer = RemoteViewer(
                config[API_URL_KEY], token=config.get(API_URL_TOKEN_KEY)
            )
        else:
            flask.g.dsgrid_viewer = LocalViewer(registry())
    return flask.g.dsgrid_viewer


def current_state() -> str:
    """The registry's state, asked once per request; a change clears the cache."""
    if "dsgrid_state" not in flask.g:
        current = _source().state()
        cache = _cache()
        if cache.get(STATE_KEY) != current:
            cache.clear()
            cache.set(STATE_KEY, current, timeout=0)
        flask.g.dsgrid_state = current
    return flask.g.dsgrid_state


# Answers that change only when the registry does: kept in the read cache, keyed on its state.
CACHED = frozenset(
    {
        "summary",
        "search",
        "components",
        "facets",
        "catalog",
        "component",
        "versions",
        "version_diff",
        "dependency_graph",
        "where_used",
        "records_page",
        "records",
        "mapping_records_page",
        "mapping_rows",
        "fraction_check",
        "mapping_flows",
        "dataset_facts",
        "preview",
        "coverage",
        "load_profile",
        "project_overview",
        "project_coverage",
        "query_choices",
        "query_records",
    }
)


class _CachedViewer:
    """The request's viewer, its registry answers kept in the read cache (jobs and results
    are asked each time)."""

    def __init__(self, source) -> None:
        self._source = source

    def __getattr__(self, name: str):
        method = getattr(self._source, name)
        if name not in CACHED:
            return method

        def answer(*args: Any, **kwargs: Any) -> Any:
            state = current_state()
            raw = f"{name}|{args!r}|{sorted(kwargs.items())!r}"
            key = "dsgrid:" + hashlib.sha256(f"{state}|{raw}".encode()).hexdigest()
            cache = _cache()
            value = cache.get(key)
            if value is None:
                value = method(*args, **kwargs)
                cache.set(key, value)
            return value

        return answer


def viewer():
    """What the pages and the API's routes ask: a `dsgrid_core.service.viewer.Viewer` (local
    or remote), answered from the read cache while the registry has not changed."""
    return _CachedViewer(_source())


def label() -> str | None:
    """What the pages call the registry they show: its folder, or the API server's URL."""
    config = flask.current_app.config
    return config.get(API_URL_KEY) or config.get(REGISTRY_KEY)
