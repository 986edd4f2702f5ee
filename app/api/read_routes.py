"""Read routes: the registry summary and search, every component kind (paged lists, one
version, versions, diffs, dependencies), records, mapping checks, dataset previews, coverage
and load profiles."""

from __future__ import annotations

import re
from typing import Any

import flask

from app import state
from app.api import models as m
from app.api.routing import ApiError, Route
from dsgrid_core import __version__
from dsgrid_core.browse.components import LIST_COLUMNS
from dsgrid_core.browse.datasets import PREVIEW_COLUMNS
from dsgrid_core.browse.paging import MAX_LIMIT, OPERATORS, AnyOf, Filter, parse_sort
from dsgrid_core.browse.records import MAPPING_COLUMNS, record_columns
from dsgrid_core.settings import get as setting

ROUTES: list[Route] = []


def route(method: str, path: str, *, tag: str, summary: str, **options):
    def register(handler):
        ROUTES.append(Route(method, path, summary, handler, tag, **options))
        return handler

    return register


def parse_filters(values: list[str], any_of: list[str] = ()) -> list[Filter | AnyOf]:
    """``column:operator:value`` strings as Filters (``in`` takes a comma-separated list), and
    the ``group:column:operator:value`` strings of ``any_of`` as one AnyOf per group."""
    groups: dict[str, list[str]] = {}
    for text in any_of:
        group, _, rest = text.partition(":")
        groups.setdefault(group, []).append(rest)
    out: list[Filter | AnyOf] = [AnyOf(tuple(parse_filters(g))) for g in groups.values()]
    for text in values:
        parts = text.split(":", 2)
        if len(parts) < 2 or parts[1] not in OPERATORS:
            raise ApiError(
                400,
                f"filter '{text}' is not COLUMN:OPERATOR:VALUE with an operator among "
                f"{', '.join(OPERATORS)}.",
                type="InputError",
            )
        column, operator = parts[0], parts[1]
        value = parts[2] if len(parts) > 2 else None
        if operator == "in":
            value = [v for v in (value or "").split(",") if v]
        out.append(Filter(column, operator, value))
    return out


DOWNLOAD_FILES = {
    "text/csv": "format=csv: every matching item (all pages), in the sort asked.",
    "application/x-ndjson": "format=ndjson: every matching item, one JSON object per line.",
}
MEDIA_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
SEARCH_FILES = {
    "text/csv": "format=csv: every hit of the answer, components then records, with why.",
    "application/x-ndjson": "format=ndjson: the same hits, one JSON object per line.",
}


def download(question: str, *args: Any, format: str, name: str, **options: Any) -> flask.Response:
    """A streamed file answer of every row of a paged viewer question (its name, with its
    arguments but no paging), under a file name that says what it holds. The viewer reads the
    first rows now, so a bad filter or an unknown id answers 400 or 404, never half a file."""
    chunks = state.viewer().download(question, *args, format=format, **options)
    response = flask.Response(chunks, mimetype=MEDIA_TYPES[format])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def file_name(*parts: str | None, extension: str) -> str:
    """A download's file name from what it holds (``dimension``, an id, ``records``), safe in a
    Content-Disposition header."""
    words = [re.sub(r"[^A-Za-z0-9._-]+", "_", p) for p in parts if p]
    return "_".join(words).strip("._") + "." + extension


def _records_name(kind: str, id: str, params: m.RecordsParams) -> str:
    filtered = "filtered" if params.filter or params.any else None
    return file_name(kind, id, params.version, "records", filtered, extension=params.format)


def _kind(kind: str) -> str:
    try:
        return m.KIND_OF[kind]
    except KeyError:
        raise ApiError(
            404,
            f"unknown kind '{kind}'; use one of {', '.join(m.KIND_OF)}.",
            type="NotFoundError",
        ) from None


# --- the registry ----------------------------------------------------------------------------


@route("GET", "/health", tag="registry", summary="Liveness and the registry", answer=m.Health)
def get_health():
    try:
        current = state.current_state()
    except state.NoRegistry:
        current = None
    return {"registry": state.label(), "version": __version__, "state": current}


@route(
    "GET",
    "/summary",
    tag="registry",
    summary="Counts, latest, storage",
    params=m.SummaryParams,
    answer=m.Summary,
)
def get_summary(params: m.SummaryParams):
    return state.viewer().summary(latest=params.latest)


