"""The HTTP JSON API under /api/v1 (a Flask blueprint on the viewer's server)."""

from __future__ import annotations

import flask

api_blueprint = flask.Blueprint("dsgrid_api", __name__)


@api_blueprint.get("/health")
def health():
    return flask.jsonify({"ok": True})
