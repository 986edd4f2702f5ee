"""Projects: every registered project, filtered by text."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html

from app import ids
from app.components.common import empty_state
from app.components.component_list import list_layout, register_list_callbacks

dash.register_page(__name__, path="/projects", name="Projects", title="Projects", order=1, nav=True)

register_list_callbacks("projects", "project")


def layout(q: str | None = None, **_):
    return html.Div(
        [list_layout("projects", "project", "Projects", q=q), html.Div(id=ids.PROJECTS_LIST_EMPTY)]
    )


@callback(
    Output(ids.PROJECTS_LIST_EMPTY, "children"),
    Input(ids.list_count("projects"), "children"),
    State(ids.list_filter("projects", "text"), "value"),
)
def empty(count, text):
    """The grid shows no rows without saying why: say it."""
    if not count or not str(count).startswith("0 "):
        return None
    if text:
        return empty_state(f"No project matches '{text}'. Clear the filter to see them all.")
    return empty_state(
        "No project is registered yet (dsgrid registry projects register CONFIG_FILE)."
    )
