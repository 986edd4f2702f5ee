"""One project: its dimensions (base, supplemental with their mappings, subsets), the datasets it
expects with their status, which required record pairs a submitted dataset covers, its history
and its dependency graph. The coverage choices live in the query string, so a link shows the
same heatmap and the back button restores it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids, state
from app.components import component_page as page
from app.components.common import component_link, component_title, empty_state, error_state
from app.components.heatmap import (
    PROJECT_STATUSES,
    coverage_counts,
    coverage_figure,
    coverage_graph,
)
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.errors import DsgridError

dash.register_page(
    __name__,
    path_template="/projects/<project_id>",
    title=component_title("Project", "project_id"),
    name="Project",
)

DEFAULT_X, DEFAULT_Y = "geography", "subsector"
STATUS_COLORS = {"Registered": "success", "Unregistered": "secondary"}


def _first(value) -> str | None:
    """A query parameter's value (Dash hands over a list when a key repeats)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value or None


def _choices(dataset, x, y, submitted: list[str]) -> tuple[str | None, str, str]:
    """The coverage choices of a query string, unknown values replaced by the defaults."""
    dataset, x, y = _first(dataset), _first(x), _first(y)
    dataset = dataset if dataset in submitted else (submitted[0] if submitted else None)
    x = x if x in NON_TIME_TYPES else DEFAULT_X
    y = y if y in NON_TIME_TYPES else DEFAULT_Y
    return dataset, x, y


def _record_names(dimension_id: str, version: str) -> dict[str, str]:
    return {r["id"]: r.get("name") for r in state.viewer().records(dimension_id, version)}


def layout(
    project_id: str | None = None,
    version: str | None = None,
    dataset=None,
    x=None,
    y=None,
    **_,
):
    try:
        detail = page.load("project", project_id, version)
        overview = state.viewer().project_overview(project_id, detail["version"])
        in_registry = {d["id"] for d in state.viewer().catalog("dataset")}
        header = page.header(
            detail,
            dbc.Badge(overview["status"] or "no status", color="dark", id=ids.PROJECT_STATUS),
        )
        closing = page.closing_sections(detail, graph_height=420, where_used=False)
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
    submitted = [d["dataset_id"] for d in overview["datasets"] if d["status"] == "Registered"]
    chosen = _choices(dataset, x, y, submitted)
    return html.Div(
        [
            header,
            html.H4("Datasets it expects", className="mt-3"),
            _datasets_table(overview, in_registry),
            html.H4("Coverage", className="mt-4"),
            _coverage_section(overview, submitted, chosen, project_id),
            html.H4("Base dimensions", className="mt-4"),
            _base_table(overview),
            html.H4("Supplemental dimensions", className="mt-4"),
            _supplemental_table(overview),
            html.H4("Subset dimensions", className="mt-4"),
            _subset_table(overview),
            *closing,
        ]
    )


def _table(table_id: str, head: list[str], rows: list, empty: str):
    if not rows:
        return html.P(empty, id=table_id, className="text-muted")
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
        id=table_id,
        size="sm",
        striped=True,
        class_name="w-auto",
    )


def _datasets_table(overview: dict, in_registry: set[str]):
    if not overview["datasets"]:
        return empty_state(
            f"Project {overview['project_id']} (version {overview['version']}) expects no "
            "datasets, so there is nothing to submit to it yet."
        )
    rows = []
    for d in overview["datasets"]:
        registered = d["status"] == "Registered"
        name = (
            component_link("dataset", d["dataset_id"], d["version"] if registered else None)
            if d["dataset_id"] in in_registry
            else d["dataset_id"]
        )
        mappings = [
            html.Span(
                [
                    component_link("dimension_mapping", m["mapping_id"], m["version"]),
                    f" ({m['dimension_type']})",
                ],
                className="d-block",
            )
            for m in d["mappings"]
        ]
        rows.append(
            html.Tr(
                [
                    html.Td(name),
                    html.Td(d["dataset_type"] or "-"),
                    html.Td(
                        dbc.Badge(d["status"], color=STATUS_COLORS.get(d["status"], "secondary"))
                    ),
                    html.Td(d["version"] or "-"),
                    html.Td(mappings or "-"),
                ],
                id=ids.project_dataset_row(d["dataset_id"]),
            )
        )
    registered = sum(1 for d in overview["datasets"] if d["status"] == "Registered")
    return html.Div(
        [
            html.P(
                f"{registered} of {len(overview['datasets'])} expected datasets are submitted.",
                className="text-muted small mb-1",
            ),
            _table(
                ids.PROJECT_DATASETS,
                ["dataset", "type", "status", "version", "mappings used"],
                rows,
                "",
            ),
        ]
    )


