"""Datasets: every registered dataset, filtered by text and by the project that uses it."""

from __future__ import annotations

import dash

from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(__name__, path="/datasets", name="Datasets", title="Datasets", order=2, nav=True)

register_list_callbacks("datasets", "dataset")


def layout(q: str | None = None, project: str | None = None, **query):
    return list_layout("datasets", "dataset", "Datasets", q=q, project=project, query=query)
