"""The page shell shared by every page: navbar and the page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from app import ids


def navbar() -> dbc.NavbarSimple:
    """One link per registered page, in `order`; a page that does not exist gets no link."""
    pages = sorted(dash.page_registry.values(), key=lambda page: page.get("order") or 0)
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
        for page in pages
    ]
    return dbc.NavbarSimple(
        children=links,
        brand="dsgrid-viewer",
        brand_href="/",
        color="dark",
        dark=True,
        fluid=True,
        id=ids.NAVBAR,
    )


def shell() -> html.Div:
    """Called per page load by Dash, so the navbar reflects the pages registered by then."""
    return html.Div(
        [
            navbar(),
            dbc.Container(dash.page_container, id=ids.PAGE_CONTENT, fluid=True, class_name="py-4"),
        ]
    )
