"""Fixtures the integration tests share (the registries themselves are in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def refused(dsgrid, snapshot):
    """Run a command that must be refused as bad input; return its stderr."""

    def run(registry: Path, *args, expect: tuple[str, ...] = ()) -> str:
        before = snapshot(registry)
        result = dsgrid(*args, registry=registry)
        assert result.exit_code == 2, result
        assert "Traceback" not in result.stdout + result.stderr, result
        for text in expect:
            assert text in result.stderr, f"{text!r} not in:\n{result.stderr}"
        assert snapshot(registry) == before, "the registry changed after a refused command"
        return result.stderr

    return run
