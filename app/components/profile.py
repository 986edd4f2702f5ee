"""A load profile plot: one line per series of dsgrid_core.browse.datasets.load_profile, over
local time (the axis title names the time zone), and the controls that choose what it sums."""

from __future__ import annotations

from html import escape

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html
from plotly.subplots import make_subplots

from app import ids
from app.components.chart_theme import styled
from dsgrid_core.browse.datasets import RESOLUTIONS
from dsgrid_core.config.dimension import NON_TIME_TYPES

RESOLUTION_LABELS = {"hour": "Hourly", "day": "Daily", "month": "Monthly"}


def series_label(name: str, names: dict[str, str] | None) -> str:
    """``Kent (10001)`` for a record with a name, the id otherwise; escaped, as plotly reads
    tags in trace names."""
    label = (names or {}).get(name)
    return escape(f"{label} ({name})" if label and label != name else name)


def _axis_title(kind: str, unit: str | None) -> str:
    """``energy (MWh)``; a unit this tool does not know is its own kind: ``value (tons)``."""
    if kind in ("energy", "power"):
        return f"{kind} ({unit})" if unit else kind
    return f"value ({unit})" if unit else "value (no unit)"


def profile_figure(profile: dict, *, names: dict[str, str] | None = None) -> go.Figure:
    """``names`` maps the series' record ids to record names for the legend. Series of
    different kinds (energy, power, unknown units) never share an axis: one panel per kind,
    each y axis naming its unit."""
    kinds = list(dict.fromkeys(s.get("kind", "value") for s in profile["series"]))
    figure = (
        make_subplots(
            rows=len(kinds), cols=1, shared_xaxes=True, vertical_spacing=0.08 / len(kinds)
        )
        if len(kinds) > 1
        else go.Figure()
    )
    for series in profile["series"]:
        kind, unit = series.get("kind", "value"), series.get("unit") or profile.get("unit")
        label = series_label(series["name"], names)
        if len(kinds) > 1 and series["name"] == "total":
            label = f"total {escape(kind)}"
        trace = go.Scatter(
            x=series["x"],
            y=series["y"],
            name=label,
            mode="lines+markers" if len(series["x"]) <= 40 else "lines",
            hovertemplate=(
                f"%{{x}}<br>%{{y:,.4g}} {escape(unit or '')}<extra>%{{fullData.name}}</extra>"
            ),
        )
        if len(kinds) > 1:
            figure.add_trace(trace, row=kinds.index(kind) + 1, col=1)
        else:
            figure.add_trace(trace)
    zone = profile.get("time_zone") or "UTC"
    resolution = RESOLUTION_LABELS.get(profile.get("resolution"), "")
    what = f"{resolution} sum" + (f" in {profile['unit']}" if profile.get("unit") else "")
    styled(figure)
    figure.update_layout(
        height=420 + 200 * (len(kinds) - 1),
        hovermode="x unified" if len(profile["series"]) <= 8 else "closest",
        title={"text": what},
    )
    figure.update_xaxes(title=f"local time ({zone})", row=len(kinds) if len(kinds) > 1 else None)
    units = {
        s.get("kind", "value"): s.get("unit") or profile.get("unit") for s in profile["series"]
    }
    for row, kind in enumerate(kinds, start=1):
        figure.update_yaxes(
            title=_axis_title(kind, units.get(kind)),
            rangemode="tozero",
            **({"row": row, "col": 1} if len(kinds) > 1 else {}),
        )
    return figure


def units_note(profile: dict, names: dict[str, str] | None = None) -> str:
    """What the chart under it shows in which unit, in words: ``In MWh; converted to MWh:
    Exterior Lighting, Refrigeration from kWh (1 kWh = 0.001 MWh); ...``."""
    names = names or {}
    kinds = profile.get("kinds") or []
    parts = []
    units = list(dict.fromkeys(s.get("unit") for s in profile["series"] if s.get("unit")))
    if units:
        parts.append(f"Values in {', '.join(units)}.")
    conversions = profile.get("conversions") or []
    for target in dict.fromkeys(c["to"] for c in conversions):
        done = [
            f"{', '.join(names.get(r, r) for r in c['records'])} from {c['from']} "
            f"(1 {c['from']} = {c['factor']:.6g} {target})"
            for c in conversions
            if c["to"] == target
        ]
        parts.append(f"Converted to {target} before adding: {'; '.join(done)}.")
    if len(kinds) > 1:
        parts.append(
            f"End uses of different kinds ({', '.join(kinds)}) are never added together: "
            "each kind has its own panel and axis."
        )
    return " ".join(parts)


def profile_controls(
    names: dict[str, dict[str, str]], chosen: dict, record_types: tuple[str, ...]
) -> html.Div:
    """The dataset page's load profile: record pickers for ``record_types`` (``names``: type ->
    id -> name), one line per dimension type, the resolution, and the plot; ``chosen`` holds
    the picked records per type, "by" and "res"."""
    pickers = [
        dbc.Col(
            [
                html.Label(
                    dimension_type,
                    htmlFor=ids.dataset_profile_records(dimension_type),
                    className="small",
                ),
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
            html.Label("one line per", htmlFor=ids.DATASET_PROFILE_BY, className="small"),
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
            html.P(id=ids.DATASET_PROFILE_UNITS, className="small text-muted"),
        ]
    )
