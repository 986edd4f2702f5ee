"""The query builder: pick a project, its datasets, what to group by, filters, time resolution
and zone, unit, then Run. The whole builder lives in the query string (a link reproduces the
query and its chart: opening it runs the query again, or shows the run this tab already has).

Every run is a query job in a thread of the server, polled until it ends (progress and Cancel);
small queries finish while the Run request waits and show at once. The job of the last run is
kept in the tab's session storage: a link to the same query shows it without running again, and
/query alone (which starts empty) offers it back ("Restore last query", in the chart type it
was last shown in).
Results: a paged grid read on the server, charts that fit the result, and exports (CSV,
NDJSON, Parquet, PNG, SVG, HTML, and the query as JSON5, a command and a Python snippet)."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids, state
from app.components import query_form as form
from app.components import query_results as results
from app.components import query_units as units_ui
from app.components.charts import ALTERNATIVES
from app.components.common import error_state
from dsgrid_core.errors import DsgridError, InputError
from dsgrid_core.query.builder import BuilderState, RecordFilter, from_search, to_query, to_search

dash.register_page(__name__, path="/query", name="Query", title="Query builder", order=5, nav=True)

TYPES = form.TYPES
INLINE_WAIT = 1.5  # seconds a Run waits for its job: small queries show without polling
POLL_MS = 500
DOWNLOADS = ("csv", "ndjson", "parquet", "png", "html", "text")


# --- what the pickers offer (cached reads) -------------------------------------------------------


def _projects() -> list[dict[str, str]]:
    return [{"id": p["id"], "name": p.get("name")} for p in state.viewer().catalog("project")]


def _facts(project_id: str | None) -> dict | None:
    return state.viewer().query_choices(project_id) if project_id else None


def _metric_records(project_id: str | None) -> list[dict]:
    try:
        facts = _facts(project_id)
    except DsgridError:
        return []
    return _picker_records(project_id, "metric", facts["dimensions"]["metric"][0]) if facts else []


def _alternative_defaults(project_id: str, dims: dict[str, list[str]]) -> dict[str, str]:
    """Scenarios, model and weather years start grouped by (base dimension) when the project
    has more than one: summing alternatives is never the default."""
    return {
        t: dims[t][0]
        for t in ALTERNATIVES
        if dims.get(t) and len(_picker_records(project_id, t, dims[t][0])) > 1
    }


def _picker_records(project_id: str | None, dimension_type: str, name: str | None) -> list[dict]:
    if not project_id or not name:
        return []
    try:
        return state.viewer().query_records(project_id, dimension_type, name)
    except DsgridError:
        return []


def _filter_records(b: BuilderState, facts: dict | None) -> dict[str, list[dict]]:
    """The records each filter picker offers: those of the filter's dimension, else the base."""
    if not facts:
        return {}
    return {
        t: _picker_records(
            b.project_id,
            t,
            b.filters[t].dimension_name if t in b.filters else facts["dimensions"][t][0],
        )
        for t in TYPES
    }


# --- the builder state from the controls --------------------------------------------------------

CONTROLS = [
    ("project", ids.QUERY_PROJECT),
    ("datasets", ids.QUERY_DATASETS),
    *[(f"g.{t}", ids.query_group_by(t)) for t in TYPES],
    *[(f"fd.{t}", ids.query_filter_dimension(t)) for t in TYPES],
    *[(f"fr.{t}", ids.query_filter_records(t)) for t in TYPES],
    *[(f"s.{t}", ids.query_subsets(t)) for t in TYPES],
    ("time", ids.QUERY_TIME),
    ("tz", ids.QUERY_TIME_ZONE),
    ("unit", ids.QUERY_UNIT),
    ("fn", ids.QUERY_FUNCTION),
    ("names", ids.QUERY_NAMES),
]
CONTROL_KEYS = [key for key, _ in CONTROLS]


def builder_from_controls(values: dict, chart: str | None = None) -> BuilderState | None:
    """The builder state the controls show; None until a project is chosen."""
    if not values.get("project"):
        return None
    time = values.get("time") or "none"
    return BuilderState(
        project_id=values["project"],
        datasets=list(values.get("datasets") or []),
        group_by={t: values[f"g.{t}"] for t in TYPES if values.get(f"g.{t}")},
        time=time,
        time_zone=(values.get("tz") or None) if time != "none" else None,
        filters={
            t: RecordFilter(dimension_name=values[f"fd.{t}"], ids=list(values[f"fr.{t}"]))
            for t in TYPES
            if values.get(f"fd.{t}") and values.get(f"fr.{t}")
        },
        subsets={t: list(values[f"s.{t}"]) for t in TYPES if values.get(f"s.{t}")},
        unit=values.get("unit") or None,
        function=values.get("fn") or "sum",
        names=bool(values.get("names")),
        chart=chart or None,
    )


