"""Fixtures for the browser tests: registries the viewer opens, and a way to read a grid."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path

import pytest

from app.state import REGISTRY_KEY

REGISTRY_DB_NAME = "registry.db"


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


@pytest.fixture
def viewer(tmp_path):
    """create_app for a registry, with a private read cache per test."""
    from app import create_app

    def make(registry: Path):
        app = create_app(str(registry), cache_dir=str(tmp_path / "webcache"))
        assert app.server.config[REGISTRY_KEY] == str(registry)
        return app

    return make


def grid_cells(dash_duo, grid_id: str, column: str) -> list[str]:
    """The texts of one column's rendered cells in an AG Grid."""
    cells = dash_duo.find_elements(f"#{grid_id} .ag-center-cols-container [col-id='{column}']")
    return [c.text for c in cells]


def choose(dash_duo, dropdown_id: str, label: str) -> None:
    """Pick ``label`` in a Dash 4 dcc.Dropdown: open it, search, click the option."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    search = dash_duo.wait_for_element(".dash-dropdown-content .dash-dropdown-search")
    search.send_keys(label)
    option = dash_duo.wait_for_element(
        f".dash-dropdown-content [role='option'] input[value='{label}']"
    )
    option.find_element("xpath", "./ancestor::label").click()
    # close the popover so it does not cover the page
    dash_duo.find_element("body").send_keys("\ue00c")


def wait_for_cells(dash_duo, grid_id: str, column: str, count: int, timeout: float = 10) -> list:
    """Wait until the grid renders ``count`` cells in ``column``; returns their texts."""
    import time

    deadline = time.monotonic() + timeout
    cells = grid_cells(dash_duo, grid_id, column)
    while len(cells) != count and time.monotonic() < deadline:
        time.sleep(0.1)
        cells = grid_cells(dash_duo, grid_id, column)
    assert len(cells) == count, cells
    return cells
