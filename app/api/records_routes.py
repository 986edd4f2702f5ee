"""Routes of records: a dimension's records and a mapping's (paged, or every one as a file),
the fraction sums a mapping's type requires, and its flows."""

from __future__ import annotations

from app import state
from app.api import models as m
from app.api.route_table import DOWNLOAD_FILES, download, parse_filters, records_name, route
from dsgrid_core.browse.paging import MAX_LIMIT, parse_sort
from dsgrid_core.browse.records import MAPPING_COLUMNS, record_columns

# --- records ---------------------------------------------------------------------------------


@route(
    "GET",
    "/dimensions/{id}/records",
    tag="records",
    summary="A page of a dimension's records (every column)",
    params=m.RecordsParams,
    answer=list[dict],
    paged=True,
    files=DOWNLOAD_FILES,
)
def dimension_records(id: str, params: m.RecordsParams):
    viewer = state.viewer()
    chosen = dict(
        filters=parse_filters(params.filter, params.any), sort=parse_sort(params.sort, [])
    )
    if params.format != "json":
        columns = None  # a local viewer knows every column of the records
        if not viewer.local:  # a remote page carries no columns: those of the first records
            first = viewer.records_page(id, params.version, limit=MAX_LIMIT)
            columns = record_columns(first.items)
        name = records_name("dimension", id, params)
        return download(
            "records_page",
            id,
            params.version,
            format=params.format,
            name=name,
            columns=columns,
            **chosen,
        )
    return viewer.records_page(
        id, params.version, **chosen, limit=params.limit, token=params.next, offset=params.offset
    )


@route(
    "GET",
    "/dimension-mappings/{id}/records",
    tag="records",
    summary="A page of a mapping's records",
    params=m.MappingRecordsParams,
    answer=list[m.MappingRecord],
    paged=True,
    files=DOWNLOAD_FILES,
)
def mapping_records(id: str, params: m.MappingRecordsParams):
    viewer = state.viewer()
    chosen = dict(
        filters=parse_filters(params.filter, params.any),
        sort=parse_sort(params.sort, MAPPING_COLUMNS),
    )
    if params.format != "json":
        name = records_name("dimension_mapping", id, params)
        return download(
            "mapping_records_page",
            id,
            params.version,
            format=params.format,
            name=name,
            columns=MAPPING_COLUMNS,
            **chosen,
        )
    return viewer.mapping_records_page(
        id, params.version, **chosen, limit=params.limit, token=params.next, offset=params.offset
    )


@route(
    "GET",
    "/dimension-mappings/{id}/check",
    tag="records",
    summary="The fraction sums the mapping type requires, worst first",
    params=m.VersionParams,
    answer=m.FractionCheck,
)
def mapping_check(id: str, params: m.VersionParams):
    return state.viewer().fraction_check(id, params.version)


@route(
    "GET",
    "/dimension-mappings/{id}/flows",
    tag="records",
    summary="From -> to flows weighted by fraction (small ids grouped beyond max_nodes)",
    params=m.FlowParams,
    answer=m.Flows,
)
def mapping_flows(id: str, params: m.FlowParams):
    return state.viewer().mapping_flows(id, params.version, max_nodes=params.max_nodes)
