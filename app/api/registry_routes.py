"""Routes of the registry as a whole (health, summary, search) and of its components of every
kind: paged lists and their facet counts, one version, every version, diffs, dependencies and
dependents."""

from __future__ import annotations

import flask

from app import state
from app.api import models as m
from app.api.route_table import (
    DOWNLOAD_FILES,
    MEDIA_TYPES,
    SEARCH_FILES,
    download,
    file_name,
    kind_name,
    parse_filters,
    route,
)
from dsgrid_core import __version__
from dsgrid_core.browse.components import LIST_COLUMNS
from dsgrid_core.browse.paging import parse_sort

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
            kind_name(kind),
            format=params.format,
            name=name,
            columns=LIST_COLUMNS,
            **chosen,
        )
    return viewer.components(
        kind_name(kind), **chosen, limit=params.limit, token=params.next, offset=params.offset
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
    return state.viewer().facets(kind_name(kind), **_choices(params), filters=filters)


@route(
    "GET",
    "/{kind}/{id}",
    tag="components",
    summary="One version of a component (the latest by default)",
    params=m.VersionParams,
    answer=m.ComponentDetail,
)
def get_component(kind: m.Kind, id: str, params: m.VersionParams):
    return state.viewer().component(kind_name(kind), id, params.version)


@route(
    "GET",
    "/{kind}/{id}/versions",
    tag="components",
    summary="Every version of a component, oldest first",
    answer=list[m.VersionInfo],
)
def get_versions(kind: m.Kind, id: str):
    return state.viewer().versions(kind_name(kind), id)


@route(
    "GET",
    "/{kind}/{id}/diff",
    tag="components",
    summary="What changed between two versions",
    params=m.DiffParams,
    answer=m.VersionDiff,
)
def get_diff(kind: m.Kind, id: str, params: m.DiffParams):
    return state.viewer().version_diff(kind_name(kind), id, params.from_, params.to)


@route(
    "GET",
    "/{kind}/{id}/dependencies",
    tag="components",
    summary="The dependency graph below a component version, and its direct users",
    params=m.VersionParams,
    answer=m.Graph,
)
def get_dependencies(kind: m.Kind, id: str, params: m.VersionParams):
    return state.viewer().dependency_graph(kind_name(kind), id, params.version)


@route(
    "GET",
    "/{kind}/{id}/dependents",
    tag="components",
    summary="Component versions that use this component",
    answer=list[m.Dependent],
)
def get_dependents(kind: m.Kind, id: str):
    return state.viewer().where_used(kind_name(kind), id)
