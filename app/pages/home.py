"""Home: what registry is open and how many components of each kind it holds."""

from __future__ import annotations

import sqlite3

import dash
import dash_bootstrap_components as dbc
import flask
from dash import html

from app import REGISTRY_CONFIG_KEY, ids
from app.registry_access import count_components_by_kind, registry_db_path

dash.register_page(__name__, path="/", name="Home", title="dsgrid-viewer", order=0, nav=True)


def layout(**_query: str) -> html.Div:
    """Read the registry on every visit, so a registration shows up on reload."""
    registry = flask.current_app.config.get(REGISTRY_CONFIG_KEY)
    return html.Div(
        [
            html.H1("dsgrid-viewer", id=ids.HOME_TITLE),
            _summary(registry),
        ]
    )


def _summary(registry: str | None) -> html.Div | dbc.Alert:
    if not registry:
        return dbc.Alert(
            [
                "No registry is open. Start the viewer with ",
                html.Code("dsgrid --registry PATH serve"),
                " or set ",
                html.Code("DSGRID_REGISTRY"),
                ".",
            ],
            color="info",
            id=ids.HOME_EMPTY,
        )
    try:
        counts = count_components_by_kind(registry)
    except sqlite3.Error as exc:
        return dbc.Alert(
            f"Could not read {registry_db_path(registry)}: {exc}.",
            color="danger",
            id=ids.HOME_ERROR,
        )
    path = html.P(["Registry: ", html.Code(registry)], id=ids.HOME_REGISTRY_PATH)
    if counts is None:
        return html.Div(
            [
                path,
                dbc.Alert(
                    [
                        f"There is no {registry_db_path(registry).name} in this folder. "
                        "Create a registry with ",
                        html.Code(f"dsgrid registry create {registry}"),
                        " or a demo one with ",
                        html.Code(f"dsgrid demo {registry}"),
                        ".",
                    ],
                    color="warning",
                    id=ids.HOME_EMPTY,
                ),
            ]
        )
    if not counts:
        return html.Div(
            [path, dbc.Alert("The registry holds no components yet.", id=ids.HOME_EMPTY)]
        )
    return html.Div([path, _counts_table(counts)])


def _counts_table(counts: dict[str, int]) -> dbc.Table:
    header = html.Thead(html.Tr([html.Th("Kind"), html.Th("Count")]))
    body = html.Tbody(
        [
            html.Tr([html.Td(kind), html.Td(str(count))], id=ids.home_count_row(kind))
            for kind, count in counts.items()
        ]
    )
    return dbc.Table([header, body], id=ids.HOME_COUNTS, striped=True, bordered=False, hover=True)
