"""The JSON envelope every API answer comes in, and the one a refused request gets.

``{"ok": true, "status", "data", "next", "total"}`` for an answer;
``{"ok": false, "status", "error": {"type", "message", "details"}}`` for an error. The API's
routes (`app.api.routing`) and the request checks that run before any route (`app.security`,
`app.host_check`, `app.request_limits`) all answer through here, so a client reads one shape.
"""

from __future__ import annotations

import flask


def envelope(data=None, *, status: int = 200, next=None, total=None) -> flask.Response:
    body = {"ok": True, "status": status, "data": data, "next": next, "total": total}
    response = flask.jsonify(body)
    response.status_code = status
    return response


def error_response(status: int, type: str, message: str, details=()) -> flask.Response:
    body = {
        "ok": False,
        "status": status,
        "error": {"type": type, "message": message, "details": list(details)},
    }
    response = flask.jsonify(body)
    response.status_code = status
    return response
