"""The query builder: pick a project, its datasets, what to group by, filters, time resolution
and zone, unit, then Run. The whole builder lives in the query string (a link reproduces the
query and its chart: opening it runs the query again, or shows the run this tab already has).

Every run is a query job in a thread of the server, polled until it ends (progress and Cancel);
small queries finish while the Run request waits and show at once. The job of the last run is
kept in the tab's session storage, so leaving the page and coming back shows the same job.
Results: a paged grid read on the server, charts that fit the result, and exports (CSV,
Parquet, PNG, SVG, HTML, and the query as JSON5, a command and a Python snippet)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids, state
from app.components import charts
from app.components import query_exports as exports
from app.components import query_form as form
from app.components.common import error_state
from app.grid import answer
from dsgrid_core.errors import DsgridError, InputError
from dsgrid_core.query.builder import (
    BuilderState,
    RecordFilter,
    from_query,
    from_search,
    to_query,
    to_search,
)

dash.register_page(__name__, path="/query", name="Query", title="Query builder", order=5, nav=True)

TYPES = form.TYPES
INLINE_WAIT = 1.5  # seconds a Run waits for its job: small queries show without polling
POLL_MS = 500


# --- what the pickers offer (cached reads) -------------------------------------------------------


def _projects(registry) -> list[dict[str, str]]:
    return [{"id": s.id, "name": s.name} for s in registry.list("project")]


def _project_facts(registry, project_id: str) -> dict:
    """A project's choices: submitted datasets, dimension names per type (base first), subset
    selectors per type, its time dimension and time zone."""
    from dsgrid_core.browse.projects import project_overview
    from dsgrid_core.query.context import load_project_context

    overview = project_overview(registry, project_id)
    context = load_project_context(registry, project_id)
    subsets: dict[str, list[str]] = {}
    for subset in context.subsets.values():
        subsets.setdefault(subset["type"], []).extend(subset["selectors"])
    return {
        "project_id": project_id,
        "version": overview["version"],
        "datasets": [d["dataset_id"] for d in overview["datasets"] if d["status"] == "Registered"],
        "dimensions": {
            t: [context.base[t].name]
            + [s.dimension.name for s in context.supplemental if s.dimension.type == t]
            for t in TYPES
        },
        "subsets": subsets,
        "time_name": context.base["time"].name,
        "time_zone": context.time_zone,
    }


def _records(registry, project_id: str, dimension_type: str, name: str) -> list[dict[str, str]]:
    from dsgrid_core.query.context import load_project_context

    info, _ = load_project_context(registry, project_id).dimension(dimension_type, name)
    return [
        {"id": str(r["id"]), "name": str(r.get("name") or r["id"]), "unit": r.get("unit")}
        for r in info.records
    ]


def _facts(project_id: str | None) -> dict | None:
    return state.cached(_project_facts, project_id) if project_id else None


def _picker_records(project_id: str | None, dimension_type: str, name: str | None) -> list[dict]:
    if not project_id or not name:
        return []
    try:
        return state.cached(_records, project_id, dimension_type, name)
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
        projects = state.cached(_projects)
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
            dcc.Store(id=ids.QUERY_RESULT),
            dcc.Interval(id=ids.QUERY_INTERVAL, interval=POLL_MS, disabled=True),
            *[dcc.Download(id=ids.query_download(k)) for k in ("csv", "parquet", "png", "html")],
            dcc.Download(id=ids.query_download("text")),
            html.H2("Query builder"),
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
    Output(ids.QUERY_RUN_ERROR, "children", allow_duplicate=True),
    Input(ids.QUERY_PROJECT, "value"),
    prevent_initial_call=True,
)
def project_chosen(project_id):
    """A new project: its datasets (all submitted ones chosen), its dimensions and subsets, its
    time zone; earlier choices are dropped."""
    try:
        facts = _facts(project_id)
    except DsgridError as exc:
        return (*[no_update] * (2 + 7 * 7 + 2), str(exc))
    if facts is None:
        raise PreventUpdate
    dims, subsets = facts["dimensions"], facts["subsets"]
    return (
        form.choices(facts["datasets"]),
        list(facts["datasets"]),
        *[form.choices(dims[t]) for t in TYPES],
        *[None for _ in TYPES],
        *[form.choices(dims[t]) for t in TYPES],
        *[dims[t][0] for t in TYPES],
        *[form.choices(subsets.get(t, [])) for t in TYPES],
        *[[] for _ in TYPES],
        *[form.SHOWN if subsets.get(t) else form.HIDDEN for t in TYPES],
        form.zone_options(facts["time_zone"]),
        facts["time_zone"],
        "",
    )


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


def _registry_path() -> Path:
    path = state.registry_path()
    if not path:
        raise state.NoRegistry("no registry is open.")
    return Path(path)


def _job(stored: dict | None):
    """The job a session store names, when it is a job of this registry."""
    from dsgrid_core.jobs.store import JobStore

    if not stored or not stored.get("job"):
        return None
    try:
        store = JobStore(_registry_path())
    except sqlite3.Error:  # a registry this server cannot open for jobs: no job to show
        return None
    try:
        job = store.get(str(stored["job"]))
    finally:
        store.close()
    return job if job is not None and job.kind == "query" else None


def start_job(builder: BuilderState) -> str:
    """Check the query against the registry (names, unit, filters: a mistake is an error now,
    not a failed job), start it as a job (in a thread: wait briefly so that small queries are
    done when the page asks; or left to a `dsgrid worker`)."""
    from dsgrid_core.jobs import dispatch
    from dsgrid_core.jobs.runner import create_query_job
    from dsgrid_core.query.planner import plan_project_query
    from dsgrid_core.query.run import as_project_query, load_context, parse_query

    registry = state.registry()
    facts = _facts(builder.project_id)
    query = to_query(builder, facts["time_name"])
    model = parse_query(query, "the query builder")
    plan_project_query(load_context(registry, model), as_project_query(model))
    job_id = create_query_job(
        Path(registry.path),
        query,
        engine="duckdb",
        use_cache=True,
        for_worker=dispatch.runs_in_workers(),
    )
    thread = dispatch.start(Path(registry.path), job_id)
    if thread is not None:
        thread.join(INLINE_WAIT)
    return job_id


@callback(
    Output(ids.QUERY_JOB, "data"),
    Output(ids.QUERY_REDIRECT, "search"),
    Output(ids.QUERY_RUN_ERROR, "children"),
    Input(ids.QUERY_INITIAL, "data"),
    Input(ids.QUERY_RUN, "n_clicks"),
    *[State(i, "value") for _, i in CONTROLS],
    State(ids.QUERY_JOB, "data"),
)
def run(initial, _clicks, *args):
    """Run on a click; on opening the page: show the tab's last run when the address asks for
    it (or asks for nothing: back from another page), run what the address asks otherwise."""
    stored = args[-1]
    if ctx.triggered_id == ids.QUERY_RUN:
        values = dict(zip(CONTROL_KEYS, args[:-1], strict=True))
        try:
            builder = builder_from_controls(values)
            if builder is None:
                raise InputError("choose a project first.")
            builder.check()
        except DsgridError as exc:
            return no_update, no_update, str(exc)
        except ValueError as exc:
            return no_update, no_update, str(exc)
    else:
        initial = initial or {}
        search = initial.get("search")
        try:
            job = _job(stored)
        except state.NoRegistry:
            raise PreventUpdate from None
        if not search:
            if job is not None and stored.get("search"):
                return no_update, stored["search"], no_update  # back to the last run
            raise PreventUpdate
        if not initial.get("runnable"):
            raise PreventUpdate
        if job is not None and _same_query(stored.get("search"), search):
            return no_update, no_update, ""  # the tab's run of this very query
        builder = from_search(search)
    try:
        job_id = start_job(builder)
    except (DsgridError, state.NoRegistry) as exc:
        return no_update, no_update, str(exc)
    except (sqlite3.Error, OSError) as exc:  # e.g. a registry folder the server cannot write
        return no_update, no_update, f"cannot start a query job in this registry: {exc}"
    return {"job": job_id, "search": _without_chart(builder)}, no_update, ""


def _result_info(job) -> dict:
    meta = job.metadata or {}
    builder = from_query(job.params["query"])
    return {
        "job": job.id,
        "rows": meta.get("row_count", 0),
        "columns": meta.get("columns", []),
        "time_zone": meta.get("time_zone"),
        "project": builder.project_id,
        "group_by": builder.group_by,
        "names": builder.names,
        "function": builder.function,
        "unit": builder.unit,
    }


def _seconds(job) -> str:
    from datetime import datetime

    try:
        start = datetime.fromisoformat(job.started_at or job.created_at)
        end = datetime.fromisoformat(job.finished_at)
    except (TypeError, ValueError):
        return ""
    return f" in {(end - start).total_seconds():.1f} s"


@callback(
    Output(ids.QUERY_PROGRESS, "value"),
    Output(ids.QUERY_PROGRESS, "label"),
    Output(ids.QUERY_PROGRESS, "style"),
    Output(ids.QUERY_STATUS, "children"),
    Output(ids.QUERY_INTERVAL, "disabled"),
    Output(ids.QUERY_CANCEL, "disabled"),
    Output(ids.QUERY_RESULT, "data"),
    Input(ids.QUERY_JOB, "data"),
    Input(ids.QUERY_INTERVAL, "n_intervals"),
    State(ids.QUERY_RESULT, "data"),
)
def follow(stored, _n, shown):
    """The job's progress while it runs; its result (or why there is none) when it ends."""
    try:
        job = _job(stored)
    except state.NoRegistry:
        raise PreventUpdate from None
    clear = None if shown else no_update
    if job is None:
        return 0, "", form.HIDDEN, "", True, True, clear
    total = max(job.stages_total or 1, 1)
    percent = round(100 * job.stages_done / total)
    if job.status in ("queued", "running"):
        text = (
            f"Running: {job.message or job.status} (stage {job.stages_done + 1} of {total}, "
            f"job {job.id})"
        )
        label = job.message or job.status
        return percent, label, form.SHOWN, text, False, False, clear
    if job.status == "succeeded":
        info = _result_info(job)
        text = f"Finished{_seconds(job)}: {info['rows']:,} rows (job {job.id})."
        fresh = not shown or shown.get("job") != job.id
        return 100, "", form.HIDDEN, text, True, True, info if fresh else no_update
    if job.status == "cancelled":
        return (
            percent,
            "",
            form.HIDDEN,
            html.Span("Cancelled.", className="text-warning"),
            True,
            True,
            clear,
        )
    message = f"The query failed: {job.error or 'no reason recorded'}"
    return percent, "", form.HIDDEN, html.Span(message, className="text-danger"), True, True, clear


