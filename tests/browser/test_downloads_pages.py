"""Every grid can be downloaded and linked: its CSV, JSON and API links carry the grid's
filters and sort (compared with the raw record files read by pandas), and its filters, sort and
page live in the page URL, so the URL opened in a fresh page shows the same rows in the same
order. In both modes ([local], and [remote]: the links point at this server's /api/v1, which
pages through the other server)."""

from __future__ import annotations

import io
import json
import sqlite3
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import requests
from conftest import grid_filter, grid_rows, grid_sort, grid_status, wait_until

from app import ids

pytestmark = pytest.mark.browser

COUNTIES = "us_counties_2010_comstock_only"
FIVE_YEAR = "model_years_2010_to_2050__to__five_year_intervals"
PROJECT = "test_efs/dsgrid_project"


def _href(dash_duo, grid_id: str, what: str) -> str:
    return dash_duo.find_element(f"#{ids.grid_link(grid_id, what)}").get_attribute("href")


def _get(url: str) -> requests.Response:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_dimension_records_filter_and_sort_travel_in_the_url_and_the_downloads(
    dash_duo, viewer, efs_registry_template, test_data
):
    raw = pd.read_csv(
        test_data / PROJECT / "dimensions" / "comstock_counties.csv",
        dtype=str,
        keep_default_na=False,
    )
    want = raw[raw["name"].str.lower().str.contains("er")].sort_values(
        "state", ascending=False, kind="stable"
    )
    assert 1 < len(want) < len(raw)

    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/dimensions/{COUNTIES}")
    grid = ids.DIMENSION_RECORDS
    columns = ["id", "name", "state"]
    wait_until(lambda: len(grid_rows(dash_duo, grid, columns)) == len(raw), message="all rows")
    grid_filter(dash_duo, grid, "name", "er")
    grid_sort(dash_duo, grid, "state", "desc")
    rows = wait_until(
        lambda: (
            (r := grid_rows(dash_duo, grid, columns))
            and [x["id"] for x in r] == list(want["id"])
            and r
        ),
        message="filtered and sorted rows",
    )

    # the page URL says it in the API's words
    url = wait_until(
        lambda: "sort=" in dash_duo.driver.current_url and dash_duo.driver.current_url,
        message="sort in the URL",
    )
    assert _query(url) == {"filter": ["name:contains:er"], "sort": ["-state"]}

    # the CSV and JSON downloads hold exactly these rows; the API link their JSON pages
    csv = _get(_href(dash_duo, grid, "csv"))
    assert csv.headers["Content-Disposition"] == (
        f'attachment; filename="dimension_{COUNTIES}_records_filtered.csv"'
    )
    got = pd.read_csv(io.StringIO(csv.text), dtype=str, keep_default_na=False)
    assert got.to_dict("records") == want.to_dict("records")
    lines = _get(_href(dash_duo, grid, "json")).text.splitlines()
    assert [json.loads(line) for line in lines] == want.to_dict("records")
    api = _href(dash_duo, grid, "api")
    assert api.startswith(f"{dash_duo.server_url}/api/v1/dimensions/{COUNTIES}/records?")
    body = _get(api).json()
    assert [r["id"] for r in body["data"]] == list(want["id"]) and body["total"] == len(want)

    # a fresh page on that URL shows the same rows in the same order
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(url)
    again = wait_until(
        lambda: (r := grid_rows(dash_duo, grid, columns)) and len(r) == len(want) and r,
        message="rows of the restored grid",
    )
    assert again == rows
    box = dash_duo.find_element(f"#{grid} .ag-floating-filter[col-id='name'] input")
    assert box.get_attribute("value") == "er"
    header = dash_duo.find_element(f"#{grid} .ag-header-cell[col-id='state']")
    assert header.get_attribute("aria-sort") == "descending"
    assert dash_duo.get_logs() == []


