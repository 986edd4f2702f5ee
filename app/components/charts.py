"""Charts of a query result, chosen by its shape: over time, lines, a stacked area (of parts,
never of alternatives), an hour-of-day by day heatmap (hourly results) and a load-duration
curve; without time, bars (the first dimension along the axis, the others as colours) and a US
choropleth of states or counties (geography alone, or with alternatives to switch between).

Pure functions of a pandas frame, so that the choice and the numbers can be tested without a
browser: ``shape_of`` reads the columns, ``offered`` lists the charts that make sense (the first
is the default), ``figure`` draws one. Dimensions with one value in the whole result are said
once, in the subtitle, not in every legend entry."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd
import plotly.graph_objects as go

from app.components.chart_theme import D3_VALUE, styled, zone_label
from app.components.map_codes import county_codes, state_codes
from app.components.profile import series_label
from dsgrid_core.query.units import family

MAX_SERIES = 24  # lines, stacked areas or bar colours; more are unreadable
MAX_BARS = 200  # bars along the axis
MAX_CHART_ROWS = 300_000  # results larger than this are not drawn (the grid shows them)
COUNTIES_GEOJSON = "maps/us_counties_10m.json"  # under the app's assets
ALTERNATIVES = ("scenario", "model_year", "weather_year")  # never parts of a whole

CHARTS = {
    "line": "Lines over time",
    "area": "Stacked area",
    "heatmap": "Hour × day heatmap",
    "duration": "Load-duration curve",
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


def is_empty(frame: pd.DataFrame, shape: Shape) -> bool:
    """No rows, or only the one row of an aggregate over nothing (its value null)."""
    return frame.empty or shape.value not in frame or bool(frame[shape.value].isna().all())


def series_count(frame: pd.DataFrame, shape: Shape) -> int:
    return _combinations(frame, shape.dimensions)


def _combinations(frame: pd.DataFrame, columns) -> int:
    return len(frame[list(columns)].drop_duplicates()) if columns else 1


def varying(frame: pd.DataFrame, columns) -> tuple[str, ...]:
    """The columns with more than one value (the others are common to every series)."""
    return tuple(c for c in columns if frame[c].nunique(dropna=False) > 1)


def sums_parts(frame: pd.DataFrame, columns, mixed: bool = False) -> bool:
    """Whether series along ``columns`` may be stacked (added): not alternatives (scenarios,
    model or weather years) and not values in different units."""
    return not mixed and not any(c in ALTERNATIVES for c in varying(frame, columns))


def offered(
    frame: pd.DataFrame,
    shape: Shape,
    records: dict[str, list[dict]] | None = None,
    mixed: bool = False,
) -> list[str]:
    """The charts that make sense for this result, the default first. ``records``: column ->
    the records of the dimension grouped by (to find state or county codes through names);
    ``mixed``: the values are in different units (never stacked)."""
    if is_empty(frame, shape):
        return []
    n = series_count(frame, shape)
    if shape.time is not None:
        if n > MAX_SERIES:
            return []
        charts = ["line"]
        if n > 1 and sums_parts(frame, shape.dimensions, mixed):
            charts.append("area")
        if shape.hourly:
            charts.append("heatmap")
        return [*charts, "duration"]
    charts = []
    dims = shape.dimensions
    others = [c for c in dims if c != "geography"]
    if (
        "geography" in dims
        and all(c in ALTERNATIVES for c in others)
        and _combinations(frame, others) <= MAX_SERIES
    ):
        values = frame["geography"].astype(str).unique()
        geo_records = (records or {}).get("geography")
        if state_codes(values, geo_records):
            charts.append("map_states")
        elif county_codes(values, geo_records):
            charts.append("map_counties")
    bars = frame[dims[0]].nunique() if dims else 1
    if bars <= MAX_BARS and _combinations(frame, dims[1:]) <= MAX_SERIES:
        charts.append("bar")
    return charts


def mixed_units(frame: pd.DataFrame, shape: Shape, records: dict[str, list[dict]] | None) -> str:
    """A warning when the result's metric records are in different units (summed or stacked
    together they compare unlike things); empty otherwise."""
    units = metric_units(records)
    if "metric" not in shape.dimensions or not units:
        return ""
    found = sorted({units[v] for v in frame["metric"].astype(str).unique() if units.get(v)})
    if len(found) < 2:
        return ""
    if {family(u) for u in found} == {"energy", "power"}:
        return (
            f"The end uses are in energy and power units ({', '.join(found)}): each series is "
            "in its own unit, never stacked or added (a kW is not a kWh)."
        )
    return (
        f"The end uses are in different units ({', '.join(found)}): each series is in its own "
        "unit (never stacked); choose a unit to compare like with like."
    )


def metric_units(records: dict[str, list[dict]] | None) -> dict[str, str]:
    """Metric id or name -> its unit, from the metric records."""
    out: dict[str, str] = {}
    for r in (records or {}).get("metric", []):
        if r.get("unit"):
            out[str(r["id"])] = out[str(r.get("name"))] = r["unit"]
    return out


def why_none(frame: pd.DataFrame, shape: Shape) -> str:
    """Why ``offered`` is empty, in words a user can act on."""
    if is_empty(frame, shape):
        return "The result has no rows."
    n = series_count(frame, shape)
    if shape.time is not None:
        return (
            f"{n:,} series over time are too many to draw (at most {MAX_SERIES}): group by "
            "fewer dimensions or filter records."
        )
    return (
        f"{len(shape.dimensions)} dimension columns without time: at most {MAX_BARS} records "
        f"on the first and {MAX_SERIES} combinations of the others can be drawn."
    )


# --- labels --------------------------------------------------------------------------------------


def _local_times(column: pd.Series, time_zone: str | None) -> pd.Series:
    """Wall-clock times: instants (tz-aware) shown in ``time_zone`` (UTC when not given)."""
    times = pd.to_datetime(column)
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert(time_zone or "UTC").dt.tz_localize(None)
    return times


def _label(column: str, value, names: dict[str, dict[str, str]] | None, units=None) -> str:
    label = series_label(str(value), (names or {}).get(column))
    if column in ALTERNATIVES:
        label = f"{escape(column.replace('_', ' '))} {label}"
    unit = (units or {}).get(str(value)) if column == "metric" else None
    return f"{label} [{escape(unit)}]" if unit else label


def common_label(frame: pd.DataFrame, columns, names=None, units=None) -> str:
    """What every row has in common (the dimensions with one value), said once."""
    if frame.empty:
        return ""
    return " · ".join(
        _label(c, frame[c].iloc[0], names, units) for c in columns if c not in varying(frame, [c])
    )


def series(frame: pd.DataFrame, columns, names=None, units=None) -> list[tuple[str, pd.DataFrame]]:
    """(legend entry, rows) per combination of ``columns``, in sorted order; the entry names
    only the columns that vary (the rest is in ``common_label``)."""
    keys = varying(frame, columns)
    if not keys:
        return [(common_label(frame, columns, names, units) or "total", frame)]
    out = []
    for key, part in frame.groupby(list(keys), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        label = " · ".join(_label(c, v, names, units) for c, v in zip(keys, key, strict=True))
        out.append((label, part))
    return out


def _hover(x: str, unit: str | None, named: bool = True) -> str:
    after = f" {escape(unit)}" if unit else ""
    return f"{x}<br>%{{y:{D3_VALUE}}}{after}<extra>{'%{fullData.name}' if named else ''}</extra>"


def _unit_of(label_unit: str | None, units: dict | None, part: pd.DataFrame) -> str | None:
    if label_unit or not units or "metric" not in part:
        return label_unit
    found = {units.get(str(v)) for v in part["metric"].unique()}
    return found.pop() if len(found) == 1 else None


def _layout(figure: go.Figure, title: str, subtitle: str = "", height: int = 480) -> go.Figure:
    """The viewer's template; the legend at the foot of the figure (below the axis title, the
    plot area shrinks to make room), entries in the order of the traces."""
    styled(figure)
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 80 if subtitle else 56, "b": 10},
        title={"text": escape(title), "subtitle": {"text": subtitle}},
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "traceorder": "normal",
        },
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


def _switch(figure: go.Figure, labels: list[str]) -> None:
    """One trace shown at a time, picked in a dropdown at the top right."""
    if len(labels) < 2:
        return
    n = len(labels)
    figure.update_layout(
        updatemenus=[
            {
                "buttons": [
                    {
                        "label": label,
                        "method": "restyle",
                        "args": [{"visible": [j == i for j in range(n)]}],
                    }
                    for i, label in enumerate(labels)
                ],
                "x": 1,
                "xanchor": "right",
                "y": 1.02,
                "yanchor": "bottom",
                "showactive": True,
            }
        ]
    )


# --- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """What a figure says about its values: ``value`` (axis title: "sum of value (MWh)"),
    ``unit`` (after numbers in tooltips; None when each metric has its own, ``units``)."""

    value: str = "value"
    unit: str | None = None
    units: dict | None = None
    time_zone: str | None = None


def _time_axis(figure: go.Figure, labels: Labels) -> None:
    figure.update_xaxes(title=f"local time ({zone_label(labels.time_zone)})")
    figure.update_yaxes(title=escape(labels.value))


def line_figure(frame, shape: Shape, names=None, labels: Labels = Labels(), stacked=False):
    figure = go.Figure()
    for label, part in series(frame, shape.dimensions, names, labels.units):
        part = part.sort_values(shape.time)
        many = len(part) > 40
        figure.add_trace(
            go.Scatter(
                x=_local_times(part[shape.time], labels.time_zone),
                y=part[shape.value],
                name=label,
                mode="lines" if many or stacked else "lines+markers",
                stackgroup="one" if stacked else None,
                line={"width": 0.5} if stacked else None,
                hovertemplate=_hover("%{x}", _unit_of(labels.unit, labels.units, part)),
            )
        )
    _time_axis(figure, labels)
    what = "over time, stacked" if stacked else "over time"
    return _layout(
        figure, f"{labels.value} {what}", common_label(frame, shape.dimensions, names, labels.units)
    )


def heatmap_figure(frame, shape: Shape, names=None, labels: Labels = Labels()):
    """Hour of day x day, one heatmap per series (a dropdown picks the one shown)."""
    figure = go.Figure()
    parts = series(frame, shape.dimensions, names, labels.units)
    for i, (label, part) in enumerate(parts):
        times = _local_times(part[shape.time], labels.time_zone)
        table = pd.DataFrame(
            {"day": times.dt.strftime("%Y-%m-%d"), "hour": times.dt.hour, "v": part[shape.value]}
        ).pivot_table(index="hour", columns="day", values="v", aggfunc="sum")
        table = table.reindex(range(24))
        unit = _unit_of(labels.unit, labels.units, part)
        figure.add_trace(
            go.Heatmap(
                x=list(table.columns),
                y=list(table.index),
                z=table.to_numpy().tolist(),
                name=label,
                visible=i == 0,
                colorscale="Viridis",
                colorbar={"title": {"text": escape(unit or labels.value)}},
                hovertemplate=f"%{{x}}, %{{y}}:00<br>%{{z:{D3_VALUE}}}"
                + (f" {escape(unit)}" if unit else "")
                + "<extra>%{fullData.name}</extra>",
            )
        )
    _switch(figure, [label for label, _ in parts])
    figure.update_xaxes(title="day", type="category", nticks=12)
    figure.update_yaxes(title=f"hour of day ({zone_label(labels.time_zone)})", dtick=3)
    common = common_label(frame, shape.dimensions, names, labels.units)
    return _layout(figure, f"{labels.value} by hour of day and day", common)


def duration_figure(frame, shape: Shape, names=None, labels: Labels = Labels()):
    """Each series' values sorted from the highest: how many periods reach each level."""
    figure = go.Figure()
    period = "hours" if shape.hourly else "periods"
    for label, part in series(frame, shape.dimensions, names, labels.units):
        values = part[shape.value].sort_values(ascending=False, ignore_index=True)
        figure.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=values,
                name=label,
                mode="lines",
                hovertemplate=_hover(
                    f"%{{x}} {period} at or above", _unit_of(labels.unit, labels.units, part)
                ),
            )
        )
    figure.update_xaxes(title=f"{period} at or above the value (highest first)")
    figure.update_yaxes(title=escape(labels.value))
    common = common_label(frame, shape.dimensions, names, labels.units)
    return _layout(figure, f"{labels.value}: load-duration curve", common)


