"""What the API accepts: query parameters and request bodies."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

from app.api.models.envelope import Model, Open
from dsgrid_core.browse.components import LIST_COLUMNS as BROWSE_LIST_COLUMNS
from dsgrid_core.browse.datasets import PREVIEW_COLUMNS as BROWSE_PREVIEW_COLUMNS
from dsgrid_core.browse.facets import (
    ALL_CLASSES,
    ALL_STATUSES,
    ALL_TYPES,
    DATASET_STATUSES,
    DATASET_TYPES,
    PROJECT_STATUSES,
)
from dsgrid_core.browse.paging import DEFAULT_LIMIT, MAX_LIMIT
from dsgrid_core.browse.records import MAPPING_COLUMNS
from dsgrid_core.engine import ENGINES


class Kind(StrEnum):
    projects = "projects"
    datasets = "datasets"
    dimensions = "dimensions"
    dimension_mappings = "dimension-mappings"


KIND_OF = {
    "projects": "project",
    "datasets": "dataset",
    "dimensions": "dimension",
    "dimension-mappings": "dimension_mapping",
}

DimensionTypeName = Literal[
    "metric", "geography", "sector", "subsector", "weather_year", "model_year", "scenario"
]
AnyDimensionType = Literal[
    "metric", "geography", "sector", "subsector", "weather_year", "model_year", "scenario", "time"
]
FilterText = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*:(exact|not|contains|notcontains|startswith|endswith"
        r"|gt|gte|lt|lte|in|blank|notblank)(:.*)?$",
        max_length=1000,
    ),
]
SortText = Annotated[str, StringConstraints(pattern=r"^-?\w+(,-?\w+)*$", max_length=500)]
_OPERATORS = "exact|not|contains|notcontains|startswith|endswith|gt|gte|lt|lte|in|blank|notblank"
# The columns a list or preview can be sorted and filtered by: stated in the document, so a
# client (or schemathesis) knows which names the server takes; the browse layer's own lists.
LIST_COLUMNS = tuple(BROWSE_LIST_COLUMNS)
PREVIEW_COLUMNS = tuple(BROWSE_PREVIEW_COLUMNS)


def _sort_text(columns: tuple[str, ...]) -> Any:
    name = "(" + "|".join(columns) + ")"
    return Annotated[str, StringConstraints(pattern=f"^-?{name}(,-?{name})*$", max_length=500)]


def _filter_text(columns: tuple[str, ...]) -> Any:
    pattern = "^(" + "|".join(columns) + f"):({_OPERATORS})(:.*)?$"
    return Annotated[str, StringConstraints(pattern=pattern, max_length=1000)]


VersionText = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$", max_length=40)]
Token = Annotated[str, StringConstraints(min_length=1, max_length=4096)]
RecordId = Annotated[str, StringConstraints(min_length=1, max_length=500)]

FILTER_HELP = (
    "Repeatable. COLUMN:OPERATOR:VALUE, e.g. name:contains:county or "
    "from_fraction:lt:1. Operators: exact, not, contains, notcontains, startswith, "
    "endswith, gt, gte, lt, lte, in (VALUE a comma-separated list), blank, notblank."
)
ANY_HELP = (
    "Repeatable. GROUP:COLUMN:OPERATOR:VALUE: filters of one GROUP (a number) of which at "
    "least one must match, e.g. any=1:name:startswith:a&any=1:name:startswith:b."
)
AnyText = Annotated[
    str,
    StringConstraints(
        pattern=r"^\d{1,3}:[A-Za-z_][A-Za-z0-9_]*:(exact|not|contains|notcontains|startswith"
        r"|endswith|gt|gte|lt|lte|in|blank|notblank)(:.*)?$",
        max_length=1000,
    ),
]


def _any_text(columns: tuple[str, ...]) -> Any:
    """``any`` on a table whose columns are known: GROUP:COLUMN:OPERATOR[:VALUE]."""
    pattern = r"^\d{1,3}:(" + "|".join(columns) + f"):({_OPERATORS})(:.*)?$"
    return Annotated[str, StringConstraints(pattern=pattern, max_length=1000)]


DownloadFormat = Literal["json", "csv", "ndjson"]
DOWNLOAD_HELP = (
    "json: one page in the envelope. csv or ndjson (one JSON object per line): every matching "
    "item, all pages, in the sort asked, streamed as a file download (limit, next and offset "
    "are ignored); CSV cells that would start a spreadsheet formula begin with an apostrophe."
)


class PageParams(Model):
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per page (at most {MAX_LIMIT}).",
    )
    next: Token | None = Field(None, description="The token of the previous page's `next`.")
    offset: int | None = Field(
        None, ge=0, le=10**12, description="Start at this item (instead of `next`)."
    )
    sort: SortText | None = Field(
        None, description="Comma-separated columns; a leading '-' sorts descending."
    )
    filter: list[FilterText] = Field(default_factory=list, description=FILTER_HELP)
    any: list[AnyText] = Field(default_factory=list, description=ANY_HELP)


class FacetParams(Model):
    """The choices of a component list (and of its facet counts)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    q: str | None = Field(None, description="Text in the id, name or description.", max_length=200)
    type: Literal[ALL_TYPES] | None = Field(
        None,
        description="Dimensions and mappings: a dimension type. Datasets: a dataset type "
        f"({', '.join(DATASET_TYPES)}). Projects have none.",
    )
    class_: Literal[ALL_CLASSES] | None = Field(
        None,
        alias="class",
        description="Dimensions: a record class (County, EnergyEndUse, ...). Mappings: a "
        "mapping type (one_to_one, many_to_one_aggregation, ...). Datasets and projects "
        "have none.",
    )
    status: Literal[ALL_STATUSES] | None = Field(
        None,
        description=f"Projects: {', '.join(PROJECT_STATUSES)}. Datasets: "
        f"{', '.join(DATASET_STATUSES)} (in the projects listing them). Dimensions "
        "and mappings have none.",
    )
    project: str | None = Field(
        None, description="Only components the project uses (its latest version).", max_length=200
    )


