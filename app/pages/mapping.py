"""One dimension mapping: the two dimensions it joins, what its type means, its records
(filtered and sorted on the server), its flows as a Sankey diagram (and a matrix when it is
large), the fraction sums its type requires with the worst of them, where it is used, its
history and its dependency graph."""

from __future__ import annotations

from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from app import ids, state
from app.components import component_page as page
from app.components.common import component_link, component_title, empty_state, error_state
from app.components.downloads import (
    download_links,
    link_data,
    register_download_links,
    url_page,
    with_grid_query,
)
from app.components.sankey import (
    FROM_COLOR,
    TO_COLOR,
    mapping_matrix,
    matrix_figure,
    sankey_figure,
)
from app.grid import answer, column_defs, grid_state, server_grid
from dsgrid_core.browse.records import MAPPING_COLUMNS
from dsgrid_core.errors import DsgridError

dash.register_page(
    __name__,
    path_template="/mappings/<mapping_id>",
    title=component_title("Dimension mapping", "mapping_id"),
    name="Mapping",
)

LARGE = 40  # more ids than this on either side: the Sankey groups ids, the matrix is offered
WORST_SHOWN = 10

# What each mapping type does to values, in words (dsgrid's mapping types).
MEANINGS = {
    "one_to_one": "Each from record becomes exactly one to record, and no two share one: "
    "values are renamed.",
    "many_to_one_aggregation": "Each from record goes to exactly one to record; the values of "
    "the from records that share a to record are summed.",
    "many_to_one_reassignment": "Each from record is reassigned to one to record; several may "
    "be reassigned to the same one.",
    "duplication": "Each from record's value is copied in full to every to record it maps to "
    "(every fraction is 1).",
    "one_to_many_disaggregation": "Each from record is split among several to records by its "
    "fractions, which sum to 1 per from record.",
    "many_to_many_disaggregation": "From records are split among to records by fractions that "
    "sum to 1 per from record; a to record may receive shares of several from records.",
    "many_to_many_aggregation": "Shares of from records (fractions summing to 1 per from "
    "record) are summed into to records.",
    "one_to_many_assignment": "Each to record takes a share of one from record; the shares "
    "assigned to each to record sum to 1.",
    "many_to_one_assignment": "Each to record is assembled from shares of from records; the "
    "fractions into each to record sum to 1.",
    "many_to_many_assignment": "Each to record is assembled from shares of from records; the "
    "fractions into each to record sum to 1.",
    "one_to_one_explicit_multipliers": "Each from record becomes one to record, its value "
    "multiplied by the fraction (e.g. a unit or efficiency factor); no sum is required.",
    "one_to_many_explicit_multipliers": "Each from record is copied to several to records, each "
    "copy multiplied by its fraction (e.g. scenario or model-year factors); no sum is required.",
    "many_to_one_explicit_multipliers": "Several from records are multiplied by their fractions "
    "and summed into one to record; no sum is required.",
    "many_to_many_explicit_multipliers": "Values are multiplied by their fractions and summed by "
    "to record; no sum is required.",
}
APPLIED = (
    "Applying a mapping: join the data on from_id, multiply each value by from_fraction, "
    "and sum by to_id. A row with an empty to_id drops its from record."
)


def _names(dimension_id: str, version: str) -> dict[str, str]:
    """Record id -> name of a dimension version (labels for the diagrams)."""
    records = state.viewer().records(dimension_id, version)
    return {r["id"]: r.get("name") or r["id"] for r in records}


def _dimension_link(reference: dict):
    return [
        component_link(
            "dimension",
            reference["dimension_id"],
            reference.get("version"),
            label=reference.get("name") or reference["dimension_id"],
        ),
        html.Span(
            [" ", html.Code(reference["dimension_id"]), f" {reference.get('version', '')}"],
            className="text-muted small",
        ),
    ]


