"""A list page of one component kind: a text filter, a type filter and a project filter, facet
counts by type and by project (each a link that filters the list), and a server-side grid whose
first column links to each component's page, with CSV, JSON and API links of what it shows.

The filters, the grid's filters and sort and its page are kept in the query string (in the
API's words: ``q``, ``type``, ``project``, ``filter``, ``sort``, ``page``; see
`app.components.downloads`), so a filtered list has a URL and the back button restores it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from app import ids, state
from app.components.common import empty_state, error_state, markdown_link
from app.components.downloads import (
    download_links,
    link_data,
    register_download_links,
    url_page,
    with_grid_query,
)
from app.grid import answer, filters_from_model, grid_state, query_params, server_grid
from dsgrid_core.config.dimension import DimensionType
from dsgrid_core.errors import DsgridError

API_KIND = {
    "project": "projects",
    "dataset": "datasets",
    "dimension": "dimensions",
    "dimension_mapping": "dimension-mappings",
}

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


def _names(kind: str, with_type: bool) -> list[str]:
    """The list's own filters, as the URL and the API name them."""
    return ["q", *(["type"] if with_type else []), *(["project"] if kind != "project" else [])]


def list_layout(
    key: str,
    kind: str,
    title: str,
    *,
    q=None,
    type=None,
    project=None,
    with_type=False,
    query: dict[str, Any] | None = None,
):
    """The page body; ``key`` names the page in ids (projects, datasets, ...) and is its path;
    ``query`` holds the rest of the URL's parameters (the grid's filter, any, sort, page)."""
    query = query or {}
    try:
        projects = [p["id"] for p in state.viewer().catalog("project")]
    except state.NoRegistry as exc:
        return error_state(str(exc))
    controls = [
        dbc.Col(
            [
                dbc.Label(
                    "Filter by id, name or description",
                    html_for=ids.list_filter(key, "text"),
                    class_name="visually-hidden",
                ),
                dbc.Input(
                    id=ids.list_filter(key, "text"),
                    value=q or "",
                    placeholder="Filter by id, name or description",
                    debounce=300,
                    type="search",
                ),
            ],
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
    filter_model, order = grid_state(
        query.get("filter"), query.get("any"), query.get("sort"), [c["field"] for c in columns]
    )
    chosen = {"q": q, "type": type, "project": project}
    names = _names(kind, with_type)
    links = link_data(
        f"/{API_KIND[kind]}", [(n, chosen[n]) for n in names if chosen.get(n)], tuple(names)
    )
    return html.Div(
        [
            html.H1(title, className="h2"),
            dbc.Row(controls, class_name="g-2 mb-3"),
            html.Div(id=ids.list_facets(key), className="mb-2 small"),
            html.Div(id=ids.list_count(key), className="text-muted mb-2"),
            download_links(ids.list_grid(key), links, url_page(query.get("page"))),
            server_grid(
                ids.list_grid(key), columns, height=560, filter_model=filter_model, sort=order
            ),
            html.Div(id=ids.list_empty(key)),
        ]
    )


def _facet_counts(kind: str, chosen: dict, grid_filters: list, field: str, values: list[str]):
    """How many components each value of ``field`` (type or project) would leave, under the
    other filters (the list's and the grid's)."""
    viewer = state.viewer()
    counts = {}
    for value in values:
        options = {**chosen, field: value}
        page = viewer.components(
            kind,
            type=options.get("type") or None,
            text=options.get("q") or None,
            project=options.get("project") or None,
            filters=grid_filters,
            limit=1,
        )
        counts[value] = page.total
    return counts


def _facet_group(key: str, label: str, field: str, counts: dict, chosen: dict, grid: list):
    """One facet: each value with its count, a link to the list filtered by it; the chosen
    value with a link that clears it."""

    def href(value):
        params = [(n, v) for n, v in chosen.items() if v and n != field]
        if value:
            params.append((field, value))
        return f"/{key}?{urlencode(params + grid)}"

    items: list[Any] = [html.Span(f"{label}:", className="text-muted me-1")]
    if chosen.get(field):
        items += [
            dbc.Badge(f"{chosen[field]} ({counts.get(chosen[field], 0)})", color="primary"),
            dcc.Link("× clear", href=href(None), className="ms-1 me-2"),
        ]
    else:
        shown = [(v, n) for v, n in counts.items() if n]
        for value, count in shown:
            items.append(
                dcc.Link(
                    [value, html.Span(f" {count}", className="badge bg-secondary ms-1")],
                    href=href(value),
                    className="me-2",
                )
            )
        if not shown:
            items.append(html.Span("none", className="text-muted"))
    return html.Div(items, className="d-flex flex-wrap align-items-center")


def _facets(key: str, kind: str, chosen: dict, request: dict, with_type: bool):
    grid_filters = filters_from_model(request.get("filterModel"))
    grid = query_params(request.get("filterModel"), request.get("sortModel"))
    groups = []
    try:
        if with_type:
            types = [t.value for t in DimensionType]
            counts = _facet_counts(kind, chosen, grid_filters, "type", types)
            groups.append(_facet_group(key, "Type", "type", counts, chosen, grid))
        if kind != "project":
            projects = [p["id"] for p in state.viewer().catalog("project")]
            counts = _facet_counts(kind, chosen, grid_filters, "project", projects)
            groups.append(_facet_group(key, "Used by project", "project", counts, chosen, grid))
    except DsgridError:
        return None
    return groups


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
    """Callbacks of one list page: rows for the grid (with the count, the facets and the
    query of the links and the URL), and a reload of the grid when a filter changes."""
    inputs = _filter_inputs(key, kind, with_type)
    names = _names(kind, with_type)
    grid_id = ids.list_grid(key)
    register_download_links(grid_id)

    @callback(
        Output(grid_id, "getRowsResponse"),
        Output(ids.list_count(key), "children"),
        Output(ids.list_empty(key), "children"),
        Output(ids.grid_query(grid_id), "data"),
        Output(ids.list_facets(key), "children"),
        Input(grid_id, "getRowsRequest"),
        *[State(i.component_id, i.component_property) for i in inputs],
        State(ids.grid_query(grid_id), "data"),
    )
    def rows(request, *values):
        *values, links = values
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
        fresh = link_data(
            links["api"].removeprefix("/api/v1") if links else f"/{API_KIND[kind]}",
            [(n, v) for n, v in chosen.items() if v],
            tuple(names),
        )
        query = with_grid_query({**fresh, "query": None}, request)
        return (
            response,
            f"{count} {label}{'' if count == 1 else 's'}",
            _empty(kind, count, chosen),
            query,
            _facets(key, kind, chosen, request or {}, with_type),
        )

    # A filter outside the grid changed: drop the grid's loaded blocks so it asks again.
    clientside_callback(
        f"""async function() {{
            const api = await dash_ag_grid.getApiAsync("{grid_id}");
            api.purgeInfiniteCache();
            return window.dash_clientside.no_update;
        }}""",
        Output(grid_id, "id"),
        *inputs,
        prevent_initial_call=True,
    )