def _db(registry, sql: str, *args) -> list[tuple]:
    con = sqlite3.connect(f"file:{registry / 'registry.db'}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_list_facets_filter_and_the_list_downloads_what_it_shows(
    dash_duo, viewer, efs_registry_template
):
    by_type = dict(
        _db(
            efs_registry_template,
            "SELECT type, COUNT(*) FROM components WHERE kind = 'dimension' GROUP BY type",
        )
    )
    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/dimensions")
    count = f"#{ids.list_count('dimensions')}"
    dash_duo.wait_for_text_to_equal(count, f"{sum(by_type.values())} dimensions")
    facets = f"#{ids.list_facets('dimensions')}"
    link = f"{facets} a[href*='type=geography']"
    dash_duo.wait_for_element(link)
    shown = {
        a.get_attribute("href").split("type=")[1].split("&")[0]: int(a.text.split()[-1])
        for a in dash_duo.find_elements(f"{facets} a[href*='type=']")
    }
    assert shown == by_type

    # used by a project: the count is what the API says the project uses
    used = _get(f"{dash_duo.server_url}/api/v1/dimensions?project=test_efs&limit=1").json()
    project_link = dash_duo.find_element(f"{facets} a[href*='project=test_efs']")
    assert int(project_link.text.split()[-1]) == used["total"]

    # clicking a facet filters the list, and goes into the URL
    dash_duo.find_element(link).click()
    dash_duo.wait_for_text_to_equal(count, f"{by_type['geography']} dimensions")
    assert _query(dash_duo.driver.current_url)["type"] == ["geography"]
    assert "geography" in dash_duo.find_element(facets).text

    grid = ids.list_grid("dimensions")
    grid_filter(dash_duo, grid, "name", "us")
    grid_sort(dash_duo, grid, "id", "desc")
    want = [
        r[0]
        for r in _db(
            efs_registry_template,
            "SELECT id FROM components WHERE kind = 'dimension' AND type = 'geography' "
            "AND lower(name) LIKE '%us%' ORDER BY lower(id) DESC",
        )
    ]
    assert 1 < len(want) < by_type["geography"]
    rows = wait_until(
        lambda: (r := [x["id"] for x in grid_rows(dash_duo, grid, ["id"])]) == want and r,
        message="filtered and sorted dimensions",
    )
    url = wait_until(
        lambda: "sort=" in dash_duo.driver.current_url and dash_duo.driver.current_url,
        message="sort in the URL",
    )
    assert _query(url) == {
        "type": ["geography"],
        "filter": ["name:contains:us"],
        "sort": ["-id"],
    }
    csv = _get(_href(dash_duo, grid, "csv"))
    assert csv.headers["Content-Disposition"] == 'attachment; filename="dimensions_filtered.csv"'
    got = pd.read_csv(io.StringIO(csv.text), dtype=str, keep_default_na=False)
    assert list(got["id"]) == want
    lines = _get(_href(dash_duo, grid, "json")).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == want
    api = _get(_href(dash_duo, grid, "api")).json()
    assert [r["id"] for r in api["data"]] == want

    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(url)
    dash_duo.wait_for_text_to_equal(count, f"{len(want)} dimensions")
    again = wait_until(
        lambda: (
            (r := [x["id"] for x in grid_rows(dash_duo, grid, ["id"])])
            and len(r) == len(want)
            and r
        ),
        message="rows of the restored list",
    )
    assert again == rows
    assert dash_duo.get_logs() == []


