"""Dimension mappings: list -> filter -> open -> records, flows and fraction sums -> follow a
dimension link -> back, on test_efs, on the demo registry and on a demo registry with every US
county mapped to its state. Expectations come from the raw CSV and JSON5 input files."""

from __future__ import annotations

import shutil
import sqlite3
from collections import defaultdict
from contextlib import closing
from pathlib import Path

import json5
import pytest
from conftest import (
    choose,
    click,
    grid_filter,
    grid_snapshot,
    grid_status,
    plotly_sankey,
    plotly_traces,
    read_csv,
    register_all_counties,
    table_rows,
    wait_for_grid_rows,
    wait_until,
)

from app import ids

pytestmark = pytest.mark.browser

COUNT = f"#{ids.list_count('mappings')}"
COLUMNS = ["from_id", "to_id", "from_fraction"]
GRID = ids.list_grid("mappings")


def supplemental(project_file: Path, mapping_csv: str) -> tuple[dict, dict]:
    """The project's supplemental dimension whose mapping is ``mapping_csv``, and the project's
    base dimension of the same type (the mapping's from dimension)."""
    project = json5.loads(project_file.read_text())
    dims = project["dimensions"]
    entry = next(
        d for d in dims["supplemental_dimensions"] if d["mapping"]["file"].endswith(mapping_csv)
    )
    base = next(d for d in dims["base_dimensions"] if d["type"] == entry["type"])
    return entry, base


def stored_mappings(registry: Path) -> int:
    """How many mappings the registry's database holds, read with sqlite3."""
    with closing(sqlite3.connect(f"file:{registry / 'registry.db'}?mode=ro", uri=True)) as con:
        return con.execute(
            "SELECT count(*) FROM components WHERE kind = 'dimension_mapping'"
        ).fetchone()[0]


def mapping_facts(csv_path: Path) -> dict:
    """What a mapping CSV says: its rows, and fraction sums per from_id and per to_id."""
    rows = [
        (r["from_id"], r["to_id"], float(r.get("from_fraction") or 1)) for r in read_csv(csv_path)
    ]
    by_from: dict[str, list[float]] = defaultdict(list)
    by_to: dict[str, list[float]] = defaultdict(list)
    for f, t, x in rows:
        by_from[f].append(x)
        by_to[t].append(x)
    return {
        "rows": rows,
        "pairs": sorted((f, t) for f, t, _ in rows),
        "links": {(f, t): x for f, t, x in rows},
        "from_ids": set(by_from),
        "to_ids": set(by_to),
        "by_from": by_from,
        "by_to": by_to,
    }


def sankey_links(sankey: dict) -> dict[tuple[str, str], float]:
    """{(from id, to id): fraction} of a drawn Sankey (labels are 'id (name)')."""
    ident = [label.split(" (")[0] for label in sankey["labels"]]
    return {
        (ident[s], ident[t]): v
        for s, t, v in zip(sankey["source"], sankey["target"], sankey["value"], strict=True)
    }


def follow(dash_duo, selector: str) -> None:
    """Click a link, again if the grid or table holding it redrew meanwhile (stale element)."""
    wait_until(lambda: click(dash_duo, selector) or True, message=f"click {selector}")


def open_from_list(dash_duo, mapping_id: str) -> None:
    follow(dash_duo, f"#{GRID} a[href='/mappings/{mapping_id}']")
    dash_duo.wait_for_element(f"#{ids.MAPPING_FACTS}")