class FacetCountParams(FacetParams):
    filter: list[_filter_text(LIST_COLUMNS)] = Field(default_factory=list, description=FILTER_HELP)
    any: list[_any_text(LIST_COLUMNS)] = Field(default_factory=list, description=ANY_HELP)


class ListParams(PageParams, FacetParams):
    sort: _sort_text(LIST_COLUMNS) | None = Field(
        None, description="Comma-separated columns; a leading '-' sorts descending."
    )
    filter: list[_filter_text(LIST_COLUMNS)] = Field(default_factory=list, description=FILTER_HELP)
    format: DownloadFormat = Field("json", description=DOWNLOAD_HELP)


class VersionParams(Model):
    version: VersionText | None = Field(None, description="A version; the latest when omitted.")


class RecordsParams(PageParams, VersionParams):
    format: DownloadFormat = Field("json", description=DOWNLOAD_HELP)


class MappingRecordsParams(RecordsParams):
    """A mapping's records have the same columns whatever the mapping."""

    sort: _sort_text(tuple(MAPPING_COLUMNS)) | None = Field(
        None, description="Comma-separated columns; a leading '-' sorts descending."
    )
    filter: list[_filter_text(tuple(MAPPING_COLUMNS))] = Field(
        default_factory=list, description=FILTER_HELP
    )


class DiffParams(Model):
    from_: VersionText = Field(alias="from", description="The older version.")
    to: VersionText = Field(description="The newer version.")


class SearchParams(Model):
    q: str = Field(min_length=1, max_length=200, description="Text to look for.")
    limit: int = Field(20, ge=1, le=100, description="At most this many hits of each group.")
    format: DownloadFormat = Field(
        "json",
        description="json: the answer in the envelope. csv or ndjson (one JSON object per "
        "line): the same hits as a file, components then records, one row each with `hit` "
        "(component or record) and `why` (why it matched, in words).",
    )


class PreviewParams(VersionParams):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10**12)
    next: Token | None = Field(None, description="The token of the previous page's `next`.")
    sort: _sort_text(PREVIEW_COLUMNS) | None = None
    filter: list[_filter_text(PREVIEW_COLUMNS)] = Field(
        default_factory=list, description=FILTER_HELP
    )
    any: list[AnyText] = Field(default_factory=list, description=ANY_HELP)
    format: DownloadFormat = Field(
        "json",
        description=DOWNLOAD_HELP + " At most DSGRID_CSV_ROW_CAP rows (413 above it).",
    )


class CoverageParams(VersionParams):
    x: DimensionTypeName = Field("geography", description="Dimension type across.")
    y: DimensionTypeName = Field("subsector", description="Dimension type down.")