@callback(
    Output(ids.QUERY_CANCEL, "disabled", allow_duplicate=True),
    Input(ids.QUERY_CANCEL, "n_clicks"),
    State(ids.QUERY_JOB, "data"),
    prevent_initial_call=True,
)
def cancel(_clicks, stored):
    from dsgrid_core.jobs.runner import cancel_job

    if not stored or not stored.get("job"):
        raise PreventUpdate
    try:
        cancel_job(_registry_path(), stored["job"])
    except DsgridError:
        pass  # it ended meanwhile: the status line says how
    return True


# --- callbacks: result ----------------------------------------------------------------------------


def _table(job_id: str) -> Path:
    job = _job({"job": job_id})
    if job is None or job.status != "succeeded" or not job.result_path:
        raise InputError(f"job {job_id} has no result; run the query again.")
    return Path(job.result_path) / "table.parquet"


def _value_label(result: dict) -> str:
    label = f"{result.get('function') or 'sum'} of value"
    return f"{label} ({result['unit']})" if result.get("unit") else label


def _chart_inputs(result: dict):
    """The result as a frame and what the charts need to know about it."""
    import pandas as pd

    frame = pd.read_parquet(_table(result["job"]))
    types = {c["name"]: c["type"] for c in result.get("columns", [])}
    shape = charts.shape_of(frame, types)
    names, records = {}, {}
    for t, name in (result.get("group_by") or {}).items():
        if t in shape.dimensions:
            try:
                recs = state.cached(_records, result["project"], t, name)
            except DsgridError:
                continue
            records[t] = recs
            if not result.get("names"):
                names[t] = {r["id"]: r["name"] for r in recs}
    return frame, shape, names, records


