"""A coverage heatmap: one cell per (x, y) record pair, coloured by its status (present,
declared missing, ...), from a coverage dict of dsgrid_core.browse (keys x, y, x_ids, y_ids, z,
counts). It stays readable with thousands of x records: tick labels are dropped and the hover
names the pair and its status. The counts per status are written under it."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go
from dash import dcc, html

from app import ids
from app.components.chart_theme import styled
from dsgrid_core.browse.datasets import ABSENT, DECLARED_MISSING, PRESENT
from dsgrid_core.browse.projects import NOT_REQUIRED

MAX_TICK_LABELS = 60  # more records than this on an axis: no tick labels, the hover tells
MAX_NAMED_CELLS = 5_000  # up to this many cells the hover names the records too


@dataclass(frozen=True)
class Status:
    value: int  # the cell value in the coverage's z
    key: str  # the key in the coverage's counts
    label: str
    color: str


DATASET_STATUSES = (
    Status(ABSENT, "absent", "absent", "#dc3545"),
    Status(DECLARED_MISSING, "declared_missing", "declared missing", "#ffc107"),
    Status(PRESENT, "present", "present", "#198754"),
)
PROJECT_STATUSES = (
    Status(NOT_REQUIRED, "not_required", "not required", "#dee2e6"),
    Status(ABSENT, "required_absent", "required but absent", "#dc3545"),
    Status(DECLARED_MISSING, "declared_missing", "declared missing", "#ffc107"),
    Status(PRESENT, "present", "present", "#198754"),
)


def _labels(values: list[str], names: dict[str, str] | None) -> list[str]:
    """``id (name)`` for the hover; registry text is escaped (plotly reads tags in labels)."""
    names = names or {}
    return [escape(f"{v} ({names[v]})" if names.get(v) and names[v] != v else v) for v in values]


def coverage_figure(
    coverage: dict,
    statuses: tuple[Status, ...],
    *,
    x_names: dict[str, str] | None = None,
    y_names: dict[str, str] | None = None,
) -> go.Figure:
    """The heatmap: a discrete colour per status, with the status names on the colour bar."""
    order = {s.value: i for i, s in enumerate(statuses)}
    label = {s.value: s.label for s in statuses}
    n = len(statuses)
    scale = []
    for i, s in enumerate(statuses):
        scale += [[i / n, s.color], [(i + 1) / n, s.color]]
    x_ids, y_ids = coverage["x_ids"], coverage["y_ids"]
    z = [[order[cell] for cell in row] for row in coverage["z"]]
    cells = len(x_ids) * len(y_ids)
    if cells <= MAX_NAMED_CELLS:
        x_hover, y_hover = _labels(x_ids, x_names), _labels(y_ids, y_names)
        text = [
            [f"{x_hover[j]}<br>{y_hover[i]}<br><b>{label[c]}</b>" for j, c in enumerate(row)]
            for i, row in enumerate(coverage["z"])
        ]
        template = "%{text}<extra></extra>"
    else:  # the ids and the status only: per-cell names would weigh megabytes
        text = [[label[c] for c in row] for row in coverage["z"]]
        template = "%{x}<br>%{y}<br><b>%{text}</b><extra></extra>"
    small = cells <= MAX_NAMED_CELLS
    figure = go.Figure(
        go.Heatmap(
            x=x_ids,
            y=y_ids,
            z=z,
            text=text,
            hovertemplate=template,
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            xgap=1 if small else 0,
            ygap=1 if small else 0,
            colorbar={
                "tickvals": list(range(n)),
                "ticktext": [s.label for s in statuses],
                "thickness": 14,
                "len": 1 if len(y_ids) > 6 else 1.4,
                "title": {"text": "status"},
            },
        )
    )
    figure.update_xaxes(
        type="category",
        title=f"{coverage['x']} ({len(x_ids):,} records)",
        showticklabels=len(x_ids) <= MAX_TICK_LABELS,
        tickangle=-45,
    )
    figure.update_yaxes(
        type="category",
        title=f"{coverage['y']} ({len(y_ids):,})",
        showticklabels=len(y_ids) <= MAX_TICK_LABELS,
        autorange="reversed",
    )
    rows = min(len(y_ids), MAX_TICK_LABELS)
    styled(figure)
    figure.update_layout(
        height=max(260, min(160 + 22 * rows, 900)),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        plot_bgcolor="white",
    )
    return figure


def coverage_counts(counts_id: str, coverage: dict, statuses: tuple[Status, ...]) -> html.Div:
    """``present: 106 · declared missing: 6 · ...``, each count in a span of its own id (the
    callback puts this in the element ``counts_id``)."""
    parts: list = []
    for s in reversed(statuses):
        if parts:
            parts.append(" · ")
        parts += [
            html.Span("■ ", style={"color": s.color}),
            f"{s.label}: ",
            html.B(
                f"{coverage['counts'].get(s.key, 0):,}", id=ids.coverage_count(counts_id, s.key)
            ),
        ]
    total = len(coverage["x_ids"]) * len(coverage["y_ids"])
    parts.append(
        f" — of {total:,} pairs ({len(coverage['x_ids']):,} {coverage['x']} × "
        f"{len(coverage['y_ids']):,} {coverage['y']})"
    )
    return html.Div(parts, className="small")


def coverage_graph(graph_id: str, figure: go.Figure | None = None) -> dcc.Graph:
    """The graph of a ``coverage_figure``: drawn with the page when given (no second round trip
    on a first load), else empty until a callback fills it."""
    return dcc.Graph(id=graph_id, config={"displaylogo": False}, figure=figure or go.Figure())