def _facts(config: dict, records: int, flows: dict) -> dbc.Table:
    mapping_type = config.get("mapping_type", "many_to_one_aggregation")
    dropped = flows.get("dropped", 0)
    rows = [
        html.Tr(
            [
                html.Th("from"),
                html.Td(_dimension_link(config["from_dimension"])),
            ],
            id=ids.MAPPING_FROM,
        ),
        html.Tr(
            [html.Th("to"), html.Td(_dimension_link(config["to_dimension"]))],
            id=ids.MAPPING_TO,
        ),
        html.Tr(
            [
                html.Th("type"),
                html.Td(
                    [
                        html.Code(mapping_type),
                        html.Div(MEANINGS.get(mapping_type, ""), className="small"),
                        html.Div(APPLIED, className="small text-muted"),
                    ]
                ),
            ],
            id=ids.MAPPING_TYPE,
        ),
        html.Tr(
            [
                html.Th("records"),
                html.Td(
                    f"{_count(records, 'row')}: {_count(flows['from_count'], 'from id')}, "
                    f"{_count(flows['to_count'], 'to id')}"
                    + (
                        f", {_count(dropped, 'row')} with an empty to_id (dropped)"
                        if dropped
                        else ""
                    )
                ),
            ]
        ),
    ]
    return dbc.Table(html.Tbody(rows), id=ids.MAPPING_FACTS, size="sm", class_name="mb-0")


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _check_section(check: dict) -> html.Div:
    rule = html.P(check["rule"], id=ids.MAPPING_CHECK_RULE, className="mb-2")
    if check["sum_by"] is None:
        return html.Div(
            [
                rule,
                dbc.Alert(
                    "No sum is required for this type, so there is nothing to check.",
                    color="secondary",
                    id=ids.MAPPING_CHECK_SUMMARY,
                    class_name="py-2",
                ),
            ],
            id=ids.MAPPING_CHECK,
        )
    sums, failures, by = check["sums"], check["failures"], check["sum_by"]
    if failures:
        summary = dbc.Alert(
            f"{failures:,} of {len(sums):,} sums per {by} are not 1.",
            color="danger",
            id=ids.MAPPING_CHECK_SUMMARY,
            class_name="py-2",
        )
    else:
        summary = dbc.Alert(
            f"All {len(sums):,} sums per {by} are 1.",
            color="success",
            id=ids.MAPPING_CHECK_SUMMARY,
            class_name="py-2",
        )
    shown = sums[:WORST_SHOWN]
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(by), html.Th("sum"), html.Th("rows"), html.Th("ok")])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(item[by]),
                            html.Td(f"{item['sum']:.6g}"),
                            html.Td(str(item["rows"])),
                            html.Td(
                                dbc.Badge("ok", color="success")
                                if item["ok"]
                                else dbc.Badge("not 1", color="danger")
                            ),
                        ]
                    )
                    for item in shown
                ]
            ),
        ],
        id=ids.MAPPING_CHECK_TABLE,
        size="sm",
        striped=True,
        class_name="w-auto mb-1",
    )
    caption = (
        f"The {len(shown)} sums furthest from 1 of {len(sums):,}."
        if len(sums) > len(shown)
        else f"Every sum per {by}, furthest from 1 first."
    )
    return html.Div(
        [rule, summary, table, html.P(caption, className="small text-muted")],
        id=ids.MAPPING_CHECK,
    )


def _sankey(detail: dict, flows: dict) -> html.Div:
    config = detail["config"]
    source, target = config["from_dimension"], config["to_dimension"]
    if not flows["links"]:
        return empty_state("No row maps to a to record: there are no flows to draw.")
    figure = sankey_figure(
        flows,
        from_names=_names(source["dimension_id"], source["version"]),
        to_names=_names(target["dimension_id"], target["version"]),
    )
    sides = html.Div(
        [
            html.Span(
                f"from: {source.get('name') or source['dimension_id']}",
                style={"color": FROM_COLOR},
            ),
            html.Span(
                f"to: {target.get('name') or target['dimension_id']}", style={"color": TO_COLOR}
            ),
        ],
        className="d-flex justify-content-between small fw-semibold",
    )
    if flows["grouped"]:
        note = (
            f"{flows['from_count']:,} from ids and {flows['to_count']:,} to ids: beyond "
            f"{len(flows['sources']) - 1} per side, the ids with the smallest total fraction "
            "are drawn as one 'other (n)' node. The matrix and the records grid show them all."
        )
    else:
        note = "Link widths are fractions; hover over a link or a node for its value."
    return html.Div(
        [
            html.P(note, id=ids.MAPPING_SANKEY_NOTE, className="small text-muted mb-1"),
            sides,
            dcc.Graph(id=ids.MAPPING_SANKEY, figure=figure, config={"displayModeBar": False}),
        ]
    )


