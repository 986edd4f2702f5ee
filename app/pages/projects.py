"""Projects: every registered project, filtered by text."""

from __future__ import annotations

import dash

from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(__name__, path="/projects", name="Projects", title="Projects", order=1, nav=True)

register_list_callbacks("projects", "project")


def layout(q: str | None = None, **query):
    return list_layout("projects", "project", "Projects", q=q, query=query)
