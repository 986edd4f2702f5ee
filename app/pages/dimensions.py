"""Dimensions: every registered dimension, filtered by text, type, record class and project."""

from __future__ import annotations

import dash

from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(
    __name__, path="/dimensions", name="Dimensions", title="Dimensions", order=3, nav=True
)

register_list_callbacks("dimensions", "dimension")


def layout(**query):
    """``query``: the URL's parameters (q, the facets, project, the grid's state)."""
    return list_layout("dimensions", "dimension", "Dimensions", query=query)
