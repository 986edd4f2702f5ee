"""Datasets: every registered dataset, filtered by text and by the project that uses it."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html

from app import ids
from app.components.common import empty_state
from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(__name__, path="/datasets", name="Datasets", title="Datasets", order=2, nav=True)

register_list_callbacks("datasets", "dataset")


def layout(q: str | None = None, project: str | None = None, **_):
    return html.Div(
        [
            list_layout("datasets", "dataset", "Datasets", q=q, project=project),
            html.Div(id=ids.DATASETS_LIST_EMPTY),
        ]
    )


@callback(
    Output(ids.DATASETS_LIST_EMPTY, "children"),
    Input(ids.list_count("datasets"), "children"),
    State(ids.list_filter("datasets", "text"), "value"),
    State(ids.list_filter("datasets", "project"), "value"),
)
def empty(count, text, project):
    """The grid shows no rows without saying why: say it."""
    if not count or not str(count).startswith("0 "):
        return None
    if text or project:
        chosen = " and ".join(
            part
            for part in (f"'{text}'" if text else "", f"project {project}" if project else "")
            if part
        )
        return empty_state(f"No dataset matches {chosen}. Clear the filters to see them all.")
    return empty_state(
        "No dataset is registered yet (dsgrid registry datasets register CONFIG_FILE)."
    )
