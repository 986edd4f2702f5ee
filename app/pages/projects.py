"""Projects: every registered project, filtered by text and status."""

from __future__ import annotations

import dash

from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(__name__, path="/projects", name="Projects", title="Projects", order=1, nav=True)

register_list_callbacks("projects", "project")


def layout(**query):
    """``query``: the URL's parameters (q, the facets, project, the grid's state)."""
    return list_layout("projects", "project", "Projects", query=query)