@route(
    "GET",
    "/search",
    tag="registry",
    summary="Components and dimension records matching a text",
    params=m.SearchParams,
    answer=m.SearchResult,
    errors=(400,),
    files=SEARCH_FILES,
)
def search(params: m.SearchParams):
    viewer = state.viewer()
    if params.format == "json":
        return viewer.search(params.q, limit=params.limit)
    chunks = viewer.search_file(params.q, format=params.format, limit=params.limit)
    response = flask.Response(chunks, mimetype=MEDIA_TYPES[params.format])
    name = file_name("search", params.q[:60], extension=params.format)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- components ------------------------------------------------------------------------------


@route(
    "GET",
    "/{kind}",
    tag="components",
    summary="A page of components of one kind",
    params=m.ListParams,
    answer=list[m.ComponentSummary],
    paged=True,
    files=DOWNLOAD_FILES,
)
def list_kind(kind: m.Kind, params: m.ListParams):
    viewer = state.viewer()
    chosen = dict(
        _choices(params),
        filters=parse_filters(params.filter, params.any),
        sort=parse_sort(params.sort, LIST_COLUMNS),
    )
    if params.format != "json":
        filtered = any(_choices(params).values()) or params.filter or params.any
        name = file_name(
            kind.replace("-", "_"), "filtered" if filtered else None, extension=params.format
        )

        return download(
            "components",
            _kind(kind),
            format=params.format,
            name=name,
            columns=LIST_COLUMNS,
            **chosen,
        )
    return viewer.components(
        _kind(kind), **chosen, limit=params.limit, token=params.next, offset=params.offset
    )


def _choices(params: m.FacetParams) -> dict[str, str | None]:
    return dict(
        type=params.type,
        text=params.q,
        project=params.project,
        class_=params.class_,
        status=params.status,
    )


@route(
    "GET",
    "/facets/{kind}",
    tag="components",
    summary="Facet counts of a component list: how many each type, class, status, project has",
    params=m.FacetCountParams,
    answer=dict[str, dict[str, int]],
    description="Per facet the kind has (datasets: type, status, project; dimensions and "
    "mappings: type, class, project; projects: status), how many components each value "
    "would leave under the other choices and filters; values with none are left out.",
)
def list_facets(kind: m.Kind, params: m.FacetCountParams):
    filters = parse_filters(params.filter, params.any)
    return state.viewer().facets(_kind(kind), **_choices(params), filters=filters)


@route(
    "GET",
    "/{kind}/{id}",
    tag="components",
    summary="One version of a component (the latest by default)",
    params=m.VersionParams,
    answer=m.ComponentDetail,
)
def get_component(kind: m.Kind, id: str, params: m.VersionParams):
    return state.viewer().component(_kind(kind), id, params.version)


@route(
    "GET",
    "/{kind}/{id}/versions",
    tag="components",
    summary="Every version of a component, oldest first",
    answer=list[m.VersionInfo],
)
def get_versions(kind: m.Kind, id: str):
    return state.viewer().versions(_kind(kind), id)


@route(
    "GET",
    "/{kind}/{id}/diff",
    tag="components",
    summary="What changed between two versions",
    params=m.DiffParams,
    answer=m.VersionDiff,
)
def get_diff(kind: m.Kind, id: str, params: m.DiffParams):
    return state.viewer().version_diff(_kind(kind), id, params.from_, params.to)


@route(
    "GET",
    "/{kind}/{id}/dependencies",
    tag="components",
    summary="The dependency graph below a component version, and its direct users",
    params=m.VersionParams,
    answer=m.Graph,
)
def get_dependencies(kind: m.Kind, id: str, params: m.VersionParams):
    return state.viewer().dependency_graph(_kind(kind), id, params.version)


@route(
    "GET",
    "/{kind}/{id}/dependents",
    tag="components",
    summary="Component versions that use this component",
    answer=list[m.Dependent],
)
def get_dependents(kind: m.Kind, id: str):
    return state.viewer().where_used(_kind(kind), id)


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
        name = _records_name("dimension", id, params)
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
        name = _records_name("dimension_mapping", id, params)
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


# --- datasets and projects -------------------------------------------------------------------