def result_figure(result: dict, chart: str | None):
    """(figure or None, the charts offered, the chart drawn, a note)."""
    rows = result.get("rows") or 0
    if rows > charts.MAX_CHART_ROWS:
        return (
            None,
            [],
            None,
            (
                f"{rows:,} rows are too many to chart (at most {charts.MAX_CHART_ROWS:,}): "
                "aggregate more, or use the grid and the exports."
            ),
        )
    frame, shape, names, records = _chart_inputs(result)
    offered = charts.offered(frame, shape, records)
    if not offered:
        return None, [], None, charts.why_none(frame, shape)
    kind = chart if chart in offered else offered[0]
    note = "" if result.get("unit") else charts.mixed_units(frame, shape, records)
    figure = charts.figure(
        frame,
        kind,
        shape,
        names=names,
        records=records,
        value_label=_value_label(result),
        time_zone=result.get("time_zone"),
        counties_url=dash.get_asset_url(charts.COUNTIES_GEOJSON),
    )
    return figure, offered, kind, note


def _column_defs(columns: list[dict]) -> list[dict]:
    defs = []
    for column in columns:
        name, kind = column["name"], column.get("type")
        spec: dict = {"field": name, "headerName": name, "flex": 1, "minWidth": 120}
        if kind == "value":
            spec.update(
                filter="agNumberColumnFilter",
                type="numericColumn",
                valueFormatter={"function": "d3.format(',.6~r')(params.value)"},
                # values are measured, not looked up: typing a number keeps what is above it
                filterParams={"defaultOption": "greaterThan", "buttons": ["reset"]},
                minWidth=140,
            )
        elif kind == "time":
            spec["minWidth"] = 200
        defs.append(spec)
    return defs


