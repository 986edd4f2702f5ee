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