def _matrix(detail: dict) -> html.Div:
    config = detail["config"]
    matrix = mapping_matrix(state.viewer().mapping_rows(detail["id"], detail["version"]))
    shown_from, shown_to = len(matrix["from_ids"]), len(matrix["to_ids"])
    note = (
        f"Showing {shown_from:,} of {matrix['from_count']:,} from ids (in the file's order) and "
        f"the {shown_to:,} to ids they map to, of {matrix['to_count']:,}. "
        "The records grid has every row."
        if matrix["capped"]
        else f"Every pair: {shown_from:,} from ids x {shown_to:,} to ids; empty cells: no row."
    )
    figure = matrix_figure(
        matrix,
        from_title=config["from_dimension"].get("name") or config["from_dimension"]["dimension_id"],
        to_title=config["to_dimension"].get("name") or config["to_dimension"]["dimension_id"],
    )
    return html.Div(
        [
            html.P(note, id=ids.MAPPING_MATRIX_NOTE, className="small text-muted mb-1"),
            dcc.Graph(id=ids.MAPPING_MATRIX, figure=figure, config={"displaylogo": False}),
        ]
    )


def _flows_section(detail: dict, flows: dict):
    if max(flows["from_count"], flows["to_count"]) <= LARGE:
        return _sankey(detail, flows)
    return html.Div(
        [
            dbc.Tabs(
                [
                    dbc.Tab(label="Flows (Sankey)", tab_id="flows"),
                    dbc.Tab(label="Matrix", tab_id="matrix"),
                ],
                id=ids.MAPPING_VIEW,
                active_tab="flows",
                class_name="mb-2",
            ),
            dcc.Loading(html.Div(id=ids.MAPPING_VIEW_CONTENT)),
        ]
    )


def _dropped(mapping_id: str, version: str) -> int:
    return sum(1 for r in state.viewer().mapping_rows(mapping_id, version) if not r["to_id"])


def layout(
    mapping_id: str | None = None,
    version: str | None = None,
    filter=None,
    any=None,
    sort=None,
    **query,
):
    asked = version  # the version the URL names (None: the latest)
    try:
        detail = page.load("dimension_mapping", mapping_id, version)
        version = detail["version"]
        viewer = state.viewer()
        first = viewer.mapping_records_page(mapping_id, version, limit=1)
        flows = dict(viewer.mapping_flows(mapping_id, version))
        flows["dropped"] = _dropped(mapping_id, version)
        check = viewer.fraction_check(mapping_id, version)
        config = detail["config"]
        header = page.header(
            detail,
            dbc.Badge(detail["type"], color="info", class_name="me-1"),
            dbc.Badge(config.get("mapping_type"), color="dark"),
        )
        flows_section = _flows_section(detail, flows)
        closing = page.closing_sections(detail, graph_height=320)
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
    columns = [{**c, "flex": 1} for c in column_defs(MAPPING_COLUMNS, numeric=("from_fraction",))]
    filter_model, order = grid_state(filter, any, sort, MAPPING_COLUMNS, numeric=("from_fraction",))
    links = link_data(
        f"/dimension-mappings/{quote(detail['id'], safe='')}/records",
        [("version", asked)] if asked else [],
        ("version",),
    )
    return html.Div(
        [
            header,
            dbc.Row(
                [
                    dbc.Col(_facts(config, first.total, flows), lg=7),
                    dbc.Col(
                        [html.H5("Fraction check"), _check_section(check)],
                        lg=5,
                    ),
                ],
                class_name="g-4 mb-3",
            ),
            html.H4("Records"),
            # a short mapping gets a short grid: header, filters, rows and the pager
            server_grid(
                ids.MAPPING_RECORDS,
                columns,
                height=min(360, 150 + 42 * first.total),
                filter_model=filter_model,
                sort=order,
            ),
            download_links(ids.MAPPING_RECORDS, links, url_page(query.get("page"))),
            html.H4("Flows", className="mt-4"),
            flows_section,
            *closing,
        ]
    )


register_download_links(ids.MAPPING_RECORDS)


@callback(
    Output(ids.MAPPING_RECORDS, "getRowsResponse"),
    Output(ids.grid_query(ids.MAPPING_RECORDS), "data"),
    Input(ids.MAPPING_RECORDS, "getRowsRequest"),
    State(ids.COMPONENT_STORE, "data"),
    State(ids.grid_query(ids.MAPPING_RECORDS), "data"),
)
def records(request, component, links):
    rows = answer(
        request, state.viewer().mapping_records_page, component["id"], component["version"]
    )
    return rows, with_grid_query(links, request)


@callback(
    Output(ids.MAPPING_VIEW_CONTENT, "children"),
    Input(ids.MAPPING_VIEW, "active_tab"),
    State(ids.COMPONENT_STORE, "data"),
)
def show_view(tab, component):
    if not component:
        return no_update
    try:
        detail = page.load("dimension_mapping", component["id"], component["version"])
        if tab == "matrix":
            return _matrix(detail)
        return _sankey(detail, state.viewer().mapping_flows(detail["id"], detail["version"]))
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
