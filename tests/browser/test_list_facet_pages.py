"""Class and status facets on the list pages, and the search's download links, in both modes
([local], and [remote]: the pages read another server's /api/v1). Counts are compared with SQL
over the registry database (the stored configs of latest versions)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from conftest import grid_rows, wait_until

from app import ids

pytestmark = pytest.mark.browser

LATEST = (
    "SELECT c.id, c.type, v.config FROM components c JOIN versions v "
    "ON v.kind = c.kind AND v.id = c.id AND v.version = c.latest_version WHERE c.kind = ?"
)


def _configs(registry, kind: str) -> dict[str, dict]:
    con = sqlite3.connect(f"file:{registry / 'registry.db'}?mode=ro", uri=True)
    try:
        return {i: {**json.loads(c), "_type": t} for i, t, c in con.execute(LATEST, (kind,))}
    finally:
        con.close()


def _links(dash_duo, facets: str, name: str) -> dict[str, int]:
    """The facet's links: value -> the count its badge shows."""
    out = {}
    for a in dash_duo.find_elements(f"{facets} a[href*='{name}=']"):
        value = parse_qs(urlsplit(a.get_attribute("href")).query)[name][0]
        out[value] = int(a.text.split()[-1])
    return out


# local only: a remote viewer's facets and lists are the API's, which
# tests/api/test_list_facets.py checks against the local viewer (the suite's 30 minutes)
@pytest.mark.parametrize("viewer", ["local"], indirect=True)
def test_class_and_status_facets_filter_the_list_and_stay_in_the_url(
    dash_duo, viewer, efs_registry_template
):
    dims = _configs(efs_registry_template, "dimension")
    by_class = Counter(c["class"] for c in dims.values())
    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/dimensions")
    count, facets = f"#{ids.list_count('dimensions')}", f"#{ids.list_facets('dimensions')}"
    dash_duo.wait_for_text_to_equal(count, f"{len(dims)} dimensions")
    wait_until(lambda: _links(dash_duo, facets, "class") == by_class, message="class counts")

    # a record class: the list shrinks to it, the type facet counts under it, the URL keeps it
    chosen = "Subsector"
    subsectors = sorted(i for i, c in dims.items() if c["class"] == chosen)
    assert 1 < len(subsectors) < len(dims)
    dash_duo.find_element(f"{facets} a[href*='class={chosen}']").click()
    dash_duo.wait_for_text_to_equal(count, f"{len(subsectors)} dimensions")
    grid = ids.list_grid("dimensions")
    wait_until(
        lambda: sorted(r["id"] for r in grid_rows(dash_duo, grid, ["id"])) == subsectors,
        message="the grid holds the class's dimensions",
    )
    types = Counter(dims[i]["_type"] for i in subsectors)
    wait_until(lambda: _links(dash_duo, facets, "type") == types, message="types under class")
    assert f"{chosen} ({len(subsectors)})" in dash_duo.find_element(facets).text
    assert parse_qs(urlsplit(dash_duo.driver.current_url).query)["class"] == [chosen]
    csv_href = dash_duo.find_element(f"#{ids.grid_link(grid, 'csv')}").get_attribute("href")
    assert parse_qs(urlsplit(csv_href).query)["class"] == [chosen]

    # datasets by their status in projects; the URL opened afresh keeps the choice
    datasets = _configs(efs_registry_template, "dataset")
    project = _configs(efs_registry_template, "project")["test_efs"]
    registered = sorted(d["dataset_id"] for d in project["datasets"])
    assert 0 < len(registered) < len(datasets)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/datasets")
    count, facets = f"#{ids.list_count('datasets')}", f"#{ids.list_facets('datasets')}"
    dash_duo.wait_for_text_to_equal(count, f"{len(datasets)} datasets")
    link = f"{facets} a[href*='status=Registered']"
    dash_duo.wait_for_element(link)
    assert _links(dash_duo, facets, "status") == {
        "Registered": len(registered),
        "Not in a project": len(datasets) - len(registered),
    }
    dash_duo.find_element(link).click()
    dash_duo.wait_for_text_to_equal(count, f"{len(registered)} datasets")
    url = dash_duo.driver.current_url
    assert parse_qs(urlsplit(url).query)["status"] == ["Registered"]
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(url)
    dash_duo.wait_for_text_to_equal(count, f"{len(registered)} datasets")
    grid = ids.list_grid("datasets")
    wait_until(
        lambda: sorted(r["id"] for r in grid_rows(dash_duo, grid, ["id"])) == registered,
        message="the registered datasets",
    )
    assert dash_duo.get_logs() == []


# local only: the links are the same in both modes; the files are the API's
@pytest.mark.parametrize("viewer", ["local"], indirect=True)
def test_search_results_link_their_csv_json_and_api_answer(dash_duo, viewer, efs_registry_template):
    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?q=county")
    dash_duo.wait_for_element(f"#{ids.HOME_SEARCH_COMPONENTS}")
    shown = len(dash_duo.find_elements(f"#{ids.HOME_SEARCH_COMPONENTS} tbody tr")) + len(
        dash_duo.find_elements(f"#{ids.HOME_SEARCH_RECORDS} tbody tr")
    )
    api = f"{dash_duo.server_url}/api/v1/search?q=county&limit=20"
    href = {
        what: dash_duo.find_element(f"#{ids.home_search_link(what)}").get_attribute("href")
        for what in ("csv", "json", "api")
    }
    assert href == {"csv": api + "&format=csv", "json": api + "&format=ndjson", "api": api}
    rows = list(csv.DictReader(io.StringIO(requests.get(href["csv"], timeout=30).text)))
    assert len(rows) == shown and all(r["why"] for r in rows)
    lines = requests.get(href["json"], timeout=30).text.splitlines()
    assert [json.loads(line)["why"] for line in lines] == [r["why"] for r in rows]
    answer = requests.get(href["api"], timeout=30).json()["data"]
    assert len(answer["components"]) + len(answer["records"]) == shown

    # the links follow a new search
    box = dash_duo.find_element(f"#{ids.HOME_SEARCH}")
    box.clear()
    box.send_keys("hospital")
    wait_until(
        lambda: (
            "q=hospital"
            in dash_duo.find_element(f"#{ids.home_search_link('csv')}").get_attribute("href")
        ),
        message="links of the new search",
    )
    assert dash_duo.get_logs() == []
