"""What a request needs from the server: the registry (opened read-only, once per request) and
the read cache (flask-caching), which forgets everything when the registry changes.

Cache: FileSystemCache in a folder of the temporary directory by default (DSGRID_CACHE_DIR to
choose another), Redis when DSGRID_CACHE_REDIS_URL is set (several gunicorn workers then share
it). Every cached answer is keyed on the registry's state, and the cache is cleared the first
time a request sees a new state.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from typing import Any

import flask

from dsgrid_core.settings import get as setting

REGISTRY_KEY = "DSGRID_REGISTRY"
STATE_KEY = "dsgrid:registry-state"
DEFAULT_TIMEOUT = 3600


class NoRegistry(Exception):
    """The server was started without a registry folder, or the folder holds none."""


def cache_config(registry: str | None, settings: dict[str, Any]) -> dict[str, Any]:
    redis_url = settings.get("cache_redis_url") or setting("DSGRID_CACHE_REDIS_URL")
    if redis_url:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "dsgrid:",
            "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT,
        }
    folder = settings.get("cache_dir") or setting("DSGRID_CACHE_DIR")
    if not folder:
        tag = hashlib.sha256(str(registry).encode()).hexdigest()[:12]
        folder = os.path.join(tempfile.gettempdir(), f"dsgrid-webcache-{tag}")
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": folder,
        "CACHE_THRESHOLD": 2000,
        "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT,
    }


def configure(server: flask.Flask, settings: dict[str, Any]) -> None:
    from flask_caching import Cache

    Cache(server, config=cache_config(server.config.get(REGISTRY_KEY), settings))
    server.teardown_appcontext(_close_registry)


def registry():
    """The registry of this server, opened read-only for the current request."""
    if "dsgrid_registry" not in flask.g:
        from dsgrid_core.errors import InputError
        from dsgrid_core.registry.registry import Registry

        path = flask.current_app.config.get(REGISTRY_KEY)
        if not path:
            raise NoRegistry("no registry is open: start the viewer with --registry PATH.")
        try:
            flask.g.dsgrid_registry = Registry(path, read_only=True)
        except InputError as exc:
            raise NoRegistry(str(exc)) from None
    return flask.g.dsgrid_registry


def registry_path() -> str | None:
    return flask.current_app.config.get(REGISTRY_KEY)


def _close_registry(_exc=None) -> None:
    reg = flask.g.pop("dsgrid_registry", None)
    if reg is not None:
        reg.close()


def _cache():
    return flask.current_app.extensions["cache"]


def current_state() -> str:
    """The registry's state, checked once per request; a change clears the cache."""
    if "dsgrid_state" not in flask.g:
        from dsgrid_core.browse.summary import registry_state

        current = registry_state(registry())
        cache = next(iter(_cache().values()))
        if cache.get(STATE_KEY) != current:
            cache.clear()
            cache.set(STATE_KEY, current, timeout=0)
        flask.g.dsgrid_state = current
    return flask.g.dsgrid_state


def cached(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(registry(), *args, **kwargs)``, answered from the cache when the registry has
    not changed since it was computed. Arguments must have stable reprs."""
    state = current_state()
    cache = next(iter(_cache().values()))
    raw = f"{function.__module__}.{function.__qualname__}|{args!r}|{sorted(kwargs.items())!r}"
    key = "dsgrid:" + hashlib.sha256(f"{state}|{raw}".encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = function(registry(), *args, **kwargs)
        cache.set(key, value)
    return value
