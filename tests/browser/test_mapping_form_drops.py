"""The mapping form on the demo registry: the skeleton of Demo Counties -> Demo States maps
every county to the state its record names (many_to_one_aggregation), and rows that drop
records are counted and named, with Register disabled until the user says they mean it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import (
    click,
    edit_cell,
    grid_row_index,
    grid_snapshot,
    pick,
    read_csv,
    registry_content,
    wait_for_grid_rows,
    wait_until,
)
from test_register_wizards import (
    make_app,
    press_register,
    register_enabled,
    registered,
    start,
    text_of,
    wait_text,
)

from app import ids
from dsgrid_core.service import open_registry

pytestmark = pytest.mark.browser

GRID = ids.MAPPING_GRID
SUMMARY = ids.wizard_id("mapping", "grid-summary")
ROWS_PROBLEM = ids.wizard_problem("mapping", "rows")
DROP_OK = ids.wizard_id("mapping", "drop-ok")
DROPS = ids.wizard_id("mapping", "drops")


@pytest.fixture(autouse=True)
def uploads(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setenv("DSGRID_UPLOAD_DIR", str(folder))
    return folder


def _to_ids(dash_duo) -> dict[str, str]:
    rows = grid_snapshot(dash_duo, GRID, ["from_id", "to_id"]) or []
    return {r["from_id"]: r["to_id"] for r in rows}


def _drop_box_shown(dash_duo) -> bool:
    return dash_duo.find_element(f"#{DROPS}").is_displayed()


def test_the_county_skeleton_follows_the_state_column_and_drops_need_a_choice(
    dash_duo, demo_registry, demo_registry_copy, tmp_path
):
    _, inputs = demo_registry
    counties = read_csv(inputs / "dimensions" / "counties.csv")
    expected = {r["id"]: r["state"] for r in counties}
    assert len(set(expected.values())) < len(expected)  # several counties share a state
    with open_registry(demo_registry_copy, read_only=True) as registry:
        by_name = {d.name: d.id for d in registry.list("dimension")}
    from_dim, to_dim = by_name["Demo Counties"], by_name["Demo States"]

    start(dash_duo, make_app(demo_registry_copy, tmp_path), "/register/mapping")
    pick(dash_duo, ids.wizard_field("mapping", "from"), from_dim)
    wait_text(
        dash_duo, ids.wizard_reason("mapping", "from"), f"{len(counties)} records of type geography"
    )
    pick(dash_duo, ids.wizard_field("mapping", "to"), to_dim)
    click(dash_duo, f"#{ids.wizard_id('mapping', 'skeleton')}")
    rows = wait_for_grid_rows(dash_duo, GRID, ["from_id", "to_id", "match"], len(counties))
    assert {r["from_id"]: r["to_id"] for r in rows} == expected
    assert all(r["to_id"] for r in rows)
    assert {r["match"] for r in rows} == {"column state"}
    wait_text(dash_duo, ids.wizard_field("mapping", "mapping_type"), "many_to_one_aggregation")
    reason = text_of(dash_duo, ids.wizard_reason("mapping", "mapping_type"))
    assert "several from records map to the same to record" in reason and "'state'" in reason
    wait_text(dash_duo, SUMMARY, f"{len(counties)} rows; every row follows the rules.")
    wait_until(lambda: register_enabled(dash_duo, "mapping"), 10, "Register enabled")
    assert not _drop_box_shown(dash_duo)
    before = registry_content(demo_registry_copy)

    # one county's to_id cleared: its data would be dropped; the form says which and waits
    first, second = sorted(expected)[:2]
    edit_cell(dash_duo, GRID, grid_row_index(dash_duo, GRID, "from_id", first), "to_id", "")
    wait_until(lambda: _to_ids(dash_duo).get(first) == "", 10, f"{first}'s to_id cleared")
    summary = wait_text(dash_duo, SUMMARY, f"1 drop their record (empty to_id): {first}")
    assert "every row follows the rules" not in summary
    said = wait_text(
        dash_duo, ROWS_PROBLEM, "1 record(s) of 'Demo Counties' would be dropped (empty to_id)"
    )
    assert first in said
    assert not register_enabled(dash_duo, "mapping")
    wait_until(lambda: _drop_box_shown(dash_duo), 10, "the drop checkbox shown")
    assert "I mean to drop this 1 record" in text_of(dash_duo, DROPS)
    assert not dash_duo.find_element(f"#{DROP_OK}").is_selected()  # off by default

    # the explicit choice enables Register; another dropped record asks again
    click(dash_duo, f"#{DROP_OK}")
    wait_until(lambda: register_enabled(dash_duo, "mapping"), 10, "Register enabled")
    assert "would be dropped" not in text_of(dash_duo, ROWS_PROBLEM)
    edit_cell(dash_duo, GRID, grid_row_index(dash_duo, GRID, "from_id", second), "to_id", "")
    said = wait_text(dash_duo, ROWS_PROBLEM, "2 record(s) of 'Demo Counties' would be dropped")
    assert f"{first}, {second}" in said
    wait_text(dash_duo, SUMMARY, f"2 drop their record (empty to_id): {first}, {second}")
    assert "I mean to drop these 2 records" in text_of(dash_duo, DROPS)
    wait_until(
        lambda: not dash_duo.find_element(f"#{DROP_OK}").is_selected(), 10, "the box unticked"
    )
    assert not register_enabled(dash_duo, "mapping")
    assert registry_content(demo_registry_copy) == before

    # meant: registered with the two records dropped
    click(dash_duo, f"#{DROP_OK}")
    wait_until(lambda: register_enabled(dash_duo, "mapping"), 10, "Register enabled")
    press_register(dash_duo, "mapping")
    said = registered(dash_duo, "mapping")
    mapping_id = text_of(dash_duo, ids.wizard_id("mapping", "result-link"))
    assert f"Registered dimension mapping {mapping_id}" in said
    with open_registry(demo_registry_copy, read_only=True) as registry:
        stored = {f: t or "" for f, t, _ in registry.mapping_records(mapping_id)}
        config = registry.show("dimension_mapping", mapping_id).config
    assert stored == {**expected, first: "", second: ""}
    assert config["mapping_type"] == "many_to_one_aggregation"
    assert dash_duo.get_logs() == []