def _coverage_section(overview: dict, submitted: list[str], chosen, project_id: str) -> html.Div:
    dataset, x, y = chosen
    if not submitted:
        return dbc.Alert(
            f"No dataset is submitted to version {overview['version']} of this project yet, so "
            "there is no coverage to show.",
            color="secondary",
            id=ids.PROJECT_COVERAGE_EMPTY,
        )
    types = list(NON_TIME_TYPES)
    figure, counts = _coverage_view(
        chosen[0], chosen[1], chosen[2], {"id": project_id, "version": overview["version"]}
    )
    figure = None if figure is no_update else figure
    return html.Div(
        [
            # only with the coverage controls: its callback needs both
            dcc.Location(id=ids.PROJECT_LOCATION, refresh=False),
            html.P(
                "Which pairs of project base records the dataset provides (after its mappings), "
                "declares missing, or lacks although the project requires them.",
                className="text-muted small",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        html.Label("dataset", htmlFor=ids.PROJECT_COVERAGE_DATASET), width="auto"
                    ),
                    dbc.Col(
                        dcc.Dropdown(
                            id=ids.PROJECT_COVERAGE_DATASET,
                            options=submitted,
                            value=dataset,
                            clearable=False,
                        ),
                        md=4,
                    ),
                    dbc.Col(html.Label("x", htmlFor=ids.PROJECT_COVERAGE_X), width="auto"),
                    dbc.Col(
                        dcc.Dropdown(
                            id=ids.PROJECT_COVERAGE_X, options=types, value=x, clearable=False
                        ),
                        md=2,
                    ),
                    dbc.Col(html.Label("y", htmlFor=ids.PROJECT_COVERAGE_Y), width="auto"),
                    dbc.Col(
                        dcc.Dropdown(
                            id=ids.PROJECT_COVERAGE_Y, options=types, value=y, clearable=False
                        ),
                        md=2,
                    ),
                ],
                class_name="g-2 align-items-center mb-2",
            ),
            # drawn with the page: the first load needs no callback after plotly.js is in
            dcc.Loading(coverage_graph(ids.PROJECT_COVERAGE_GRAPH, figure), delay_show=300),
            html.Div(counts, id=ids.PROJECT_COVERAGE_COUNTS),
        ]
    )


def _base_table(overview: dict):
    rows = [
        html.Tr(
            [
                html.Td(d["type"]),
                html.Td(component_link("dimension", d["id"], d["version"], d.get("name"))),
                html.Td(html.Code(d["id"])),
                html.Td(d["version"]),
                html.Td(f"{d['records']:,}" if d["type"] != "time" else "-"),
            ],
            id=ids.project_base_row(d["type"]),
        )
        for d in overview["base_dimensions"]
    ]
    return _table(
        ids.PROJECT_BASE_DIMENSIONS,
        ["type", "dimension", "id", "version", "records"],
        rows,
        "No base dimensions.",
    )


def _supplemental_table(overview: dict):
    rows = [
        html.Tr(
            [
                html.Td(d["type"]),
                html.Td(component_link("dimension", d["id"], d["version"], d.get("name"))),
                html.Td(
                    component_link("dimension_mapping", d["mapping_id"], d.get("mapping_version"))
                    if d.get("mapping_id")
                    else "-"
                ),
            ]
        )
        for d in overview["supplemental_dimensions"]
    ]
    return _table(
        ids.PROJECT_SUPPLEMENTAL_DIMENSIONS,
        ["type", "dimension", "mapping from the base dimension"],
        rows,
        "No supplemental dimensions.",
    )


