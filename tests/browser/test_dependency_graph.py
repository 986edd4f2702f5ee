"""The dependency graph of a component page: its nodes are the components the registry says it
depends on, and a real mouse click on a node opens that component; back returns."""

from __future__ import annotations

import math
import time

import json5
import pytest
from conftest import scroll_to, wait_until
from selenium.webdriver.common.action_chains import ActionChains

from app import ids

pytestmark = pytest.mark.browser

# The cytoscape.js instance behind a dash-cytoscape component: the nodes with their labels and
# where they are drawn, in page (viewport) coordinates, and how wide.
DRAWN_NODES_JS = """
const root = document.getElementById(arguments[0]);
if (!root) return null;
const holder = [root, ...root.querySelectorAll('div')].find(d => d._cyreg && d._cyreg.cy);
if (!holder) return null;
const cy = holder._cyreg.cy;
const box = holder.getBoundingClientRect();
return cy.nodes().map(n => ({
    href: n.data('href'), label: n.data('label'), kind: n.data('kind'),
    x: box.left + n.renderedPosition('x'), y: box.top + n.renderedPosition('y'),
    width: n.renderedOuterWidth(),
}));
"""


def _drawn_nodes(dash_duo):
    nodes = dash_duo.driver.execute_script(DRAWN_NODES_JS, ids.GRAPH)
    return nodes if nodes and all(n["x"] == n["x"] for n in nodes) else None


def _settled_nodes(dash_duo):
    """The nodes once two reads 0.3 s apart agree (the layout, or the page around the graph,
    may still be moving them)."""
    last = [None]

    def still():
        now = _drawn_nodes(dash_duo)
        settled = now is not None and now == last[0]
        last[0] = now
        if not settled:
            time.sleep(0.3)
        return now if settled else None

    return wait_until(still, message="the graph layout to settle")


def _overlapping(nodes) -> list[tuple[str, str]]:
    """Pairs of nodes drawn over each other (a click on one may open the other)."""
    return [
        (a["label"], b["label"])
        for i, a in enumerate(nodes)
        for b in nodes[i + 1 :]
        if math.dist((a["x"], a["y"]), (b["x"], b["y"])) < (a["width"] + b["width"]) / 2
    ]


def test_click_a_node_of_the_project_graph_to_open_it(
    dash_duo, viewer, efs_registry_template, test_data
):
    bulk = json5.loads((test_data / "test_efs_registration.json5").read_text())
    submitted = {s["dataset_id"] for s in bulk["dataset_submissions"]}
    project_id = bulk["projects"][0]["project_id"]

    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(viewer(efs_registry_template))
    project_url = f"{dash_duo.server_url}/projects/{project_id}"
    dash_duo.wait_for_page(project_url)
    graph = dash_duo.wait_for_element(f"#{ids.GRAPH}")
    nodes = wait_until(lambda: _drawn_nodes(dash_duo), message="the drawn dependency graph")
    # the rest of the page (coverage heatmap, tables) done, so nothing moves the graph later
    wait_until(
        lambda: dash_duo.driver.execute_script(
            "return document.querySelectorAll('[data-dash-is-loading]').length === 0"
        ),
        message="every part of the page loaded",
    )
    scroll_to(dash_duo, graph)

    # the project's datasets are in it, each linking to its page
    dataset_links = {n["href"].split("?")[0] for n in nodes if n["kind"] == "dataset"}
    assert dataset_links == {f"/datasets/{d}" for d in submitted}
    assert any(n["href"].startswith(f"/projects/{project_id}") for n in nodes)

    # a real mouse click where the first dataset's node is drawn, once the layout is still;
    # no node is drawn over another, so the click reaches the node aimed at (the project's
    # datasets have the same neighbours: a force layout used to stack them)
    nodes = _settled_nodes(dash_duo)
    assert _overlapping(nodes) == []
    target = sorted((n for n in nodes if n["kind"] == "dataset"), key=lambda n: n["href"])[0]
    actions = ActionChains(dash_duo.driver)
    actions.w3c_actions.pointer_action.move_to_location(round(target["x"]), round(target["y"]))
    actions.w3c_actions.pointer_action.click()
    actions.perform()

    dataset_id = target["href"].split("/")[2].split("?")[0]
    wait_until(
        lambda: dash_duo.driver.current_url.split("?")[0].endswith(f"/datasets/{dataset_id}"),
        message=f"the page of dataset {dataset_id}",
    )
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_CONTENT}", dataset_id)

    # back: the project page again, graph and all
    dash_duo.driver.back()
    wait_until(lambda: dash_duo.driver.current_url == project_url, message="back to the project")
    wait_until(lambda: _drawn_nodes(dash_duo), message="the graph drawn again")
    assert dash_duo.get_logs() == []
