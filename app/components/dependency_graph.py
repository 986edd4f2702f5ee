"""A component's dependency graph: laid out in columns by kind (project -> datasets ->
mappings -> dimensions), each kind a labelled box; a click on a node (or the "Focus on"
picker) shows its neighbourhood with the rest faded, a link that opens it, and "Show the whole
graph" to go back."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import dash_cytoscape as cyto
from dash import Input, Output, State, ctx, dcc, html, no_update

from app import ids, state
from app.components.common import KIND_LABELS, component_href

KIND_COLORS = {
    "project": "#0d6efd",
    "dataset": "#198754",
    "dimension": "#6f42c1",
    "dimension_mapping": "#fd7e14",
}


# One column per kind, left to right in the order a project is built (project -> datasets ->
# mappings -> dimensions), each kind a labelled box. Positions are computed here (a "preset"
# layout): the same on every load, never one node over another, so a click reaches the node
# aimed at.
KIND_ORDER = ("project", "dataset", "dimension_mapping", "dimension")
GROUP_TITLES = {
    "project": "Projects",
    "dataset": "Datasets",
    "dimension_mapping": "Dimension mappings",
    "dimension": "Dimensions",
}
ROWS_PER_COLUMN = 9  # a taller kind wraps into more columns
COLUMN_WIDTH, KIND_GAP, ROW_HEIGHT = 190, 90, 58  # model pixels between nodes


def graph_positions(nodes: list[dict]) -> tuple[dict[str, dict[str, float]], int]:
    """Node id -> {x, y} by kind (columns in KIND_ORDER; within a kind, dimensions by type,
    then by label; each kind centred on the tallest), and the most rows of any column."""
    x, positions, most = 0.0, {}, 1
    for kind in KIND_ORDER:
        members = sorted(
            (n for n in nodes if n["kind"] == kind),
            key=lambda n: (n.get("type") or "", n["label"].lower(), n["id"]),
        )
        if not members:
            continue
        rows = min(ROWS_PER_COLUMN, len(members))
        columns = -(-len(members) // rows)
        most = max(most, rows)
        for i, node in enumerate(members):
            column, row = divmod(i, rows)
            positions[node["id"]] = {"x": x + column * COLUMN_WIDTH, "y": row * ROW_HEIGHT}
        x += columns * COLUMN_WIDTH + KIND_GAP
    centre = (most - 1) * ROW_HEIGHT / 2
    for kind in KIND_ORDER:
        members = [n["id"] for n in nodes if n["kind"] == kind]
        if members:
            low = min(positions[i]["y"] for i in members)
            high = max(positions[i]["y"] for i in members)
            for i in members:
                positions[i]["y"] += centre - (low + high) / 2
    return positions, most


def graph_elements(graph: dict) -> list[dict]:
    """cytoscape elements: a box per kind (a compound node), the components in it at their
    positions, and the links."""
    positions, _ = graph_positions(graph["nodes"])
    counts = {k: sum(1 for n in graph["nodes"] if n["kind"] == k) for k in KIND_ORDER}
    groups = [
        {
            "data": {"id": f"group:{kind}", "label": f"{GROUP_TITLES[kind]} ({counts[kind]})"},
            "classes": f"group group-{kind}",
            "selectable": False,
        }
        for kind in KIND_ORDER
        if counts[kind]
    ]
    nodes = [
        {
            "data": {
                "id": n["id"],
                "label": n["label"],
                "kind": n["kind"],
                "parent": f"group:{n['kind']}",
                "href": component_href(n["kind"], n["component_id"], n["version"]),
            },
            "position": positions[n["id"]],
            "classes": f"{n['kind']} {n['role']}",
        }
        for n in graph["nodes"]
        if n["kind"] in GROUP_TITLES
    ]
    edges = [
        {"data": {"id": f"{e['source']}->{e['target']}", **e}, "classes": "link"}
        for e in graph["edges"]
    ]
    return groups + nodes + edges


GRAPH_STYLESHEET = [
    {
        "selector": "node",
        "style": {
            "label": "data(label)",
            "font-size": 12,
            "color": "#212529",
            "text-valign": "bottom",
            "text-margin-y": 3,
            "text-wrap": "ellipsis",
            "text-max-width": COLUMN_WIDTH - 14,
            "width": 18,
            "height": 18,
        },
    },
    {
        "selector": ".group",
        "style": {
            "label": "data(label)",
            "text-valign": "top",
            "text-halign": "center",
            "text-margin-y": -4,
            "font-size": 14,
            "font-weight": "bold",
            "color": "#495057",
            "background-opacity": 0.05,
            "border-width": 1,
            "border-style": "dashed",
            "border-color": "#adb5bd",
            "padding": 18,
        },
    },
    {
        "selector": "edge",
        "style": {
            "curve-style": "bezier",
            "target-arrow-shape": "triangle",
            "arrow-scale": 0.7,
            "width": 1,
            "line-color": "#ced4da",
            "target-arrow-color": "#ced4da",
        },
    },
    {"selector": ".root", "style": {"width": 30, "height": 30, "border-width": 3}},
    *[
        {"selector": f".{kind}", "style": {"background-color": color}}
        for kind, color in KIND_COLORS.items()
    ],
    *[
        {"selector": f".group-{kind}", "style": {"background-color": color}}
        for kind, color in KIND_COLORS.items()
    ],
    # the focused component's neighbourhood: the rest faded, its links drawn strong
    {"selector": ".faded", "style": {"opacity": 0.12}},
    {"selector": ".focus", "style": {"border-width": 4, "border-color": "#212529"}},
    {
        "selector": "edge.near",
        "style": {"width": 2.5, "line-color": "#495057", "target-arrow-color": "#495057"},
    },
]


def graph_section(detail: dict, height: int = 520) -> html.Div:
    graph = state.viewer().dependency_graph(detail["kind"], detail["id"], detail["version"])
    _, rows = graph_positions(graph["nodes"])
    height = max(height, min(760, 140 + ROW_HEIGHT * rows))
    legend = html.Div(
        [
            html.Span(
                [
                    html.Span("●", style={"color": color, "fontSize": "1.2em"}, className="me-1"),
                    KIND_LABELS[kind],
                ],
                className="me-3",
            )
            for kind, color in KIND_COLORS.items()
        ],
        id=ids.GRAPH_LEGEND,
        className="small text-muted",
    )
    shown = sorted(
        (n for n in graph["nodes"] if n["kind"] in KIND_LABELS),
        key=lambda n: (KIND_ORDER.index(n["kind"]), n["label"].lower()),
    )
    focus = dbc.Row(
        [
            dbc.Col(
                [
                    html.Label(
                        "Focus on a component", htmlFor=ids.GRAPH_FOCUS, className="visually-hidden"
                    ),
                    dcc.Dropdown(
                        id=ids.GRAPH_FOCUS,
                        options=[
                            {"label": f"{KIND_LABELS[n['kind']]}: {n['label']}", "value": n["id"]}
                            for n in shown
                        ],
                        placeholder="Focus on a component (or click one in the graph)",
                        clearable=True,
                    ),
                ],
                md=5,
            ),
            dbc.Col(
                dbc.Button(
                    "Show the whole graph",
                    id=ids.GRAPH_SHOW_ALL,
                    size="sm",
                    color="secondary",
                    outline=True,
                    disabled=True,
                ),
                width="auto",
            ),
            dbc.Col(html.Span(id=ids.GRAPH_FOCUS_NOTE, className="small"), md=True),
        ],
        class_name="g-2 align-items-center my-2",
    )
    return html.Div(
        [
            legend,
            focus,
            cyto.Cytoscape(
                id=ids.GRAPH,
                elements=graph_elements(graph),
                layout={"name": "preset", "fit": True, "padding": 24},
                stylesheet=GRAPH_STYLESHEET,
                style={"width": "100%", "height": f"{height}px"},
                userZoomingEnabled=True,
                autoungrabify=True,
            ),
            html.P(
                f"{len(graph['nodes'])} components, {len(graph['edges'])} links, in columns by "
                "kind. Click a component (or choose it above) to see only what it uses and what "
                "uses it; open it from the link that then shows.",
                className="small text-muted",
            ),
        ]
    )


def neighbourhood(elements: list[dict], focus: str | None) -> tuple[set[str], set[str]]:
    """The node ids next to ``focus`` (itself included) and the ids of the links between."""
    nodes, links = ({focus} if focus else set()), set()
    for e in elements:
        data = e.get("data", {})
        if "source" in data and focus in (data["source"], data["target"]):
            nodes |= {data["source"], data["target"]}
            links.add(data["id"])
    return nodes, links


def focus_graph(focus, elements):
    """Fade everything outside the focused component's neighbourhood (nothing focused: the
    whole graph); the note names it, links to its page and counts its links."""
    elements = elements or []
    known = {
        e["data"]["id"]: e["data"]
        for e in elements
        if "source" not in e.get("data", {}) and e["data"].get("href")
    }
    if focus not in known:
        focus = None
    near, links = neighbourhood(elements, focus)
    updated = []
    for e in elements:
        data = e.get("data", {})
        classes = [c for c in e.get("classes", "").split() if c not in ("faded", "focus", "near")]
        if focus and "group" not in classes:
            if "source" in data:
                classes.append("near" if data["id"] in links else "faded")
            elif data["id"] == focus:
                classes.append("focus")
            elif data["id"] not in near:
                classes.append("faded")
        updated.append({**e, "classes": " ".join(classes)})
    if not focus:
        return updated, "", True
    node = known[focus]
    uses = sum(1 for e in elements if e.get("data", {}).get("source") == focus)
    used_by = sum(1 for e in elements if e.get("data", {}).get("target") == focus)
    note = [
        f"{KIND_LABELS.get(node['kind'], node['kind'])} ",
        dcc.Link(node["label"], href=node["href"], id=ids.GRAPH_OPEN),
        f" uses {uses} and is used by {used_by} of these; the rest is faded.",
    ]
    return updated, note, False


def choose_focus(node, _show_all):
    """A click on a component focuses it; "Show the whole graph" clears the focus."""
    if ctx.triggered_id == ids.GRAPH_SHOW_ALL:
        return None
    if not node or not node.get("href"):  # a kind's box, not a component
        return no_update
    return node["id"]


def register_callbacks(app) -> None:
    """Focus follows a click or the picker; the elements fade outside the neighbourhood."""
    app.callback(
        Output(ids.GRAPH_FOCUS, "value"),
        Input(ids.GRAPH, "tapNodeData"),
        Input(ids.GRAPH_SHOW_ALL, "n_clicks"),
        prevent_initial_call=True,
    )(choose_focus)
    app.callback(
        Output(ids.GRAPH, "elements"),
        Output(ids.GRAPH_FOCUS_NOTE, "children"),
        Output(ids.GRAPH_SHOW_ALL, "disabled"),
        Input(ids.GRAPH_FOCUS, "value"),
        State(ids.GRAPH, "elements"),
        prevent_initial_call=True,
    )(focus_graph)