def bar_figure(frame, shape: Shape, names=None, labels: Labels = Labels(), mixed=False):
    """Bars along the first dimension; the others' combinations as colours, stacked when they
    are parts of a whole, side by side when they are alternatives or in different units."""
    figure = go.Figure()
    dims = shape.dimensions
    if not dims:
        figure.add_trace(
            go.Bar(x=["total"], y=[frame[shape.value].sum()], name="total",
                   hovertemplate=_hover("%{x}", labels.unit, named=False))
        )  # fmt: skip
        return _layout(figure, labels.value)
    first, rest = dims[0], dims[1:]
    order = sorted(frame[first].astype(str).unique())
    x = [_label(first, v, names, labels.units) for v in order]
    for label, part in series(frame, rest, names, labels.units):
        column = part.groupby(part[first].astype(str))[shape.value].sum(min_count=1)
        unit = _unit_of(labels.unit, labels.units, part)
        figure.add_trace(
            go.Bar(
                x=x,
                y=column.reindex(order),
                name=label if rest else labels.value,
                hovertemplate=_hover("%{x}", unit, named=bool(rest)),
            )
        )
    stack = sums_parts(frame, rest, mixed)
    figure.update_layout(
        barmode="stack" if stack else "group", showlegend=bool(varying(frame, rest))
    )
    figure.update_xaxes(title=escape(first), type="category")
    figure.update_yaxes(title=escape(labels.value))
    return _layout(
        figure,
        f"{labels.value} by {' and '.join(dims)}",
        common_label(frame, rest, names, labels.units),
    )