def test_efs_county_to_state_filter_open_follow_the_from_dimension_and_back(
    dash_duo, viewer, efs_registry_template, test_data
):
    project_dir = test_data / "test_efs" / "dsgrid_project"
    folder = project_dir / "dimension_mappings" / "base_to_supplemental"
    facts = mapping_facts(folder / "lookup_county_to_state.csv")
    entry, base = supplemental(project_dir / "project.json5", "lookup_county_to_state.csv")
    from_name = base["name"]
    # the project's geography mapping files, and the mapping to all_test_efs_geographies that
    # dsgrid makes at project registration (as dsgrid-toolkit 0.4 does)
    geography_mappings = len(list(folder.glob("lookup_county_to_*.csv"))) + 1
    counties = {r["id"]: r["name"] for r in read_csv(project_dir / base["file"])}

    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings")
    dash_duo.wait_for_text_to_equal(
        COUNT, f"{stored_mappings(efs_registry_template)} dimension mappings"
    )
    choose(dash_duo, ids.list_filter("mappings", "type"), "geography")
    dash_duo.wait_for_text_to_equal(COUNT, f"{geography_mappings} dimension mappings")
    assert "type=geography" in dash_duo.driver.current_url
    mapping_id = "us_counties_2010_comstock_only__to__us_states"
    open_from_list(dash_duo, mapping_id)

    # the header and facts: names and type from the project config (no type given: dsgrid's
    # default, many_to_one_aggregation)
    dash_duo.wait_for_contains_text(f"#{ids.COMPONENT_TITLE}", entry["name"])
    assert from_name in dash_duo.find_element(f"#{ids.MAPPING_FROM}").text
    assert entry["name"] in dash_duo.find_element(f"#{ids.MAPPING_TO}").text
    mapping_type = entry["mapping"].get("mapping_type", "many_to_one_aggregation")
    type_text = dash_duo.find_element(f"#{ids.MAPPING_TYPE}").text
    assert mapping_type in type_text and "summed" in type_text
    assert f"{len(facts['rows'])} rows" in dash_duo.find_element(f"#{ids.MAPPING_FACTS}").text

    # every row of the CSV in the grid, then the rows of one state through a grid filter
    rows = wait_for_grid_rows(dash_duo, ids.MAPPING_RECORDS, COLUMNS, len(facts["rows"]))
    assert sorted((r["from_id"], r["to_id"]) for r in rows) == facts["pairs"]
    assert {float(r["from_fraction"]) for r in rows} == {1.0}
    california = sorted(f for f, t, _ in facts["rows"] if t == "CA")
    grid_filter(dash_duo, ids.MAPPING_RECORDS, "to_id", "CA")
    rows = wait_for_grid_rows(dash_duo, ids.MAPPING_RECORDS, COLUMNS, len(california))
    assert sorted(r["from_id"] for r in rows) == california

    # fraction sums per from_id, all 1 in the CSV
    by_from = facts["by_from"]
    failing = [k for k, xs in by_from.items() if abs(sum(xs) - 1) > 1e-6]
    assert not failing
    dash_duo.wait_for_text_to_equal(
        f"#{ids.MAPPING_CHECK_SUMMARY}", f"All {len(by_from)} sums per from_id are 1."
    )
    assert "per from_id" in dash_duo.find_element(f"#{ids.MAPPING_CHECK_RULE}").text
    check = table_rows(dash_duo, ids.MAPPING_CHECK_TABLE)
    assert {r[0] for r in check} == set(by_from)
    assert all(r[1:] == ["1", "1", "ok"] for r in check)

    # the Sankey draws every county -> state link with its fraction, counties named
    sankey = wait_until(lambda: plotly_sankey(dash_duo, ids.MAPPING_SANKEY), message="sankey")
    assert sankey_links(sankey) == facts["links"]
    assert f"06073 ({counties['06073']})" in sankey["labels"]

    dash_duo.wait_for_contains_text(f"#{ids.WHERE_USED}", "test_efs")

    # follow the from dimension, then come back
    follow(dash_duo, f"#{ids.MAPPING_FROM} a")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", from_name)
    wait_for_grid_rows(dash_duo, ids.DIMENSION_RECORDS, ["id"], len(counties))
    dash_duo.driver.back()
    dash_duo.wait_for_contains_text(f"#{ids.COMPONENT_TITLE}", entry["name"])
    # the grid's filter is in the page's address: back brings the filtered rows back
    rows = wait_for_grid_rows(dash_duo, ids.MAPPING_RECORDS, COLUMNS, len(california))
    assert sorted(r["from_id"] for r in rows) == california
    assert dash_duo.get_logs() == []


