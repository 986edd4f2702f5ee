"""The parts every component page has: a header with the version shown and links to the
others, version history with a diff between any two versions, the dependency graph
(`dependency_graph`), where the component is used, and its stored config."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

from app import ids, state
from app.components import dependency_graph
from app.components.common import KIND_LABELS, component_href, component_link
from app.components.dependency_graph import graph_section


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
            html.Div(
                [
                    dbc.Badge(KIND_LABELS[kind], color="secondary", class_name="me-2"),
                    *badges,
                ]
            ),
            html.H1(detail["name"] or detail["id"], id=ids.COMPONENT_TITLE, className="h2"),
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
    # fixed widths: long values wrap inside their column (the page never scrolls sideways)
    # and the short columns keep their words whole
    widths = ("28%", "7rem", "auto", "auto")
    return dbc.Table(
        [
            html.Colgroup([html.Col(style={"width": w}) for w in widths]),
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
        style={"overflowWrap": "anywhere", "tableLayout": "fixed", "width": "100%"},
    )


def register_callbacks(app) -> None:
    """The callbacks the four component pages share, on ``app``. Registered per app (not with
    ``dash.callback`` at import, which only the first app of a process would receive)."""
    app.callback(
        Output(ids.DIFF_RESULT, "children"),
        Input(ids.DIFF_FROM, "value"),
        Input(ids.DIFF_TO, "value"),
        State(ids.COMPONENT_STORE, "data"),
    )(show_diff)
    dependency_graph.register_callbacks(app)


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