@callback(
    Output(ids.QUERY_RESULTS, "style"),
    Output(ids.QUERY_ROW_COUNT, "children"),
    Output(ids.QUERY_GRID, "columnDefs"),
    Output(ids.QUERY_CHART_TYPE, "options"),
    Output(ids.QUERY_CHART_TYPE, "value"),
    Output(ids.QUERY_CHART, "figure"),
    Output(ids.QUERY_CHART, "style"),
    Output(ids.QUERY_CHART_NOTE, "children"),
    Input(ids.QUERY_RESULT, "data"),
    Input(ids.QUERY_CHART_TYPE, "value"),
)
def show_result(result, chart):
    if not result:
        return form.HIDDEN, "", no_update, [], no_update, go.Figure(), form.HIDDEN, ""
    rows = result.get("rows") or 0
    count = f"{rows:,} row{'' if rows == 1 else 's'}"
    columns = (
        _column_defs(result.get("columns", []))
        if ctx.triggered_id != ids.QUERY_CHART_TYPE
        else no_update
    )
    try:
        figure, offered, kind, note = result_figure(result, chart)
    except DsgridError as exc:
        return form.SHOWN, count, columns, [], no_update, go.Figure(), form.HIDDEN, str(exc)
    options = [{"label": charts.CHARTS[k], "value": k} for k in offered]
    if figure is None:
        return form.SHOWN, count, columns, options, no_update, go.Figure(), form.HIDDEN, note
    return (
        form.SHOWN,
        count,
        columns,
        options,
        kind if kind != chart else no_update,
        figure,
        form.SHOWN,
        note,
    )


# A new result (or none): drop the grid's loaded blocks so it asks for the new rows (the rows
# carry every column, so the order of this and the new columnDefs does not matter).
clientside_callback(
    f"""async function(result) {{
        const api = await dash_ag_grid.getApiAsync("{ids.QUERY_GRID}");
        api.purgeInfiniteCache();
        return window.dash_clientside.no_update;
    }}""",
    Output(ids.QUERY_GRID, "id"),
    Input(ids.QUERY_RESULT, "data"),
    prevent_initial_call=True,
)


def _result_page(registry, job_id: str, **kwargs):
    from dsgrid_core.browse.results import result_page

    return result_page(_table(job_id), **kwargs)


@callback(
    Output(ids.QUERY_GRID, "getRowsResponse"),
    Input(ids.QUERY_GRID, "getRowsRequest"),
    State(ids.QUERY_RESULT, "data"),
)
def grid_rows(request, result):
    if not result:
        return {"rowData": [], "rowCount": 0}
    return answer(request, state.cached, _result_page, result["job"])


# --- callbacks: exports ---------------------------------------------------------------------------


@callback(
    Output(ids.query_download("csv"), "data"),
    Output(ids.QUERY_EXPORT_MESSAGE, "children", allow_duplicate=True),
    Input(ids.query_export("csv"), "n_clicks"),
    State(ids.QUERY_RESULT, "data"),
    prevent_initial_call=True,
)
def export_csv(_clicks, result):
    if not result:
        raise PreventUpdate
    try:
        data = exports.csv_bytes(_table(result["job"]))
    except DsgridError as exc:
        return no_update, str(exc)
    return dcc.send_bytes(data, "dsgrid-query.csv"), ""


