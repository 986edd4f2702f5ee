"""The page of an address no page has: said plainly, with the way back (Dash shows the module
named not_found_404 for unknown paths; `app.not_found` answers them with HTTP 404)."""

from __future__ import annotations

import dash
from dash import dcc, html

dash.register_page(__name__, title="Page not found · dsgrid-viewer", name="Page not found")


def layout(**_):
    return html.Div(
        [
            html.H1("Page not found", id="not-found-title"),
            html.P("No page of dsgrid-viewer has this address.", id="not-found-text"),
            dcc.Link("Go to the home page", href="/", id="not-found-home"),
        ]
    )
