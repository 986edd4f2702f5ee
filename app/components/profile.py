"""A load profile plot: one line per series of dsgrid_core.browse.datasets.load_profile, over
local time (the axis title names the time zone)."""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go

RESOLUTION_LABELS = {"hour": "Hourly", "day": "Daily", "month": "Monthly"}


def series_label(name: str, names: dict[str, str] | None) -> str:
    """``Kent (10001)`` for a record with a name, the id otherwise; escaped, as plotly reads
    tags in trace names."""
    label = (names or {}).get(name)
    return escape(f"{label} ({name})" if label and label != name else name)


def profile_figure(profile: dict, *, names: dict[str, str] | None = None) -> go.Figure:
    """``names`` maps the series' record ids to record names for the legend."""
    figure = go.Figure()
    for series in profile["series"]:
        figure.add_trace(
            go.Scatter(
                x=series["x"],
                y=series["y"],
                name=series_label(series["name"], names),
                mode="lines+markers" if len(series["x"]) <= 40 else "lines",
                hovertemplate="%{x}<br>%{y:,.4g}<extra>%{fullData.name}</extra>",
            )
        )
    zone = profile.get("time_zone") or "UTC"
    figure.update_layout(
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": -0.2},
        hovermode="x unified" if len(profile["series"]) <= 8 else "closest",
        title={
            "text": f"{RESOLUTION_LABELS.get(profile.get('resolution'), '')} sum of values",
            "font": {"size": 14},
        },
    )
    figure.update_xaxes(title=f"local time ({zone})")
    figure.update_yaxes(title="value", rangemode="tozero")
    return figure
