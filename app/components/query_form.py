"""The query builder's form, laid out from a builder state and the project's choices: the
builder card (project, datasets, group-by, filters, time and units: their choices in
`query_units`), the run bar, the results
section (chart, exports, grid) and the card with the query as text. Layout only: the page
(app/pages/query.py) reads the registry and wires the callbacks."""

from __future__ import annotations

import zoneinfo

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from app import ids
from app.components import query_exports as exports
from app.components.chart_theme import zone_label
from app.components.charts import ALTERNATIVES
from app.components.query_units import unit_options
from app.grid import server_grid
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.query.builder import FUNCTIONS, BuilderState

TYPES = NON_TIME_TYPES
TIME_CHOICES = ("none", "hour", "day", "week", "month", "year")
HIDDEN, SHOWN = {"display": "none"}, {}


def record_options(records: list[dict]) -> list[dict]:
    """Records as options of a record picker: names as labels, found by name or id."""
    return [
        {"label": r["name"], "value": r["id"], "search": f"{r['name']} {r['id']}"} for r in records
    ]


def choices(values: list[str], chosen=None) -> list[dict]:
    """Dropdown options; a chosen value the project lacks (a hand-edited link) stays visible."""
    options = [{"label": v, "value": v} for v in values]
    for v in chosen if isinstance(chosen, list) else [chosen]:
        if v and v not in values:
            options.append({"label": f"{v} (not in this project)", "value": v})
    return options


def zone_options(project_zone: str | None) -> list[dict]:
    """Every zone; POSIX ``Etc/GMT+5`` shown as ``UTC-5`` (its name in a tooltip)."""
    zones = sorted(zoneinfo.available_timezones())
    first = [z for z in (project_zone, "UTC") if z]
    options = []
    for z in dict.fromkeys([*first, *zones]):
        shown = zone_label(z) if z != "UTC" else z
        text = f"{shown} (the project's)" if z == project_zone else shown
        label = html.Span(text, title=z) if shown != z else text
        options.append({"label": label, "value": z, "search": f"{z} {shown}"})
    return options


def field_label(text: str, html_for: str | None = None) -> html.Label:
    return html.Label(text, htmlFor=html_for, className="form-label small fw-semibold mb-1")


