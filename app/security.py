"""Who may change what through the web server, and the checks on every request.

* ``read_only``: no form registers anything and every write route answers 403.
* Writes need the token of DSGRID_API_TOKEN whenever the server may be reached from another
  machine (`dsgrid serve --host` other than loopback, and gunicorn, whose address the app
  cannot know). The API takes it as ``Authorization: Bearer <token>``; the web forms ask for
  it once and keep the permission in the signed session cookie.
* Only requests naming this server in their Host header are answered (`app.host_check`):
  a page whose name was made to resolve to 127.0.0.1 (DNS rebinding) gets 400.
* Requests that change state (every POST, which includes Dash's callbacks) must come from a
  page of this server: a browser's Origin (or Referer) naming another site is refused (CSRF),
  and so is ``Origin: null`` (sandboxed frames, file: pages), which names no site at all.
* Request bodies above their limit (uploads for Dash callbacks, far less for the API's JSON)
  are refused with 413 before they are read (`app.request_limits`).
* Every answer carries a Content-Security-Policy: scripts only from this server and the inline
  scripts Dash itself writes (by hash), so markup that slipped into a page could not run.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import flask

from app import host_check, request_limits
from app.envelope import error_response
from dsgrid_core.settings import get as setting

if TYPE_CHECKING:
    import dash

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SESSION_KEY = "dsgrid_writer"
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


class WriteRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def configure(server: flask.Flask, settings: dict[str, Any]) -> None:
    host = settings.get("host")
    server.config["DSGRID_READ_ONLY"] = bool(settings.get("read_only", False))
    server.config["DSGRID_API_TOKEN"] = settings.get("api_token") or setting("DSGRID_API_TOKEN")
    # Only `dsgrid serve` on loopback says where it listens; anything else may be reachable.
    server.config["DSGRID_TOKEN_REQUIRED"] = host not in LOOPBACK
    server.config["SECRET_KEY"] = _secret_key(server.config["DSGRID_API_TOKEN"])
    server.config["SESSION_COOKIE_HTTPONLY"] = True
    server.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    host_check.configure(server, settings)  # first: nothing is answered to a foreign name
    server.before_request(_same_origin_only)
    request_limits.configure(server)  # after the origin check: no cross-site body is read
    server.after_request(_security_headers)


def _secret_key(token: str | None) -> str:
    """Signs the session cookie. Every worker of a team server must agree on it: from
    DSGRID_SECRET_KEY, else derived from the access token, else random (one process)."""
    if setting("DSGRID_SECRET_KEY"):
        return setting("DSGRID_SECRET_KEY")
    if token:
        return hashlib.sha256(b"dsgrid-session-key:" + token.encode()).hexdigest()
    return secrets.token_hex(32)


def _same_origin_only():
    request = flask.request
    if request.method not in STATE_CHANGING:
        return None
    claimed = (request.headers.get("Origin") or request.headers.get("Referer") or "").strip()
    if not claimed:
        return None  # not a browser (scripts send no Origin); the token guards writes
    origin = urlsplit(claimed)
    here = urlsplit(request.host_url)
    if claimed != "null" and (origin.scheme, origin.netloc) == (here.scheme, here.netloc):
        return None
    # "null" is what sandboxed frames, file: pages and cross-site redirects send: no page of
    # this server, so no more trusted than another site.
    source = (
        "an opaque origin (null)" if claimed == "null" else f"{origin.scheme}://{origin.netloc}"
    )
    return error_response(
        403,
        "CrossSiteRequest",
        f"requests that change something must come from this server's pages, not from {source}.",
    )


def _security_headers(response: flask.Response) -> flask.Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


def content_security_policy(app: dash.Dash) -> None:
    """Send a Content-Security-Policy with every answer of ``app``'s server.

    Scripts: this server's files and, by hash, the inline scripts Dash writes into its page
    (its renderer start-up and the clientside callbacks). Styles may be inline: plotly.js and
    AG Grid set styles on elements. Images may be data: and blob: URLs (chart exports)."""
    policy: list[str] = []

    def add_policy(response: flask.Response) -> flask.Response:
        if not policy:  # after the first request: by then Dash has every inline script
            script_src = " ".join(["'self'", *app.csp_hashes()])
            policy.append(
                "; ".join(
                    [
                        "default-src 'self'",
                        f"script-src {script_src}",
                        "style-src 'self' 'unsafe-inline'",
                        "img-src 'self' data: blob:",
                        "font-src 'self' data:",
                        "connect-src 'self'",
                        "object-src 'none'",
                        "base-uri 'self'",
                        "form-action 'self'",
                        "frame-ancestors 'self'",
                    ]
                )
            )
        response.headers.setdefault("Content-Security-Policy", policy[0])
        return response

    app.server.after_request(add_policy)


def token_matches(given: str | None) -> bool:
    expected = flask.current_app.config.get("DSGRID_API_TOKEN")
    return bool(expected and given and hmac.compare_digest(given.encode(), expected.encode()))


def bearer_token() -> str | None:
    header = flask.request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def write_permission() -> tuple[bool, str]:
    """Whether this request may change the registry, and if not, why (for the form or API)."""
    config = flask.current_app.config
    if config.get("DSGRID_READ_ONLY"):
        return False, "this server is read-only (dsgrid serve --read-only)."
    if not config.get("DSGRID_TOKEN_REQUIRED"):
        return True, ""
    if not config.get("DSGRID_API_TOKEN"):
        return False, (
            "writes are off: this server can be reached from other machines and no "
            "DSGRID_API_TOKEN is set. Set one and restart to allow writes."
        )
    if token_matches(bearer_token()) or flask.session.get(SESSION_KEY):
        return True, ""
    return False, "give the server's access token (DSGRID_API_TOKEN) to change the registry."


def require_write() -> None:
    """Raise WriteRefused (403, or 401 when a token would help) unless writes are allowed."""
    allowed, why = write_permission()
    if not allowed:
        needs_token = "token" in why and flask.current_app.config.get("DSGRID_API_TOKEN")
        raise WriteRefused(401 if needs_token else 403, why)


def sign_in(token: str) -> bool:
    """Remember in the session that this browser gave the right token."""
    if token_matches(token):
        flask.session[SESSION_KEY] = True
        return True
    return False
