"""The registry store contract suite runs every test on every store: 'sqlite' always, 'arango'
when DSGRID_TEST_ARANGO_URL names a server on which the tests may create throwaway databases
(each is dropped at the end of the session). Without one the ArangoDB half is reported as
skipped, with the reason: no ArangoDB server can be installed on the build machine."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from dsgrid_core import settings

ARANGO_URL = settings.get("DSGRID_TEST_ARANGO_URL")
ARANGO_SKIP_REASON = (
    "DSGRID_TEST_ARANGO_URL is not set: no ArangoDB server (none can be installed on this machine)"
)
STORES = [
    "sqlite",
    pytest.param("arango", marks=pytest.mark.skipif(not ARANGO_URL, reason=ARANGO_SKIP_REASON)),
]


@dataclass
class StoreUnderTest:
    name: str
    store: Any  # a RegistryStore
    # What the store raises when a write breaks a uniqueness rule (a component, version or
    # record added twice): each database has its own error.
    conflict: tuple[type[BaseException], ...]


@pytest.fixture(scope="session")
def arango_databases() -> Iterator[Callable[[], Any]]:
    """Makes URLs of uniquely named throwaway databases on the test server; drops every one
    at the end of the session."""
    from dsgrid_core.registry.arango_store import ArangoStore
    from dsgrid_core.registry.arango_url import ArangoUrl

    base = ArangoUrl.parse(ARANGO_URL, database_required=False)
    made = []

    def make():
        url = replace(base, database=f"dsgrid_test_{uuid.uuid4().hex[:12]}")
        made.append(url)
        return url

    yield make
    for url in made:
        ArangoStore.drop_database(url)


@pytest.fixture(scope="session")
def arango_store_url(arango_databases):
    """One database for the store tests, its objects made once; emptied before each test."""
    from dsgrid_core.registry.arango_store import ArangoStore

    url = arango_databases()
    ArangoStore.create(url).close()
    return url


def _empty_arango(store) -> None:
    from dsgrid_core.registry.arango_docs import DOCUMENT_COLLECTIONS, EDGE_COLLECTIONS

    for name in (*DOCUMENT_COLLECTIONS, *EDGE_COLLECTIONS):
        store._base.collection(name).truncate()


@pytest.fixture(params=STORES)
def store(request, tmp_path) -> Iterator[StoreUnderTest]:
    if request.param == "sqlite":
        from dsgrid_core.registry.sqlite_store import SqliteStore

        sqlite_store = SqliteStore.create(tmp_path / "registry.db")
        yield StoreUnderTest("sqlite", sqlite_store, (sqlite3.IntegrityError,))
        sqlite_store.close()
        return
    from arango.exceptions import ArangoServerError

    from dsgrid_core.registry.arango_store import ArangoStore

    arango_store = ArangoStore.connect(request.getfixturevalue("arango_store_url"))
    _empty_arango(arango_store)
    yield StoreUnderTest("arango", arango_store, (ArangoServerError,))
    arango_store.close()


@pytest.fixture(params=STORES)
def registry_location(request, tmp_path, monkeypatch) -> str | Path:
    """An empty registry on each store, created as a user would (Registry.create)."""
    from dsgrid_core.registry.registry import Registry

    if request.param == "sqlite":
        path = tmp_path / "registry"
        Registry.create(path).close()
        return path
    monkeypatch.setenv("DSGRID_REGISTRY_HOME", str(tmp_path / "home"))
    url = str(request.getfixturevalue("arango_databases")())
    Registry.create(url, data_root=tmp_path / "data").close()
    return url