def _without_chart(builder: BuilderState) -> str:
    return to_search(builder.model_copy(update={"chart": None}))


def _same_query(a: str | None, b: str | None) -> bool:
    try:
        left, right = from_search(a or ""), from_search(b or "")
    except DsgridError:
        return False
    return left is not None and right is not None and _without_chart(left) == _without_chart(right)


# --- layout --------------------------------------------------------------------------------------


def layout(**query):
    try:
        projects = _projects()
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
    search = f"?{urlencode(query, doseq=True)}" if query else ""
    builder, facts, problem = None, None, None
    try:
        builder = from_search(search) if search else None
        facts = _facts(builder.project_id) if builder else None
    except DsgridError as exc:
        problem = str(exc)
    runnable = bool(builder and facts and builder.datasets)
    b = builder or BuilderState(project_id="")
    initial = {
        "search": _without_chart(builder) if builder else "",
        "runnable": runnable,
        "error": problem,
    }
    return html.Div(
        [
            dcc.Location(id=ids.QUERY_LOCATION, refresh=False),
            dcc.Location(id=ids.QUERY_REDIRECT, refresh="callback-nav"),
            dcc.Store(id=ids.QUERY_INITIAL, data=initial),
            dcc.Store(id=ids.QUERY_JOB, storage_type="session"),
            dcc.Store(id=ids.QUERY_ACTIVE),
            dcc.Store(id=ids.QUERY_RESULT),
            dcc.Interval(id=ids.QUERY_INTERVAL, interval=POLL_MS, disabled=True),
            *[dcc.Download(id=ids.query_download(k)) for k in DOWNLOADS],
            html.H1("Query builder", className="h2"),
            html.P(
                "Choose a project, its datasets, what to group by and filter, then Run. The "
                "page address holds every choice: a link reproduces the query and its chart.",
                className="text-muted",
            ),
            dbc.Row(
                [
                    dbc.Col(form.builder_card(projects, b, facts, _filter_records(b, facts)), lg=4),
                    dbc.Col(
                        [
                            form.run_bar(problem),
                            form.results_section(builder),
                            form.query_text_card(),
                        ],
                        lg=8,
                    ),
                ],
                class_name="g-4",
            ),
        ]
    )


# --- callbacks: controls ------------------------------------------------------------------------


@callback(
    Output(ids.QUERY_LOCATION, "search"),
    *[Input(i, "value") for _, i in CONTROLS],
    Input(ids.QUERY_CHART_TYPE, "value"),
    State(ids.QUERY_LOCATION, "search"),
    prevent_initial_call=True,
)
def keep_in_url(*args):
    """Every choice goes into the query string (a new history entry, no page reload)."""
    n = len(CONTROLS)
    values = dict(zip(CONTROL_KEYS, args[:n], strict=True))
    chart, search = args[n], args[n + 1]
    try:
        builder = builder_from_controls(values, chart)
    except ValueError:
        raise PreventUpdate from None
    new = to_search(builder) if builder else ""
    return new if new != (search or "") else no_update


@callback(
    Output(ids.QUERY_TIME_ZONE, "disabled"),
    Input(ids.QUERY_TIME, "value"),
)
def zone_matters(time):
    """A time zone only matters for a time column."""
    return (time or "none") == "none"


@callback(
    Output(ids.QUERY_DATASETS, "options"),
    Output(ids.QUERY_DATASETS, "value"),
    *[Output(ids.query_group_by(t), "options") for t in TYPES],
    *[Output(ids.query_group_by(t), "value") for t in TYPES],
    *[Output(ids.query_filter_dimension(t), "options") for t in TYPES],
    *[Output(ids.query_filter_dimension(t), "value") for t in TYPES],
    *[Output(ids.query_subsets(t), "options") for t in TYPES],
    *[Output(ids.query_subsets(t), "value") for t in TYPES],
    *[Output(ids.query_subsets(t), "style") for t in TYPES],
    Output(ids.QUERY_TIME_ZONE, "options"),
    Output(ids.QUERY_TIME_ZONE, "value"),
    Output(ids.QUERY_UNIT, "options"),
    Output(ids.QUERY_UNIT, "value"),
    Output(ids.QUERY_RUN_ERROR, "children", allow_duplicate=True),
    Input(ids.QUERY_PROJECT, "value"),
    prevent_initial_call=True,
)
def project_chosen(project_id):
    """A new project: its datasets (all submitted ones chosen), its dimensions and subsets, its
    time zone; its alternatives grouped by and its most common unit (metrics that mix energy
    and power: grouped by, each kind in its most common unit); earlier choices are dropped."""
    try:
        facts = _facts(project_id)
    except DsgridError as exc:
        return (*[no_update] * (2 + 7 * 7 + 4), str(exc))
    if facts is None:
        raise PreventUpdate
    dims, subsets = facts["dimensions"], facts["subsets"]
    grouped = _alternative_defaults(project_id, dims)
    metrics = _metric_records(project_id)
    if units_ui.mixes_kinds(metrics):
        grouped["metric"] = dims["metric"][0]  # energy and power: never added together
    unit = units_ui.default_unit(metrics)
    return (
        form.choices(facts["datasets"]),
        list(facts["datasets"]),
        *[form.choices(dims[t]) for t in TYPES],
        *[grouped.get(t) for t in TYPES],
        *[form.choices(dims[t]) for t in TYPES],
        *[dims[t][0] for t in TYPES],
        *[form.choices(subsets.get(t, [])) for t in TYPES],
        *[[] for _ in TYPES],
        *[form.SHOWN if subsets.get(t) else form.HIDDEN for t in TYPES],
        form.zone_options(facts["time_zone"]),
        facts["time_zone"],
        units_ui.unit_options(unit, metrics),
        unit,
        "",
    )


