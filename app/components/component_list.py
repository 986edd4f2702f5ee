"""A list page of one component kind: a text filter, a type filter and a project filter (kept
in the query string, so a filtered list has a URL and the back button restores it) above a
server-side grid whose first column links to each component's page."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from app import ids, state
from app.components.common import empty_state, error_state, markdown_link
from app.grid import answer, server_grid
from dsgrid_core.config.dimension import DimensionType

COLUMNS = [
    {
        "field": "id",
        "headerName": "id",
        "cellRenderer": "markdown",
        "minWidth": 380,
        "tooltipField": "id",
    },
    {"field": "name", "headerName": "name", "minWidth": 220},
    {"field": "type", "headerName": "type", "maxWidth": 140},
    {"field": "version", "headerName": "version", "maxWidth": 120},
    {"field": "description", "headerName": "description", "flex": 1},
    {"field": "updated_at", "headerName": "updated", "maxWidth": 200},
]


def list_layout(
    key: str, kind: str, title: str, *, q=None, type=None, project=None, with_type=False
):
    """The page body; ``key`` names the page in ids (projects, datasets, ...)."""
    try:
        projects = [p["id"] for p in state.viewer().catalog("project")]
    except state.NoRegistry as exc:
        return error_state(str(exc))
    controls = [
        dbc.Col(
            dbc.Input(
                id=ids.list_filter(key, "text"),
                value=q or "",
                placeholder="Filter by id, name or description",
                debounce=300,
                type="search",
            ),
            md=5,
        )
    ]
    if with_type:
        controls.append(
            dbc.Col(
                dcc.Dropdown(
                    id=ids.list_filter(key, "type"),
                    options=[t.value for t in DimensionType],
                    value=type,
                    placeholder="Any type",
                ),
                md=3,
            )
        )
    if kind != "project":
        controls.append(
            dbc.Col(
                dcc.Dropdown(
                    id=ids.list_filter(key, "project"),
                    options=projects,
                    value=project if project in projects else None,
                    placeholder="Used by any project",
                ),
                md=3,
            )
        )
    columns = [c for c in COLUMNS if with_type or c["field"] != "type"]
    return html.Div(
        [
            dcc.Location(id=ids.list_location(key), refresh=False),
            html.H2(title),
            dbc.Row(controls, class_name="g-2 mb-3"),
            html.Div(id=ids.list_count(key), className="text-muted mb-2"),
            server_grid(ids.list_grid(key), columns, height=560),
            html.Div(id=ids.list_empty(key)),
        ]
    )


REGISTER_COMMANDS = {
    "project": "dsgrid registry projects register CONFIG_FILE",
    "dataset": "dsgrid registry datasets register CONFIG_FILE",
    "dimension": "dsgrid registry dimensions register CONFIG_FILE",
    "dimension_mapping": "dsgrid registry dimension-mappings register CONFIG_FILE",
}


def _empty(kind: str, count: int, chosen: dict):
    """Say why the grid shows no rows: the filters, or nothing registered yet."""
    if count:
        return None
    label = kind.replace("_", " ")
    filters = [f"'{v}'" if n == "q" else f"{n} {v}" for n, v in chosen.items() if v]
    if filters:
        return empty_state(
            f"No {label} matches {' and '.join(filters)}. Clear the filters to see them all."
        )
    return empty_state(
        f"No {label} is registered yet ({REGISTER_COMMANDS[kind]}, or the Register page)."
    )


def _filter_inputs(key: str, kind: str, with_type: bool):
    inputs = [Input(ids.list_filter(key, "text"), "value")]
    if with_type:
        inputs.append(Input(ids.list_filter(key, "type"), "value"))
    if kind != "project":
        inputs.append(Input(ids.list_filter(key, "project"), "value"))
    return inputs


def register_list_callbacks(key: str, kind: str, *, with_type: bool = False) -> None:
    """Callbacks of one list page: rows for the grid, the filters in the URL, and a reload of
    the grid when a filter changes."""
    inputs = _filter_inputs(key, kind, with_type)
    names = ["q", *(["type"] if with_type else []), *(["project"] if kind != "project" else [])]

    @callback(
        Output(ids.list_grid(key), "getRowsResponse"),
        Output(ids.list_count(key), "children"),
        Output(ids.list_empty(key), "children"),
        Input(ids.list_grid(key), "getRowsRequest"),
        *[State(i.component_id, i.component_property) for i in inputs],
    )
    def rows(request, *values):
        chosen = dict(zip(names, values, strict=True))

        response = answer(
            request,
            state.viewer().components,
            kind,
            type=chosen.get("type") or None,
            text=chosen.get("q") or None,
            project=chosen.get("project") or None,
        )
        for row in response["rowData"]:
            row["id"] = markdown_link(kind, row["id"])
        count = response["rowCount"]
        label = kind.replace("_", " ")
        return response, f"{count} {label}{'' if count == 1 else 's'}", _empty(kind, count, chosen)

    @callback(Output(ids.list_location(key), "search"), *inputs, prevent_initial_call=True)
    def keep_in_url(*values):
        params = {n: v for n, v in zip(names, values, strict=True) if v}
        return f"?{urlencode(params)}" if params else ""

    # A filter outside the grid changed: drop the grid's loaded blocks so it asks again.
    clientside_callback(
        f"""async function() {{
            const api = await dash_ag_grid.getApiAsync("{ids.list_grid(key)}");
            api.purgeInfiniteCache();
            return window.dash_clientside.no_update;
        }}""",
        Output(ids.list_grid(key), "id"),
        *inputs,
        prevent_initial_call=True,
    )