@route(
    "GET",
    "/datasets/{id}/facts",
    tag="datasets",
    summary="Row count, size, time range, layout, dimensions and metadata",
    params=m.VersionParams,
    answer=m.DatasetFacts,
)
def dataset_facts(id: str, params: m.VersionParams):
    return state.viewer().dataset_facts(id, params.version)


@route(
    "GET",
    "/datasets/{id}/preview",
    tag="datasets",
    summary="A page of the stored rows (stacked)",
    params=m.PreviewParams,
    answer=list[m.PreviewRow],
    paged=True,
    errors=(400, 404, 413),
    files=DOWNLOAD_FILES,
)
def dataset_preview(id: str, params: m.PreviewParams):
    viewer = state.viewer()
    chosen = dict(
        filters=parse_filters(params.filter, params.any),
        sort=parse_sort(params.sort, PREVIEW_COLUMNS),
    )
    if params.format != "json":
        total = viewer.preview(id, params.version, filters=chosen["filters"], limit=1).total
        cap = int(setting("DSGRID_CSV_ROW_CAP"))
        if total > cap:
            raise ApiError(
                413,
                f"{total:,} rows match, above the download cap of {cap:,} "
                "(DSGRID_CSV_ROW_CAP): filter more, or run a query and download it as Parquet.",
                type="TooLarge",
            )
        filtered = "filtered" if params.filter or params.any else None
        name = file_name("dataset", id, params.version, "rows", filtered, extension=params.format)
        return download(
            "preview",
            id,
            params.version,
            format=params.format,
            name=name,
            columns=PREVIEW_COLUMNS,
            **chosen,
        )
    return viewer.preview(
        id,
        params.version,
        **chosen,
        limit=params.limit,
        offset=params.offset,
        token=params.next,
    )


@route(
    "GET",
    "/datasets/{id}/coverage",
    tag="datasets",
    summary="Which (x, y) record pairs the dataset holds, declares missing or lacks",
    params=m.CoverageParams,
    answer=m.Coverage,
    description="Cells: 2 present, 1 declared missing, 0 absent.",
)
def dataset_coverage(id: str, params: m.CoverageParams):
    return state.viewer().coverage(id, params.version, x=params.x, y=params.y)


@route(
    "GET",
    "/datasets/{id}/profile",
    tag="datasets",
    summary="Summed values of chosen records over time, in the dataset's time zone",
    params=m.ProfileParams,
    answer=m.LoadProfile,
)
def dataset_profile(id: str, params: m.ProfileParams):
    chosen = {
        t: getattr(params, t)
        for t in (
            "geography",
            "sector",
            "subsector",
            "metric",
            "model_year",
            "scenario",
            "weather_year",
        )
        if getattr(params, t)
    }
    return state.viewer().load_profile(
        id,
        params.version,
        records=chosen,
        by=params.by,
        resolution=params.resolution,
    )


@route(
    "GET",
    "/projects/{id}/overview",
    tag="projects",
    summary="Dimensions and expected datasets with their status",
    params=m.VersionParams,
    answer=m.ProjectOverview,
)
def project_overview(id: str, params: m.VersionParams):
    return state.viewer().project_overview(id, params.version)


@route(
    "GET",
    "/projects/{id}/coverage",
    tag="projects",
    summary="Required record pairs a submitted dataset provides",
    params=m.ProjectCoverageParams,
    answer=m.ProjectCoverage,
    description="Cells: 2 present, 1 declared missing, 0 required but absent, -1 not required.",
)
def project_coverage(id: str, params: m.ProjectCoverageParams):
    return state.viewer().project_coverage(
        id,
        params.dataset,
        version=params.version,
        x=params.x,
        y=params.y,
    )


@route(
    "GET",
    "/projects/{id}/query-choices",
    tag="projects",
    summary="What a query over the project can name (datasets, dimensions, subsets, time)",
    answer=m.QueryChoices,
)
def query_choices(id: str):
    return state.viewer().query_choices(id)


@route(
    "GET",
    "/projects/{id}/query-records",
    tag="projects",
    summary="The records of one of the project's dimensions, by type and name",
    params=m.QueryRecordsParams,
    answer=list[m.QueryRecord],
)
def query_records(id: str, params: m.QueryRecordsParams):
    return state.viewer().query_records(id, params.type, params.name)
