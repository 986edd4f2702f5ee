"""Dimensions: every registered dimension, filtered by text, type and project."""

from __future__ import annotations

import dash

from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(
    __name__, path="/dimensions", name="Dimensions", title="Dimensions", order=3, nav=True
)

register_list_callbacks("dimensions", "dimension", with_type=True)


def layout(q: str | None = None, type: str | None = None, project: str | None = None, **query):
    return list_layout(
        "dimensions",
        "dimension",
        "Dimensions",
        q=q,
        type=type,
        project=project,
        with_type=True,
        query=query,
    )