def _subset_table(overview: dict):
    rows = []
    for subset in overview["subset_dimensions"]:
        for selector, records in (subset.get("selectors") or {}).items():
            rows.append(
                html.Tr(
                    [
                        html.Td(subset["name"]),
                        html.Td(subset.get("type") or "-"),
                        html.Td(selector),
                        html.Td(f"{len(records)}: {', '.join(records)}", className="small"),
                    ]
                )
            )
    return _table(
        ids.PROJECT_SUBSET_DIMENSIONS,
        ["subset", "type", "selector", "records"],
        rows,
        "No subset dimensions.",
    )


def _search_with(search: str | None, **values) -> str:
    """``search`` with ``values`` set (others, e.g. version, kept)."""
    params = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}
    params.update({k: v for k, v in values.items() if v})
    return f"?{urlencode(params)}" if params else ""


@callback(
    Output(ids.PROJECT_COVERAGE_DATASET, "value"),
    Output(ids.PROJECT_COVERAGE_X, "value"),
    Output(ids.PROJECT_COVERAGE_Y, "value"),
    Output(ids.PROJECT_LOCATION, "search"),
    Input(ids.PROJECT_COVERAGE_DATASET, "value"),
    Input(ids.PROJECT_COVERAGE_X, "value"),
    Input(ids.PROJECT_COVERAGE_Y, "value"),
    Input(ids.PROJECT_LOCATION, "search"),
    State(ids.PROJECT_LOCATION, "pathname"),
    State(ids.PROJECT_COVERAGE_DATASET, "options"),
    State(ids.COMPONENT_STORE, "data"),
    prevent_initial_call=True,
)
def keep_in_url(dataset, x, y, search, pathname, submitted, component):
    """A choice goes into the query string (a new history entry); a query string the browser
    comes back to (back / forward) sets the choices again."""
    if ctx.triggered_id != ids.PROJECT_LOCATION:
        new = _search_with(search, dataset=dataset, x=x, y=y)
        return no_update, no_update, no_update, new if new != (search or "") else no_update
    if not component or pathname != f"/projects/{component['id']}":
        raise PreventUpdate  # leaving the page
    params = parse_qs((search or "").lstrip("?"))
    wanted = _choices(
        *(params.get(k, [None])[0] for k in ("dataset", "x", "y")), submitted=submitted or []
    )
    if wanted == (dataset, x, y):
        raise PreventUpdate
    return *wanted, no_update


@callback(
    Output(ids.PROJECT_COVERAGE_GRAPH, "figure"),
    Output(ids.PROJECT_COVERAGE_COUNTS, "children"),
    Input(ids.PROJECT_COVERAGE_DATASET, "value"),
    Input(ids.PROJECT_COVERAGE_X, "value"),
    Input(ids.PROJECT_COVERAGE_Y, "value"),
    State(ids.COMPONENT_STORE, "data"),
    prevent_initial_call=True,  # the page's first view comes with its layout
)
def show_coverage(dataset, x, y, component):
    if not dataset or not x or not y or not component:
        raise PreventUpdate
    return _coverage_view(dataset, x, y, component)


def _coverage_view(dataset, x, y, component):
    """The heatmap and its counts for the chosen dataset and axes (the page's first view, and
    every later choice)."""
    if x == y:
        return no_update, dbc.Alert("Choose two different dimension types.", color="info")
    try:
        viewer = state.viewer()
        result = viewer.project_coverage(
            component["id"], dataset, version=component["version"], x=x, y=y
        )
        overview = viewer.project_overview(component["id"], component["version"])
        base = {d["type"]: d for d in overview["base_dimensions"]}
        names = {t: _record_names(base[t]["id"], base[t]["version"]) for t in (x, y)}
    except DsgridError as exc:
        return no_update, dbc.Alert(str(exc), color="danger")
    figure = coverage_figure(result, PROJECT_STATUSES, x_names=names[x], y_names=names[y])
    counts = coverage_counts(ids.PROJECT_COVERAGE_COUNTS, result, PROJECT_STATUSES)
    return figure, [
        counts,
        html.P(f"{result['required']:,} pairs are required.", className="small text-muted"),
    ]
