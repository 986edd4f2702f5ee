"""Which registry store a location names: dsgrid_core.registry.location's table of store kinds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsgrid_core.errors import InputError
from dsgrid_core.registry.location import (
    DATA_DIR,
    HOME_MARKER,
    STORE_KINDS,
    open_location,
    url_store_kind,
)


def test_one_entry_per_store_kind_and_urls_are_told_by_their_scheme(tmp_path):
    assert [kind.name for kind in STORE_KINDS] == ["sqlite", "arangodb"]
    assert [kind.name for kind in STORE_KINDS if not kind.schemes] == ["sqlite"]
    for url in ("arangodb://h:1/db", " ARANGODBS://h:1/db"):
        assert url_store_kind(url).name == "arangodb"
    for folder in (tmp_path, str(tmp_path), "arangodb-folder", "http://h/db"):
        assert url_store_kind(folder) is None


def test_a_folder_with_a_database_opens_the_sqlite_store(tmp_path):
    from dsgrid_core.registry.registry import Registry
    from dsgrid_core.registry.sqlite_store import SqliteStore

    Registry.create(tmp_path / "reg").close()
    opened = open_location(tmp_path / "reg", read_only=True)
    try:
        assert isinstance(opened.store, SqliteStore)
        assert (opened.home, opened.data_root) == (tmp_path / "reg", tmp_path / "reg" / DATA_DIR)
        assert opened.location == str(tmp_path / "reg")
    finally:
        opened.store.close()


def test_a_home_marker_naming_no_known_url_says_what_a_url_looks_like(tmp_path: Path):
    (tmp_path / HOME_MARKER).write_text(json.dumps({"location": "http://h:1/db"}))
    with pytest.raises(InputError, match="starts with arangodb:// or arangodbs://"):
        open_location(tmp_path)
