"""Home: the open registry, its counts, latest registrations and storage, and the search across
components and dimension records (kept in the URL), on test_efs and on the demo registry; and
what it says when there is no registry, no registry.db, or nothing in the registry."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import json5
import pytest
from conftest import click, read_csv, table_rows, wait_for_grid_rows, wait_until
from selenium.webdriver.common.keys import Keys

from app import ids
from app.state import API_URL_KEY, REGISTRY_KEY

pytestmark = pytest.mark.browser

KINDS = ("project", "dataset", "dimension", "dimension_mapping")
LIST_PATHS = {
    "project": "/projects",
    "dataset": "/datasets",
    "dimension": "/dimensions",
    "dimension_mapping": "/mappings",
}


def stored(registry: Path, sql: str) -> list[tuple]:
    """Rows of a query on the registry's database, read with sqlite3 (read-only)."""
    with closing(sqlite3.connect(f"file:{registry / 'registry.db'}?mode=ro", uri=True)) as con:
        return con.execute(sql).fetchall()


def stored_counts(registry: Path) -> dict[str, int]:
    counts = dict(stored(registry, "SELECT kind, count(*) FROM components GROUP BY kind"))
    return {kind: counts.get(kind, 0) for kind in KINDS}


def follow(dash_duo, selector: str) -> None:
    """Click a link, again if the table holding it redrew meanwhile (stale element)."""
    wait_until(lambda: click(dash_duo, selector) or True, message=f"click {selector}")


def rows_of(dash_duo, table_id: str, wanted) -> list[list[str]]:
    """The rows of a results table once ``wanted(rows)`` holds (results of an earlier
    keystroke may show first)."""
    return wait_until(
        lambda: (rows := table_rows(dash_duo, table_id)) and wanted(rows) and rows,
        message=f"rows of {table_id}",
    )


