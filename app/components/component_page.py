"""The parts every component page has: a header with the version shown and links to the
others, version history with a diff between any two versions, the dependency graph (click a
node to open it), where the component is used, and its stored config."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
import dash_cytoscape as cyto
from dash import Input, Output, State, ctx, dcc, html, no_update

from app import ids, state
from app.components.common import KIND_LABELS, component_href, component_link

KIND_COLORS = {
    "project": "#0d6efd",
    "dataset": "#198754",
    "dimension": "#6f42c1",
    "dimension_mapping": "#fd7e14",
}


def load(kind: str, id: str, version: str | None) -> dict:
    return state.viewer().component(kind, id, version or None)


def header(detail: dict, *badges) -> html.Div:
    kind, version = detail["kind"], detail["version"]
    links = [
        dbc.Badge(
            v,
            href=component_href(kind, detail["id"], v),
            color="primary" if v == version else "light",
            text_color=None if v == version else "dark",
            class_name="me-1",
        )
        for v in detail["versions"]
    ]
    old = []
    if version != detail["latest_version"]:
        old = [
            dbc.Alert(
                [
                    f"You are looking at version {version}; the latest is ",
                    component_link(kind, detail["id"], detail["latest_version"]),
                    ".",
                ],
                color="warning",
                id=ids.COMPONENT_OLD_VERSION,
                class_name="py-2",
            )
        ]
    return html.Div(
        [
            dcc.Store(
                id=ids.COMPONENT_STORE,
                data={"kind": kind, "id": detail["id"], "version": version},
            ),
            dcc.Location(id=ids.COMPONENT_NAVIGATE, refresh=True),
            html.Div(
                [
                    dbc.Badge(KIND_LABELS[kind], color="secondary", class_name="me-2"),
                    *badges,
                ]
            ),
            html.H2(detail["name"] or detail["id"], id=ids.COMPONENT_TITLE),
            html.P(
                [html.Code(detail["id"]), " · versions: ", *links],
                id=ids.COMPONENT_VERSIONS,
            ),
            html.P(detail["description"] or "", className="text-muted"),
            *old,
        ]
    )


def history_section(detail: dict) -> html.Div:
    rows = state.viewer().versions(detail["kind"], detail["id"])
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(c) for c in ("version", "registered", "by", "log")])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(
                                component_link(
                                    detail["kind"], detail["id"], r["version"], r["version"]
                                )
                            ),
                            html.Td(r["registered_at"]),
                            html.Td(r["submitter"]),
                            html.Td(r["log_message"]),
                        ]
                    )
                    for r in rows
                ]
            ),
        ],
        id=ids.HISTORY_TABLE,
        size="sm",
        striped=True,
    )
    versions = [r["version"] for r in rows]
    return html.Div(
        [
            table,
            dbc.Row(
                [
                    dbc.Col(html.Label("Compare"), width="auto"),
                    dbc.Col(
                        dcc.Dropdown(
                            id=ids.DIFF_FROM,
                            options=versions,
                            value=versions[-2] if len(versions) > 1 else versions[0],
                            clearable=False,
                        ),
                        md=2,
                    ),
                    dbc.Col(html.Label("with"), width="auto"),
                    dbc.Col(
                        dcc.Dropdown(
                            id=ids.DIFF_TO, options=versions, value=versions[-1], clearable=False
                        ),
                        md=2,
                    ),
                ],
                class_name="g-2 align-items-center my-2",
            ),
            html.Div(id=ids.DIFF_RESULT),
        ]
    )


def _value(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


def show_diff(old, new, component_data):
    if not old or not new or not component_data:
        return no_update
    if old == new:
        return html.P("Choose two different versions to see what changed.", className="text-muted")
    result = state.viewer().version_diff(component_data["kind"], component_data["id"], old, new)
    if not result["changes"]:
        return html.P(f"No differences between {old} and {new}.", className="text-muted")
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(c) for c in ("where", "change", old, new)])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(html.Code(c["path"])),
                            html.Td(c["change"]),
                            html.Td(_value(c["old"])),
                            html.Td(_value(c["new"])),
                        ]
                    )
                    for c in result["changes"]
                ]
            ),
        ],
        size="sm",
        bordered=True,
        style={"overflowWrap": "anywhere"},  # a long value wraps: the page never scrolls sideways
    )


# The dependency graph, laid out by kind: one column per kind, left to right in the order a
# project is built (project -> datasets -> mappings -> dimensions), each kind a labelled box.
# Positions are computed here (a "preset" layout): the same on every load, never one node
# over another, so a click reaches the node aimed at.
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
    """The callbacks the four component pages share, on ``app``. Registered per app (not with
    ``dash.callback`` at import, which only the first app of a process would receive)."""
    app.callback(
        Output(ids.DIFF_RESULT, "children"),
        Input(ids.DIFF_FROM, "value"),
        Input(ids.DIFF_TO, "value"),
        State(ids.COMPONENT_STORE, "data"),
    )(show_diff)
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


def where_used_section(detail: dict) -> html.Div:
    users = state.viewer().where_used(detail["kind"], detail["id"])
    if not users:
        return html.P("Nothing uses this component.", id=ids.WHERE_USED, className="text-muted")
    latest = [u for u in users if u["latest"]]
    older = len(users) - len(latest)
    return html.Div(
        [
            html.Ul(
                [
                    html.Li(
                        [
                            f"{KIND_LABELS[u['kind']]} ",
                            component_link(u["kind"], u["id"], u["version"], u["name"]),
                            f" {u['version']} (uses version {u['uses_version']})",
                        ]
                    )
                    for u in latest
                ]
            ),
            html.P(f"and {older} older versions.", className="small text-muted") if older else None,
        ],
        id=ids.WHERE_USED,
    )


def config_section(detail: dict) -> html.Pre:
    return html.Pre(
        json.dumps(detail["config"], indent=2, default=str),
        id=ids.CONFIG_JSON,
        style={"maxHeight": "480px", "overflow": "auto"},
        className="bg-light p-2 small",
    )


def closing_sections(detail: dict, graph_height: int, where_used: bool = True) -> list:
    """The end of every component page: where it is used (not for projects, which nothing
    uses), its history, its dependency graph and its stored config."""
    used = [html.H4("Where used", className="mt-4"), where_used_section(detail)]
    return [
        *(used if where_used else []),
        html.H4("History", className="mt-4"),
        history_section(detail),
        html.H4("Dependencies", className="mt-4"),
        graph_section(detail, height=graph_height),
        html.Details([html.Summary("Stored config"), config_section(detail)]),
    ]
