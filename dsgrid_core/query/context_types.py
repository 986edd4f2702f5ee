"""What a query reads, as the planner sees it: the project's base and supplemental dimensions,
the source datasets with their mappings and time, and the projections. Data classes only;
`query.context` loads them from the registry (and `query.projection_context` the projections).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsgrid_core.errors import InputError

if TYPE_CHECKING:
    from dsgrid_core.data.summaries import PeriodSummary
    from dsgrid_core.query.dataset_time import TimeJoin


@dataclass
class DimensionInfo:
    type: str
    id: str
    version: str
    name: str
    records: list[dict[str, Any]]

    @property
    def ids(self) -> list[str]:
        return [r["id"] for r in self.records]


@dataclass
class SupplementalInfo:
    dimension: DimensionInfo
    mapping_id: str
    mapping_version: str
    mapping: list[tuple[str, str | None, float]]  # base id -> supplemental id, fraction


@dataclass
class SourceDataset:
    dataset_id: str
    version: str
    table_path: Path
    mappings: dict[str, list[tuple[str, str, float]]]  # type -> (dataset id, base id, factor)
    time_shift_seconds: int
    dimensions: dict[str, dict[str, Any]]
    # The dataset's own record ids per dimension type, its row count and its time dimension:
    # the planner uses them to skip joins that change nothing and to decide on pre-aggregation.
    record_ids: dict[str, list[str]] = field(default_factory=dict)
    row_count: int | None = None
    time_config: Any = None
    # how the dataset counts in the query's expression (``a - b``: b -1); see query.expression
    weight: float = 1.0
    # annual, index or representative time: the join that makes project instants of it (the
    # dataset's time_config is then the project's, which the joined rows are in)
    time_join: TimeJoin | None = None
    # the version's summary over time (data.summaries), or None: what a sum that keeps and
    # filters no time reads instead of the table, when there is no time map
    summary_path: Path | str | None = None
    # its summaries by local period (data.summaries), coarsest first: what a sum over local
    # periods reads where each stored period falls in one of the result's (planner.sum_plan)
    period_summaries: tuple[PeriodSummary, ...] = ()


@dataclass
class Projection:
    """A projection source dataset (dsgrid's ProjectionDatasetModel), resolved: the datasets
    it reads, each as a source dataset of its own (``query.planner.projection`` plans it)."""

    dataset_id: str
    initial: SourceDataset
    growth: SourceDataset
    method: str
    base_year: int | None
    where: str  # the config field, for messages


@dataclass
class ProjectContext:
    project_id: str
    version: str
    base: dict[str, DimensionInfo]
    supplemental: list[SupplementalInfo]
    subsets: dict[str, dict[str, Any]]
    time: Any
    datasets: list[SourceDataset] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # projection source datasets by their dataset_id; each also has a stand-in in ``datasets``
    # (the initial-value dataset's dimensions, the growth-rate dataset's model years)
    projections: dict[str, Projection] = field(default_factory=dict)
    listed_dataset_ids: list[str] = field(default_factory=list)  # the project's datasets
    # a comparison of versions: side (base, other) -> the compared dataset at that version
    compared: dict[str, SourceDataset] = field(default_factory=dict)

    @property
    def time_zone(self) -> str:
        tz = getattr(self.time, "time_zone", "UTC")
        return "UTC" if tz in ("LOCAL", "NONE") else tz

    def versions_read(self) -> dict[str, Any]:
        read = {
            "project": {self.project_id: self.version},
            "datasets": {
                **{
                    d.dataset_id: d.version
                    for d in self.datasets
                    if d.dataset_id not in self.projections
                },
                **{
                    d.dataset_id: d.version
                    for p in self.projections.values()
                    for d in (p.initial, p.growth)
                },
            },
            "dimensions": {
                **{b.id: b.version for b in self.base.values()},
                **{s.dimension.id: s.dimension.version for s in self.supplemental},
            },
            "dimension_mappings": {s.mapping_id: s.mapping_version for s in self.supplemental},
        }
        if self.compared:
            read["compared"] = {
                side: {d.dataset_id: d.version} for side, d in self.compared.items()
            }
        return read

    def dimension(self, type_: str, name: str) -> tuple[DimensionInfo, SupplementalInfo | None]:
        """A base or supplemental dimension of ``type_`` by name (or id)."""
        base = self.base[type_]
        if name in (base.name, base.id, type_):
            return base, None
        for supp in self.supplemental:
            if supp.dimension.type == type_ and name in (supp.dimension.name, supp.dimension.id):
                return supp.dimension, supp
        names = [base.name] + [
            s.dimension.name for s in self.supplemental if s.dimension.type == type_
        ]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
        hint = (
            f" Did you mean {', '.join(repr(c) for c in close)}?"
            if close
            else (f" Known {type_} dimensions: {', '.join(repr(n) for n in names)}.")
        )
        raise InputError(
            f"project '{self.project_id}' has no {type_} dimension named '{name}'.{hint}"
        )
