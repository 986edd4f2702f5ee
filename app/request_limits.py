"""Limits on what a request may make the server read, parse or look up.

* Bodies: the Dash callback route (``/_dash-update-component``) carries form uploads as
  base64, so it keeps the upload limit (DSGRID_UPLOAD_LIMIT_MB plus encoding room); the API's
  file upload (``PUT /api/v1/uploads/{session}/files/{name}``) the upload limit; every
  other request (the API's JSON) may send at most DSGRID_MAX_JSON_BODY_KB, which is plenty
  for a query or a registration config. A larger declared Content-Length is answered 413
  before any byte is read; a chunked body (no Content-Length) is read up to the limit plus
  one byte, then refused with 413. Without this a 100 MB JSON body to ``/api/v1/queries``
  took a worker from 0.5 to 2 GB before being refused.
* JSON nested deeper than Python's recursion limit made the parser raise RecursionError (a
  500); it is a 400. The API further refuses JSON deeper than MAX_JSON_DEPTH
  (`app.api.routing`), so no handler recurses into it.
* A Dash file path that names no file of a registered component library (``..`` included)
  is a 404, not a 500 from Dash's DependencyException.
"""

from __future__ import annotations

import io
import re

import flask

from app.envelope import error_response
from dsgrid_core.settings import get as setting
from dsgrid_core.uploads import upload_limit_bytes

DASH_CALLBACKS = "/_dash-update-component"
API_FILE_UPLOAD = re.compile(r"^/api/v1/uploads/[^/]+/files/[^/]+$")
# Room for the form fields and the base64 encoding of a file sent through a Dash upload.
BODY_OVERHEAD = 1.4


def configure(server: flask.Flask) -> None:
    server.config["MAX_CONTENT_LENGTH"] = upload_body_limit()
    server.before_request(_body_limits)
    from dash.exceptions import DependencyException  # late: dash

    server.register_error_handler(DependencyException, _no_such_file)


def upload_body_limit() -> int:
    return int(upload_limit_bytes() * BODY_OVERHEAD) + 64 * 1024


def json_body_limit() -> int:
    """DSGRID_MAX_JSON_BODY_KB in bytes, never above the upload limit."""
    kb = float(setting("DSGRID_MAX_JSON_BODY_KB"))
    return min(int(kb * 1024), upload_body_limit())


def body_limit(path: str) -> int:
    """What a request to ``path`` may send: a file upload (a Dash form's, base64 in JSON; or
    the API's PUT of one file, its bytes), else a JSON body."""
    if path == DASH_CALLBACKS:
        return upload_body_limit()
    if API_FILE_UPLOAD.match(path):
        return upload_limit_bytes()
    return json_body_limit()


def _too_large(limit: int) -> flask.Response:
    path = flask.request.path
    what = "upload" if path == DASH_CALLBACKS or API_FILE_UPLOAD.match(path) else "JSON body"
    return error_response(
        413,
        "RequestEntityTooLarge",
        f"the request body is larger than this server takes for a {what} ({limit:,} bytes).",
    )


def _body_limits():
    request = flask.request
    limit = body_limit(request.path)
    # Every later read of the body (get_json, Dash) stops at the limit too.
    request.max_content_length = limit
    length = request.content_length
    if length is not None and length > limit:
        return _too_large(limit)
    if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        body = _read_at_most(request.environ["wsgi.input"], limit + 1)
        if len(body) > limit:
            return _too_large(limit)
        # The handler reads what was read here, as a body of known length.
        request.environ.pop("HTTP_TRANSFER_ENCODING", None)
        request.environ["wsgi.input"] = io.BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
    return _parsed_json()


def _read_at_most(stream, size: int) -> bytes:
    """Up to ``size`` bytes of a stream that may return less per read (a chunk at a time)."""
    body = bytearray()
    while len(body) < size:
        piece = stream.read(size - len(body))
        if not piece:
            break
        body += piece
    return bytes(body)


def _parsed_json():
    """Parse a JSON body once here (Flask keeps the result): too deep is a 400, not a 500."""
    if flask.request.method not in ("POST", "PUT", "PATCH") or not flask.request.is_json:
        return None
    try:
        flask.request.get_json(silent=True, cache=True)
    except RecursionError:
        return error_response(400, "InputError", "the JSON body is nested too deeply.")
    return None


def _no_such_file(exc: Exception) -> flask.Response:
    return error_response(404, "NotFoundError", "no such file.")