def test_mapping_rows_filter_survives_leaving_and_coming_back_and_downloads(
    dash_duo, viewer, efs_registry_template, test_data
):
    raw = pd.read_csv(
        test_data / PROJECT / "dimension_mappings/base_to_supplemental/lookup_county_to_state.csv",
        dtype=str,
        keep_default_na=False,
    )
    mapping_id = "us_counties_2010_comstock_only__to__us_states"
    texas = raw[raw["to_id"] == "TX"].sort_values("from_id", ascending=False)
    assert 1 < len(texas) < len(raw)

    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings/{mapping_id}")
    grid = ids.MAPPING_RECORDS
    columns = ["from_id", "to_id"]
    wait_until(lambda: len(grid_rows(dash_duo, grid, columns)) == len(raw), message="all rows")
    grid_filter(dash_duo, grid, "to_id", "tx")
    grid_sort(dash_duo, grid, "from_id", "desc")
    want = [
        {"from_id": f, "to_id": t} for f, t in zip(texas["from_id"], texas["to_id"], strict=True)
    ]
    wait_until(lambda: grid_rows(dash_duo, grid, columns) == want, message="Texas rows")
    url = wait_until(
        lambda: "sort=" in dash_duo.driver.current_url and dash_duo.driver.current_url,
        message="sort in the URL",
    )
    assert _query(url) == {"filter": ["to_id:contains:tx"], "sort": ["-from_id"]}

    csv = _get(_href(dash_duo, grid, "csv"))
    assert csv.headers["Content-Disposition"] == (
        f'attachment; filename="dimension_mapping_{mapping_id}_records_filtered.csv"'
    )
    got = pd.read_csv(io.StringIO(csv.text), dtype=str, keep_default_na=False)
    assert got[["from_id", "to_id"]].to_dict("records") == want
    assert [float(x) for x in got["from_fraction"]] == [float(x) for x in texas["from_fraction"]]

    # leave for the from dimension and come back: the same rows, in the same order
    link = dash_duo.find_element(f"#{ids.MAPPING_FROM} a")
    dash_duo.driver.execute_script("arguments[0].click();", link)
    dash_duo.wait_for_element(f"#{ids.DIMENSION_RECORDS}")
    dash_duo.driver.back()
    wait_until(lambda: grid_rows(dash_duo, grid, columns) == want, message="Texas rows again")
    assert _query(dash_duo.driver.current_url) == _query(url)
    assert dash_duo.get_logs() == []


@pytest.fixture
def big_dimension(empty_registry, tmp_path):
    """A registry with one dimension of 2,345 records: 24 grid pages of 100."""
    import csv as csv_module

    from dsgrid_core.registry.registry import Registry

    rows = [{"id": f"r{i:05d}", "name": f"Record {i}", "state": f"S{i % 7}"} for i in range(2345)]
    work = tmp_path / "big"
    work.mkdir()
    with open(work / "records.csv", "w", newline="") as handle:
        writer = csv_module.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    config = {"type": "geography", "name": "big_places", "description": "many", "class": "County"}
    (work / "dim.json5").write_text(json.dumps({**config, "file": "records.csv"}))
    with Registry(empty_registry) as registry:
        dimension = registry.register_dimension(work / "dim.json5", "first")[0].id
    return empty_registry, dimension, rows


def test_the_grid_page_is_in_the_url(dash_duo, viewer, big_dimension):
    registry, dimension, rows = big_dimension
    dash_duo.start_server(viewer(registry))
    grid = ids.DIMENSION_RECORDS
    dash_duo.wait_for_page(f"{dash_duo.server_url}/dimensions/{dimension}?page=3")
    first = wait_until(
        lambda: (r := grid_rows(dash_duo, grid, ["id"])) and r[0]["id"] != "r00000" and r,
        message="the third page",
    )
    assert first[0]["id"] == rows[200]["id"]
    wait_until(lambda: grid_status(dash_duo, grid) == "201 to 300 of 2,345", message="status")
    assert _query(dash_duo.driver.current_url) == {"page": ["3"]}

    # the next page goes into the URL; the downloads hold every row, not one page
    next_button = dash_duo.find_element(f"#{grid} .ag-paging-button[aria-label='Next Page']")
    dash_duo.driver.execute_script("arguments[0].click();", next_button)
    wait_until(lambda: grid_status(dash_duo, grid) == "301 to 400 of 2,345", message="page 4")
    wait_until(lambda: _query(dash_duo.driver.current_url) == {"page": ["4"]}, message="page=4")
    csv = _get(_href(dash_duo, grid, "csv"))
    got = pd.read_csv(io.StringIO(csv.text), dtype=str, keep_default_na=False)
    assert got.to_dict("records") == rows
    assert dash_duo.get_logs() == []
