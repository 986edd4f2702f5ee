"""The HTTP JSON API under /api/v1: a Flask blueprint on the viewer's own server.

Routes are declared in `registry_routes.py`, `records_routes.py`, `data_routes.py`,
`job_routes.py` and `registration_routes.py` (path, parameter and answer models) into
`route_table.py`; `routing.py` answers them in one JSON envelope; `openapi.py`
makes the OpenAPI document from the same declarations (/api/v1/openapi.json).

The web app answers every other GET path with its page, so unknown API paths, wrong methods
and OPTIONS are answered here from the declared routes, never by the page or by Flask's
defaults (which would advertise the page's methods)."""

from __future__ import annotations

import flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

# Their decorators declare the routes, in this order: the OpenAPI document's.
# isort: off
from app.api import registry_routes, records_routes, data_routes  # noqa: F401
from app.api import job_routes, registration_routes  # noqa: F401

# isort: on
from app.api.openapi import openapi_document
from app.api.route_table import ROUTES
from app.api.routing import make_view
from app.envelope import error_response

PREFIX = "/api/v1"

api_blueprint = flask.Blueprint("dsgrid_api", __name__)

for _route in ROUTES:
    api_blueprint.add_url_rule(
        _route.flask_path,
        endpoint=_route.operation_id,
        view_func=make_view(_route),
        methods=[_route.method],
        provide_automatic_options=False,
    )

# The API's own routes, to tell which methods a path allows.
_OWN = Map(
    [Rule(PREFIX + r.flask_path, endpoint=r.operation_id, methods=[r.method]) for r in ROUTES]
    + [Rule(PREFIX + "/openapi.json", endpoint="openapi", methods=["GET"])]
)


def allowed_methods(path: str) -> list[str]:
    adapter = _OWN.bind("localhost")
    return sorted(m for m in adapter.allowed_methods(path) if m not in ("HEAD", "OPTIONS"))


@api_blueprint.get("/openapi.json", provide_automatic_options=False)
def openapi_json():
    return flask.jsonify(openapi_document(ROUTES))


@api_blueprint.get("/", defaults={"anything": ""}, provide_automatic_options=False)
@api_blueprint.get("/<path:anything>", provide_automatic_options=False)
def unknown_route(anything: str):
    """A GET the routes above did not take (the web app's page would take it otherwise)."""
    return _not_routed()


def _not_routed() -> flask.Response:
    path, method = flask.request.path, flask.request.method
    allowed = allowed_methods(path)
    if allowed and method not in allowed:
        response = error_response(
            405, "MethodNotAllowed", f"{method} is not allowed on {path}; use {', '.join(allowed)}."
        )
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return error_response(404, "NotFoundError", f"no API route {path}; see {PREFIX}/openapi.json.")


@api_blueprint.before_app_request
def answer_options():
    """OPTIONS under /api/v1: the methods the API itself allows on the path."""
    if flask.request.method == "OPTIONS" and flask.request.path.startswith(PREFIX + "/"):
        allowed = allowed_methods(flask.request.path)
        if not allowed:
            return _not_routed()
        response = flask.Response(status=204)
        response.headers["Allow"] = ", ".join([*allowed, "OPTIONS"])
        return response
    return None


@api_blueprint.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Routing errors under /api/v1 as JSON envelopes; elsewhere Flask's own pages."""
    if not flask.request.path.startswith(PREFIX + "/"):
        return exc
    if exc.code in (404, 405):
        return _not_routed()
    return error_response(exc.code or 500, type(exc).__name__, exc.description or str(exc))