@callback(
    Output(ids.query_download("parquet"), "data"),
    Output(ids.QUERY_EXPORT_MESSAGE, "children", allow_duplicate=True),
    Input(ids.query_export("parquet"), "n_clicks"),
    State(ids.QUERY_RESULT, "data"),
    prevent_initial_call=True,
)
def export_parquet(_clicks, result):
    if not result:
        raise PreventUpdate
    try:
        path = _table(result["job"])
    except DsgridError as exc:
        return no_update, str(exc)
    return dcc.send_file(str(path), "dsgrid-query.parquet"), ""


def _export_figure(result, chart):
    if not result:
        raise PreventUpdate
    figure, _, _, note = result_figure(result, chart)
    if figure is None:
        raise InputError(note or "there is no chart to export.")
    return figure


@callback(
    Output(ids.query_download("html"), "data"),
    Output(ids.QUERY_EXPORT_MESSAGE, "children", allow_duplicate=True),
    Input(ids.query_export("html"), "n_clicks"),
    State(ids.QUERY_RESULT, "data"),
    State(ids.QUERY_CHART_TYPE, "value"),
    prevent_initial_call=True,
)
def export_html(_clicks, result, chart):
    try:
        figure = _export_figure(result, chart)
    except DsgridError as exc:
        return no_update, str(exc)
    return dcc.send_string(exports.figure_html(figure), "dsgrid-query.html"), ""


@callback(
    Output(ids.query_download("png"), "data"),
    Output(ids.QUERY_EXPORT_MESSAGE, "children", allow_duplicate=True),
    Input(ids.query_export("png"), "n_clicks"),
    State(ids.QUERY_RESULT, "data"),
    State(ids.QUERY_CHART_TYPE, "value"),
    State(ids.QUERY_PNG_WIDTH, "value"),
    State(ids.QUERY_PNG_HEIGHT, "value"),
    prevent_initial_call=True,
)
def export_png(_clicks, result, chart, width, height):
    try:
        width, height = exports.check_size(width, height)
        figure = _export_figure(result, chart)
        data = exports.figure_png(figure, width, height)
    except DsgridError as exc:
        return no_update, str(exc)
    return dcc.send_bytes(data, "dsgrid-query.png"), ""


# SVG is drawn by plotly.js in the browser, from the chart on the page.
clientside_callback(
    f"""function(clicks, width, height) {{
        const graph = document.querySelector('#{ids.QUERY_CHART} .js-plotly-plot');
        if (clicks && graph && window.Plotly) {{
            window.Plotly.downloadImage(graph, {{
                format: 'svg', filename: 'dsgrid-query',
                width: Number(width) || graph._fullLayout.width,
                height: Number(height) || graph._fullLayout.height,
            }});
        }}
        return window.dash_clientside.no_update;
    }}""",
    Output(ids.query_export("svg"), "id"),
    Input(ids.query_export("svg"), "n_clicks"),
    State(ids.QUERY_PNG_WIDTH, "value"),
    State(ids.QUERY_PNG_HEIGHT, "value"),
    prevent_initial_call=True,
)


def _query_text_of(search: str | None, fmt: str) -> str:
    try:
        builder = from_search(search or "")
        if builder is None:
            return "// Choose a project to see its query here."
        facts = _facts(builder.project_id)
        query = to_query(builder, facts["time_name"])
    except DsgridError as exc:
        return f"// {exc}"
    return exports.query_texts(query, state.registry_path())[fmt]


@callback(
    Output(ids.QUERY_TEXT, "value"),
    Input(ids.QUERY_LOCATION, "search"),
    Input(ids.QUERY_TEXT_FORMAT, "value"),
)
def show_query_text(search, fmt):
    return _query_text_of(search, fmt or "json5")


@callback(
    Output(ids.query_download("text"), "data"),
    Input(ids.query_export("text"), "n_clicks"),
    State(ids.QUERY_LOCATION, "search"),
    State(ids.QUERY_TEXT_FORMAT, "value"),
    prevent_initial_call=True,
)
def export_text(_clicks, search, fmt):
    fmt = fmt or "json5"
    return dcc.send_string(_query_text_of(search, fmt), exports.TEXT_FILES[fmt])
