"""The comparison page's views of one comparison result (geography x hour, with ``base``,
``other``, ``difference`` and ``relative_difference``): a map of the difference by geography,
load-duration curves of both sides and of the difference, and a peak table.

Pure functions of a pandas frame, testable without a browser. Totals over hours or over
geographies are sums of one quantity in one unit (the query converted every metric to it);
the difference of totals is the total of the differences, so nothing is recomputed."""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.graph_objects as go

from app.components.chart_theme import D3_VALUE, number, styled, zone_label
from app.components.charts import Labels, Shape, map_figure

SIDES = ("base", "other", "difference")
ALL = "All (coincident peak)"


def totals_by_geography(frame: pd.DataFrame) -> pd.DataFrame:
    """Each geography's sum over the hours, with its relative difference (None at base 0)."""
    sums = frame.groupby("geography", as_index=False)[["base", "other", "difference"]].sum()
    base = sums["base"].where(sums["base"] != 0)
    sums["relative_difference"] = sums["difference"] / base
    return sums


def hourly_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Each hour's sum over the geographies (the system's load, base and other)."""
    return (
        frame.groupby("timestamp", as_index=False)[["base", "other", "difference"]]
        .sum()
        .sort_values("timestamp", ignore_index=True)
    )


def map_of_difference(
    frame: pd.DataFrame, geography_records: list[dict] | None, unit: str, names: dict
) -> go.Figure | None:
    """The difference (other - base) summed over the hours, by state or county; None when the
    geography's records are neither."""
    totals = totals_by_geography(frame)
    labels = Labels(value=f"{names['other']} − {names['base']} ({unit})", unit=unit)
    shape = Shape(time=None, dimensions=("geography",), value="difference")
    for kind in ("map_states", "map_counties"):
        try:
            figure = map_figure(totals, kind, shape, records=geography_records, labels=labels)
        except ValueError:
            continue
        # a difference has a sign: a diverging scale centred on 0 (red more, blue less)
        reach = float(totals["difference"].abs().max() or 1.0)
        figure.update_traces(colorscale="RdBu_r", zmid=0, zmin=-reach, zmax=reach)
        return figure
    return None


def duration_curves(frame: pd.DataFrame, unit: str, names: dict) -> go.Figure:
    """Both sides' hourly totals sorted from the highest, and the difference's on its own."""
    hourly = hourly_totals(frame)
    figure = go.Figure()
    labels = {
        "base": names["base"],
        "other": names["other"],
        "difference": f"{names['other']} − {names['base']}",
    }
    for side in SIDES:
        values = hourly[side].sort_values(ascending=False, ignore_index=True)
        figure.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=values.tolist(),
                name=labels[side],
                mode="lines",
                line={"dash": "dot"} if side == "difference" else {},
                hovertemplate=f"%{{x}} hours at or above<br>%{{y:{D3_VALUE}}} {escape(unit)}"
                "<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_xaxes(title="hours at or above the value (highest first)")
    figure.update_yaxes(title=f"hourly total ({escape(unit)})")
    figure.update_layout(
        title={"text": "Load-duration curves (each sorted on its own)"},
        # the legend at the foot of the figure, under the axis title (the plot makes room)
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "traceorder": "normal",
        },
        margin={"t": 56, "b": 10},
        height=500,
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return styled(figure)


def _local(stamp, time_zone: str | None) -> str:
    stamp = pd.Timestamp(stamp)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    local = stamp.tz_convert(time_zone) if time_zone else stamp
    return f"{local:%Y-%m-%d %H:%M} {zone_label(time_zone)}"


def _peak_row(label: str, part: pd.DataFrame, time_zone: str | None) -> dict:
    part = part.sort_values("timestamp", ignore_index=True)
    b, o = part["base"].idxmax(), part["other"].idxmax()  # the first hour of a tie
    base, other = float(part.at[b, "base"]), float(part.at[o, "other"])
    return {
        "geography": label,
        "base_peak": base,
        "base_hour": _local(part.at[b, "timestamp"], time_zone),
        "other_peak": other,
        "other_hour": _local(part.at[o, "timestamp"], time_zone),
        "difference": other - base,
        "relative_difference": None if base == 0 else (other - base) / base,
    }


def peak_rows(frame: pd.DataFrame, time_zone: str | None) -> list[dict]:
    """The peak hour of base and of other, their values and the difference of the peaks: over
    all geographies together (the coincident peak) first, then per geography."""
    rows = [_peak_row(ALL, hourly_totals(frame), time_zone)]
    for geography, part in sorted(frame.groupby("geography"), key=lambda g: str(g[0])):
        rows.append(_peak_row(str(geography), part, time_zone))
    return rows


PEAK_COLUMNS = (
    ("geography", "Geography"),
    ("base_peak", "Base peak"),
    ("base_hour", "Base peak hour"),
    ("other_peak", "Other peak"),
    ("other_hour", "Other peak hour"),
    ("difference", "Difference of peaks"),
    ("relative_difference", "Relative"),
)


def shown(key: str, value) -> str:
    """A peak table cell as written on the page."""
    if value is None:
        return "— (base is 0)" if key == "relative_difference" else ""
    if key == "relative_difference":
        return f"{number(value * 100)} %"
    if isinstance(value, float):
        return number(value)
    return str(value)
