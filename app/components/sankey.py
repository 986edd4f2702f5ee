"""The flows of a dimension mapping, drawn two ways: a Sankey diagram of from -> to weighted by
fraction (from dsgrid_core.browse.records.mapping_flows, which gathers the smallest ids into
one "other (n)" node), and for a mapping too large for that, a from x to matrix of fractions,
capped so the page stays light. The full list is always the records grid."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from app.components.chart_theme import styled

FROM_COLOR = "#0d6efd"
TO_COLOR = "#198754"
OTHER_COLOR = "#adb5bd"
MAX_TICK_LABELS = 60  # more ids than this on a matrix axis: no tick labels, the hover tells
MATRIX_CAP = 300  # the most ids per axis the matrix draws
LABEL_SIZE = 13  # px: node labels stay readable (issue 17: they were 11, drawn at ~9)
NODE_ROOM = 34  # px of height per node on the taller side: labels never overlap


def _label(id: str, names: dict[str, str]) -> str:
    name = names.get(id)
    return _escape(f"{id} ({name})" if name and name != id else id)


def sankey_height(flows: dict[str, Any]) -> int:
    nodes = max(len(flows["sources"]), len(flows["targets"]), 1)
    return max(280, min(1400, 60 + NODE_ROOM * nodes))


def sankey_figure(
    flows: dict[str, Any],
    *,
    from_names: dict[str, str] | None = None,
    to_names: dict[str, str] | None = None,
) -> go.Figure:
    """One node per from id (left) and per to id (right), even when an id is on both sides;
    link widths are the fractions. Links of fraction 0 or less are not drawn (Sankey widths
    must be positive); the records grid shows them."""
    sources, targets = flows["sources"], flows["targets"]
    from_names, to_names = from_names or {}, to_names or {}
    index = {("from", s): i for i, s in enumerate(sources)}
    index.update({("to", t): len(sources) + i for i, t in enumerate(targets)})
    labels = [_label(s, from_names) for s in sources] + [_label(t, to_names) for t in targets]
    colors = [
        OTHER_COLOR if s.startswith("other (") and s not in from_names else FROM_COLOR
        for s in sources
    ]
    colors += [
        OTHER_COLOR if t.startswith("other (") and t not in to_names else TO_COLOR for t in targets
    ]
    links = [link for link in flows["links"] if link["value"] > 0]
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": colors,
                "pad": 18,
                "thickness": 16,
                "line": {"width": 0},
                "hovertemplate": "%{label}<br>total fraction %{value:.4g}<extra></extra>",
            },
            link={
                "source": [index[("from", link["source"])] for link in links],
                "target": [index[("to", link["target"])] for link in links],
                "value": [link["value"] for link in links],
                "color": "rgba(13, 110, 253, 0.18)",
                "hovertemplate": "%{source.label} → %{target.label}<br>"
                "fraction %{value:.4g}<extra></extra>",
            },
        )
    )
    styled(figure)
    figure.update_layout(
        height=sankey_height(flows),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"size": LABEL_SIZE},
    )
    return figure


def _escape(text: str) -> str:
    """Plotly renders a subset of HTML in annotation texts: show registry names as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mapping_matrix(rows: list[dict[str, Any]], *, cap: int = MATRIX_CAP) -> dict[str, Any]:
    """The fractions of a mapping, given its rows ({from_id, to_id, from_fraction}, as
    `Viewer.mapping_rows` answers), as a to x from matrix (None where no row maps the pair).

    At most ``cap`` from ids (in the file's order) and ``cap`` to ids (in order of first use by
    those from ids) are kept; rows with an empty to_id (dropped) are left out."""
    rows = [(r["from_id"], r["to_id"], r["from_fraction"]) for r in rows if r["to_id"]]
    from_all = list(dict.fromkeys(f for f, _, _ in rows))
    to_all = list(dict.fromkeys(t for _, t, _ in rows))
    from_ids = from_all[:cap]
    kept = set(from_ids)
    to_ids = list(dict.fromkeys(t for f, t, _ in rows if f in kept))[:cap]
    column = {f: i for i, f in enumerate(from_ids)}
    line = {t: i for i, t in enumerate(to_ids)}
    z: list[list[float | None]] = [[None] * len(from_ids) for _ in to_ids]
    for f, t, x in rows:
        if f in column and t in line:
            cell = z[line[t]][column[f]]
            z[line[t]][column[f]] = x if cell is None else cell + x
    return {
        "from_ids": from_ids,
        "to_ids": to_ids,
        "z": z,
        "from_count": len(from_all),
        "to_count": len(to_all),
        "capped": len(from_ids) < len(from_all) or len(to_ids) < len(to_all),
    }


def matrix_figure(
    matrix: dict[str, Any], *, from_title: str = "from", to_title: str = "to"
) -> go.Figure:
    from_ids, to_ids = matrix["from_ids"], matrix["to_ids"]
    figure = go.Figure(
        go.Heatmap(
            x=from_ids,
            y=to_ids,
            z=matrix["z"],
            colorscale="Blues",
            zmin=0,
            zmax=max([1.0, *(v for row in matrix["z"] for v in row if v is not None)]),
            hoverongaps=False,
            colorbar={"title": {"text": "fraction"}},
            hovertemplate="from %{x}<br>to %{y}<br>fraction %{z:.4g}<extra></extra>",
        )
    )
    styled(figure)
    figure.update_layout(
        height=max(320, min(900, 120 + 14 * len(to_ids))),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        plot_bgcolor="white",
        xaxis={
            "title": {"text": f"from: {_escape(from_title)}"},
            "type": "category",
            "showticklabels": len(from_ids) <= MAX_TICK_LABELS,
        },
        yaxis={
            "title": {"text": f"to: {_escape(to_title)}"},
            "type": "category",
            "autorange": "reversed",
            "showticklabels": len(to_ids) <= MAX_TICK_LABELS,
        },
    )
    return figure
