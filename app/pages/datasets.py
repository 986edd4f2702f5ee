"""Datasets: every registered dataset, filtered by text, dataset type, status in projects and
the project that uses it."""

from __future__ import annotations

import dash

from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(__name__, path="/datasets", name="Datasets", title="Datasets", order=2, nav=True)

register_list_callbacks("datasets", "dataset")


def layout(**query):
    """``query``: the URL's parameters (q, the facets, project, the grid's state)."""
    return list_layout("datasets", "dataset", "Datasets", query=query)
