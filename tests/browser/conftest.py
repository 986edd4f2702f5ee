"""Fixtures for the browser tests: small registry folders the viewer can open."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path

import pytest

from app.registry_access import REGISTRY_DB_NAME


def write_components_db(folder: Path, rows: Iterable[tuple[str, str]]) -> Path:
    """A registry folder whose registry.db holds only `components(kind, id)` with `rows`.

    Enough for pages that only count components; tests of real pages use real registries.
    """
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / REGISTRY_DB_NAME
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("CREATE TABLE components (kind TEXT NOT NULL, id TEXT NOT NULL)")
        conn.executemany("INSERT INTO components (kind, id) VALUES (?, ?)", list(rows))
    return folder


@pytest.fixture
def make_components_registry(tmp_path: Path) -> Callable[[Iterable[tuple[str, str]]], Path]:
    """Build a minimal registry folder in tmp_path from (kind, id) rows."""

    def make(rows: Iterable[tuple[str, str]]) -> Path:
        return write_components_db(tmp_path / "registry", rows)

    return make
