"""Everything a query reads, resolved from the registry at pinned versions (the data classes
it fills are in `query.context_types`; projections are resolved by `query.projection_context`)."""

from __future__ import annotations

import difflib
import warnings
from dataclasses import replace
from typing import Any

from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.dimension import ENERGY_UNITS, NON_TIME_TYPES, POWER_UNITS
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.config.time_dimension import DatetimeTimeConfig, TimeInterval
from dsgrid_core.data.summaries import period_summaries, summary_location
from dsgrid_core.errors import CheckFailed, InputError, NotFoundError
from dsgrid_core.query.context_types import (
    DimensionInfo,
    ProjectContext,
    SourceDataset,
    SupplementalInfo,
)
from dsgrid_core.query.dataset_time import TimeJoin, geography_zones, needs_time_map, time_join
from dsgrid_core.query.projection_context import add_projections
from dsgrid_core.registry.project_requirements import bases_from_extra
from dsgrid_core.timealign import AlignOptions, align
from dsgrid_core.timealign.datetime_map import AlignmentError
from dsgrid_core.timealign.notices import TimeAlignmentNotice


def unit_factor(from_unit: str | None, to_unit: str | None) -> float:
    """Multiplier converting a value in ``from_unit`` to ``to_unit`` (1 when unknown)."""
    for table in (ENERGY_UNITS, POWER_UNITS):
        if from_unit in table and to_unit in table:
            return table[from_unit] / table[to_unit]
    return 1.0


def _dimension(registry, ref: dict[str, Any], type_: str) -> DimensionInfo:
    records = registry.records(ref["id"], ref["version"])
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
    if order is None:
        order = [*(dataset_ids or []), *(p.dataset_id for _, p in projections)]
    return add_projections(registry, context, list(dataset_ids or []), projections, order)


def _load_project_context(
    registry, project_id: str, version: str | None = None, dataset_ids: list[str] | None = None
) -> ProjectContext:
    notices = []
    summary = registry.get("project", project_id)
    if version and not registry.has_version("project", project_id, version):
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
        mapping = registry.mapping_records(s["mapping_id"], s["mapping_version"])
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


def with_compared_versions(registry, context: ProjectContext, comparison) -> ProjectContext:
    """For a comparison of two versions of a source dataset (``comparison.dimension``
    dataset_version), the context with that dataset read at each side's version
    (``context.compared``), mapped to the project as its submission maps it; the query's other
    datasets stay at the versions the project lists. Any other context is returned as is."""
    if comparison is None or comparison.dimension != "dataset_version":
        return context
    dataset_id = comparison.dataset_id
    if all(d.dataset_id != dataset_id for d in context.datasets):  # pragma: no cover
        raise InputError(f"comparison.dataset_id: the query does not read '{dataset_id}'")
    project = registry.show("project", context.project_id, context.version)
    info = project.extra["datasets"][dataset_id]
    known = [r.version for r in registry.history("dataset", dataset_id)]
    compared = {}
    for side in ("base", "other"):
        version = getattr(comparison, side)
        if version not in known:
            raise InputError(
                f"comparison.{side}: dataset '{dataset_id}' has no version '{version}'; its "
                f"versions are {', '.join(known)}."
            )
        where = f"comparison.{side}: dataset '{dataset_id}' version {version}"
        at_version = {**info, "version": version}
        try:
            _check_fit(registry, context, dataset_id, at_version)
            compared[side] = _source_dataset(
                registry, context, project.config, dataset_id, at_version
            )
        except (InputError, CheckFailed) as exc:
            raise InputError(
                f"{where} does not fit project '{context.project_id}' as the dataset was "
                f"submitted (version {info['version']}): {exc} Submit that version to the "
                "project, or compare versions that fit."
            ) from None
    return replace(context, compared=compared)


def _check_fit(registry, context: ProjectContext, dataset_id: str, info: dict[str, Any]) -> None:
    """What the registry checks when it maps a dataset to the project at submission, for
    another version read through the same mappings: every record is one its mapping maps or,
    unmapped, one of the project's base records (else its rows would be silently dropped), and
    metric units convert. Refused in the registry's words."""
    from dsgrid_core.validate.submission_checks import check_units  # late: sqlglot

    record = registry.show("dataset", dataset_id, info["version"])
    dims = record.extra["dimensions"]
    by_type = {m["dimension_type"]: m for m in info.get("mappings", [])}
    for t in NON_TIME_TYPES:
        own = {r["id"] for r in registry.records(dims[t]["id"], dims[t]["version"])}
        name = dims[t]["name"]
        if t in by_type:
            m = by_type[t]
            rows = registry.mapping_records(m["mapping_id"], m["version"])
            outside = sorted(own - {f for f, _, _ in rows})
            if outside:
                raise InputError(
                    f"the {t} mapping '{m['mapping_id']}' does not map records "
                    f"{', '.join(outside[:8])} of the dataset's {t} dimension '{name}'."
                )
        else:
            base = context.base[t]
            if not own <= set(base.ids):
                raise InputError(
                    f"dataset '{dataset_id}' uses {t} dimension '{name}', whose records are not "
                    f"all records of the project's base {t} dimension(s) ('{base.name}'), and "
                    f"has no {t} mapping."
                )
    if "metric" in by_type and record.config.get("enable_unit_conversion", True):
        ds_units = {
            r["id"]: r.get("unit")
            for r in registry.records(dims["metric"]["id"], dims["metric"]["version"])
        }
        pj_units = {r["id"]: r.get("unit") for r in context.base["metric"].records}
        m = by_type["metric"]
        check_units(
            [
                (f, ds_units.get(f), to, pj_units.get(to))
                for f, to, _ in registry.mapping_records(m["mapping_id"], m["version"])
                if to and f in ds_units
            ],
            f"dataset {dataset_id}",
        )


def _base_refs(
    extra: dict[str, Any], project_id: str, dataset_ids: list[str], notices: list[str]
) -> dict[str, dict[str, Any]]:
    """The base dimension of each type a query uses: by name, the one its datasets were mapped
    to at submission (all must agree, as in dsgrid); the only one when a type has one."""
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
                for f, to, x in registry.mapping_records(m["mapping_id"], m["version"])
                if to is not None
            ]
        else:
            rows = None
        if t == "metric":
            ds_units = {
                r["id"]: r.get("unit") for r in registry.records(dims[t]["id"], dims[t]["version"])
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
        summary_path=summary_location(registry.data, record),
        period_summaries=period_summaries(registry.data, record),
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
    dataset_id = record.id
    zones = None
    if ds_time.time_zone_required_in_geography():
        geography = record.extra["dimensions"]["geography"]
        own = registry.records(geography["id"], geography["version"])
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
        t: [r["id"] for r in registry.records(ref["id"], ref["version"])]
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
            summary_path=summary_location(registry.data, record),
            period_summaries=period_summaries(registry.data, record),
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
