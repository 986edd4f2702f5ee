"""The dependency graph of a component page: its nodes are the components the registry says it
depends on, laid out in columns by kind (project -> datasets -> mappings -> dimensions), each
kind a labelled box; a real mouse click on a node shows its neighbourhood (the rest faded) with
a link that opens it and a way back to the whole graph; back returns."""

from __future__ import annotations

import math
import time

import json5
import pytest
from conftest import click, scroll_to, wait_until
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
return cy.nodes().filter(n => !n.isParent()).map(n => ({
    id: n.id(), href: n.data('href'), label: n.data('label'), kind: n.data('kind'),
    x: box.left + n.renderedPosition('x'), y: box.top + n.renderedPosition('y'),
    width: n.renderedOuterWidth(),
    font: parseFloat(n.style('font-size')) * cy.zoom(),
    faded: n.numericStyle('opacity') < 0.5,
    // what cytoscape itself says is next to the node (not the page's own computation)
    near: n.closedNeighborhood('node').map(m => m.id()).sort(),
}));
"""

# The boxes that group the nodes by kind: their labels and which nodes cytoscape put in them.
GROUPS_JS = """
const root = document.getElementById(arguments[0]);
const holder = [root, ...root.querySelectorAll('div')].find(d => d._cyreg && d._cyreg.cy);
return holder._cyreg.cy.nodes().filter(n => n.isParent()).map(n => ({
    label: n.data('label'), children: n.children().map(c => c.data('kind')),
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
    _click_at(dash_duo, target)

    # the click focuses it: its neighbourhood stays, the rest fades; its link opens it
    dash_duo.wait_for_text_to_equal(f"#{ids.GRAPH_OPEN}", target["label"])
    _assert_focused(dash_duo, target["id"])
    click(dash_duo, f"#{ids.GRAPH_OPEN}")

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


def _click_at(dash_duo, node) -> None:
    """A real mouse click where ``node`` is drawn."""
    actions = ActionChains(dash_duo.driver)
    actions.w3c_actions.pointer_action.move_to_location(round(node["x"]), round(node["y"]))
    actions.w3c_actions.pointer_action.click()
    actions.perform()


def _assert_focused(dash_duo, node_id: str) -> list[dict]:
    """Only ``node_id`` and its neighbours (as cytoscape counts them) are drawn unfaded."""

    def faded_right():
        nodes = _drawn_nodes(dash_duo) or []
        focus = next((n for n in nodes if n["id"] == node_id), None)
        if focus is None:
            return None
        shown = sorted(n["id"] for n in nodes if not n["faded"])
        return nodes if shown == focus["near"] and len(shown) < len(nodes) else None

    return wait_until(faded_right, message=f"the neighbourhood of {node_id} shown, the rest faded")


def _choose_focus(dash_duo, label: str, value: str) -> None:
    """Pick the component ``value`` in the focus dropdown, searching for ``label``."""
    scroll_to(dash_duo, dash_duo.find_element(f"#{ids.GRAPH_FOCUS}")).click()
    search = dash_duo.wait_for_element(".dash-dropdown-content .dash-dropdown-search")
    search.send_keys(label)
    option = dash_duo.wait_for_element(
        f".dash-dropdown-content [role='option'] input[value='{value}']"
    )
    option.find_element("xpath", "./ancestor::label").click()
    dash_duo.find_element("body").send_keys("\ue00c")


def test_demo_project_graph_in_columns_by_kind_with_a_focus_and_a_way_back(
    dash_duo, viewer, demo_registry
):
    registry, inputs = demo_registry
    project = json5.loads((inputs / "project.json5").read_text())
    project_id = project["project_id"]
    datasets = {d["dataset_id"] for d in project["datasets"]}
    counties = next(d for d in project["dimensions"]["base_dimensions"] if d["type"] == "geography")

    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(viewer(registry))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/projects/{project_id}")
    scroll_to(dash_duo, dash_duo.wait_for_element(f"#{ids.GRAPH}"))
    nodes = _settled_nodes(dash_duo)
    assert len(nodes) >= 30  # the demo project's graph: the hairball of issue 17
    assert {n["href"].split("/")[2].split("?")[0] for n in nodes if n["kind"] == "dataset"} == (
        datasets
    )

    # columns by kind, left to right: every node of a kind left of every node of the next
    order = ["project", "dataset", "dimension_mapping", "dimension"]
    xs = {k: [n["x"] for n in nodes if n["kind"] == k] for k in order}
    assert all(xs.values()), {k: len(v) for k, v in xs.items()}
    for left, right in zip(order, order[1:], strict=False):
        assert max(xs[left]) < min(xs[right]), (left, right)
    assert _overlapping(nodes) == []
    assert min(n["font"] for n in nodes) >= 9, "labels too small to read"
    # one labelled box per kind, holding exactly the nodes of that kind
    groups = dash_duo.driver.execute_script(GROUPS_JS, ids.GRAPH)
    titles = {"project": "Projects", "dataset": "Datasets"}
    titles |= {"dimension_mapping": "Dimension mappings", "dimension": "Dimensions"}
    assert sorted(g["label"] for g in groups) == sorted(
        f"{titles[k]} ({len(xs[k])})" for k in order
    )
    for group in groups:
        assert len(set(group["children"])) == 1
    legend = dash_duo.find_element(f"#{ids.GRAPH_LEGEND}").text
    assert all(word in legend for word in ("Project", "Dataset", "Dimension mapping"))
    assert not dash_duo.find_element(f"#{ids.GRAPH_SHOW_ALL}").is_enabled()

    # focus by clicking a dataset: it and its neighbours stay, the rest fades
    target = next(n for n in nodes if n["kind"] == "dataset")
    _click_at(dash_duo, target)
    focused = _assert_focused(dash_duo, target["id"])
    near = {n["kind"] for n in focused if not n["faded"]}
    assert {"project", "dimension"} <= near
    dash_duo.wait_for_text_to_equal(f"#{ids.GRAPH_OPEN}", target["label"])

    # the way back: the whole graph again
    click(dash_duo, f"#{ids.GRAPH_SHOW_ALL}")
    wait_until(
        lambda: not any(n["faded"] for n in _drawn_nodes(dash_duo) or [{"faded": True}]),
        message="the whole graph unfaded",
    )
    assert dash_duo.find_element(f"#{ids.GRAPH_FOCUS_NOTE}").text == ""

    # focus by choosing: the project's counties dimension; its link opens its page
    county = next(n for n in nodes if n["kind"] == "dimension" and n["label"] == counties["name"])
    _choose_focus(dash_duo, counties["name"], county["id"])
    _assert_focused(dash_duo, county["id"])
    click(dash_duo, f"#{ids.GRAPH_OPEN}")
    wait_until(
        lambda: "/dimensions/" in dash_duo.driver.current_url, message="the dimension's page"
    )
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_CONTENT}", counties["name"])
    assert dash_duo.get_logs() == []
