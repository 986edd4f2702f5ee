"""The page shell shared by every page: navbar and the page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from app import ids


def navbar() -> dbc.NavbarSimple:
    """One link per page registered with ``nav=True``, in ``order``."""
    pages = sorted(
        (page for page in dash.page_registry.values() if page.get("nav")),
        key=lambda page: page.get("order") or 0,
    )
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="partial"))
        for page in pages
        if page["relative_path"] != "/"
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
