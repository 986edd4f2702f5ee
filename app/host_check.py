"""Answer only requests that name this server in their Host header (DNS rebinding).

A web page on evil.example can make its own name resolve to 127.0.0.1 and then talk to a
viewer on loopback as "its own" site: the browser sends ``Host: evil.example`` and a
matching Origin, so the same-origin check passes and the loopback server (which needs no
token) would answer and write. The server therefore answers only the names it is known by:

* loopback: ``127.0.0.1``, ``localhost``, ``[::1]``, any port;
* the address given to `dsgrid serve --host` (and, for a wildcard such as 0.0.0.0, the
  machine's own host name and addresses);
* the names of DSGRID_ALLOWED_HOSTS (comma-separated; ``.example.org`` also takes its
  subdomains; ``*`` takes any name, for a proxy that checks Host itself).

Behind gunicorn the app does not know where it listens: only loopback and the configured
names are answered. Any other Host gets 400 with the JSON error envelope, reads included.
"""

from __future__ import annotations

import socket
from typing import Any

import flask

from app.envelope import error_response
from dsgrid_core.settings import get as setting

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")  # noqa: S104 - names of a wildcard bind
CONFIG_KEY = "DSGRID_ALLOWED_HOSTS"


def configure(server: flask.Flask, settings: dict[str, Any]) -> None:
    server.config[CONFIG_KEY] = allowed_hosts(settings.get("host"))
    server.before_request(_known_host_only)


def allowed_hosts(bound: str | None) -> frozenset[str]:
    """The host names (lower case, no port) this server answers; ``*`` means any."""
    names = set(LOOPBACK_NAMES)
    configured = setting("DSGRID_ALLOWED_HOSTS") or ""
    names |= {n for n in (_normal(part) for part in configured.split(",")) if n}
    if bound is not None:
        if bound.strip() in WILDCARD_ADDRESSES:
            names |= _this_machine()
        else:
            names.add(_normal(bound))
    return frozenset(names)


def _this_machine() -> set[str]:
    """A server on every interface is reached by the machine's name or one of its addresses."""
    names = {socket.gethostname(), socket.getfqdn()}
    try:
        names |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    except OSError:
        pass  # no resolvable name: the operator lists the names in DSGRID_ALLOWED_HOSTS
    return {_normal(n) for n in names if n}


def _normal(name: str) -> str:
    name = name.strip().lower().rstrip(".")
    return name[1:-1] if name.startswith("[") and name.endswith("]") else name


def host_name(header: str) -> str | None:
    """The name in a Host header without its port; None when the header is malformed."""
    header = header.strip().lower()
    if header.startswith("["):  # [::1]:8050
        end = header.find("]")
        if end < 0:
            return None
        name, rest = header[1:end], header[end + 1 :]
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return None
        return name
    name, colon, port = header.rpartition(":")
    if not colon:
        name = port
    elif not port.isdigit():
        return None
    if not name or any(c in name for c in "/\\@ ?#[]"):
        return None
    return name.rstrip(".")


def is_allowed(name: str | None, allowed: frozenset[str]) -> bool:
    if name is None:
        return False
    if "*" in allowed or name in allowed:
        return True
    return any(a.startswith(".") and (name == a[1:] or name.endswith(a)) for a in allowed)


def _known_host_only():
    header = flask.request.environ.get("HTTP_HOST")
    if header is None:
        return None  # HTTP/1.0 without Host: not a browser, so not a rebinding attack
    allowed = flask.current_app.config.get(CONFIG_KEY, frozenset(LOOPBACK_NAMES))
    if is_allowed(host_name(header), allowed):
        return None
    return error_response(
        400,
        "UnknownHost",
        f"this server does not answer to the name {header[:200]!r}. Use the address it was "
        "started on, or add the name to DSGRID_ALLOWED_HOSTS.",
    )
