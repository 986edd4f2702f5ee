"""The query builder's result: the job a tab runs (kept in its session storage), the paged
grid read on the server, the charts that fit the result, and the exports (CSV, Parquet, PNG,
SVG, HTML, and the query as JSON5, a command and a Python snippet).

The query page calls `register_callbacks()` once per app."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from app import ids, state
from app.components import charts
from app.components import query_exports as exports
from app.components import query_form as form
from app.grid import answer
from dsgrid_core.errors import DsgridError, InputError
from dsgrid_core.query.builder import from_query, from_search, to_query


def query_job(stored: dict | None) -> dict | None:
    """The query job a session store names (the viewer's answer), when this registry has it."""
    if not stored or not stored.get("job"):
        return None
    try:
        job = state.viewer().job(str(stored["job"]))
    except sqlite3.Error:  # a registry this server cannot open for jobs: no job to show
        return None
    return job if job is not None and job.get("kind") == "query" else None


def result_info(job: dict) -> dict:
    builder = from_query(job["query"])
    return {
        "job": job["id"],
        "rows": job.get("row_count") or 0,
        "columns": job.get("columns") or [],
        "time_zone": job.get("time_zone"),
        "project": builder.project_id,
        "group_by": builder.group_by,
        "names": builder.names,
        "function": builder.function,
        "unit": builder.unit,
    }


def seconds(job: dict) -> str:
    try:
        start = datetime.fromisoformat(job.get("started_at") or job.get("created_at"))
        end = datetime.fromisoformat(job.get("finished_at"))
    except (TypeError, ValueError):
        return ""
    return f" in {(end - start).total_seconds():.1f} s"


def _value_label(result: dict) -> str:
    label = f"{result.get('function') or 'sum'} of value"
    return f"{label} ({result['unit']})" if result.get("unit") else label


def _chart_inputs(result: dict):
    """The result as a frame and what the charts need to know about it."""
    frame = state.viewer().result_frame(result["job"])
    types = {c["name"]: c["type"] for c in result.get("columns", [])}
    shape = charts.shape_of(frame, types)
    names, records = {}, {}
    for t, name in (result.get("group_by") or {}).items():
        if t in shape.dimensions:
            try:
                recs = state.viewer().query_records(result["project"], t, name)
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
            # timestamps come as ISO text (2018-01-01T00:00:00): shown with a space
            spec["minWidth"] = 200
            spec["valueFormatter"] = {
                "function": "params.value == null ? '' : String(params.value).replace('T', ' ')"
            }
        defs.append(spec)
    return defs


def _export_figure(result, chart):
    if not result:
        raise PreventUpdate
    figure, _, _, note = result_figure(result, chart)
    if figure is None:
        raise InputError(note or "there is no chart to export.")
    return figure


def _query_text_of(search: str | None, fmt: str) -> str:
    try:
        builder = from_search(search or "")
        if builder is None:
            return "// Choose a project to see its query here."
        viewer = state.viewer()
        facts = viewer.query_choices(builder.project_id)
        query = to_query(builder, facts["time_name"], facts.get("default_unit"))
    except DsgridError as exc:
        return f"// {exc}"
    # a remote registry has no folder here for the command line to name
    return exports.query_texts(query, state.registry_path() if viewer.local else None)[fmt]


def register_callbacks() -> None:
    """The result's grid, chart and exports, and the query's text."""

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

    @callback(
        Output(ids.QUERY_GRID, "getRowsResponse"),
        Input(ids.QUERY_GRID, "getRowsRequest"),
        State(ids.QUERY_RESULT, "data"),
    )
    def grid_rows(request, result):
        if not result:
            return {"rowData": [], "rowCount": 0}
        return answer(request, state.viewer().result_page, result["job"])

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
            data = state.viewer().result_file(result["job"], "csv")
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
            data = state.viewer().result_file(result["job"], "parquet")
        except DsgridError as exc:
            return no_update, str(exc)
        return dcc.send_bytes(data, "dsgrid-query.parquet"), ""

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
