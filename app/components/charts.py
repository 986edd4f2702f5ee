"""Charts of a query result, chosen to fit its columns: lines over time (up to MAX_SERIES
series), a stacked area by end use (time and metric), bars (dimension columns without time), a
US choropleth of states or counties (geography alone, with ids or names that are state codes or
county FIPS codes), and an hour-of-day by day heatmap (one hourly series).

Pure functions of a pandas frame, so that the choice and the numbers can be tested without a
browser: ``shape_of`` reads the columns, ``offered`` lists the charts that make sense (the first
is the default), ``figure`` draws one."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd
import plotly.graph_objects as go

from app.components.map_codes import county_codes, state_codes
from app.components.profile import series_label

MAX_SERIES = 24  # lines, stacked areas or bar colours; more are unreadable
MAX_BARS = 200  # bars along the axis
MAX_CHART_ROWS = 300_000  # results larger than this are not drawn (the grid shows them)
COUNTIES_GEOJSON = "maps/us_counties_10m.json"  # under the app's assets

CHARTS = {
    "line": "Lines over time",
    "area": "Stacked area by end use",
    "heatmap": "Hour × day heatmap",
    "map_states": "US map by state",
    "map_counties": "US map by county",
    "bar": "Bars",
}


@dataclass(frozen=True)
class Shape:
    """What a result holds: its time column, its dimension columns and its value column."""

    time: str | None
    dimensions: tuple[str, ...]
    value: str
    hourly: bool = False


def shape_of(frame: pd.DataFrame, column_types: dict[str, str] | None = None) -> Shape:
    """``column_types``: column -> type as in a result's metadata (a dimension type, ``time`` or
    ``value``); without it, datetime columns are time, numbers are values, the rest dimensions."""
    types = dict(column_types or {})
    for name in frame.columns:
        if name not in types:
            if pd.api.types.is_datetime64_any_dtype(frame[name]):
                types[name] = "time"
            elif pd.api.types.is_numeric_dtype(frame[name]):
                types[name] = "value"
            else:
                types[name] = "dimension"
    columns = [c for c in frame.columns if c in types]
    time = next((c for c in columns if types[c] == "time"), None)
    values = [c for c in columns if types[c] == "value"]
    value = "value" if "value" in values else (values[0] if values else "value")
    # a result in a time zone names it in a column of its own (one value): not a dimension
    dimensions = tuple(c for c in columns if types[c] not in ("time", "value", "time_zone"))
    return Shape(time=time, dimensions=dimensions, value=value, hourly=_hourly(frame, time))


def _hourly(frame: pd.DataFrame, time: str | None) -> bool:
    if time is None or frame.empty:
        return False
    stamps = pd.Series(pd.to_datetime(frame[time]).unique()).sort_values()
    if len(stamps) < 2:
        return False
    return stamps.diff().dropna().min() == pd.Timedelta(hours=1)


def series_count(frame: pd.DataFrame, shape: Shape) -> int:
    if not shape.dimensions:
        return 1
    return len(frame[list(shape.dimensions)].drop_duplicates())


def offered(
    frame: pd.DataFrame, shape: Shape, records: dict[str, list[dict]] | None = None
) -> list[str]:
    """The charts that make sense for this result, the default first. ``records``: column ->
    the records of the dimension grouped by (to find state or county codes through names)."""
    if frame.empty:
        return []
    charts = []
    n = series_count(frame, shape)
    if shape.time is not None:
        if n <= MAX_SERIES:
            charts.append("line")
        if shape.dimensions == ("metric",) and 1 < n <= MAX_SERIES:
            charts.append("area")
        if shape.hourly and n == 1:
            charts.append("heatmap")
        return charts
    if shape.dimensions == ("geography",):
        values = frame["geography"].astype(str).unique()
        geo_records = (records or {}).get("geography")
        if state_codes(values, geo_records):
            charts.append("map_states")
        elif county_codes(values, geo_records):
            charts.append("map_counties")
    dims = shape.dimensions
    if len(dims) <= 2:
        bars = frame[dims[0]].nunique() if dims else 1
        colours = frame[dims[1]].nunique() if len(dims) == 2 else 1
        if bars <= MAX_BARS and colours <= MAX_SERIES:
            charts.append("bar")
    return charts


def mixed_units(frame: pd.DataFrame, shape: Shape, records: dict[str, list[dict]] | None) -> str:
    """A warning when the result's metric records are in different units (summed or stacked
    together they compare unlike things); empty otherwise."""
    if "metric" not in shape.dimensions:
        return ""
    unit = {str(r["id"]): r.get("unit") for r in (records or {}).get("metric", [])}
    unit |= {str(r.get("name")): r.get("unit") for r in (records or {}).get("metric", [])}
    found = sorted({unit[v] for v in frame["metric"].astype(str).unique() if unit.get(v)})
    if len(found) < 2:
        return ""
    return (
        f"The end uses are in different units ({', '.join(found)}): choose a unit to compare "
        "like with like."
    )


def why_none(frame: pd.DataFrame, shape: Shape) -> str:
    """Why ``offered`` is empty, in words a user can act on."""
    if frame.empty:
        return "The result has no rows."
    n = series_count(frame, shape)
    if shape.time is not None:
        return (
            f"{n:,} series over time are too many to draw (at most {MAX_SERIES}): group by "
            "fewer dimensions or filter records."
        )
    return (
        f"{len(shape.dimensions)} dimension columns without time: group by at most two, "
        f"with at most {MAX_BARS} records on the first and {MAX_SERIES} on the second."
    )


# --- figures -----------------------------------------------------------------------------------


def _local_times(column: pd.Series, time_zone: str | None) -> pd.Series:
    """Wall-clock times: instants (tz-aware) shown in ``time_zone`` (UTC when not given)."""
    times = pd.to_datetime(column)
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert(time_zone or "UTC").dt.tz_localize(None)
    return times


def _label(column: str, value, names: dict[str, dict[str, str]] | None) -> str:
    return series_label(str(value), (names or {}).get(column))


def _series(frame: pd.DataFrame, shape: Shape, names) -> list[tuple[str, pd.DataFrame]]:
    if not shape.dimensions:
        return [("total", frame)]
    out = []
    for key, part in frame.groupby(list(shape.dimensions), sort=True):
        keys = key if isinstance(key, tuple) else (key,)
        label = " · ".join(_label(c, v, names) for c, v in zip(shape.dimensions, keys, strict=True))
        out.append((label, part))
    return out


def _layout(figure: go.Figure, title: str, height: int = 460) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": escape(title), "font": {"size": 14}},
        legend={"orientation": "h", "y": -0.18},
        template="plotly_white",
    )
    return figure


def line_figure(frame, shape: Shape, *, names=None, value_label="value", time_zone=None):
    figure = go.Figure()
    for label, part in _series(frame, shape, names):
        part = part.sort_values(shape.time)
        figure.add_trace(
            go.Scatter(
                x=_local_times(part[shape.time], time_zone),
                y=part[shape.value],
                name=label,
                mode="lines+markers" if len(part) <= 40 else "lines",
                hovertemplate="%{x}<br>%{y:,.4g}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_xaxes(title=f"local time ({time_zone or 'UTC'})")
    figure.update_yaxes(title=escape(value_label))
    return _layout(figure, f"{value_label} over time")


def area_figure(frame, shape: Shape, *, names=None, value_label="value", time_zone=None):
    figure = go.Figure()
    for label, part in _series(frame, shape, names):
        part = part.sort_values(shape.time)
        figure.add_trace(
            go.Scatter(
                x=_local_times(part[shape.time], time_zone),
                y=part[shape.value],
                name=label,
                mode="lines",
                stackgroup="one",
                line={"width": 0.5},
                hovertemplate="%{x}<br>%{y:,.4g}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_xaxes(title=f"local time ({time_zone or 'UTC'})")
    figure.update_yaxes(title=escape(value_label))
    return _layout(figure, f"{value_label} by end use, stacked")


def heatmap_figure(frame, shape: Shape, *, value_label="value", time_zone=None):
    times = _local_times(frame[shape.time], time_zone)
    table = pd.DataFrame(
        {"day": times.dt.strftime("%Y-%m-%d"), "hour": times.dt.hour, "v": frame[shape.value]}
    ).pivot_table(index="hour", columns="day", values="v", aggfunc="sum")
    table = table.reindex(range(24))
    figure = go.Figure(
        go.Heatmap(
            x=list(table.columns),
            y=list(table.index),
            z=table.to_numpy().tolist(),
            colorscale="Viridis",
            colorbar={"title": {"text": escape(value_label)}},
            hovertemplate="%{x}, %{y}:00<br>%{z:,.4g}<extra></extra>",
        )
    )
    figure.update_xaxes(title="day", type="category", nticks=12)
    figure.update_yaxes(title=f"hour of day ({time_zone or 'UTC'})", dtick=3)
    return _layout(figure, f"{value_label} by hour of day and day")


def bar_figure(frame, shape: Shape, *, names=None, value_label="value"):
    figure = go.Figure()
    dims = shape.dimensions
    if not dims:
        figure.add_trace(go.Bar(x=["total"], y=[frame[shape.value].sum()], name="total"))
    elif len(dims) == 1:
        part = frame.sort_values(dims[0])
        figure.add_trace(
            go.Bar(
                x=[_label(dims[0], v, names) for v in part[dims[0]]],
                y=part[shape.value],
                name=value_label,
                hovertemplate="%{x}<br>%{y:,.4g}<extra></extra>",
            )
        )
    else:
        first, second = dims
        order = sorted(frame[first].astype(str).unique())
        for key, part in frame.groupby(second, sort=True):
            part = part.set_index(part[first].astype(str)).reindex(order)
            figure.add_trace(
                go.Bar(
                    x=[_label(first, v, names) for v in order],
                    y=part[shape.value],
                    name=_label(second, key, names),
                    hovertemplate="%{x}<br>%{y:,.4g}<extra>%{fullData.name}</extra>",
                )
            )
        figure.update_layout(barmode="stack")
    figure.update_xaxes(title=", ".join(dims) or "", type="category")
    figure.update_yaxes(title=escape(value_label))
    by = f" by {' and '.join(dims)}" if dims else ""
    return _layout(figure, f"{value_label}{by}")


def map_figure(
    frame,
    kind: str,
    shape: Shape,
    *,
    records: list[dict] | None = None,
    names=None,
    value_label="value",
    counties_url: str = "/assets/" + COUNTIES_GEOJSON,
):
    values = frame["geography"].astype(str)
    codes = (state_codes if kind == "map_states" else county_codes)(values.unique(), records)
    if codes is None:
        what = "state codes or names" if kind == "map_states" else "county FIPS codes"
        raise ValueError(f"the geography values are not {what}")
    text = [_label("geography", v, names) for v in values]
    z = frame[shape.value].tolist()
    common = {
        "locations": [codes[v] for v in values],
        "z": z,
        # from zero: the smallest value is not drawn white (the colour of no data)
        "zmin": min(0.0, *z) if z else 0.0,
        "zmax": max(0.0, *z) if z else 1.0,
        "text": text,
        "colorscale": "Blues",
        "marker": {"line": {"color": "#888888", "width": 0.5}},
        "colorbar": {"title": {"text": escape(value_label)}},
        "hovertemplate": "%{text}<br>%{z:,.4g}<extra></extra>",
    }
    if kind == "map_states":
        trace = go.Choropleth(locationmode="USA-states", **common)
        geo = {"scope": "usa", "showlakes": False}
        title = f"{value_label} by state"
    else:
        # the GeoJSON is fetched by the browser only when a county map is drawn
        trace = go.Choropleth(geojson=counties_url, featureidkey="id", **common)
        # zoomed to the counties (scope usa's albers projection cannot fit bounds); no base
        # layers: 1:110m coasts and state lines do not meet 1:10m counties up close
        geo = {"scope": "north america", "fitbounds": "locations", "visible": False}
        title = f"{value_label} by county"
    figure = go.Figure(trace)
    figure.update_geos(**geo)
    return _layout(figure, title, height=480)


def figure(
    frame: pd.DataFrame,
    kind: str,
    shape: Shape,
    *,
    names: dict[str, dict[str, str]] | None = None,
    records: dict[str, list[dict]] | None = None,
    value_label: str = "value",
    time_zone: str | None = None,
    counties_url: str = "/assets/" + COUNTIES_GEOJSON,
) -> go.Figure:
    """The chart ``kind`` (one of CHARTS) of a result. ``names``: column -> {id: name} for
    labels; ``records``: column -> records (for map codes); ``time_zone``: the zone the
    result's local times are in (and instants are shown in)."""
    if kind == "line":
        return line_figure(frame, shape, names=names, value_label=value_label, time_zone=time_zone)
    if kind == "area":
        return area_figure(frame, shape, names=names, value_label=value_label, time_zone=time_zone)
    if kind == "heatmap":
        return heatmap_figure(frame, shape, value_label=value_label, time_zone=time_zone)
    if kind == "bar":
        return bar_figure(frame, shape, names=names, value_label=value_label)
    if kind in ("map_states", "map_counties"):
        return map_figure(
            frame,
            kind,
            shape,
            records=(records or {}).get("geography"),
            names=names,
            value_label=value_label,
            counties_url=counties_url,
        )
    raise ValueError(f"unknown chart '{kind}'; charts: {', '.join(CHARTS)}")