def map_figure(
    frame,
    kind: str,
    shape: Shape,
    *,
    records: list[dict] | None = None,
    names=None,
    labels: Labels = Labels(),
    counties_url: str = "/assets/" + COUNTIES_GEOJSON,
):
    """A choropleth; with alternatives beside geography, one map per alternative (a dropdown
    picks the one shown), on one colour scale."""
    values = frame["geography"].astype(str)
    codes = (state_codes if kind == "map_states" else county_codes)(values.unique(), records)
    if codes is None:
        what = "state codes or names" if kind == "map_states" else "county FIPS codes"
        raise ValueError(f"the geography values are not {what}")
    z_all = frame[shape.value].dropna().tolist()
    others = [c for c in shape.dimensions if c != "geography"]
    parts = series(frame, others, names)
    figure = go.Figure()
    for i, (label, part) in enumerate(parts):
        geo = part["geography"].astype(str)
        common = {
            "locations": [codes[v] for v in geo],
            "z": part[shape.value].tolist(),
            # from zero: the smallest value is not drawn white (the colour of no data)
            "zmin": min(0.0, *z_all) if z_all else 0.0,
            "zmax": max(0.0, *z_all) if z_all else 1.0,
            "text": [_label("geography", v, names) for v in geo],
            "name": label,
            "visible": i == 0,
            "colorscale": "Blues",
            "marker": {"line": {"color": "#888888", "width": 0.5}},
            "colorbar": {"title": {"text": escape(labels.unit or labels.value)}},
            "hovertemplate": f"%{{text}}<br>%{{z:{D3_VALUE}}}"
            + (f" {escape(labels.unit)}" if labels.unit else "")
            + "<extra></extra>",
        }
        if kind == "map_states":
            figure.add_trace(go.Choropleth(locationmode="USA-states", **common))
        else:
            # the GeoJSON is fetched by the browser only when a county map is drawn
            figure.add_trace(go.Choropleth(geojson=counties_url, featureidkey="id", **common))
    _switch(figure, [label for label, _ in parts])
    if kind == "map_states":
        geo_layout = {"scope": "usa", "showlakes": False}
        title = f"{labels.value} by state"
    else:
        # zoomed to the counties (scope usa's albers projection cannot fit bounds); no base
        # layers: 1:110m coasts and state lines do not meet 1:10m counties up close
        geo_layout = {"scope": "north america", "fitbounds": "locations", "visible": False}
        title = f"{labels.value} by county"
    figure.update_geos(**geo_layout)
    return _layout(figure, title, common_label(frame, others, names))


