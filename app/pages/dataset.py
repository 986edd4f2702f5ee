"""One dataset: its metadata, layout and dimensions, which record pairs it covers, a paged
preview of its stored rows (filtered and sorted in DuckDB), load profiles of chosen records,
where it is used, its history and its dependency graph. The coverage axes and the profile
choices live in the query string, so a link shows the same view and back restores it."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlencode

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids, state
from app.components import component_page as page
from app.components.common import (
    component_link,
    component_title,
    error_state,
    facts_table,
    human_bytes,
    value_cell,
    value_text,
)
from app.components.downloads import (
    GRID_KEYS,
    download_links,
    link_data,
    register_download_links,
    url_page,
    with_grid_query,
)
from app.components.heatmap import (
    DATASET_STATUSES,
    coverage_counts,
    coverage_figure,
    coverage_graph,
)
from app.components.profile import (
    RESOLUTION_LABELS,
    profile_controls,
    profile_figure,
    units_note,
)
from app.grid import answer, grid_state, server_grid
from dsgrid_core.browse.datasets import PREVIEW_COLUMNS, RESOLUTIONS
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.errors import DsgridError

dash.register_page(
    __name__,
    path_template="/datasets/<dataset_id>",
    title=component_title("Dataset", "dataset_id"),
    name="Dataset",
)

DEFAULT_X, DEFAULT_Y = "geography", "subsector"
PROFILE_TYPES = ("geography", "subsector", "metric")  # the record pickers of the load profile
DEFAULT_RESOLUTION = "day"
MAX_SERIES = 24  # more lines than this are unreadable: ask for fewer records instead
# metadata fields in the order a reader wants them; others follow in config order
METADATA_ORDER = (
    "dataset_type",
    "data_classification",
    "description",
    "sector_description",
    "data_source",
    "data_source_version",
    "data_source_date",
    "data_source_doi_url",
    "origin_creator",
    "origin_organization",
    "origin_contributors",
    "origin_project",
    "origin_date",
    "origin_version",
    "tags",
)
METADATA_SKIPPED = {"dataset_id", "trivial_dimensions", "version", "missing_associations"}
URL_KEYS = ("x", "y", *PROFILE_TYPES, "by", "res")


def _values(value) -> list[str]:
    """A query parameter as a list (Dash hands over a str, or a list when a key repeats)."""
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def _one(value) -> str | None:
    values = _values(value)
    return values[0] if values else None


def _choices(params: dict, options: dict[str, set[str]]) -> dict:
    """The view a query string asks for, unknown values replaced by the defaults."""
    x, y = _one(params.get("x")), _one(params.get("y"))
    by, res = _one(params.get("by")), _one(params.get("res"))
    return {
        "x": x if x in NON_TIME_TYPES else DEFAULT_X,
        "y": y if y in NON_TIME_TYPES else DEFAULT_Y,
        **{
            t: [v for v in _values(params.get(t)) if v in options.get(t, set())]
            for t in PROFILE_TYPES
        },
        "by": by if by in NON_TIME_TYPES else None,
        "res": res if res in RESOLUTIONS else DEFAULT_RESOLUTION,
    }


def _names(facts: dict, dimension_type: str) -> dict[str, str]:
    ref = facts["dimensions"].get(dimension_type)
    if not ref:
        return {}
    return {
        r["id"]: r.get("name") or r["id"] for r in state.viewer().records(ref["id"], ref["version"])
    }


def layout(dataset_id: str | None = None, version: str | None = None, **query):
    try:
        detail = page.load("dataset", dataset_id, version)
        facts = state.viewer().dataset_facts(dataset_id, detail["version"])
        names = {t: _names(facts, t) for t in PROFILE_TYPES}
        header = page.header(
            detail,
            dbc.Badge(facts["metadata"].get("dataset_type") or "dataset", color="info"),
        )
        closing = page.closing_sections(detail, graph_height=360)
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
    chosen = _choices(query, {t: set(n) for t, n in names.items()})
    filter_model, order = grid_state(
        query.get("filter"),
        query.get("any"),
        query.get("sort"),
        PREVIEW_COLUMNS,
        numeric=("value",),
    )
    links = link_data(
        f"/datasets/{quote(detail['id'], safe='')}/preview",
        [("version", version)] if version else [],
        ("version",),
    )
    return html.Div(
        [
            dcc.Location(id=ids.DATASET_LOCATION, refresh=False),
            header,
            dbc.Row(
                [
                    dbc.Col([html.H4("Metadata"), _metadata_table(facts)], lg=6),
                    dbc.Col(
                        [
                            html.H4("Stored data"),
                            _facts_table(facts),
                            html.H4("Layout", className="mt-3"),
                            _layout_table(facts),
                        ],
                        lg=6,
                    ),
                ]
            ),
            html.H4("Dimensions", className="mt-3"),
            _dimensions_table(facts),
            html.H4("Coverage", className="mt-4"),
            _coverage_section(chosen),
            html.H4("Rows", className="mt-4"),
            html.P(
                "The stored rows (stacked: one value per row). Filter and sort in the column "
                "headers; the filtering runs on the server over every row.",
                className="text-muted small",
            ),
            html.P(
                _row_units(facts, names["metric"]),
                id=ids.DATASET_PREVIEW_UNITS,
                className="text-muted small",
            ),
            server_grid(
                ids.DATASET_PREVIEW,
                _preview_columns(),
                height=440,
                filter_model=filter_model,
                sort=order,
            ),
            # below the grid: above it, a grid's first rows came back blank (mapping page)
            download_links(ids.DATASET_PREVIEW, links, url_page(query.get("page"))),
            html.H4("Load profile", className="mt-4"),
            profile_controls(names, chosen, PROFILE_TYPES),
            *closing,
        ]
    )


def _row_units(facts: dict, metric_names: dict[str, str]) -> str:
    """Which unit each row's value is in (its end use's): the rows are stored, not converted."""
    ref = facts["dimensions"].get("metric")
    if not ref:
        return ""
    by_unit: dict[str, list[str]] = {}
    for r in state.viewer().records(ref["id"], ref["version"]):
        by_unit.setdefault(r.get("unit") or "no unit", []).append(
            metric_names.get(r["id"], r["id"])
        )
    if len(by_unit) == 1:
        return f"Every value is in {next(iter(by_unit))}."
    parts = [
        f"{unit} ({len(ids_)} end uses)" if len(ids_) > 3 else f"{unit} ({', '.join(ids_)})"
        for unit, ids_ in sorted(by_unit.items(), key=lambda item: -len(item[1]))
    ]
    return (
        "Each value is in its end use's own unit, as stored (the load profile below converts "
        f"before adding): {'; '.join(parts)}."
    )


def _metadata_table(facts: dict):
    metadata = facts["metadata"]
    keys = [k for k in METADATA_ORDER if k in metadata]
    keys += [k for k in metadata if k not in keys and k not in METADATA_SKIPPED]
    rows = [(k, value_cell(metadata[k])) for k in keys if metadata[k] not in (None, "", [], {})]
    return facts_table(ids.DATASET_METADATA, rows)


def _facts_table(facts: dict):
    first, last = facts["time_range"]
    rows = [
        ("rows", f"{facts['row_count']:,}" if facts["row_count"] is not None else "-"),
        ("size on disk", human_bytes(facts["size_bytes"])),
        ("time range", f"{first} to {last}" if first else "-"),
    ]
    cells = {
        "rows": ids.dataset_fact("rows"),
        "size on disk": ids.dataset_fact("size"),
        "time range": ids.dataset_fact("time_range"),
    }
    return facts_table(ids.DATASET_FACTS, rows, cells)


def _layout_table(facts: dict):
    layout = facts["layout"]
    rows = [
        ("table format", value_text(layout.get("table_format"))),
        ("value format", value_text(layout.get("value_format"))),
        ("stored as", value_text(layout.get("stored_as"))),
    ]
    return facts_table(ids.DATASET_LAYOUT, rows)


def _dimensions_table(facts: dict):
    rows = []
    for dimension_type, ref in facts["dimensions"].items():
        trivial = facts["trivial"].get(dimension_type)
        rows.append(
            html.Tr(
                [
                    html.Td(dimension_type),
                    html.Td(
                        component_link("dimension", ref["id"], ref["version"], ref.get("name"))
                    ),
                    html.Td(ref["version"]),
                    html.Td(
                        dbc.Badge(f"trivial: {trivial}", color="light", text_color="dark")
                        if trivial is not None
                        else ""
                    ),
                ]
            )
        )
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(c) for c in ("type", "dimension", "version", "")])),
            html.Tbody(rows),
        ],
        id=ids.DATASET_DIMENSIONS,
        size="sm",
        striped=True,
        class_name="w-auto",
    )


def _axis_dropdown(dropdown_id: str, value: str):
    return dcc.Dropdown(id=dropdown_id, options=list(NON_TIME_TYPES), value=value, clearable=False)


def _coverage_section(chosen: dict) -> html.Div:
    return html.Div(
        [
            html.P(
                "Which pairs of records the dataset holds rows for, declares missing, or lacks.",
                className="text-muted small",
            ),
            dbc.Row(
                [
                    dbc.Col(html.Label("x", htmlFor=ids.DATASET_COVERAGE_X), width="auto"),
                    dbc.Col(_axis_dropdown(ids.DATASET_COVERAGE_X, chosen["x"]), md=2),
                    dbc.Col(html.Label("y", htmlFor=ids.DATASET_COVERAGE_Y), width="auto"),
                    dbc.Col(_axis_dropdown(ids.DATASET_COVERAGE_Y, chosen["y"]), md=2),
                ],
                class_name="g-2 align-items-center mb-2",
            ),
            dcc.Loading(coverage_graph(ids.DATASET_COVERAGE_GRAPH), delay_show=300),
            html.Div(id=ids.DATASET_COVERAGE_COUNTS),
        ]
    )


def _preview_columns() -> list[dict]:
    columns = []
    for name in PREVIEW_COLUMNS:
        spec: dict = {"field": name, "headerName": name, "flex": 1, "minWidth": 110}
        # preview() reads AND of filters: one condition per column, no OR.
        spec["filterParams"] = {"maxNumConditions": 1, "buttons": ["reset"]}
        if name == "value":
            spec.update(filter="agNumberColumnFilter", type="numericColumn", minWidth=140)
        if name == "timestamp":
            spec["minWidth"] = 220
        columns.append(spec)
    return columns


# --- callbacks ---------------------------------------------------------------------------------

CHOICE_INPUTS = [
    (ids.DATASET_COVERAGE_X, "x"),
    (ids.DATASET_COVERAGE_Y, "y"),
    *[(ids.dataset_profile_records(t), t) for t in PROFILE_TYPES],
    (ids.DATASET_PROFILE_BY, "by"),
    (ids.DATASET_PROFILE_RESOLUTION, "res"),
]


@callback(
    *[Output(i, "value") for i, _ in CHOICE_INPUTS],
    Output(ids.DATASET_LOCATION, "search"),
    *[Input(i, "value") for i, _ in CHOICE_INPUTS],
    Input(ids.DATASET_LOCATION, "search"),
    State(ids.DATASET_LOCATION, "pathname"),
    *[State(ids.dataset_profile_records(t), "options") for t in PROFILE_TYPES],
    State(ids.COMPONENT_STORE, "data"),
    State(ids.grid_query(ids.DATASET_PREVIEW), "data"),
    prevent_initial_call=True,
)
def keep_in_url(*args):
    """A choice goes into the query string (a new history entry); a query string the browser
    comes back to (back / forward) sets the choices again."""
    n = len(CHOICE_INPUTS)
    values = dict(zip([k for _, k in CHOICE_INPUTS], args[:n], strict=True))
    search, pathname = args[n], args[n + 1]
    options = {
        t: {o["value"] for o in opts or []}
        for t, opts in zip(PROFILE_TYPES, args[n + 2 : n + 5], strict=True)
    }
    component, grid = args[-2], args[-1]
    unchanged = [no_update] * n
    params = parse_qs((search or "").lstrip("?"))
    if ctx.triggered_id != ids.DATASET_LOCATION:
        # the grid's filters, sort and page as the grid has them (it keeps them in the URL)
        kept = {k: v for k, v in params.items() if k not in URL_KEYS and k not in GRID_KEYS}
        kept.update(parse_qs(grid["query"]) if grid else {})
        for key, value in values.items():
            if value:
                kept[key] = value if isinstance(value, list) else [value]
        new = f"?{urlencode(kept, doseq=True)}" if kept else ""
        return *unchanged, new if new != (search or "") else no_update
    if not component or pathname != f"/datasets/{component['id']}":
        raise PreventUpdate  # leaving the page
    wanted = _choices(params, options)
    if all(wanted[k] == (values[k] or ([] if k in PROFILE_TYPES else None)) for k in wanted):
        raise PreventUpdate
    return *[wanted[k] for _, k in CHOICE_INPUTS], no_update


@callback(
    Output(ids.DATASET_COVERAGE_GRAPH, "figure"),
    Output(ids.DATASET_COVERAGE_COUNTS, "children"),
    Input(ids.DATASET_COVERAGE_X, "value"),
    Input(ids.DATASET_COVERAGE_Y, "value"),
    State(ids.COMPONENT_STORE, "data"),
)
def show_coverage(x, y, component):
    if not x or not y or not component:
        raise PreventUpdate
    if x == y:
        return no_update, dbc.Alert("Choose two different dimension types.", color="info")
    try:
        result = state.viewer().coverage(component["id"], component["version"], x=x, y=y)
        facts = state.viewer().dataset_facts(component["id"], component["version"])
        x_names, y_names = _names(facts, x), _names(facts, y)
    except DsgridError as exc:
        return no_update, dbc.Alert(str(exc), color="danger")
    figure = coverage_figure(result, DATASET_STATUSES, x_names=x_names, y_names=y_names)
    return figure, coverage_counts(ids.DATASET_COVERAGE_COUNTS, result, DATASET_STATUSES)


register_download_links(ids.DATASET_PREVIEW, location=ids.DATASET_LOCATION)


@callback(
    Output(ids.DATASET_PREVIEW, "getRowsResponse"),
    Output(ids.grid_query(ids.DATASET_PREVIEW), "data"),
    Input(ids.DATASET_PREVIEW, "getRowsRequest"),
    State(ids.COMPONENT_STORE, "data"),
    State(ids.grid_query(ids.DATASET_PREVIEW), "data"),
)
def preview_rows(request, component, links):
    rows = answer(request, state.viewer().preview, component["id"], component["version"])
    return rows, with_grid_query(links, request)


@callback(
    Output(ids.DATASET_PROFILE_GRAPH, "figure"),
    Output(ids.DATASET_PROFILE_NOTE, "children"),
    Output(ids.DATASET_PROFILE_UNITS, "children"),
    *[Input(ids.dataset_profile_records(t), "value") for t in PROFILE_TYPES],
    Input(ids.DATASET_PROFILE_BY, "value"),
    Input(ids.DATASET_PROFILE_RESOLUTION, "value"),
    State(ids.COMPONENT_STORE, "data"),
)
def show_profile(geography, subsector, metric, by, resolution, component):
    if not component or not resolution:
        raise PreventUpdate
    chosen = {"geography": geography, "subsector": subsector, "metric": metric}
    records = {t: sorted(v) for t, v in chosen.items() if v}
    try:
        facts = state.viewer().dataset_facts(component["id"], component["version"])
        if by:
            lines = len(records.get(by) or _names(facts, by))
            if lines > MAX_SERIES:
                return (
                    go.Figure(),
                    f"One line per {by} would draw {lines:,} lines: choose at most "
                    f"{MAX_SERIES} {by} records above, or another dimension.",
                    "",
                )
        profile = state.viewer().load_profile(
            component["id"],
            component["version"],
            records=records,
            by=by or None,
            resolution=resolution,
        )
        names = _names(facts, by) if by else {}
        metric_names = names if by == "metric" else _names(facts, "metric")
    except DsgridError as exc:
        return go.Figure(), dbc.Alert(str(exc), color="danger", class_name="py-2"), ""
    if not profile["series"]:
        return go.Figure(), "No rows match these records.", ""
    what = ", ".join(f"{len(v)} {t}" for t, v in records.items()) or "all records"
    note = (
        f"{len(profile['series'])} line{'s' if len(profile['series']) != 1 else ''} "
        f"({what}{f', one per {by}' if by else ''}), "
        f"{RESOLUTION_LABELS[profile['resolution']].lower()} sums in {profile['time_zone']}."
    )
    units = units_note(profile, metric_names)
    return profile_figure(profile, names=names), note, units
