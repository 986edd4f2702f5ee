"""A list page of one component kind: a text filter, a dropdown per facet of the kind (type,
class, status: see `dsgrid_core.browse.facets`) and a project filter, facet counts (each value a
link that filters the list; one grouped count per page, not one per value), and a server-side
grid whose first column links to each component's page, with CSV, JSON and API links of what
it shows.

The filters, the grid's filters and sort and its page are kept in the query string (in the
API's words: ``q``, ``type``, ``class``, ``status``, ``project``, ``filter``, ``sort``,
``page``; see `app.components.downloads`), so a filtered list has a URL and the back button
restores it."""

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
from dsgrid_core.browse.facets import CHOICES, FACETS
from dsgrid_core.errors import DsgridError

API_KIND = {
    "project": "projects",
    "dataset": "datasets",
    "dimension": "dimensions",
    "dimension_mapping": "dimension-mappings",
}

# what each facet is called on each kind's page
FACET_LABELS = {
    "project": {"status": "Status"},
    "dataset": {"type": "Dataset type", "status": "Status in projects"},
    "dimension": {"type": "Type", "class": "Record class"},
    "dimension_mapping": {"type": "Dimension type", "class": "Mapping type"},
}
PROJECT_LABEL = "Used by project"


def _columns(kind: str) -> list[dict[str, Any]]:
    """The grid's columns: the kind's facets narrow (a tooltip holds a long class), so the
    description stays in view."""
    labels = FACET_LABELS[kind]
    return [
        {
            "field": "id",
            "headerName": "id",
            "cellRenderer": "markdown",
            "minWidth": 320,
            "tooltipField": "id",
        },
        {"field": "name", "headerName": "name", "minWidth": 220},
        *[
            {"field": f, "headerName": labels[f].lower(), "width": 140, "tooltipField": f}
            for f in ("type", "class", "status")
            if f in labels
        ],
        {"field": "description", "headerName": "description", "flex": 1, "minWidth": 200},
        {"field": "version", "headerName": "version", "maxWidth": 120},
        {"field": "updated_at", "headerName": "updated", "maxWidth": 200},
    ]


def _facet_names(kind: str) -> list[str]:
    """The facets of a kind's list, in the order shown (``dsgrid_core.browse.facets.FACETS``)."""
    return [f for f in FACETS if f in FACET_LABELS[kind] or (f == "project" and kind != "project")]


def _names(kind: str) -> list[str]:
    """The list's own filters, as the URL and the API name them."""
    return ["q", *_facet_names(kind)]


def _one(value: Any) -> str | None:
    """A URL parameter's value (the last when repeated)."""
    value = value[-1] if isinstance(value, list) else value
    return value or None


def _options(chosen: dict[str, str | None]) -> dict[str, str | None]:
    """The viewer's keyword arguments for the chosen filters."""
    return {
        "type": chosen.get("type"),
        "text": chosen.get("q"),
        "project": chosen.get("project"),
        "class_": chosen.get("class"),
        "status": chosen.get("status"),
    }


def _dropdown(key: str, name: str, label: str, options: list[str], value: str | None):
    return dbc.Col(
        [
            dbc.Label(label, html_for=ids.list_filter(key, name), class_name="visually-hidden"),
            dcc.Dropdown(
                id=ids.list_filter(key, name),
                options=options,
                value=value,
                placeholder=f"Any {label.lower()}" if name != "project" else "Used by any project",
            ),
        ],
        md=2,
    )


def list_layout(key: str, kind: str, title: str, *, query: dict[str, Any] | None = None):
    """The page body; ``key`` names the page in ids (projects, datasets, ...) and is its path;
    ``query`` holds the URL's parameters (the list's filters, the grid's filter, any, sort,
    page). A facet value the kind does not take is dropped, with a note saying why."""
    query = dict(query or {})
    try:
        projects = [p["id"] for p in state.viewer().catalog("project")]
    except state.NoRegistry as exc:
        return error_state(str(exc))
    names = _names(kind)
    chosen = {n: _one(query.pop(n, None)) for n in names}
    notes = []
    for name, allowed in CHOICES[kind].items():
        if chosen.get(name) and chosen[name] not in allowed:
            notes.append(
                f"{FACET_LABELS[kind][name]} '{chosen[name]}' is not one of "
                f"{', '.join(allowed)}: the list is not filtered by it."
            )
            chosen[name] = None
    if chosen.get("project") and chosen["project"] not in projects:
        notes.append(f"No project '{chosen['project']}': the list is not filtered by project.")
        chosen["project"] = None
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
                    value=chosen["q"] or "",
                    placeholder="Filter by id, name or description",
                    debounce=300,
                    type="search",
                ),
            ],
            md=4,
        )
    ]
    for name, allowed in CHOICES[kind].items():
        label = FACET_LABELS[kind][name]
        controls.append(_dropdown(key, name, label, list(allowed), chosen[name]))
    if kind != "project":
        controls.append(_dropdown(key, "project", PROJECT_LABEL, projects, chosen["project"]))
    columns = _columns(kind)
    filter_model, order = grid_state(
        query.get("filter"), query.get("any"), query.get("sort"), [c["field"] for c in columns]
    )
    links = link_data(
        f"/{API_KIND[kind]}", [(n, chosen[n]) for n in names if chosen.get(n)], tuple(names)
    )
    return html.Div(
        [
            html.H1(title, className="h2"),
            dbc.Row(controls, class_name="g-2 mb-3"),
            *[dbc.Alert(n, color="warning", class_name="py-2 small") for n in notes],
            html.Div(id=ids.list_facets(key), className="mb-2 small"),
            html.Div(id=ids.list_count(key), className="text-muted mb-2"),
            download_links(ids.list_grid(key), links, url_page(query.get("page"))),
            server_grid(
                ids.list_grid(key), columns, height=560, filter_model=filter_model, sort=order
            ),
            html.Div(id=ids.list_empty(key)),
        ]
    )


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


def _facets(key: str, kind: str, chosen: dict, request: dict):
    """The facet groups, from one grouped count of every facet (``Viewer.facets``)."""
    grid_filters = filters_from_model(request.get("filterModel"))
    grid = query_params(request.get("filterModel"), request.get("sortModel"))
    try:
        counts = state.viewer().facets(kind, **_options(chosen), filters=grid_filters)
    except DsgridError:
        return None
    labels = {**FACET_LABELS[kind], "project": PROJECT_LABEL}
    groups = []
    for name in _facet_names(kind):
        found = counts.get(name, {})
        # in the facet's own order (JSON over HTTP sorts keys): projects by id
        order = CHOICES[kind].get(name) or sorted(found)
        ordered = {v: found[v] for v in order if v in found}
        groups.append(_facet_group(key, labels[name], name, ordered, chosen, grid))
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


def _filter_inputs(key: str, kind: str):
    return [
        Input(ids.list_filter(key, "text"), "value"),
        *[Input(ids.list_filter(key, name), "value") for name in _facet_names(kind)],
    ]


def register_list_callbacks(key: str, kind: str) -> None:
    """Callbacks of one list page: rows for the grid (with the count, the facets and the
    query of the links and the URL), and a reload of the grid when a filter changes."""
    inputs = _filter_inputs(key, kind)
    names = _names(kind)
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
        chosen = {n: v or None for n, v in zip(names, values, strict=True)}
        response = answer(request, state.viewer().components, kind, **_options(chosen))
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
            _facets(key, kind, chosen, request or {}),
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