def figure(
    frame: pd.DataFrame,
    kind: str,
    shape: Shape,
    *,
    names: dict[str, dict[str, str]] | None = None,
    records: dict[str, list[dict]] | None = None,
    labels: Labels = Labels(),
    mixed: bool = False,
    counties_url: str = "/assets/" + COUNTIES_GEOJSON,
) -> go.Figure:
    """The chart ``kind`` (one of CHARTS) of a result. ``names``: column -> {id: name} for
    labels; ``records``: column -> records (for map codes); ``labels``: the value's label,
    unit(s) and the time zone of the result's local times; ``mixed``: values in different
    units (never stacked)."""
    if kind in ("line", "area"):
        if kind == "area" and not sums_parts(frame, shape.dimensions, mixed):
            raise ValueError("alternatives or values in different units are never stacked")
        return line_figure(frame, shape, names, labels, stacked=kind == "area")
    if kind == "heatmap":
        return heatmap_figure(frame, shape, names, labels)
    if kind == "duration":
        return duration_figure(frame, shape, names, labels)
    if kind == "bar":
        return bar_figure(frame, shape, names, labels, mixed)
    if kind in ("map_states", "map_counties"):
        return map_figure(
            frame,
            kind,
            shape,
            records=(records or {}).get("geography"),
            names=names,
            labels=labels,
            counties_url=counties_url,
        )
    raise ValueError(f"unknown chart '{kind}'; charts: {', '.join(CHARTS)}")