def search_for(dash_duo, text: str) -> None:
    box = dash_duo.find_element(f"#{ids.HOME_SEARCH}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text)


def query_in_url(dash_duo) -> str | None:
    return parse_qs(urlparse(dash_duo.driver.current_url).query).get("q", [None])[0]


def matching(csv_path: Path, text: str) -> set[tuple[str, str]]:
    """(id, name) of the records of a dimension CSV whose id or name contain ``text``."""
    text = text.lower()
    return {
        (r["id"], r["name"])
        for r in read_csv(csv_path)
        if text in r["id"].lower() or text in r["name"].lower()
    }


def test_efs_counts_latest_storage_and_search_for_hospital(
    dash_duo, viewer, efs_registry_template, test_data
):
    registry = efs_registry_template
    counts = stored_counts(registry)
    versions = {
        (kind, id, version): at
        for kind, id, version, at in stored(
            registry, "SELECT kind, id, version, registered_at FROM versions"
        )
    }
    # the Hospital records, from the raw files: the project's base subsectors and the ComStock
    # dataset's own (prefixed) subsectors
    project_dir = test_data / "test_efs" / "dsgrid_project"
    project = json5.loads((project_dir / "project.json5").read_text())
    base = next(d for d in project["dimensions"]["base_dimensions"] if d["type"] == "subsector")
    dataset_dir = project_dir / "datasets" / "modeled" / "comstock"
    dataset = json5.loads((dataset_dir / "dataset.json5").read_text())
    own = next(d for d in dataset["dimensions"] if d["type"] == "subsector")
    hospitals = {(i, n, base["name"]) for i, n in matching(project_dir / base["file"], "hospital")}
    hospitals |= {(i, n, own["name"]) for i, n in matching(dataset_dir / own["file"], "hospital")}
    assert len(hospitals) == 2

    app = viewer(registry)
    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal(f"#{ids.HOME_TITLE}", "dsgrid-viewer")
    assert dash_duo.driver.title == "dsgrid-viewer"
    # where the data comes from: the folder, or the API server a remote viewer reads
    source = app.server.config[API_URL_KEY] or str(registry)
    assert source in dash_duo.find_element(f"#{ids.HOME_REGISTRY_PATH}").text
    for kind in KINDS:
        dash_duo.wait_for_text_to_equal(f"#{ids.home_count_row(kind)}", f"{kind} {counts[kind]}")

    # the latest registrations: real versions, newest first, each linked at its version
    latest = dash_duo.find_elements(f"#{ids.HOME_LATEST} tbody tr")
    assert len(latest) == min(10, len(versions))
    shown = []
    for row in latest:
        href = urlparse(row.find_element("css selector", "a").get_attribute("href"))
        kind = next(k for k, p in LIST_PATHS.items() if href.path.startswith(p + "/"))
        key = (kind, href.path.split("/")[-1], parse_qs(href.query)["version"][0])
        assert key in versions
        shown.append(versions[key])
    assert shown == sorted(shown, reverse=True)
    assert shown[0] == max(versions.values())
    storage = dash_duo.find_element(f"#{ids.HOME_STORAGE}").text
    assert all(word in storage for word in ("database", "data", "cache", "total"))

    # a count links to its list
    follow(dash_duo, f"#{ids.home_count_row('dimension_mapping')} a")
    dash_duo.wait_for_text_to_equal(
        f"#{ids.list_count('mappings')}", f"{counts['dimension_mapping']} dimension mappings"
    )
    dash_duo.driver.back()
    dash_duo.wait_for_element(f"#{ids.HOME_SEARCH}")

    # search: the Hospital subsector records, with the dimensions that hold them
    search_for(dash_duo, "Hospital")
    rows = rows_of(
        dash_duo, ids.HOME_SEARCH_RECORDS, lambda rs: {(r[0], r[1], r[2]) for r in rs} == hospitals
    )
    assert {r[3] for r in rows} == {"subsector"}
    wait_until(lambda: query_in_url(dash_duo) == "Hospital", message="?q= in the URL")

    # follow the base record to its dimension, then come back to the same search
    follow(dash_duo, f"//table[@id='{ids.HOME_SEARCH_RECORDS}']//a[text()='{base['name']}']")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", base["name"])
    records = wait_for_grid_rows(
        dash_duo, ids.DIMENSION_RECORDS, ["id"], len(read_csv(project_dir / base["file"]))
    )
    assert "Hospital" in {r["id"] for r in records}
    dash_duo.driver.back()
    dash_duo.wait_for_element(f"#{ids.HOME_SEARCH_RECORDS}")
    assert dash_duo.find_element(f"#{ids.HOME_SEARCH}").get_attribute("value") == "Hospital"
    rows = table_rows(dash_duo, ids.HOME_SEARCH_RECORDS)
    assert {(r[0], r[1], r[2]) for r in rows} == hospitals

    # nothing found: said so, and the URL follows
    search_for(dash_duo, "zzz-no-such-thing")
    dash_duo.wait_for_contains_text(
        f"#{ids.HOME_SEARCH_EMPTY}", "Nothing found for 'zzz-no-such-thing'"
    )
    assert not dash_duo.find_elements(f"#{ids.HOME_SEARCH_RECORDS}")
    wait_until(lambda: query_in_url(dash_duo) == "zzz-no-such-thing", message="?q= follows")
    assert dash_duo.get_logs() == []


def test_demo_search_has_a_url_finds_components_and_records(dash_duo, viewer, demo_registry):
    registry, inputs = demo_registry
    counts = stored_counts(registry)
    project = json5.loads((inputs / "project.json5").read_text())
    dims = project["dimensions"]
    areas = next(d for d in dims["supplemental_dimensions"] if "balancing" in d["name"].lower())
    mapping_rows = read_csv(inputs / areas["mapping"]["file"])
    counties = next(d for d in dims["base_dimensions"] if d["type"] == "geography")
    kent = sorted(matching(inputs / counties["file"], "kent"))
    assert kent

    dash_duo.start_server(viewer(registry))
    for kind in KINDS:
        dash_duo.wait_for_text_to_equal(f"#{ids.home_count_row(kind)}", f"{kind} {counts[kind]}")

    # components: the balancing-area dimension and the mapping to it
    search_for(dash_duo, "balancing")
    rows = rows_of(
        dash_duo,
        ids.HOME_SEARCH_COMPONENTS,
        lambda rs: ["Dimension", areas["name"]] in [[r[0], r[2]] for r in rs],
    )
    mappings = [r for r in rows if r[0] == "Dimension mapping"]
    assert len(mappings) == 1 and mappings[0][3] == areas["type"]
    follow(dash_duo, f"//table[@id='{ids.HOME_SEARCH_COMPONENTS}']//a[text()='{mappings[0][1]}']")
    dash_duo.wait_for_contains_text(f"#{ids.COMPONENT_TITLE}", areas["name"])
    grid = wait_for_grid_rows(
        dash_duo, ids.MAPPING_RECORDS, ["from_id", "to_id"], len(mapping_rows)
    )
    assert sorted((r["from_id"], r["to_id"]) for r in grid) == sorted(
        (r["from_id"], r["to_id"]) for r in mapping_rows
    )
    dash_duo.driver.back()
    dash_duo.wait_for_element(f"#{ids.HOME_SEARCH_COMPONENTS}")
    assert dash_duo.find_element(f"#{ids.HOME_SEARCH}").get_attribute("value") == "balancing"
    assert query_in_url(dash_duo) == "balancing"

    # words, not the literal text: "county" finds the "... Counties" dimension, saying why
    search_for(dash_duo, "county")
    rows = rows_of(
        dash_duo,
        ids.HOME_SEARCH_COMPONENTS,
        lambda rs: ["Dimension", counties["name"]] in [[r[0], r[2]] for r in rs],
    )
    (dimension,) = [r for r in rows if r[0] == "Dimension" and r[2] == counties["name"]]
    assert counties["name"].split()[-1] == "Counties"
    assert "name: Counties (word form of 'county')" in dimension[4]
    why = dash_duo.find_element(f"#{ids.HOME_SEARCH_COMPONENTS} tbody tr td:last-child")
    assert "text-muted" in why.get_attribute("class")
    wait_until(lambda: query_in_url(dash_duo) == "county", message="?q=county in the URL")

    # a search is a URL: open it directly; a county record links to the county dimension
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?q=Kent")
    dash_duo.wait_for_element(f"#{ids.HOME_SEARCH_RECORDS}")
    rows = table_rows(dash_duo, ids.HOME_SEARCH_RECORDS)
    assert [(r[0], r[1]) for r in rows if r[2] == counties["name"]] == kent
    follow(dash_duo, f"//table[@id='{ids.HOME_SEARCH_RECORDS}']//a[text()='{counties['name']}']")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", counties["name"])
    dash_duo.driver.back()
    dash_duo.wait_for_element(f"#{ids.HOME_SEARCH_RECORDS}")
    assert dash_duo.find_element(f"#{ids.HOME_SEARCH}").get_attribute("value") == "Kent"
    assert dash_duo.get_logs() == []


def test_no_registry_no_database_and_an_empty_registry_are_explained(
    dash_duo, local_viewer, empty_registry, tmp_path
):
    # One server, three folders: the viewer reads its registry folder from the server config
    # on every request, so the test changes it between visits (folders: a local viewer's).
    app = local_viewer(empty_registry)
    dash_duo.start_server(app)
    home = f"{dash_duo.server_url}/"

    # an empty registry: counts of zero, and how to fill it
    dash_duo.wait_for_contains_text(f"#{ids.HOME_EMPTY}", "holds no components yet")
    assert "bulk-register" in dash_duo.find_element(f"#{ids.HOME_EMPTY}").text
    for kind in KINDS:
        assert dash_duo.find_element(f"#{ids.home_count_row(kind)}").text == f"{kind} 0"
    assert not dash_duo.find_elements(f"#{ids.HOME_SEARCH}")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings")
    dash_duo.wait_for_text_to_equal(f"#{ids.list_count('mappings')}", "0 dimension mappings")
    dash_duo.wait_for_contains_text(f"#{ids.list_empty('mappings')}", "No dimension mapping")

    # Bootstrap comes from this server, and its rules apply
    hrefs = [link.get_attribute("href") for link in dash_duo.find_elements("link[rel=stylesheet]")]
    assert any(h.startswith(dash_duo.server_url) and "bootstrap.min.css" in h for h in hrefs)
    assert dash_duo.find_element(f"#{ids.NAVBAR}").value_of_css_property("display") == "flex"

    # a folder without registry.db
    folder = tmp_path / "not_a_registry"
    folder.mkdir()
    app.server.config[REGISTRY_KEY] = str(folder)
    dash_duo.wait_for_page(home)
    dash_duo.wait_for_contains_text(f"#{ids.HOME_EMPTY}", f"dsgrid registry create {folder}")
    assert f"dsgrid demo {folder}" in dash_duo.find_element(f"#{ids.HOME_EMPTY}").text
    assert str(folder) in dash_duo.find_element(f"#{ids.HOME_REGISTRY_PATH}").text

    # a registry.db that is not a database
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "registry.db").write_text("not a database")
    app.server.config[REGISTRY_KEY] = str(broken)
    dash_duo.wait_for_page(home)
    dash_duo.wait_for_contains_text(f"#{ids.HOME_ERROR}", "Could not read this registry")

    # no registry at all
    app.server.config[REGISTRY_KEY] = None
    dash_duo.wait_for_page(home)
    dash_duo.wait_for_contains_text(f"#{ids.HOME_EMPTY}", "dsgrid --registry PATH serve")
    assert "DSGRID_REGISTRY" in dash_duo.find_element(f"#{ids.HOME_EMPTY}").text
    assert not dash_duo.find_elements(f"#{ids.HOME_REGISTRY_PATH}")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings/any_mapping")
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_ERROR}", "no registry is open")
    assert dash_duo.get_logs() == []
