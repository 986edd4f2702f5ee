"""Everything a query reads, resolved from the registry at pinned versions."""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.dimension import ENERGY_UNITS, NON_TIME_TYPES, POWER_UNITS
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.config.time_dimension import DatetimeTimeConfig, TimeInterval
from dsgrid_core.errors import InputError, NotFoundError
from dsgrid_core.query.dataset_time import TimeJoin, geography_zones, needs_time_map, time_join


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

    @property
    def time_zone(self) -> str:
        tz = getattr(self.time, "time_zone", "UTC")
        return "UTC" if tz in ("LOCAL", "NONE") else tz

    def versions_read(self) -> dict[str, Any]:
        return {
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


def unit_factor(from_unit: str | None, to_unit: str | None) -> float:
    """Multiplier converting a value in ``from_unit`` to ``to_unit`` (1 when unknown)."""
    for table in (ENERGY_UNITS, POWER_UNITS):
        if from_unit in table and to_unit in table:
            return table[from_unit] / table[to_unit]
    return 1.0


def _dimension(registry, ref: dict[str, Any], type_: str) -> DimensionInfo:
    records = registry.store.dimension_records(ref["id"], ref["version"])
    return DimensionInfo(
        type=type_, id=ref["id"], version=ref["version"], name=ref["name"], records=records
    )


def time_shift_seconds(dataset_time, project_time) -> int:
    """Seconds to add to a dataset's stored instants so they label the same periods as the
    project's (period-ending data is moved to the beginning of its period, and back)."""
    if not isinstance(dataset_time, DatetimeTimeConfig) or not isinstance(
        project_time, DatetimeTimeConfig
    ):
        return 0

    def offset(cfg) -> int:
        ending = cfg.time_interval_type == TimeInterval.PERIOD_ENDING
        return -int(cfg.step.total_seconds()) if ending else 0

    return offset(dataset_time) - offset(project_time)


def load_project_context(
    registry,
    project_id: str,
    version: str | None = None,
    dataset_ids: list[str] | None = None,
    projections: list[tuple[str, Any]] | None = None,
    order: list[str] | None = None,
) -> ProjectContext:
    """The project at ``version`` with the submitted datasets ``dataset_ids`` and the
    projection sources ``projections`` ((config field, ProjectionSourceDataset) pairs), in
    ``order`` (the query's source ids; by default the datasets, then the projections)."""
    projections = projections or []
    read_ids = list(dataset_ids or [])
    for _, p in projections:
        read_ids += [
            i for i in (p.initial_value_dataset_id, p.growth_rate_dataset_id) if i not in read_ids
        ]
    context = _load_project_context(registry, project_id, version, read_ids)
    if not projections:
        return context
    from dsgrid_core.query.projection_context import add_projections

    if order is None:
        order = [*(dataset_ids or []), *(p.dataset_id for _, p in projections)]
    return add_projections(registry, context, list(dataset_ids or []), projections, order)


def _load_project_context(
    registry, project_id: str, version: str | None = None, dataset_ids: list[str] | None = None
) -> ProjectContext:
    notices = []
    summary = registry.get("project", project_id)
    if version and registry.store.get_version("project", project_id, version) is None:
        notices.append(
            f"project {project_id} has no version {version}; used the latest, {summary.version}"
        )
        version = None
    project = registry.show("project", project_id, version)
    extra = project.extra
    chosen = _base_refs(extra, project_id, dataset_ids or [], notices)
    base = {t: _dimension(registry, ref, t) for t, ref in chosen.items()}
    supplemental = []
    for s in extra["supplemental_dimensions"]:
        if s.get("base_id") not in (None, chosen[s["type"]]["id"]):
            continue  # maps from another base dimension of its type than the one in use
        info = _dimension(registry, s, s["type"])
        mapping = registry.store.mapping_records(s["mapping_id"], s["mapping_version"])
        supplemental.append(SupplementalInfo(info, s["mapping_id"], s["mapping_version"], mapping))
    time_record = registry.show("dimension", base["time"].id, base["time"].version)
    project_time = parse_dimension(time_record.config)
    context = ProjectContext(
        project_id=project_id,
        version=project.version,
        base=base,
        supplemental=supplemental,
        subsets=extra["subset_dimensions"],
        time=project_time,
        notices=notices,
    )
    status = extra.get("datasets", {})
    context.listed_dataset_ids = [
        d.get("dataset_id") for d in (project.config or {}).get("datasets", [])
    ]
    for dataset_id in dataset_ids or []:
        info = status.get(dataset_id)
        if info is None or info.get("status") != "Registered":
            known = [k for k, v in status.items() if v.get("status") == "Registered"]
            close = difflib.get_close_matches(dataset_id, known, n=3, cutoff=0.4)
            hint = (
                f" Did you mean {', '.join(close)}?"
                if close
                else f" Submitted datasets: {', '.join(known) or 'none'}."
            )
            raise NotFoundError(
                f"dataset '{dataset_id}' is not submitted to project "
                f"'{project_id}' (version {project.version}).{hint}"
            )
        context.datasets.append(
            _source_dataset(registry, context, project.config, dataset_id, info)
        )
    return context


def _base_refs(
    extra: dict[str, Any], project_id: str, dataset_ids: list[str], notices: list[str]
) -> dict[str, dict[str, Any]]:
    """The base dimension of each type a query uses: by name, the one its datasets were mapped
    to at submission (all must agree, as in dsgrid); the only one when a type has one."""
    from dsgrid_core.registry.project_requirements import bases_from_extra

    bases = bases_from_extra(extra)
    status = extra.get("datasets", {})
    chosen: dict[str, dict[str, Any]] = {}
    for b in bases:
        of_type = [x for x in bases if x["type"] == b["type"]]
        if b["type"] in chosen:
            continue
        if len(of_type) == 1:
            chosen[b["type"]] = b
            continue
        names = {
            d: (status.get(d, {}).get("base_dimension_names") or {}).get(b["type"])
            for d in dataset_ids
        }
        if len(set(names.values())) > 1:
            listing = ", ".join(f"{d}: {n}" for d, n in names.items())
            raise InputError(
                f"project '{project_id}' has several base {b['type']} dimensions and the "
                f"query's datasets map to different ones ({listing}); query them separately."
            )
        name = next(iter(names.values()), None)
        found = [x for x in of_type if x["name"] == name]
        if not found:
            notices.append(
                f"project '{project_id}' has several base {b['type']} dimensions; the query "
                f"uses '{of_type[0]['name']}'"
            )
            found = of_type
        chosen[b["type"]] = found[0]
    return chosen


def _source_dataset(
    registry,
    context: ProjectContext,
    project_config: dict[str, Any],
    dataset_id: str,
    info: dict[str, Any],
) -> SourceDataset:
    record = registry.show("dataset", dataset_id, info["version"])
    dims = record.extra["dimensions"]
    mappings: dict[str, list[tuple[str, str, float]]] = {}
    by_type = {m["dimension_type"]: m for m in info.get("mappings", [])}
    record_ids = _record_ids(registry, dims)
    for t in NON_TIME_TYPES:
        if t in by_type:
            m = by_type[t]
            rows = [
                (f, to, x)
                for f, to, x in registry.store.mapping_records(m["mapping_id"], m["version"])
                if to is not None
            ]
        else:
            rows = None
        if t == "metric":
            ds_units = {
                r["id"]: r.get("unit")
                for r in registry.store.dimension_records(dims[t]["id"], dims[t]["version"])
            }
            record_ids[t] = list(ds_units)
            pj_units = {r["id"]: r.get("unit") for r in context.base[t].records}
            if rows is None:
                rows = [(i, i, 1.0) for i in ds_units]
            if record.config.get("enable_unit_conversion", True):
                # false: the dataset's metric mapping converts units itself (its fractions)
                rows = [
                    (f, to, x * unit_factor(ds_units.get(f), pj_units.get(to))) for f, to, x in rows
                ]
            if all(f == to and x == 1.0 for f, to, x in rows):
                rows = None
        if rows is not None:
            mappings[t] = rows
    ds_time = parse_dimension(
        registry.show("dimension", dims["time"]["id"], dims["time"]["version"]).config
    )
    join = None
    row_count = record.row_count
    entry = ProjectConfig.model_validate(project_config).dataset(dataset_id)
    wraps = isinstance(ds_time, DatetimeTimeConfig) and bool(entry and entry.wrap_time_allowed)
    if needs_time_map(ds_time) or wraps:
        # (a datetime map that is only a shift is applied as one: join None)
        join = _time_join(registry, context, entry, record, ds_time, mappings)
    if join is not None and row_count:
        # rows once joined to the map: each stored row per instant it covers
        row_count = row_count * len(join.rows) // max(join.key_count, 1)
    return SourceDataset(
        dataset_id=dataset_id,
        version=record.version,
        table_path=registry.data.locate(record.data_path),
        mappings=mappings,
        time_shift_seconds=0 if join else time_shift_seconds(ds_time, context.time),
        dimensions=dims,
        record_ids=record_ids,
        row_count=row_count,
        time_config=context.time if join else ds_time,
        time_join=join,
    )


def _time_join(registry, context, entry, record, ds_time, mappings) -> TimeJoin | None:
    """The dataset's time map onto the project's time, with the options of the project's
    entry for it (wrap_time_allowed, time_based_data_adjustment), as at submission; None when
    it is a constant shift of stored instants."""
    from dsgrid_core.timealign import AlignOptions, align
    from dsgrid_core.timealign.datetime_map import AlignmentError
    from dsgrid_core.timealign.notices import TimeAlignmentNotice

    dataset_id = record.id
    zones = None
    if ds_time.time_zone_required_in_geography():
        geography = record.extra["dimensions"]["geography"]
        own = registry.store.dimension_records(geography["id"], geography["version"])
        use_project = bool(record.config.get("use_project_geography_time_zone", False))
        zones = geography_zones(
            dataset_id,
            own,
            context.base["geography"].records if use_project else None,
            mappings.get("geography"),
        )
    options = AlignOptions(
        wrap_time_allowed=entry.wrap_time_allowed if entry else False,
        time_zones=tuple(sorted(set((zones or {}).values()))),
        source=f"dataset {dataset_id} in project {context.project_id}",
        **({"adjustment": entry.time_based_data_adjustment} if entry else {}),
    )
    try:
        with warnings.catch_warnings():
            # options that do not apply were said at submission; not again at every query
            warnings.simplefilter("ignore", TimeAlignmentNotice)
            time_map = align(ds_time, context.time, options)
    except AlignmentError as exc:
        raise InputError(
            f"dataset '{dataset_id}': its time cannot be read as the project's: {exc}"
        ) from None
    if time_map is None or time_map.shift_only:
        return None
    return time_join(time_map, zones, ds_time)


def _record_ids(registry, dims: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Record ids of a dataset's non-metric dimensions (metric ids come with their units)."""
    return {
        t: [r["id"] for r in registry.store.dimension_records(ref["id"], ref["version"])]
        for t, ref in dims.items()
        if t in NON_TIME_TYPES and t != "metric"
    }


def load_dataset_context(registry, dataset_id: str, version: str | None = None) -> ProjectContext:
    """A context in which one dataset's own dimensions play the part of base dimensions."""
    record = registry.show("dataset", dataset_id, version)
    dims = record.extra["dimensions"]
    base = {t: _dimension(registry, ref, t) for t, ref in dims.items()}
    time_config = parse_dimension(
        registry.show("dimension", dims["time"]["id"], dims["time"]["version"]).config
    )
    context = ProjectContext(
        project_id=f"dataset {dataset_id}",
        version=record.version,
        base=base,
        supplemental=[],
        subsets={},
        time=time_config,
    )
    context.datasets.append(
        SourceDataset(
            dataset_id=dataset_id,
            version=record.version,
            table_path=registry.data.locate(record.data_path),
            mappings={},
            # Times as the dataset labels them (period-ending stays period-ending), as dsgrid
            # answers a dataset query in the dataset's own dimensions.
            time_shift_seconds=0,
            dimensions=dims,
            record_ids={t: base[t].ids for t in NON_TIME_TYPES if t in base},
            row_count=record.row_count,
            time_config=time_config,
        )
    )
    return context
