"""The HTTP API in-process (Flask test client) over real registries."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(tmp_path):
    """``api(registry_path)`` -> a Flask test client of a fresh viewer with a private cache."""
    from app import create_app

    def make(registry):
        app = create_app(str(registry), cache_dir=str(tmp_path / "webcache"))
        return app.server.test_client()

    return make


def ok(response, status: int = 200):
    """The data of an ok answer, after checking the envelope."""
    body = response.get_json()
    assert response.status_code == status, body
    assert body["ok"] is True and body["status"] == status
    return body


def failed(response, status: int) -> dict:
    """The error of a failed answer, after checking the envelope."""
    body = response.get_json()
    assert response.status_code == status, body
    assert body["ok"] is False and body["status"] == status
    assert body["error"]["message"]
    return body["error"]
