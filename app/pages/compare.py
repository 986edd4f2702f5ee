"""Scenario comparison: pick a project, the dimension to compare (scenario, model year, weather
year, dataset, or two versions of a dataset) and its two records, hold the other alternatives
at one record each, then
Compare. One query (with a ``comparison``) gives, per geography and hour, base, other, their
difference and relative difference: drawn as a map of the difference, load-duration curves and
a peak table. The address holds every choice: a link runs the same comparison (cached)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids, state
from app.components import compare_charts as charts
from app.components import compare_controls as controls
from app.components import compare_query as cq
from app.components.chart_theme import zone_label
from app.components.common import error_state
from dsgrid_core.errors import DsgridError

dash.register_page(
    __name__, path="/compare", name="Compare", title="Scenario comparison", order=6, nav=True
)

INLINE_WAIT = 10.0  # seconds Compare waits for its job before polling
POLL_MS = 500


def layout(**params):
    try:
        projects = controls.project_options()
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
    s, facts, problem = cq.CompareState(), None, None
    search = f"?{urlencode(params)}" if params else ""
    try:
        s = cq.from_params(params) if params else cq.CompareState()
        if not s.project_id and projects:
            s.project_id = projects[0]["value"]
        facts = controls.query_facts(s.project_id)
    except DsgridError as exc:
        problem = str(exc)
    if facts and not params:
        pairs = controls.choice_records(s.project_id, s.dimension, facts, s.dataset)
        if len(pairs) > 1:
            s.base, s.other = pairs[0]["id"], pairs[1]["id"]
        else:
            problem = (
                f"The project has one {cq.DIMENSIONS[s.dimension].lower()}: nothing to "
                "compare; choose another dimension to compare (or two datasets)."
            )
    return html.Div(
        [
            dcc.Location(id=ids.COMPARE_LOCATION, refresh=False),
            dcc.Store(
                id=ids.COMPARE_INITIAL,
                data={"run": bool(params) and s.complete and not problem, "search": search},
            ),
            dcc.Store(id=ids.COMPARE_JOB),
            dcc.Interval(id=ids.COMPARE_INTERVAL, interval=POLL_MS, disabled=True),
            dcc.Download(id=ids.COMPARE_DOWNLOAD),
            html.H1("Scenario comparison", className="h2"),
            html.P(
                "Two scenarios, model years, weather years, datasets or versions of a dataset "
                "side by side: the "
                "difference (other − base) by geography, load-duration curves and peaks, from "
                "one query. The address holds every choice: a link runs the same comparison.",
                className="text-muted",
            ),
            dbc.Row(
                [
                    dbc.Col(controls.control_card(projects, s, facts), lg=4),
                    dbc.Col(
                        [
                            html.Div(
                                problem or "",
                                id=ids.COMPARE_ERROR,
                                className="text-danger mb-2",
                                role="alert",
                            ),
                            html.Div(id=ids.COMPARE_STATUS, className="mb-2", role="status"),
                            _results(),
                        ],
                        lg=8,
                    ),
                ],
                class_name="g-4",
            ),
        ]
    )


def _results() -> html.Div:
    return html.Div(
        [
            html.P(id=ids.COMPARE_SUMMARY),
            html.Div(
                [
                    dbc.Button(
                        "CSV", id=ids.COMPARE_EXPORT_CSV, size="sm", outline=True, color="secondary"
                    ),
                    dbc.Button(
                        "Parquet",
                        id=ids.COMPARE_EXPORT_PARQUET,
                        size="sm",
                        outline=True,
                        color="secondary",
                        class_name="ms-2",
                    ),
                ],
                className="mb-3",
            ),
            html.H2("Peaks", className="h5"),
            html.Div(id=ids.COMPARE_PEAKS, className="table-responsive"),
            html.H2("Difference by geography", className="h5 mt-3"),
            html.Div(id=ids.COMPARE_MAP_NOTE, className="text-muted"),
            dcc.Graph(
                id=ids.COMPARE_MAP,
                # plotly.js reads the state shapes from the app, not from its CDN
                config={"displaylogo": False, "topojsonURL": dash.get_asset_url("maps/")},
            ),
            dcc.Graph(id=ids.COMPARE_DURATION, config={"displaylogo": False}),
        ],
        id=ids.COMPARE_RESULTS,
        style={"display": "none"},
    )


# --- callbacks: controls -------------------------------------------------------------------------


@callback(
    Output(ids.COMPARE_BASE, "options"),
    Output(ids.COMPARE_BASE, "value"),
    Output(ids.COMPARE_OTHER, "options"),
    Output(ids.COMPARE_OTHER, "value"),
    Output(ids.COMPARE_DATASET, "options"),
    Output(ids.COMPARE_DATASET, "value"),
    Output(ids.COMPARE_DATASET_BOX, "style"),
    Output(ids.COMPARE_GEOGRAPHY, "options"),
    Output(ids.COMPARE_GEOGRAPHY, "value"),
    *[Output(ids.compare_hold(t), "options") for t in cq.HELD],
    *[Output(ids.compare_hold(t), "value") for t in cq.HELD],
    *[Output(ids.compare_hold(t), "disabled") for t in cq.HELD],
    Output(ids.COMPARE_ERROR, "children", allow_duplicate=True),
    Input(ids.COMPARE_PROJECT, "value"),
    Input(ids.COMPARE_DIMENSION, "value"),
    Input(ids.COMPARE_DATASET, "value"),
    State(ids.COMPARE_GEOGRAPHY, "value"),
    prevent_initial_call=True,
)
def choices(project_id, dimension, dataset, geography):
    """A new project, dimension or dataset (of versions): the records to compare (the first
    two chosen; for versions, the datasets with two or more first), the alternatives to hold
    (the compared one off)."""
    n = 9 + 3 * len(cq.HELD)
    try:
        facts = controls.query_facts(project_id)
        if facts is None:
            raise PreventUpdate
        versions = dimension == "dataset_version"
        versioned = controls.versioned_datasets(facts) if versions else []
        if dataset not in versioned:
            dataset = versioned[0] if versioned else None
        records = controls.choice_records(project_id, dimension, facts, dataset or "")
        pairs = controls.record_options(records)
        held = controls.held_choices(project_id, facts, cq.CompareState(project_id=project_id))
    except DsgridError as exc:
        return (*[no_update] * n, str(exc))
    geographies = facts["dimensions"]["geography"]
    if geography not in geographies:
        geography = geographies[1] if len(geographies) > 1 else geographies[0]
    return (
        pairs,
        pairs[0]["value"] if pairs else None,
        pairs,
        pairs[1]["value"] if len(pairs) > 1 else None,
        [{"label": d, "value": d} for d in versioned] if versions else no_update,
        dataset,
        controls.dataset_box_style(dimension),
        [{"label": g, "value": g} for g in geographies],
        geography,
        *[held[t]["options"] for t in cq.HELD],
        *[held[t]["value"] for t in cq.HELD],
        *[t == dimension for t in cq.HELD],
        controls.nothing_to_compare(dimension, pairs, facts),
    )


@callback(
    Output(ids.COMPARE_END_USES, "options"),
    Output(ids.COMPARE_END_USES, "value"),
    Input(ids.COMPARE_PROJECT, "value"),
    prevent_initial_call=True,
)
def end_use_choices(project_id):
    """A new project: its end uses, none chosen (all of them)."""
    try:
        return controls.metric_options(project_id, controls.query_facts(project_id)), []
    except DsgridError:
        return [], []


def _state(
    project_id, dimension, dataset, base, other, geography, unit, end_uses, *held
) -> cq.CompareState:
    return cq.CompareState(
        end_uses=list(end_uses or []),
        project_id=project_id or "",
        dimension=dimension or "scenario",
        dataset=(dataset or "") if dimension == "dataset_version" else "",
        base=base or "",
        other=other or "",
        geography=geography or "",
        unit=unit or "MWh",
        held={t: v for t, v in zip(cq.HELD, held, strict=True) if v and t != dimension},
    )


CONTROLS = [
    ids.COMPARE_PROJECT,
    ids.COMPARE_DIMENSION,
    ids.COMPARE_DATASET,
    ids.COMPARE_BASE,
    ids.COMPARE_OTHER,
    ids.COMPARE_GEOGRAPHY,
    ids.COMPARE_UNIT,
    ids.COMPARE_END_USES,
    *[ids.compare_hold(t) for t in cq.HELD],
]


# --- callbacks: runs -----------------------------------------------------------------------------


@callback(
    Output(ids.COMPARE_JOB, "data"),
    Output(ids.COMPARE_LOCATION, "search"),
    Output(ids.COMPARE_ERROR, "children"),
    Input(ids.COMPARE_INITIAL, "data"),
    Input(ids.COMPARE_RUN, "n_clicks"),
    *[State(i, "value") for i in CONTROLS],
    State(ids.COMPARE_LOCATION, "search"),
)
def run(initial, _clicks, *args):
    """Compare on a click, or on opening a link that holds a whole comparison."""
    *values, search = args
    if ctx.triggered_id != ids.COMPARE_RUN and not (initial or {}).get("run"):
        raise PreventUpdate
    s = _state(*values)
    if not s.complete:
        return no_update, no_update, "Choose a project and two records to compare."
    try:
        facts = controls.query_facts(s.project_id)
        query = cq.to_query(s, facts)
        job_id = state.viewer().submit_query(query, wait=INLINE_WAIT, source="the comparison")
    except DsgridError as exc:
        return None, no_update, str(exc)
    if s.dimension == "dataset_version":
        names = {v: f"{s.dataset} {v}" for v in (s.base, s.other)}
    else:
        records = controls.choice_records(s.project_id, s.dimension, facts)
        names = {o["value"]: o["label"] for o in controls.record_options(records)}
    new = cq.to_search(s)
    job = {
        "job": job_id,
        "time_zone": facts.get("time_zone"),
        "unit": s.unit,
        "geography": query["result"]["aggregations"][0]["dimensions"]["geography"][0],
        "names": {"base": names.get(s.base, s.base), "other": names.get(s.other, s.other)},
        "held": s.held,
        "end_uses": s.end_uses,
        "project": s.project_id,
    }
    return job, (new if new != (search or "") else no_update), ""


@callback(
    Output(ids.COMPARE_STATUS, "children"),
    Output(ids.COMPARE_INTERVAL, "disabled"),
    Output(ids.COMPARE_RESULTS, "style"),
    Output(ids.COMPARE_SUMMARY, "children"),
    Output(ids.COMPARE_PEAKS, "children"),
    Output(ids.COMPARE_MAP, "figure"),
    Output(ids.COMPARE_MAP, "style"),
    Output(ids.COMPARE_MAP_NOTE, "children"),
    Output(ids.COMPARE_DURATION, "figure"),
    Input(ids.COMPARE_JOB, "data"),
    Input(ids.COMPARE_INTERVAL, "n_intervals"),
)
def show(job, _ticks):
    """The job's status while it runs; its views once it has succeeded."""
    hidden = {"display": "none"}
    if not job:
        return "", True, hidden, *[no_update] * 6
    answer = state.viewer().job(job["job"])
    status = (answer or {}).get("status", "unknown")
    if status in ("queued", "running"):
        return f"Comparing… ({status})", False, hidden, *[no_update] * 6
    if status != "succeeded":
        return (
            html.Span(
                f"The comparison {status}: {answer.get('error') or ''}", className="text-danger"
            ),
            True,
            hidden,
            *[no_update] * 6,
        )
    frame = state.viewer().result_frame(job["job"])
    names, unit = job["names"], job["unit"]
    if frame.empty:
        return "The comparison selects no rows.", True, hidden, *[no_update] * 6
    records = state.viewer().query_records(job["project"], "geography", job["geography"])
    figure = charts.map_of_difference(frame, records, unit, names)
    note = (
        ""
        if figure is not None
        else (f"No map: the records of '{job['geography']}' are neither states nor counties.")
    )
    return (
        "",
        True,
        {},
        _summary(job, frame),
        _peak_table(charts.peak_rows(frame, job["time_zone"]), unit),
        figure if figure is not None else {},
        {} if figure is not None else hidden,
        note,
        charts.duration_curves(frame, unit, names),
    )


