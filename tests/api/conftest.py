"""The HTTP API in-process (Flask test client) over real registries."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(tmp_path):
    """``api(registry_path)`` -> a Flask test client of a fresh viewer with a private cache."""
    from app import create_app

    def make(registry):
        # Loopback, as `dsgrid serve` runs by default: writes (cancel too) need no token.
        app = create_app(str(registry), host="127.0.0.1", cache_dir=str(tmp_path / "webcache"))
        return app.server.test_client()

    return make
