"""Dimension mappings: every registered mapping, filtered by text, dimension type and project."""

from __future__ import annotations

import dash

from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(
    __name__, path="/mappings", name="Mappings", title="Dimension mappings", order=4, nav=True
)

# A mapping's type is the type of the dimensions it joins (both have the same).
register_list_callbacks("mappings", "dimension_mapping", with_type=True)


def layout(q: str | None = None, type: str | None = None, project: str | None = None, **query):
    return list_layout(
        "mappings",
        "dimension_mapping",
        "Dimension mappings",
        q=q,
        type=type,
        project=project,
        with_type=True,
        query=query,
    )