def _summary(job: dict, frame) -> str:
    held = ", ".join(f"{cq.DIMENSIONS[t].lower()} {v}" for t, v in sorted(job["held"].items()))
    return (
        f"{job['names']['other']} compared with {job['names']['base']}, in {job['unit']} "
        + (
            f"(end uses {', '.join(job['end_uses'])} converted)"
            if job.get("end_uses")
            else "(every end use converted)"
        )
        + f", by {job['geography']} and hour "
        f"({zone_label(job['time_zone'])}); {len(frame):,} rows"
        + (f"; held at {held}" if held else "")
        + ". Relative differences are empty where the base is 0."
    )


def _peak_table(rows: list[dict], unit: str) -> dbc.Table:
    head = html.Thead(
        html.Tr(
            [
                html.Th(
                    label
                    + (f" ({unit})" if key in ("base_peak", "other_peak", "difference") else ""),
                    scope="col",
                )
                for key, label in charts.PEAK_COLUMNS
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(
                        charts.shown(key, row[key]),
                        id=ids.compare_peak_cell(i, key),
                        className="text-nowrap" if key != "geography" else None,
                    )
                    for key, _ in charts.PEAK_COLUMNS
                ]
            )
            for i, row in enumerate(rows)
        ]
    )
    return dbc.Table([head, body], bordered=False, hover=True, size="sm")


@callback(
    Output(ids.COMPARE_DOWNLOAD, "data"),
    Input(ids.COMPARE_EXPORT_CSV, "n_clicks"),
    Input(ids.COMPARE_EXPORT_PARQUET, "n_clicks"),
    State(ids.COMPARE_JOB, "data"),
    prevent_initial_call=True,
)
def export(_csv, _parquet, job):
    """The whole comparison result, as the API gives it."""
    if not job:
        raise PreventUpdate
    fmt = "csv" if ctx.triggered_id == ids.COMPARE_EXPORT_CSV else "parquet"
    try:
        content = state.viewer().result_file(job["job"], fmt)
    except DsgridError as exc:
        raise PreventUpdate from exc
    return dcc.send_bytes(content, f"comparison.{fmt}")
