"""One dimension: its records (every column, filtered and sorted on the server), where it is
used, its history and its dependency graph."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from app import ids, state
from app.components import component_page as page
from app.components.common import component_title, error_state, facts_table
from app.grid import answer, server_grid
from dsgrid_core.browse.records import record_columns
from dsgrid_core.errors import DsgridError

dash.register_page(
    __name__,
    path_template="/dimensions/<dimension_id>",
    title=component_title("Dimension", "dimension_id"),
    name="Dimension",
)


def layout(dimension_id: str | None = None, version: str | None = None, **_):
    try:
        detail = page.load("dimension", dimension_id, version)
        # the columns of the first 200 records, as before
        first = state.viewer().records_page(dimension_id, detail["version"], limit=200)
        columns = record_columns(first.items)
        closing = page.closing_sections(detail, graph_height=360)
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
    config = detail["config"]
    facts = facts_table(
        ids.DIMENSION_FACTS,
        [
            ("type", config.get("type")),
            ("class", config.get("class")),
            ("records", f"{first.total:,}"),
            ("columns", ", ".join(columns)),
        ],
    )
    grid_columns = [{"field": c, "headerName": c, "flex": 1, "minWidth": 120} for c in columns]
    return html.Div(
        [
            page.header(detail, dbc.Badge(config.get("type"), color="info")),
            facts,
            html.H4("Records"),
            server_grid(ids.DIMENSION_RECORDS, grid_columns, height=440),
            *closing,
        ]
    )


@callback(
    Output(ids.DIMENSION_RECORDS, "getRowsResponse"),
    Input(ids.DIMENSION_RECORDS, "getRowsRequest"),
    State(ids.COMPONENT_STORE, "data"),
)
def records(request, component):
    return answer(request, state.viewer().records_page, component["id"], component["version"])