def builder_card(
    projects: list[dict], b: BuilderState, facts: dict | None, records: dict[str, list[dict]]
) -> dbc.Card:
    """``records``: dimension type -> the records its filter picker offers now."""
    dims = (facts or {}).get("dimensions", {})
    subsets = (facts or {}).get("subsets", {})
    datasets = (facts or {}).get("datasets", [])
    project = dcc.Dropdown(
        id=ids.QUERY_PROJECT,
        options=[
            {
                "label": p["id"]
                if p["name"] in (None, "", p["id"])
                else f"{p['id']} ({p['name']})",
                "value": p["id"],
                "search": f"{p['id']} {p['name']}",
            }
            for p in projects
        ],
        value=b.project_id or None,
        placeholder="choose a project",
        clearable=False,
    )
    group_by = [
        dbc.Col(
            [
                field_label(t, html_for=ids.query_group_by(t)),
                dcc.Dropdown(
                    id=ids.query_group_by(t),
                    options=choices(dims.get(t, []), b.group_by.get(t)),
                    value=b.group_by.get(t),
                    placeholder="none (alternatives summed!)"
                    if t in ALTERNATIVES
                    else "none (summed)",
                ),
            ],
            sm=6,
            class_name="mb-2",
        )
        for t in TYPES
    ]
    filters = [
        filter_row(t, b, dims.get(t, []), subsets.get(t, []), records.get(t, [])) for t in TYPES
    ]
    # a link with a time column and no zone runs in UTC: the control says so
    project_zone = (facts or {}).get("time_zone") if b.time == "none" else None
    zone = b.time_zone or project_zone or "UTC"
    n_filters = len(b.filters) + len(b.subsets)
    return dbc.Card(
        dbc.CardBody(
            [
                field_label("Project", html_for=ids.QUERY_PROJECT),
                project,
                html.Label(
                    "Datasets (submitted to the project)",
                    htmlFor=ids.QUERY_DATASETS,
                    className="form-label small fw-semibold mb-1 mt-2",
                ),
                dcc.Dropdown(
                    id=ids.QUERY_DATASETS,
                    options=choices(datasets, b.datasets),
                    value=b.datasets,
                    multi=True,
                    placeholder="choose datasets",
                ),
                html.H6("Group by", className="mt-3"),
                html.P(
                    "One column per dimension chosen (the base dimension or a supplemental one); "
                    "dimensions left at none are summed over. Scenarios, model and weather years "
                    "are alternatives: they start grouped by (one series each).",
                    className="text-muted small mb-2",
                ),
                dbc.Row(group_by, class_name="g-2"),
                html.Details(
                    [
                        html.Summary(
                            f"Filters{f' ({n_filters} set)' if n_filters else ''}",
                            className="h6 mt-2",
                        ),
                        html.P(
                            "Keep only the chosen records (search by name or id), or the "
                            "records of subset selectors.",
                            className="text-muted small mb-2",
                        ),
                        *filters,
                    ],
                    open=bool(n_filters),
                ),
                html.H6("Time and units", className="mt-3"),
                field_label("time resolution", html_for=ids.QUERY_TIME),
                dbc.RadioItems(
                    id=ids.QUERY_TIME,
                    options=[{"label": t, "value": t} for t in TIME_CHOICES],
                    value=b.time,
                    inline=True,
                    class_name="small",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                field_label("time zone", html_for=ids.QUERY_TIME_ZONE),
                                dcc.Dropdown(
                                    id=ids.QUERY_TIME_ZONE,
                                    options=zone_options((facts or {}).get("time_zone")),
                                    value=zone,
                                    clearable=False,
                                ),
                            ],
                            sm=12,
                            class_name="mb-2",
                        ),
                        dbc.Col(
                            [
                                field_label("aggregation", html_for=ids.QUERY_FUNCTION),
                                dcc.Dropdown(
                                    id=ids.QUERY_FUNCTION,
                                    options=list(FUNCTIONS),
                                    value=b.function,
                                    clearable=False,
                                ),
                            ],
                            sm=6,
                        ),
                        dbc.Col(
                            [
                                field_label("unit", html_for=ids.QUERY_UNIT),
                                dcc.Dropdown(
                                    id=ids.QUERY_UNIT,
                                    options=unit_options(b.unit),
                                    value=b.unit,
                                    placeholder="each record's own",
                                ),
                            ],
                            sm=6,
                        ),
                        html.Div(id=ids.QUERY_UNIT_NOTE, className="small text-muted"),
                    ],
                    class_name="g-2 mt-1",
                ),
                dbc.Switch(
                    id=ids.QUERY_NAMES,
                    label="record names instead of ids",
                    value=b.names,
                    class_name="mt-2 small",
                ),
            ]
        )
    )


def filter_row(
    t: str, b: BuilderState, names: list[str], selectors: list[str], records: list[dict]
):
    chosen = b.filters.get(t)
    dimension = chosen.dimension_name if chosen else (names[0] if names else None)
    return html.Div(
        [
            field_label(t),
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Dropdown(
                            id=ids.query_filter_dimension(t),
                            options=choices(names, dimension),
                            value=dimension,
                            clearable=False,
                            placeholder="dimension",
                        ),
                        xs=5,
                    ),
                    dbc.Col(
                        dcc.Dropdown(
                            id=ids.query_filter_records(t),
                            options=record_options(records),
                            value=list(chosen.ids) if chosen else [],
                            multi=True,
                            placeholder="all records",
                        ),
                        xs=7,
                    ),
                ],
                class_name="g-1",
            ),
            dcc.Dropdown(
                id=ids.query_subsets(t),
                options=choices(selectors, b.subsets.get(t)),
                value=b.subsets.get(t, []),
                multi=True,
                placeholder="subset selectors",
                style=SHOWN if selectors or b.subsets.get(t) else HIDDEN,
                className="mt-1",
            ),
        ],
        className="mb-2",
    )


def run_bar(problem: str | None) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    dbc.Button("Run", id=ids.QUERY_RUN, color="primary", class_name="me-2"),
                    dbc.Button(
                        "Cancel",
                        id=ids.QUERY_CANCEL,
                        color="outline-secondary",
                        disabled=True,
                        class_name="me-3",
                    ),
                    dbc.Button(
                        "Restore last query",
                        id=ids.QUERY_RESTORE,
                        color="link",
                        size="sm",
                        style=HIDDEN,
                        class_name="me-3",
                    ),
                    html.Div(
                        problem or "",
                        id=ids.QUERY_RUN_ERROR,
                        className="text-danger small flex-grow-1",
                        role="alert",
                    ),
                ],
                className="d-flex align-items-center",
            ),
            dbc.Progress(
                id=ids.QUERY_PROGRESS, value=0, style=HIDDEN, class_name="mt-2", striped=True
            ),
            html.Div(id=ids.QUERY_STATUS, className="small text-muted mt-1"),
        ],
        className="mb-3",
    )


