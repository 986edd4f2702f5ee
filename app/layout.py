"""The page shell shared by every page: a skip link, the navbar and the page's <main>.

Accessibility lives here so that every page has it without asking: the first thing a keyboard
reaches is "Skip to content" (hidden until focused), which moves the focus to the one <main>;
the navbar collapses behind a toggler on narrow screens. Dark mode follows the system through
``assets/theme.js`` (Bootstrap's ``data-bs-theme`` on <html>)."""

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
        expand="lg",
        id=ids.NAVBAR,
    )


def skip_link() -> html.A:
    """Visible only while it has the focus (Bootstrap's visually-hidden-focusable); its target
    is the <main>, which takes the focus (tabindex -1) so that Tab continues inside the page."""
    return html.A(
        "Skip to content",
        href=f"#{ids.MAIN}",
        id=ids.SKIP_LINK,
        className="visually-hidden-focusable skip-link",
    )


def shell() -> html.Div:
    """Called per page load by Dash, so the navbar reflects the pages registered by then."""
    return html.Div(
        [
            skip_link(),
            html.Header(navbar()),
            html.Main(
                dbc.Container(
                    dash.page_container, id=ids.PAGE_CONTENT, fluid=True, class_name="py-4"
                ),
                id=ids.MAIN,
                tabIndex="-1",
            ),
        ]
    )