def test_efs_five_year_intervals_sums_per_to_id_numeric_filter_and_errors(
    dash_duo, viewer, efs_registry_template, test_data
):
    project_dir = test_data / "test_efs" / "dsgrid_project"
    csv_name = "interpolate_to_five_year_intervals.csv"
    facts = mapping_facts(project_dir / "dimension_mappings" / "base_to_supplemental" / csv_name)
    entry, base = supplemental(project_dir / "project.json5", csv_name)
    from_name = base["name"]
    by_to = facts["by_to"]
    assert all(abs(sum(xs) - 1) <= 1e-6 for xs in by_to.values())  # the file's own promise

    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings?q=five")
    dash_duo.wait_for_text_to_equal(COUNT, "1 dimension mapping")
    assert dash_duo.find_element(f"#{ids.list_filter('mappings', 'text')}").get_attribute(
        "value"
    ) == ("five")
    mapping_id = "model_years_2010_to_2050__to__five_year_intervals"
    open_from_list(dash_duo, mapping_id)
    dash_duo.wait_for_contains_text(f"#{ids.COMPONENT_TITLE}", entry["name"])
    assert entry["mapping"]["mapping_type"] in dash_duo.find_element(f"#{ids.MAPPING_TYPE}").text

    # the sums are per to_id for this type: every interval of the CSV, each summing to 1
    dash_duo.wait_for_text_to_equal(
        f"#{ids.MAPPING_CHECK_SUMMARY}", f"All {len(by_to)} sums per to_id are 1."
    )
    check = table_rows(dash_duo, ids.MAPPING_CHECK_TABLE)
    assert {r[0]: int(r[2]) for r in check} == {k: len(xs) for k, xs in by_to.items()}
    assert all(float(r[1]) == 1 and r[3] == "ok" for r in check)

    # a numeric filter on from_fraction: the half shares only
    halves = sorted((f, t) for f, t, x in facts["rows"] if x == 0.5)
    wait_for_grid_rows(dash_duo, ids.MAPPING_RECORDS, COLUMNS, len(facts["rows"]))
    grid_filter(dash_duo, ids.MAPPING_RECORDS, "from_fraction", "0.5")
    rows = wait_for_grid_rows(dash_duo, ids.MAPPING_RECORDS, COLUMNS, len(halves))
    assert sorted((r["from_id"], r["to_id"]) for r in rows) == halves
    assert {r["from_fraction"] for r in rows} == {"0.5"}

    # the flows: one node per side even for a year on both sides (2010 -> 2010)
    sankey = wait_until(lambda: plotly_sankey(dash_duo, ids.MAPPING_SANKEY), message="sankey")
    assert sankey_links(sankey) == facts["links"]

    # follow the to dimension and come back
    follow(dash_duo, f"#{ids.MAPPING_TO} a")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", entry["name"])
    wait_for_grid_rows(dash_duo, ids.DIMENSION_RECORDS, ["id"], len(facts["to_ids"]))
    dash_duo.driver.back()
    dash_duo.wait_for_contains_text(f"#{ids.COMPONENT_TITLE}", entry["name"])
    assert from_name in dash_duo.find_element(f"#{ids.MAPPING_FROM}").text

    # errors: an unknown mapping, an unknown version
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings/no_such_mapping")
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_ERROR}", "no dimension mapping 'no_such_mapping'")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings/{mapping_id}?version=9.9.9")
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_ERROR}", "has no version 9.9.9")
    assert dash_duo.get_logs() == []


def test_demo_county_to_balancing_area_is_many_to_many_with_fractions(
    dash_duo, viewer, demo_registry
):
    registry, inputs = demo_registry
    folder = inputs / "dimension_mappings" / "base_to_supplemental"
    csv_name = "county_to_demo_balancing_area.csv"
    facts = mapping_facts(folder / csv_name)
    entry, base = supplemental(inputs / "project.json5", csv_name)
    from_name = base["name"]
    split = [f for f, xs in facts["by_from"].items() if len(xs) > 1]
    assert split and all(x < 1 for f, _, x in facts["rows"] if f in split)  # many to many

    dash_duo.start_server(viewer(registry))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings")
    choose(dash_duo, ids.list_filter("mappings", "type"), "geography")
    # the mapping files, and the mapping to the "all" geography dsgrid makes at registration
    dash_duo.wait_for_text_to_equal(
        COUNT, f"{len(list(folder.glob('county_to_*.csv'))) + 1} dimension mappings"
    )
    open_from_list(dash_duo, "demo_counties__to__demo_balancing_areas")
    dash_duo.wait_for_contains_text(f"#{ids.COMPONENT_TITLE}", entry["name"])
    assert entry["mapping"]["mapping_type"] in dash_duo.find_element(f"#{ids.MAPPING_TYPE}").text

    rows = wait_for_grid_rows(dash_duo, ids.MAPPING_RECORDS, COLUMNS, len(facts["rows"]))
    assert {(r["from_id"], r["to_id"]): float(r["from_fraction"]) for r in rows} == facts["links"]

    by_from = facts["by_from"]
    dash_duo.wait_for_text_to_equal(
        f"#{ids.MAPPING_CHECK_SUMMARY}", f"All {len(by_from)} sums per from_id are 1."
    )
    check = {r[0]: r for r in table_rows(dash_duo, ids.MAPPING_CHECK_TABLE)}
    assert set(check) == set(by_from)
    for county in split:
        assert check[county][2] == str(len(by_from[county]))

    sankey = wait_until(lambda: plotly_sankey(dash_duo, ids.MAPPING_SANKEY), message="sankey")
    assert sankey_links(sankey) == pytest.approx(facts["links"])
    dash_duo.wait_for_contains_text(f"#{ids.WHERE_USED}", "Demo US Buildings")

    follow(dash_duo, f"#{ids.MAPPING_TO} a")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", entry["name"])
    dash_duo.driver.back()
    dash_duo.wait_for_contains_text(f"#{ids.COMPONENT_TITLE}", entry["name"])
    assert from_name in dash_duo.find_element(f"#{ids.MAPPING_FROM}").text
    assert dash_duo.get_logs() == []