def results_section(builder: BuilderState | None) -> html.Div:
    available, why = exports.png_available()
    png = (
        [
            dbc.InputGroup(
                [
                    dbc.Input(id=ids.QUERY_PNG_WIDTH, type="number", value=1200, min=100, max=4000),
                    dbc.InputGroupText("×"),
                    dbc.Input(id=ids.QUERY_PNG_HEIGHT, type="number", value=700, min=100, max=4000),
                    dbc.Button("PNG (server)", id=ids.query_export("png"), color="secondary"),
                ],
                size="sm",
                style={"maxWidth": "22rem"},
            ),
            html.Div(id=ids.QUERY_PNG_UNAVAILABLE, style=HIDDEN),
        ]
        if available
        else [
            html.Div(why, id=ids.QUERY_PNG_UNAVAILABLE, className="small text-muted"),
            dbc.Input(id=ids.QUERY_PNG_WIDTH, type="hidden", value=1200),
            dbc.Input(id=ids.QUERY_PNG_HEIGHT, type="hidden", value=700),
            html.Button(id=ids.query_export("png"), style=HIDDEN),
        ]
    )
    button = {"size": "sm", "color": "outline-secondary", "class_name": "me-1"}
    return html.Div(
        [
            html.Div(
                [
                    html.H4("Result", className="mb-0 me-3"),
                    html.Span(id=ids.QUERY_ROW_COUNT, className="text-muted"),
                ],
                className="d-flex align-items-baseline mb-2",
            ),
            dbc.RadioItems(
                id=ids.QUERY_CHART_TYPE,
                options=[],
                value=builder.chart if builder else None,
                inline=True,
                class_name="small mb-1",
            ),
            dcc.Graph(
                id=ids.QUERY_CHART,
                figure=go.Figure(),
                style=HIDDEN,
                config={
                    "displaylogo": False,
                    "topojsonURL": dash.get_asset_url("maps/"),
                    "toImageButtonOptions": {"format": "png", "filename": "dsgrid-query"},
                },
            ),
            html.Div(id=ids.QUERY_CHART_NOTE, className="small text-muted mb-2"),
            html.Div(id=ids.QUERY_SUMMARY, className="small mb-2", role="note"),
            html.Div(
                [
                    dbc.Button("CSV", id=ids.query_export("csv"), **button),
                    dbc.Button("NDJSON", id=ids.query_export("ndjson"), **button),
                    dbc.Button("Parquet", id=ids.query_export("parquet"), **button),
                    dbc.Button("HTML", id=ids.query_export("html"), **button),
                    dbc.Button("SVG", id=ids.query_export("svg"), **button),
                    *png,
                ],
                className="d-flex flex-wrap align-items-center gap-1",
            ),
            html.Div(id=ids.QUERY_EXPORT_MESSAGE, className="small text-danger mt-1"),
            html.H5("Rows", className="mt-3"),
            server_grid(ids.QUERY_GRID, [], height=420),
        ],
        id=ids.QUERY_RESULTS,
        style=HIDDEN,
    )


def query_text_card() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.Label("The query", htmlFor=ids.QUERY_TEXT, className="h5 mb-0 me-3"),
                        dbc.RadioItems(
                            id=ids.QUERY_TEXT_FORMAT,
                            options=[
                                {"label": v, "value": k} for k, v in exports.TEXT_LABELS.items()
                            ],
                            value="json5",
                            inline=True,
                            class_name="small me-3",
                        ),
                        dbc.Button(
                            "Download", id=ids.query_export("text"), size="sm", color="secondary"
                        ),
                    ],
                    className="d-flex align-items-center flex-wrap mb-2",
                ),
                dcc.Textarea(
                    id=ids.QUERY_TEXT,
                    value="",
                    readOnly=True,
                    style={"width": "100%", "height": "16rem", "fontFamily": "monospace"},
                    className="small",
                ),
            ]
        ),
        class_name="mt-4",
    )
