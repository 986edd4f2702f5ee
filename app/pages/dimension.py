"""One dimension: its records (every column, filtered and sorted on the server), where it is
used, its history and its dependency graph."""

from __future__ import annotations

from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from app import ids, state
from app.components import component_page as page
from app.components.common import component_title, error_state, facts_table
from app.components.downloads import (
    download_links,
    link_data,
    register_download_links,
    url_page,
    with_grid_query,
)
from app.grid import answer, grid_state, server_grid
from dsgrid_core.browse.records import record_columns
from dsgrid_core.errors import DsgridError

dash.register_page(
    __name__,
    path_template="/dimensions/<dimension_id>",
    title=component_title("Dimension", "dimension_id"),
    name="Dimension",
)


def layout(
    dimension_id: str | None = None,
    version: str | None = None,
    filter=None,
    any=None,
    sort=None,
    **query,
):
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
    filter_model, order = grid_state(filter, any, sort, columns)
    links = link_data(
        f"/dimensions/{quote(detail['id'], safe='')}/records",
        [("version", version)] if version else [],
        ("version",),
    )
    return html.Div(
        [
            page.header(detail, dbc.Badge(config.get("type"), color="info")),
            facts,
            html.H4("Records"),
            download_links(ids.DIMENSION_RECORDS, links, url_page(query.get("page"))),
            server_grid(
                ids.DIMENSION_RECORDS,
                grid_columns,
                height=440,
                filter_model=filter_model,
                sort=order,
            ),
            *closing,
        ]
    )


register_download_links(ids.DIMENSION_RECORDS)


@callback(
    Output(ids.DIMENSION_RECORDS, "getRowsResponse"),
    Output(ids.grid_query(ids.DIMENSION_RECORDS), "data"),
    Input(ids.DIMENSION_RECORDS, "getRowsRequest"),
    State(ids.COMPONENT_STORE, "data"),
    State(ids.grid_query(ids.DIMENSION_RECORDS), "data"),
)
def records(request, component, links):
    rows = answer(request, state.viewer().records_page, component["id"], component["version"])
    return rows, with_grid_query(links, request)
