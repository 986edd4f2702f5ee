"""Dimension mappings: every registered mapping, filtered by text, dimension type, mapping type
and project."""

from __future__ import annotations

import dash

from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(
    __name__, path="/mappings", name="Mappings", title="Dimension mappings", order=4, nav=True
)

# A mapping's type is the type of the dimensions it joins (both have the same); its class
# is its mapping type.
register_list_callbacks("mappings", "dimension_mapping")


def layout(**query):
    """``query``: the URL's parameters (q, the facets, project, the grid's state)."""
    return list_layout("mappings", "dimension_mapping", "Dimension mappings", query=query)
