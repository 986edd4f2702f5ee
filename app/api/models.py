"""What the HTTP API accepts and answers, as pydantic models: the one source of both the
request checks and the OpenAPI document (`openapi.py`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """Answers may carry more fields in later versions."""

    model_config = ConfigDict(extra="allow")


# --- the envelope --------------------------------------------------------------------------


class ErrorBody(Open):
    type: str = Field(description="The error's class, e.g. NotFoundError.")
    message: str = Field(description="What is wrong and what to do, in one paragraph.")
    details: list[str] = Field(default_factory=list)


class Envelope(Open, Generic[T]):
    """Every answer: ``ok``; ``data`` when ok; ``error`` when not; ``next`` on paged lists."""

    ok: bool
    status: int = Field(description="The HTTP status, repeated for clients that lose it.")
    data: T | None = None
    next: str | None = Field(
        default=None, description="Token for the next page (pass it as ?next=); null at the end."
    )
    total: int | None = Field(default=None, description="Matching items over all pages.")
    error: ErrorBody | None = None


class ErrorEnvelope(Open):
    ok: Literal[False]
    status: int
    error: ErrorBody


# --- query parameters ----------------------------------------------------------------------


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


# --- answers -------------------------------------------------------------------------------


class ComponentSummary(Open):
    kind: str
    id: str
    name: str
    type: str | None = None
    version: str
    description: str
    registered_at: str
    updated_at: str


class Ref(Open):
    kind: str
    id: str
    version: str


class ComponentDetail(Open):
    kind: str
    id: str
    name: str
    type: str | None = None
    description: str
    version: str
    latest_version: str
    versions: list[str]
    registered_at: str
    submitter: str
    log_message: str
    config: dict[str, Any]
    extra: dict[str, Any]
    facts: dict[str, Any]
    dependencies: list[Ref]


class VersionInfo(Open):
    version: str
    registered_at: str
    submitter: str
    log_message: str


class Change(Open):
    path: str
    change: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None


class VersionDiff(Open):
    kind: str
    id: str
    old: str
    new: str
    changes: list[Change]


class GraphNode(Open):
    id: str
    kind: str
    component_id: str
    version: str
    label: str
    type: str | None = None
    role: Literal["root", "uses", "used_by"]


class GraphEdge(Open):
    source: str
    target: str


class Graph(Open):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class Dependent(Open):
    kind: str
    id: str
    version: str
    uses_version: str
    latest: bool
    name: str


class MappingRecord(Open):
    from_id: str
    to_id: str | None
    from_fraction: float


class FractionCheck(Open):
    mapping_type: str
    sum_by: Literal["from_id", "to_id"] | None
    rule: str
    tolerance: float | None
    sums: list[dict[str, Any]]
    failures: int


class Link(Open):
    source: str
    target: str
    value: float


class Flows(Open):
    sources: list[str]
    targets: list[str]
    links: list[Link]
    grouped: bool
    from_count: int
    to_count: int


class Storage(Open):
    database_bytes: int
    data_bytes: int
    cache_bytes: int
    total_bytes: int


class Registration(Open):
    kind: str
    id: str
    version: str
    registered_at: str
    log_message: str
    submitter: str
    name: str


class Summary(Open):
    path: str
    counts: dict[str, int]
    latest: list[Registration]
    storage: Storage
    state: str


class RecordHit(Open):
    dimension_id: str
    version: str
    record_id: str
    record_name: str | None
    dimension_name: str
    type: str | None


class ComponentHit(Open):
    kind: str
    id: str
    name: str
    type: str | None
    version: str
    description: str


class SearchResult(Open):
    components: list[ComponentHit]
    records: list[RecordHit]


class DatasetFacts(Open):
    dataset_id: str
    version: str
    row_count: int | None
    size_bytes: int | None
    sha256: str | None
    time_range: list[str | None]
    layout: dict[str, Any]
    dimensions: dict[str, Any]
    trivial: dict[str, Any]
    metadata: dict[str, Any]


class PreviewRow(Open):
    metric: str | None
    geography: str | None
    sector: str | None
    subsector: str | None
    weather_year: str | None
    model_year: str | None
    scenario: str | None
    timestamp: str | None
    value: float | None


class Coverage(Open):
    x: str
    y: str
    x_ids: list[str]
    y_ids: list[str]
    z: list[list[int]]
    counts: dict[str, int]


class ProjectCoverage(Coverage):
    required: int


class Series(Open):
    name: str
    x: list[str]
    y: list[float]
    unit: str | None = Field(None, description="The unit of y (after any conversion).")
    kind: str | None = Field(
        None, description="energy, power, or the unit itself when the tool does not know it."
    )


class UnitConversion(Open):
    from_: str = Field(alias="from", description="The stored unit.")
    to: str = Field(description="The unit it was converted to before adding.")
    factor: float = Field(description="1 `from` = factor `to`.")
    records: list[str] = Field(description="The end uses stored in `from`.")


class LoadProfile(Open):
    resolution: str
    time_zone: str | None
    unit: str | None = Field(None, description="The unit of every series, when they share one.")
    kinds: list[str] = Field(
        default_factory=list,
        description="The unit kinds of the chosen end uses; kinds are never added together.",
    )
    conversions: list[UnitConversion] = Field(
        default_factory=list, description="What was converted before adding."
    )
    series: list[Series]


class ExpectedDataset(Open):
    dataset_id: str
    dataset_type: str | None
    status: str
    version: str | None
    mappings: list[dict[str, Any]]
    required_dimensions: dict[str, Any]


class ProjectOverview(Open):
    project_id: str
    version: str
    name: str | None
    description: str | None
    status: str | None
    base_dimensions: list[dict[str, Any]]
    supplemental_dimensions: list[dict[str, Any]]
    subset_dimensions: list[dict[str, Any]]
    datasets: list[ExpectedDataset]


class Job(Open):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    stages_done: int
    stages_total: int
    message: str
    error: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    time_limit: float | None
    row_count: int | None = None
    components: list[dict[str, Any]] = Field(
        default_factory=list, description="What a finished registration made."
    )
    problems: list[dict[str, str]] = Field(
        default_factory=list, description="A failed registration's problems, field by field."
    )
    reason: str | None = Field(None, description="Why a registration failed, in a line.")
    details: list[str] = Field(
        default_factory=list, description="A failed registration's further explanation."
    )
    query: dict[str, Any] | None = Field(None, description="What a query job runs.")
    columns: list[dict[str, Any]] = Field(
        default_factory=list, description="A finished query's result columns and their kinds."
    )
    time_zone: str | None = Field(None, description="The time zone of a result's timestamps.")
    links: dict[str, str] = Field(default_factory=dict)


class QueryChoices(Open):
    project_id: str
    version: str
    datasets: list[str] = Field(description="The project's submitted datasets.")
    dimensions: dict[str, list[str]] = Field(
        description="Per dimension type, the names a query can group or filter by (base first)."
    )
    subsets: dict[str, list[str]] = Field(description="Per dimension type, subset selectors.")
    time_name: str
    time_zone: str | None
    default_unit: str | None = Field(
        description="The unit a sum over metrics of one kind is converted to when none is chosen."
    )


class QueryRecord(Open):
    id: str
    name: str
    unit: str | None = None


class ResultPage(Open):
    columns: list[str]
    rows: list[dict[str, Any]]
    offset: int = Field(description="The page's first row.")
    row_count: int = Field(description="Rows of the whole result (also the envelope's total).")
    limit: int = Field(description="Rows per page asked for.")
    next: str | None = Field(
        description="Token for the next page (also in the envelope); null on the last one."
    )


class Health(Open):
    registry: str | None
    version: str
    state: str | None = Field(
        None, description="Changes whenever the registry does (a client's cache key)."
    )
