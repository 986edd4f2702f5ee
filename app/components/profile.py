"""A load profile plot: one line per series of dsgrid_core.browse.datasets.load_profile, over
local time (the axis title names the time zone), and the controls that choose what it sums."""

from __future__ import annotations

from html import escape

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from app import ids
from dsgrid_core.browse.datasets import RESOLUTIONS
from dsgrid_core.config.dimension import NON_TIME_TYPES

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
    unit = profile.get("unit")
    figure.update_yaxes(title=f"value ({unit})" if unit else "value", rangemode="tozero")
    return figure


def profile_controls(
    names: dict[str, dict[str, str]], chosen: dict, record_types: tuple[str, ...]
) -> html.Div:
    """The dataset page's load profile: record pickers for ``record_types`` (``names``: type ->
    id -> name), one line per dimension type, the resolution, and the plot; ``chosen`` holds
    the picked records per type, "by" and "res"."""
    pickers = [
        dbc.Col(
            [
                html.Label(dimension_type, className="small"),
                dcc.Dropdown(
                    id=ids.dataset_profile_records(dimension_type),
                    options=[{"label": n, "value": i} for i, n in names[dimension_type].items()],
                    value=chosen[dimension_type],
                    multi=True,
                    searchable=True,
                    placeholder=f"all {dimension_type} records",
                ),
            ],
            md=4,
        )
        for dimension_type in record_types
    ]
    by = dbc.Col(
        [
            html.Label("one line per", className="small"),
            dcc.Dropdown(
                id=ids.DATASET_PROFILE_BY,
                options=list(NON_TIME_TYPES),
                value=chosen["by"],
                placeholder="one line in all",
            ),
        ],
        md=4,
    )
    resolution = dbc.Col(
        [
            html.Label("resolution", className="small d-block"),
            dbc.RadioItems(
                id=ids.DATASET_PROFILE_RESOLUTION,
                options=[{"label": RESOLUTION_LABELS[r].lower(), "value": r} for r in RESOLUTIONS],
                value=chosen["res"],
                inline=True,
            ),
        ],
        md=4,
    )
    return html.Div(
        [
            html.P(
                "The summed values of the chosen records (none chosen: all records) over local "
                "time.",
                className="text-muted small",
            ),
            dbc.Row(pickers, class_name="g-2 mb-2"),
            dbc.Row([by, resolution], class_name="g-2 mb-2 align-items-end"),
            html.Div(id=ids.DATASET_PROFILE_NOTE, className="small text-muted"),
            dcc.Loading(
                dcc.Graph(
                    id=ids.DATASET_PROFILE_GRAPH, figure=go.Figure(), config={"displaylogo": False}
                ),
                delay_show=300,
            ),
        ]
    )