def test_large_mapping_groups_the_sankey_and_offers_a_capped_matrix(
    dash_duo, viewer, demo_registry, tmp_path
):
    registry = tmp_path / "registry"
    shutil.copytree(demo_registry[0], registry)
    added = register_all_counties(registry, tmp_path / "counties")
    facts = mapping_facts(Path(added["mapping_csv"]))
    counties = read_csv(Path(added["counties_csv"]))
    n_from, n_to = len(facts["from_ids"]), len(facts["to_ids"])
    assert n_from > 3000 and n_to > 40

    dash_duo.start_server(viewer(registry))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings")
    grid_filter(dash_duo, GRID, "name", "All US")
    dash_duo.wait_for_text_to_equal(COUNT, "1 dimension mapping")
    open_from_list(dash_duo, added["mapping"])
    facts_text = dash_duo.find_element(f"#{ids.MAPPING_FACTS}").text
    assert f"{len(facts['rows']):,} rows: {n_from:,} from ids, {n_to:,} to ids" in facts_text

    # the grid pages through the rows on the server
    wait_until(
        lambda: grid_status(dash_duo, ids.MAPPING_RECORDS) == f"1 to 100 of {len(facts['rows']):,}",
        message="grid status",
    )
    rows = wait_until(
        lambda: (
            (r := grid_snapshot(dash_duo, ids.MAPPING_RECORDS, COLUMNS)) and r[0]["from_id"] and r
        ),
        message="first rows drawn",
    )
    assert [r["from_id"] for r in rows] == [c["id"] for c in counties[: len(rows)]]

    # the Sankey keeps 39 ids per side and gathers the rest into 'other (n)'
    sankey = wait_until(lambda: plotly_sankey(dash_duo, ids.MAPPING_SANKEY), message="sankey")
    sources = {sankey["labels"][i] for i in sankey["source"]}
    targets = {sankey["labels"][i] for i in sankey["target"]}
    assert len(sources) == 40 and f"other ({n_from - 39})" in sources
    assert len(targets) == 40 and f"other ({n_to - 39})" in targets
    assert sum(sankey["value"]) == pytest.approx(len(facts["rows"]))
    assert "other (n)" in dash_duo.find_element(f"#{ids.MAPPING_SANKEY_NOTE}").text

    # the matrix: the first 300 counties of the file against the states they map to
    follow(dash_duo, f"#{ids.MAPPING_VIEW} .nav-link:not(.active)")
    traces = wait_until(lambda: plotly_traces(dash_duo, ids.MAPPING_MATRIX), message="matrix")
    first = counties[:300]
    states = list(dict.fromkeys(c["state"] for c in first))
    assert traces[0]["type"] == "heatmap"
    assert traces[0]["x"] == [c["id"] for c in first]
    assert traces[0]["y"] == states
    z = traces[0]["z"]
    assert all(
        z[states.index(c["state"])][i] == 1 and sum(v or 0 for v in (row[i] for row in z)) == 1
        for i, c in enumerate(first)
    )
    note = dash_duo.find_element(f"#{ids.MAPPING_MATRIX_NOTE}").text
    assert f"300 of {n_from:,} from ids" in note and f"of {n_to}" in note

    follow(dash_duo, f"#{ids.MAPPING_FROM} a")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", "All US Counties")
    dash_duo.driver.back()
    dash_duo.wait_for_element(f"#{ids.MAPPING_VIEW}")
    dash_duo.wait_for_contains_text(f"#{ids.COMPONENT_TITLE}", "All US Counties to All US States")
    assert dash_duo.get_logs() == []