@callback(
    Output(ids.QUERY_UNIT_NOTE, "children"),
    Input(ids.QUERY_UNIT, "value"),
    Input(ids.QUERY_PROJECT, "value"),
)
def unit_said(unit, project_id):
    """Which unit the values will be in, and why."""
    return units_ui.unit_note(unit, _metric_records(project_id)) if project_id else ""


def _register_record_picker(t: str) -> None:
    @callback(
        Output(ids.query_filter_records(t), "options"),
        Output(ids.query_filter_records(t), "value"),
        Input(ids.query_filter_dimension(t), "value"),
        Input(ids.QUERY_PROJECT, "value"),
        State(ids.query_filter_records(t), "value"),
        prevent_initial_call=True,
    )
    def records(dimension, project_id, chosen):
        options = form.record_options(_picker_records(project_id, t, dimension))
        known = {o["value"] for o in options}
        return options, [i for i in chosen or [] if i in known]


for _type in TYPES:
    _register_record_picker(_type)


# --- callbacks: runs ----------------------------------------------------------------------------


def start_job(builder: BuilderState) -> str:
    """Start the builder's query as a job; a query that does not resolve against the registry
    is an error now, not a failed job."""
    facts = _facts(builder.project_id)
    query = to_query(builder, facts["time_name"], facts.get("default_unit"))
    return state.viewer().submit_query(query, wait=INLINE_WAIT, source="the query builder")


@callback(
    Output(ids.QUERY_ACTIVE, "data"),
    Output(ids.QUERY_JOB, "data"),
    Output(ids.QUERY_REDIRECT, "search"),
    Output(ids.QUERY_RUN_ERROR, "children"),
    Input(ids.QUERY_INITIAL, "data"),
    Input(ids.QUERY_RUN, "n_clicks"),
    Input(ids.QUERY_RESTORE, "n_clicks"),
    *[State(i, "value") for _, i in CONTROLS],
    State(ids.QUERY_CHART_TYPE, "value"),
    State(ids.QUERY_JOB, "data"),
)
def run(initial, _clicks, _restore, *args):
    """Run on a click. On opening the page: run what the address asks (or show the tab's run
    of that very query); an address that asks nothing, or something invalid, shows nothing
    (the tab's last run comes back only through "Restore last query", with its chart)."""
    chart, stored = args[-2], args[-1]
    if ctx.triggered_id == ids.QUERY_RESTORE:
        search = restored_search(stored)
        if not search:
            raise PreventUpdate
        return no_update, no_update, search, ""
    if ctx.triggered_id == ids.QUERY_RUN:
        values = dict(zip(CONTROL_KEYS, args[:-2], strict=True))
        try:
            builder = builder_from_controls(values)
            if builder is None:
                raise InputError("choose a project first.")
            builder.check()
        except (DsgridError, ValueError) as exc:
            return no_update, no_update, no_update, str(exc)
    else:
        initial = initial or {}
        search = initial.get("search")
        if not search or not initial.get("runnable") or initial.get("error"):
            raise PreventUpdate
        try:
            job = results.query_job(stored)
        except state.NoRegistry:
            raise PreventUpdate from None
        except DsgridError:  # the job cannot be read now: run again what the address asks
            job = None
        if job is not None and _same_query(stored.get("search"), search):
            shown = {**stored, "chart": chart or stored.get("chart")}
            return stored, shown, no_update, ""  # the tab's run of this very query
        builder = from_search(search)
    try:
        job_id = start_job(builder)
    except (DsgridError, state.NoRegistry) as exc:
        return no_update, no_update, no_update, str(exc)
    except (sqlite3.Error, OSError) as exc:  # e.g. a registry folder the server cannot write
        return no_update, no_update, no_update, f"cannot start a query job in this registry: {exc}"
    run = {"job": job_id, "search": _without_chart(builder), "chart": chart or None}
    return run, run, no_update, ""


