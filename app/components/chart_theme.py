"""The one look of every chart in the viewer: a plotly template registered under ``NAME`` with
a qualitative palette of 24 colours that stay apart (no two series of one chart share a colour
until the 25th), a legend under the plot that never covers it, and readable fonts.

Figures ask for it with ``styled(figure)``; nothing is set at import time: the template is
registered with plotly the first time a figure asks for it.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import plotly.io as pio

NAME = "dsgrid"

# Kelly's and Glasbey's well separated colours, ordered so that neighbours differ in hue and
# lightness; the first ten are plotly's defaults' replacements (colour-blind safer first).
PALETTE = (
    "#1f77b4",
    "#e6550d",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#fdae6b",
    "#74c476",
    "#fc9272",
    "#b5a6d8",
    "#c49c94",
    "#f7b6d2",
    "#31a354",
    "#dbdb8d",
    "#9edae5",
    "#843c39",
    "#637939",
    "#7b4173",
    "#3182bd",
)

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def _template() -> go.layout.Template:
    return go.layout.Template(
        layout={
            "colorway": list(PALETTE),
            "font": FONT,
            "title": {"font": {"size": 15}, "x": 0.01, "xanchor": "left"},
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0},
            "hoverlabel": {"namelength": -1},
            "margin": {"l": 10, "r": 10, "t": 48, "b": 10},
        },
    )


def ensure_registered() -> str:
    """Register the template (once) on top of ``plotly_white``; returns its name."""
    if NAME not in pio.templates:
        pio.templates[NAME] = _template()
    return f"plotly_white+{NAME}"


def styled(figure: go.Figure) -> go.Figure:
    """Apply the viewer's template to ``figure`` (in place; returned for chaining)."""
    figure.update_layout(template=ensure_registered())
    return figure


# --- how numbers and time zones are written in charts, tables and notes --------------------------

SIGNIFICANT = 4  # digits of a value shown in tooltips, tables and notes
D3_VALUE = ",.4~r"  # the same in d3-format (plotly hovertemplates, AG Grid value formatters)


def number(value) -> str:
    """``value`` to SIGNIFICANT digits with thousands separators (6,912,000; 0.01235)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if value != value:  # NaN
        return ""
    if value == 0 or abs(value) == float("inf"):
        return f"{value:,.0f}" if value == 0 else str(value)
    digits = SIGNIFICANT - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    if digits <= 0:
        return f"{rounded:,.0f}"
    return f"{rounded:,.{digits}f}".rstrip("0").rstrip(".")


def zone_label(zone: str | None) -> str:
    """A time zone as people read it: POSIX ``Etc/GMT+5`` is five hours *behind* UTC, so
    ``UTC-5`` (the sign inverted); ``Etc/UTC`` and ``Etc/GMT`` are ``UTC``; named zones
    (America/New_York) stay as they are. None is UTC."""
    if not zone:
        return "UTC"
    if zone in ("UTC", "Etc/UTC", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Etc/Zulu"):
        return "UTC"
    if zone.startswith("Etc/GMT") and zone[7:8] in ("+", "-") and zone[8:].isdigit():
        sign = "-" if zone[7] == "+" else "+"
        return f"UTC{sign}{int(zone[8:])}"
    return zone