class ProjectCoverageParams(CoverageParams):
    dataset: RecordId = Field(description="A dataset submitted to the project.")


class ProfileParams(VersionParams):
    geography: list[RecordId] = Field(default_factory=list)
    sector: list[RecordId] = Field(default_factory=list)
    subsector: list[RecordId] = Field(default_factory=list)
    metric: list[RecordId] = Field(default_factory=list)
    model_year: list[RecordId] = Field(default_factory=list)
    scenario: list[RecordId] = Field(default_factory=list)
    weather_year: list[RecordId] = Field(default_factory=list)
    by: DimensionTypeName | None = Field(
        None, description="One series per record of this dimension type."
    )
    resolution: Literal["hour", "day", "month"] = "hour"


class FlowParams(VersionParams):
    max_nodes: int = Field(40, ge=2, le=500)


class RegistrationRequest(Model):
    kind: Literal["dimension", "dimension_mapping", "dataset", "project"] = Field(
        description="What the config registers."
    )
    config: dict[str, Any] = Field(
        description="The dsgrid config (as in its JSON5 file). Records may be given inline "
        "('records' lists); the files it names (records, mappings, a dataset's tables) are "
        "those of `upload_session`, by the names they were uploaded under."
    )
    log_message: str = Field(min_length=1, max_length=2000)
    config_name: str = Field(
        "",
        max_length=200,
        pattern=r"^[\w.-]*$",
        description="The config's file name, as messages name it (default `<kind>.json5`).",
    )
    upload_session: str | None = Field(
        None,
        pattern=r"^[0-9a-f]{32}$",
        description="The session of POST /uploads holding the files the config names; it is "
        "ended once the registration has started (the job keeps its own copies).",
    )


class SubmissionRequest(Model):
    project_id: str = Field(min_length=1, max_length=200)
    dataset_id: str = Field(min_length=1, max_length=200, description="A registered dataset.")
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="The dataset's dimension mappings to the project (dsgrid's "
        "dimension_mappings.json5 for submit-dataset; empty when none are needed).",
    )
    log_message: str = Field(min_length=1, max_length=2000)
    config_name: str = Field("", max_length=200, pattern=r"^[\w.-]*$")
    upload_session: str | None = Field(
        None, pattern=r"^[0-9a-f]{32}$", description="As for POST /registrations."
    )


class UploadSession(Open):
    session: str = Field(description="Give it to PUT .../files/{name} and POST /registrations.")


class UploadedFile(Open):
    name: str = Field(description="The name the config refers to the file by.")
    kind: str = Field(description="What the server read the file as (csv, parquet, json5, ...).")
    size: int


class JobListParams(Model):
    limit: int = Field(20, ge=1, le=200)


class ResultParams(Model):
    format: Literal["json", "csv", "ndjson", "parquet"] = Field(
        "json",
        description="json: one page in the envelope. csv, or ndjson (one JSON object per line, "
        "as the pages give the rows; streamed): the whole table, up to DSGRID_CSV_ROW_CAP rows. "
        "parquet: the whole table, any size.",
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (json).")
    offset: int = Field(0, ge=0, le=10**12, description="First row (json).")
    next: Token | None = Field(
        None, description="The token of the previous page's `next` (json; instead of offset)."
    )
    sort: SortText | None = Field(
        None, description="json: comma-separated columns; a leading '-' sorts descending."
    )
    filter: list[FilterText] = Field(default_factory=list, description="json. " + FILTER_HELP)
    any: list[AnyText] = Field(default_factory=list, description="json. " + ANY_HELP)


class SummaryParams(Model):
    latest: int = Field(10, ge=0, le=100, description="How many latest registrations.")


class QueryRecordsParams(Model):
    type: DimensionTypeName = Field(description="The dimension type.")
    name: RecordId = Field(description="The name of one of the project's dimensions of it.")


class QueryRequest(Model):
    query: dict[str, Any] = Field(
        description="A dsgrid project query (or a dataset query: an object with dataset_id), "
        "as in `dsgrid query run`."
    )
    engine: Literal[tuple(ENGINES)] = "duckdb"  # the names of dsgrid_core.engine.ENGINES
    time_limit: float | None = Field(None, gt=0, le=86400, description="Seconds.")
    use_cache: bool = True
    wait: float = Field(
        0,
        ge=0,
        le=30,
        description="Seconds to wait for the job before answering (small "
        "queries are then finished when the answer comes).",
    )
