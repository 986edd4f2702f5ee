"""Routes of datasets and projects: a dataset's facts, stored rows, coverage and load profile;
a project's overview, coverage and what a query over it can name."""

from __future__ import annotations

from app import state
from app.api import models as m
from app.api.route_table import DOWNLOAD_FILES, download, file_name, parse_filters, route
from app.api.routing import ApiError
from dsgrid_core.browse.datasets import PREVIEW_COLUMNS
from dsgrid_core.browse.paging import parse_sort
from dsgrid_core.settings import get as setting

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
