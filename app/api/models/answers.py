"""What the API answers inside the envelope (``data``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.api.models.envelope import Open


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
