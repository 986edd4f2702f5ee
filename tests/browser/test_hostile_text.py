"""HTML and JavaScript in names and descriptions are shown as text, never run: a registry whose
display names, descriptions and record names carry script payloads, opened in the viewer's
list, component, mapping and search pages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import plotly_sankey, wait_for_grid_rows, wait_until
from selenium.webdriver.common.keys import Keys

from app import ids
from dsgrid_core.registry.registry import Registry

pytestmark = pytest.mark.browser

# each payload sets window.__pwned if a page ever runs it
PAYLOADS = [
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<script>window.__pwned='script'</script>",
    "[click me](javascript:window.__pwned='markdown')",
    "<a href=\"javascript:window.__pwned='anchor'\">a</a>",
    '" onmouseover="window.__pwned=\'attribute\'" x="',
    "<svg onload=\"window.__pwned='svg'\"></svg>",
]
TITLE = "<b>Counties</b> <img src=x onerror=\"window.__pwned='title'\">"
DESCRIPTION = " | ".join(PAYLOADS)

NOT_RUN_JS = """
return {pwned: window.__pwned === undefined ? null : String(window.__pwned),
        injected: document.querySelectorAll('img[src="x"], svg[onload], [onmouseover]').length};
"""


def assert_nothing_ran(dash_duo) -> None:
    state = dash_duo.driver.execute_script(NOT_RUN_JS)
    assert state == {"pwned": None, "injected": 0}, state


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def hostile_registry(empty_registry, tmp_path) -> dict[str, str]:
    work = tmp_path / "hostile"
    work.mkdir()
    counties = [
        {"id": f"c{i}", "name": payload, "state": "s1"} for i, payload in enumerate(PAYLOADS)
    ]
    write_csv(work / "counties.csv", counties)
    write_csv(work / "states.csv", [{"id": "s1", "name": PAYLOADS[0]}, {"id": "s2", "name": "S2"}])
    write_csv(
        work / "map.csv",
        [{"from_id": r["id"], "to_id": "s1" if i % 2 else "s2"} for i, r in enumerate(counties)],
    )
    configs = {
        "counties": {
            "type": "geography",
            "name": "hostile_counties",
            "display_name": TITLE,
            "description": DESCRIPTION,
            "class": "County",
            "file": "counties.csv",
        },
        "states": {
            "type": "geography",
            "name": "hostile_states",
            "description": PAYLOADS[1],
            "class": "State",
            "file": "states.csv",
        },
        "mapping": {
            "mapping_type": "many_to_one_aggregation",
            "description": DESCRIPTION,
            "file": "map.csv",
            "from_dimension": {"type": "geography", "name": "hostile_counties"},
            "to_dimension": {"type": "geography", "name": "hostile_states"},
        },
    }
    for name, config in configs.items():
        (work / f"{name}.json5").write_text(json.dumps(config))
    with Registry(empty_registry) as registry:
        county = registry.register_dimension(work / "counties.json5", PAYLOADS[1])[0].id
        registry.register_dimension(work / "states.json5", PAYLOADS[0])
        mapping = registry.register_mapping(work / "mapping.json5", PAYLOADS[2])[0].id
    return {"path": str(empty_registry), "county": county, "mapping": mapping}


INJECT_INLINE_SCRIPT_JS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
                          e => window.__violations.push(e.violatedDirective));
const script = document.createElement('script');
script.textContent = "window.__pwned = 'inline script'";
document.body.appendChild(script);
"""


def test_an_inline_script_that_got_into_a_page_is_refused(dash_duo, viewer, hostile_registry):
    """The second line of defence: were markup ever to reach a page, the Content-Security-Policy
    refuses to run inline scripts other than Dash's own (allowed by hash)."""
    dash_duo.start_server(viewer(Path(hostile_registry["path"])))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/dimensions")
    dash_duo.wait_for_text_to_equal(f"#{ids.list_count('dimensions')}", "2 dimensions")
    dash_duo.driver.execute_script(INJECT_INLINE_SCRIPT_JS)
    violations = wait_until(
        lambda: dash_duo.driver.execute_script("return window.__violations"),
        message="a Content-Security-Policy violation report",
    )
    assert violations[0].startswith("script-src"), violations
    assert_nothing_ran(dash_duo)
    logs = dash_duo.get_logs()
    assert len(logs) == 1 and "Content Security Policy" in logs[0]["message"], logs
    # Dash's own inline start-up script ran (the page above rendered); nothing else went wrong
    dash_duo.wait_for_page(f"{dash_duo.server_url}/dimensions/{hostile_registry['county']}")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", "hostile_counties")
    assert dash_duo.get_logs() == []


def test_names_and_descriptions_are_text(dash_duo, viewer, hostile_registry):
    dash_duo.start_server(viewer(Path(hostile_registry["path"])))

    # the list: descriptions in the grid are text
    dash_duo.wait_for_page(f"{dash_duo.server_url}/dimensions")
    dash_duo.wait_for_text_to_equal(f"#{ids.list_count('dimensions')}", "2 dimensions")
    dash_duo.wait_for_contains_text(f"#{ids.list_grid('dimensions')}", PAYLOADS[1])
    assert_nothing_ran(dash_duo)

    # the dimension page: display name, description and every record name as written
    dash_duo.wait_for_page(f"{dash_duo.server_url}/dimensions/{hostile_registry['county']}")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", "hostile_counties")
    # open the stored config, display name included
    dash_duo.driver.execute_script("document.querySelector('details').open = true")
    body = dash_duo.find_element("body").text
    assert json.dumps(TITLE) in body
    for payload in PAYLOADS:
        assert payload in body
    rows = wait_for_grid_rows(dash_duo, ids.DIMENSION_RECORDS, ["id", "name"], len(PAYLOADS))
    assert {r["id"]: r["name"] for r in rows} == {f"c{i}": p for i, p in enumerate(PAYLOADS)}
    hover = "arguments[0].dispatchEvent(new MouseEvent('mouseover'))"
    for cell in dash_duo.find_elements(f"#{ids.DIMENSION_RECORDS} [col-id='name']"):
        dash_duo.driver.execute_script(hover, cell)
    assert_nothing_ran(dash_duo)

    # the mapping page: the Sankey's labels are the record names, drawn as text
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings/{hostile_registry['mapping']}")
    sankey = wait_until(
        lambda: plotly_sankey(dash_duo, ids.MAPPING_SANKEY), message="the mapping's Sankey"
    )
    assert len(sankey["labels"]) == len(PAYLOADS) + 2
    drawn = dash_duo.find_element(f"#{ids.MAPPING_SANKEY} .sankey").text  # what the SVG shows
    for i, payload in enumerate(PAYLOADS):
        assert f"c{i} ({payload})" in drawn
    assert DESCRIPTION in dash_duo.find_element("body").text
    for link in dash_duo.find_elements(f"#{ids.MAPPING_SANKEY} a"):
        assert not (link.get_attribute("href") or "").startswith("javascript:")
    assert_nothing_ran(dash_duo)

    # the search across records finds them and shows them as text
    dash_duo.wait_for_page(dash_duo.server_url)
    box = dash_duo.wait_for_element(f"#{ids.HOME_SEARCH}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("window.__pwned")
    wait_until(
        lambda: PAYLOADS[3] in dash_duo.find_element(f"#{ids.HOME_SEARCH_RECORDS}").text,
        message="the hostile records in the search results",
    )
    assert_nothing_ran(dash_duo)
    assert dash_duo.get_logs() == []