def restored_search(stored: dict | None) -> str | None:
    """The address of the tab's last run: its query and the view it was last shown in (the
    chart type); None when there is none or it no longer reads."""
    if not stored or not stored.get("search"):
        return None
    try:
        builder = from_search(stored["search"])
    except DsgridError:
        return None
    if builder is None:
        return None
    return to_search(builder.model_copy(update={"chart": stored.get("chart") or None}))


@callback(
    Output(ids.QUERY_JOB, "data", allow_duplicate=True),
    Input(ids.QUERY_CHART_TYPE, "value"),
    State(ids.QUERY_JOB, "data"),
    State(ids.QUERY_ACTIVE, "data"),
    prevent_initial_call=True,
)
def keep_view(chart, stored, active):
    """The chart type the tab's last run is shown in goes with it: "Restore last query"
    brings both back."""
    if not stored or (active or {}).get("job") != stored.get("job"):
        raise PreventUpdate
    if stored.get("chart") == chart:
        raise PreventUpdate
    return {**stored, "chart": chart}


@callback(
    Output(ids.QUERY_RESTORE, "style"),
    Input(ids.QUERY_JOB, "data"),
    Input(ids.QUERY_ACTIVE, "data"),
)
def offer_restore(stored, active):
    """ "Restore last query" when the tab has a run that this view does not show."""
    shown = bool(stored and stored.get("job")) and (active or {}).get("job") != stored["job"]
    return form.SHOWN if shown else form.HIDDEN


@callback(
    Output(ids.QUERY_PROGRESS, "value"),
    Output(ids.QUERY_PROGRESS, "label"),
    Output(ids.QUERY_PROGRESS, "style"),
    Output(ids.QUERY_STATUS, "children"),
    Output(ids.QUERY_INTERVAL, "disabled"),
    Output(ids.QUERY_CANCEL, "disabled"),
    Output(ids.QUERY_RESULT, "data"),
    Input(ids.QUERY_ACTIVE, "data"),
    Input(ids.QUERY_INTERVAL, "n_intervals"),
    State(ids.QUERY_RESULT, "data"),
)
def follow(stored, _n, shown):
    """The job's progress while it runs; its result (or why there is none) when it ends."""
    try:
        job = results.query_job(stored)
    except state.NoRegistry:
        raise PreventUpdate from None
    except DsgridError as exc:  # e.g. a remote API server that does not answer: ask again
        message = html.Span(f"Cannot read the job: {exc}", className="text-danger")
        return no_update, no_update, no_update, message, no_update, no_update, no_update
    clear = None if shown else no_update
    if job is None:
        return 0, "", form.HIDDEN, "", True, True, clear
    done, total = job["stages_done"] or 0, max(job["stages_total"] or 1, 1)
    percent = round(100 * done / total)
    status, message = job["status"], job.get("message")
    if status in ("queued", "running"):
        text = f"Running: {message or status} (stage {done + 1} of {total}, job {job['id']})"
        return percent, message or status, form.SHOWN, text, False, False, clear
    if status == "succeeded":
        info = results.result_info(job)
        text = f"Finished{results.seconds(job)}: {info['rows']:,} rows (job {job['id']})."
        fresh = not shown or shown.get("job") != job["id"]
        return 100, "", form.HIDDEN, text, True, True, info if fresh else no_update
    if status == "cancelled":
        return (
            percent,
            "",
            form.HIDDEN,
            html.Span("Cancelled.", className="text-warning"),
            True,
            True,
            clear,
        )
    message = f"The query failed: {job.get('error') or 'no reason recorded'}"
    return percent, "", form.HIDDEN, html.Span(message, className="text-danger"), True, True, clear


@callback(
    Output(ids.QUERY_CANCEL, "disabled", allow_duplicate=True),
    Input(ids.QUERY_CANCEL, "n_clicks"),
    State(ids.QUERY_ACTIVE, "data"),
    prevent_initial_call=True,
)
def cancel(_clicks, stored):
    if not stored or not stored.get("job"):
        raise PreventUpdate
    try:
        state.viewer().cancel_job(stored["job"])
    except (DsgridError, state.NoRegistry):
        pass  # it ended meanwhile: the status line says how
    return True


results.register_callbacks()
