"""Dimension mappings: every registered mapping, filtered by text, dimension type and project."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html

from app import ids
from app.components.common import empty_state
from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(
    __name__, path="/mappings", name="Mappings", title="Dimension mappings", order=4, nav=True
)

# A mapping's type is the type of the dimensions it joins (both have the same).
register_list_callbacks("mappings", "dimension_mapping", with_type=True)


def layout(q: str | None = None, type: str | None = None, project: str | None = None, **_):
    return html.Div(
        [
            list_layout(
                "mappings",
                "dimension_mapping",
                "Dimension mappings",
                q=q,
                type=type,
                project=project,
                with_type=True,
            ),
            html.Div(id=ids.MAPPINGS_LIST_EMPTY),
        ]
    )


@callback(
    Output(ids.MAPPINGS_LIST_EMPTY, "children"),
    Input(ids.list_count("mappings"), "children"),
    State(ids.list_filter("mappings", "text"), "value"),
    State(ids.list_filter("mappings", "type"), "value"),
    State(ids.list_filter("mappings", "project"), "value"),
)
def empty(count, text, type, project):
    """The grid shows no rows without saying why: say it."""
    if not count or not str(count).startswith("0 "):
        return None
    if text or type or project:
        return empty_state("No dimension mapping matches these filters. Clear them to see all.")
    return empty_state(
        "No dimension mapping is registered yet "
        "(dsgrid registry dimension-mappings register CONFIG_FILE)."
    )
