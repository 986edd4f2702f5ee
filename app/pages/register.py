"""Registration forms: a guided form for each kind of component, and whether this server lets
this browser register anything (with a token field when the server's access token would)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from app import ids
from app.components.permission_panel import permission_panel, register_sign_in
from app.components.wizard import PATHS

dash.register_page(__name__, path="/register", name="Register", title="Register", order=6, nav=True)

WIZARDS = [
    (
        "dimension",
        "A dimension",
        "Upload a records CSV (id, name and the columns of its class); the form guesses the "
        "dimension's type and record class.",
    ),
    (
        "mapping",
        "A dimension mapping",
        "Map one registered dimension to another of the same type: upload a mapping CSV or "
        "start from a skeleton matched by id and name, and edit it row by row.",
    ),
    (
        "dataset",
        "A dataset",
        "Upload a data table (with its lookup table and missing-association files); the form "
        "writes the whole dataset.json5: layout, time range, dimensions.",
    ),
    (
        "project",
        "A project",
        "Upload a project.json5 and the files it refers to (dimension, mapping and subset "
        "CSVs), or build a small project from registered dimensions.",
    ),
    (
        "submission",
        "A dataset submission",
        "Submit a registered dataset to a project that expects it, mapping each of its "
        "dimensions to the project's base dimension of the same type.",
    ),
]

register_sign_in("landing")


def layout(**_):
    cards = [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2(
                            dcc.Link(title, href=PATHS[name], id=ids.wizard_link(name)),
                            className="h5",
                        ),
                        html.P(text, className="small text-muted mb-0"),
                    ]
                ),
                class_name="h-100",
            ),
            md=6,
            lg=4,
            class_name="mb-3",
        )
        for name, title, text in WIZARDS
    ]
    return html.Div(
        [
            html.H1("Register"),
            html.P(
                "Each form checks what it can as you fill it in, shows every problem next to "
                "the field it concerns, and registers nothing until the whole config is valid. "
                "Every form can also download the config it made and the dsgrid command that "
                "registers it, to repeat the same registration from the command line.",
                className="text-muted",
            ),
            permission_panel("landing"),
            dbc.Row(cards, id=ids.wizard_id("landing", "links")),
        ]
    )
