"""The query builder's result: the job a tab runs (kept in its session storage), the paged
grid read on the server, the charts that fit the result, and the exports (CSV, NDJSON,
Parquet, PNG, SVG, HTML, and the query as JSON5, a command and a Python snippet).

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
from app.components.chart_theme import D3_VALUE, zone_label
from app.grid import answer
from dsgrid_core.errors import DsgridError, InputError
from dsgrid_core.query.builder import from_query, from_search, to_query
from dsgrid_core.query.units import converted_units, one_unit, unit_words


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
        "datasets": builder.datasets,
        "time": builder.time,
        "filters": {t: f.model_dump() for t, f in builder.filters.items()},
        "subsets": builder.subsets,
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
    if one_unit(result.get("unit")):
        return f"{label} ({result['unit']})"
    if result.get("unit"):
        return f"{label} ({unit_words(result['unit'])})"
    if (result.get("function") or "sum") == "count":
        return f"{label} (rows)"
    return f"{label} (each end use in its own unit)"


OVER = {"sum": "summed", "mean": "averaged", "min": "minimum", "max": "maximum", "count": "counted"}


def alternatives_summed(result: dict, records: dict[str, list[dict]]) -> str:
    """What a result adds up that are alternatives, not parts (scenarios, model years, weather
    years neither grouped by nor filtered to one record), in words: "summed over 2 scenarios:
    Reference, High Electrification". ``records``: dimension type -> the records the result
    covers (the filter's when there is one). Empty when nothing of the kind is summed."""
    said = []
    for t in charts.ALTERNATIVES:
        if t in (result.get("group_by") or {}) or len(records.get(t, [])) < 2:
            continue
        kind = t.replace("_", " ") + "s"
        shown = ", ".join(str(r.get("name") or r["id"]) for r in records[t][:6])
        more = f" and {len(records[t]) - 6} more" if len(records[t]) > 6 else ""
        said.append(f"{len(records[t])} {kind}: {shown}{more}")
    if not said:
        return ""
    over = OVER.get(result.get("function") or "sum", "aggregated")
    return (
        f"{over.capitalize()} over {'; '.join(said)}. These are alternatives, not parts of a "
        "whole: group by them (one series each) or filter to one."
    )


def _covered_records(result: dict) -> dict[str, list[dict]]:
    """Per alternative type not grouped by: the records the result covers."""
    viewer = state.viewer()
    facts = viewer.query_choices(result["project"])
    out = {}
    for t in charts.ALTERNATIVES:
        if t in (result.get("group_by") or {}) or t in (result.get("subsets") or {}):
            continue
        chosen = (result.get("filters") or {}).get(t)
        name = chosen["dimension_name"] if chosen else facts["dimensions"][t][0]
        try:
            recs = viewer.query_records(result["project"], t, name)
        except DsgridError:
            continue
        keep = set(chosen["ids"]) if chosen else None
        out[t] = [r for r in recs if keep is None or r["id"] in keep]
    return out


def filters_text(result: dict) -> str:
    """The result's filters in words ("geography in 10001, 11001; subsector subset commercial")."""
    said = [
        f"{t} ({f['dimension_name']}) in {', '.join(f['ids'])}"
        for t, f in sorted((result.get("filters") or {}).items())
    ]
    said += [f"{t} subset {', '.join(n)}" for t, n in sorted((result.get("subsets") or {}).items())]
    return "; ".join(said)


def _summed(result: dict) -> str:
    try:
        return alternatives_summed(result, _covered_records(result))
    except DsgridError:
        return ""


def summary(result: dict) -> str:
    """What the values are: their unit, and which alternatives they add up."""
    summed = _summed(result)
    unit = result.get("unit")
    said = f"Values in {unit}." if one_unit(unit) else ""
    if unit and not said:
        said = (
            f"Each kind in its own unit: {unit_words(unit)}. Energy and power are never added: "
            "each metric is a series of its own."
        )
    return " ".join(s for s in (said, summed) if s)


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
    if "metric" in records and result.get("unit") and not one_unit(result["unit"]):
        records["metric"] = _in_result_units(result, records["metric"])
    return frame, shape, names, records


def _in_result_units(result: dict, metric_records: list[dict]) -> list[dict]:
    """The metric records with the unit their values are in when the result converts each
    kind to its own unit: the kind's unit for base records (a supplemental record's values
    are in its own unit already)."""
    facts = state.viewer().query_choices(result["project"])
    if result["group_by"]["metric"] != facts["dimensions"]["metric"][0]:
        return metric_records
    units = converted_units(metric_records, result["unit"])
    return [{**r, "unit": units[r["id"]]} for r in metric_records]


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
    if charts.is_empty(frame, shape):
        return None, [], None, no_rows(result)
    unit = one_unit(result.get("unit"))  # None: each metric in its own (or its kind's) unit
    note = "" if unit else charts.mixed_units(frame, shape, records)
    offered = charts.offered(frame, shape, records, mixed=bool(note))
    if not offered:
        return None, [], None, charts.why_none(frame, shape)
    kind = chart if chart in offered else offered[0]
    labels = charts.Labels(
        value=_value_label(result),
        unit=unit,
        units=None if unit else charts.metric_units(records),
        time_zone=result.get("time_zone"),
    )
    figure = charts.figure(
        frame,
        kind,
        shape,
        names=names,
        records=records,
        labels=labels,
        mixed=bool(note),
        counties_url=dash.get_asset_url(charts.COUNTIES_GEOJSON),
    )
    return figure, offered, kind, note


def no_rows(result: dict) -> str:
    filters = filters_text(result)
    return "No rows match" + (f" the filters: {filters}." if filters else " this query.")


def _column_defs(columns: list[dict], unit: str | None = None, zone: str | None = None) -> list:
    """Grid columns: values to 4 significant digits with their unit in the header, times with
    their zone."""
    defs = []
    for column in columns:
        name, kind = column["name"], column.get("type")
        spec: dict = {"field": name, "headerName": name, "flex": 1, "minWidth": 120}
        if kind == "value":
            spec.update(
                headerName=f"{name} ({unit})" if unit else name,
                filter="agNumberColumnFilter",
                type="numericColumn",
                valueFormatter={
                    "function": f"params.value == null ? '' : d3.format('{D3_VALUE}')(params.value)"
                },
                # values are measured, not looked up: typing a number keeps what is above it
                filterParams={"defaultOption": "greaterThan", "buttons": ["reset"]},
                minWidth=140,
            )
        elif kind == "time":
            # timestamps come as ISO text (2018-01-01T00:00:00): shown with a space
            spec["minWidth"] = 200
            if zone:
                spec["headerName"] = f"{name} ({zone_label(zone)})"
                spec["headerTooltip"] = zone
            spec["valueFormatter"] = {
                "function": "params.value == null ? '' : String(params.value).replace('T', ' ')"
            }
        defs.append(spec)
    return defs


def _table_file(job: str, fmt: str) -> bytes:
    """A finished job's whole table as a file of ``fmt`` (csv, ndjson, parquet)."""
    viewer = state.viewer()
    if fmt == "ndjson":
        return "".join(viewer.result_ndjson(job)).encode()
    return viewer.result_file(job, fmt)


def _register_table_export(fmt: str) -> None:
    """The button that downloads the result's whole table as ``fmt``; a refusal (a CSV or
    NDJSON above the row cap) is said beside the buttons."""

    @callback(
        Output(ids.query_download(fmt), "data"),
        Output(ids.QUERY_EXPORT_MESSAGE, "children", allow_duplicate=True),
        Input(ids.query_export(fmt), "n_clicks"),
        State(ids.QUERY_RESULT, "data"),
        prevent_initial_call=True,
    )
    def export_table(_clicks, result):
        if not result:
            raise PreventUpdate
        try:
            data = _table_file(result["job"], fmt)
        except DsgridError as exc:
            return no_update, str(exc)
        return dcc.send_bytes(data, f"dsgrid-query.{fmt}"), ""


def _export_figure(result, chart):
    if not result:
        raise PreventUpdate
    figure, _, _, note = result_figure(result, chart)
    if figure is None:
        raise InputError(note or "there is no chart to export.")
    return exports.with_caption(figure, exports.caption(result, _summed(result)))


def _with_export_caption(figure, result: dict):
    """The page's figure, with what an SVG made in the browser adds (layout.meta.export: the
    subtitle with the query's caption, and the top margin it needs)."""
    captioned = exports.with_caption(figure, exports.caption(result, _summed(result)))
    export = {"subtitle": captioned.layout.title.subtitle.text, "top": captioned.layout.margin.t}
    figure.update_layout(meta={"export": export})
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
        Output(ids.QUERY_SUMMARY, "children"),
        Input(ids.QUERY_RESULT, "data"),
        Input(ids.QUERY_CHART_TYPE, "value"),
    )
    def show_result(result, chart):
        if not result:
            return form.HIDDEN, "", no_update, [], no_update, go.Figure(), form.HIDDEN, "", ""
        rows = result.get("rows") or 0
        count = f"{rows:,} row{'' if rows == 1 else 's'}"
        fresh = ctx.triggered_id != ids.QUERY_CHART_TYPE
        columns = (
            _column_defs(
                result.get("columns", []), one_unit(result.get("unit")), result.get("time_zone")
            )
            if fresh
            else no_update
        )
        said = summary(result) if fresh else no_update
        try:
            figure, offered, kind, note = result_figure(result, chart)
        except DsgridError as exc:
            hidden = (go.Figure(), form.HIDDEN, str(exc), said)
            return form.SHOWN, count, columns, [], no_update, *hidden
        if not offered and note.startswith("No rows match"):
            count = "no rows match"
        options = [{"label": charts.CHARTS[k], "value": k} for k in offered]
        if figure is None:
            hidden = (go.Figure(), form.HIDDEN, note, said)
            return form.SHOWN, count, columns, options, no_update, *hidden
        return (
            form.SHOWN,
            count,
            columns,
            options,
            kind if kind != chart else no_update,
            _with_export_caption(figure, result),
            form.SHOWN,
            note,
            said,
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
        # No result yet: the grid is hidden and its first request is left unanswered. Answering
        # it with no rows would make dash-ag-grid (35.3) hand the next answer, the first result's
        # rows, to AG Grid through a deferred call that a quick re-render can cancel, leaving
        # them loading for good (the likely cause of one CI failure, rows never drawn after the
        # first run on a loaded machine). The new result's purge asks again.
        if not result:
            raise PreventUpdate
        return answer(request, state.viewer().result_page, result["job"])

    for fmt in ("csv", "ndjson", "parquet"):
        _register_table_export(fmt)

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
        title = figure.layout.title.text or "dsgrid query"
        return dcc.send_string(exports.figure_html(figure, title), "dsgrid-query.html"), ""

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

    # SVG is drawn by plotly.js in the browser, from the chart on the page, with the query's
    # caption under the title (layout.meta.export) and the page's map files (config).
    clientside_callback(
        f"""function(clicks, width, height) {{
            const graph = document.querySelector('#{ids.QUERY_CHART} .js-plotly-plot');
            if (clicks && graph && window.Plotly) {{
                const layout = Object.assign({{}}, graph.layout);
                const extra = (layout.meta || {{}}).export;
                if (extra) {{
                    layout.title = Object.assign({{}}, layout.title, {{
                        subtitle: {{text: extra.subtitle}}, yref: 'container', y: 0.99,
                        yanchor: 'top'}});
                    layout.margin = Object.assign({{}}, layout.margin, {{t: extra.top}});
                }}
                const config = {{topojsonURL: graph._context.topojsonURL}};
                const figure = {{data: graph.data, layout: layout, config: config}};
                window.Plotly.downloadImage(figure, {{
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
