"""Registering a dataset: read its files in any layout, store them stacked as Parquet,
check them, and record the version (database row committed last)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.dataset import DatasetConfig
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.source import ConfigSource
from dsgrid_core.data.base_store import MISSING_FILE, TABLE_FILE
from dsgrid_core.data.duck import connect
from dsgrid_core.data.readers import DatasetShape, build_stacked_view, stored_columns
from dsgrid_core.data.storage import file_digest
from dsgrid_core.data.summary_writer import metric_units, summary_share, write_summaries
from dsgrid_core.errors import AlreadyExistsError, InputError
from dsgrid_core.registry.components import PreparedDimension, prepare_dimension
from dsgrid_core.registry.register_dimensions import (
    dimension_dependency,
    resolve_prepared,
    store_dimension,
)
from dsgrid_core.registry.store import Dependency
from dsgrid_core.sql import ident, lit
from dsgrid_core.validate.associations import AssociationRules, expected_combinations_sql
from dsgrid_core.validate.dataset_checks import DatasetCheckInput, check_dataset_table


@dataclass
class DatasetPlan:
    config: DatasetConfig
    dimensions: dict[str, dict[str, Any]] = field(default_factory=dict)  # type -> id/version/name
    records: dict[str, list[str]] = field(default_factory=dict)
    metric_units: dict[str, Any] = field(default_factory=dict)  # metric id -> unit (or None)
    time: Any = None
    new_dimensions: list[PreparedDimension] = field(default_factory=list)
    deps: list[Dependency] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    data_path: Path | None = None
    lookup_path: Path | None = None
    missing_paths: list[Path] = field(default_factory=list)
    expected_paths: list[Path] = field(default_factory=list)


def plan_dataset(
    registry, source: ConfigSource, *, data_roots=(), data_path: Path | None = None
) -> DatasetPlan:
    config, notices = source.validate(DatasetConfig)
    config_name = source.name  # the config as messages name it
    resolver = PathResolver(source.folder, data_roots)
    plan = DatasetPlan(config=config, notices=notices)
    geography = None
    for i, dim in enumerate(config.dimensions):
        prep = prepare_dimension(dim, resolver, config_name, f"dimensions[{i}]")
        resolve_prepared(registry, prep, allow_reuse=True)
        if not prep.reused:
            plan.new_dimensions.append(prep)
        plan.dimensions[prep.type] = {"id": prep.id, "version": prep.version, "name": prep.name}
        plan.records[prep.type] = prep.record_ids
        if prep.type == "metric":
            plan.metric_units = metric_units(prep.records)
        if prep.type == "time":
            plan.time = dim
        if prep.type == "geography":
            geography = prep
        plan.deps.append(dimension_dependency(prep))
    for ref in config.dimension_references:
        record = registry.find_dimension(ref.type.value, ref.name, ref.version, ref.dimension_id)
        t = ref.type.value
        plan.dimensions[t] = {
            "id": record.id,
            "version": record.version,
            "name": registry.get("dimension", record.id).name,
        }
        records = registry.store.dimension_records(record.id, record.version)
        plan.records[t] = [r["id"] for r in records]
        if t == "metric":
            plan.metric_units = metric_units(records)
        if t == "time":
            plan.time = parse_dimension(record.config)
        plan.deps.append(Dependency("dimension", record.id, record.version))
    _check_geography_time_zones(config, plan.time, geography, config_name)
    for dim in config.trivial_dimensions:
        n = len(plan.records[dim.value])
        if n != 1:
            raise InputError(
                f"{config_name}: '{dim.value}' is listed in trivial_dimensions but "
                f"its dimension has {n} records; a trivial dimension has exactly "
                "one."
            )
    layout = config.data_layout
    if layout.data_file is not None:
        plan.data_path = resolver.resolve(
            layout.data_file.path, field="data_layout.data_file.path", config_file=config_name
        )
        if layout.lookup_data_file is not None:
            plan.lookup_path = resolver.resolve(
                layout.lookup_data_file.path,
                field="data_layout.lookup_data_file.path",
                config_file=config_name,
            )
    elif data_path is not None:
        folder = resolver.child(Path(data_path)).resolve(data_path, field="--data-path")
        plan.data_path = _find_table(folder, "load_data", config_name)
        if layout.table_format == "two_table":
            plan.lookup_path = _find_table(folder, "load_data_lookup", config_name)
    else:
        raise InputError(
            f"{config_name}: no data_layout.data_file; give the folder holding "
            "load_data (and load_data_lookup) with --data-path."
        )
    plan.missing_paths = [
        resolver.resolve(p, field="data_layout.missing_associations", config_file=config_name)
        for p in layout.missing_associations
    ]
    plan.expected_paths = [
        resolver.resolve(p, field="data_layout.expected_associations", config_file=config_name)
        for p in layout.expected_associations
    ]
    return plan


def _check_geography_time_zones(config, time, geography, config_name: str) -> None:
    """Time kept in each place's local clock needs each geography record's time zone: from
    the dataset's own geography records (given in ``dimensions``), unless
    use_project_geography_time_zone says the project's records provide them (as dsgrid)."""
    required = getattr(time, "time_zone_required_in_geography", None)
    if (
        config.use_project_geography_time_zone
        or geography is None
        or not required
        or not required()
    ):
        return
    if not any("time_zone" in r for r in geography.records):
        raise InputError(
            f"{config_name}: the time dimension ({time.time_type}) keeps local time, so the "
            f"geography records of '{geography.name}' need a time_zone column. Add it, or set "
            "use_project_geography_time_zone: true to use the project's geography time zones."
        )
    bad = []
    for zone in sorted({r["time_zone"] for r in geography.records if r.get("time_zone")}):
        try:
            ZoneInfo(zone)
        except (KeyError, ValueError):
            bad.append(zone)
    if bad:
        raise InputError(
            f"{config_name}: geography '{geography.name}' has invalid time zone(s) "
            f"{', '.join(bad[:5])}; use IANA time zone names (e.g. America/New_York)."
        )


def _find_table(folder: Path, stem: str, config_name: str) -> Path:
    for suffix in (".parquet", ".csv", ".json", ""):
        candidate = folder / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    raise InputError(f"{config_name}: no {stem} file in {folder}.")


def stage_dataset_table(
    registry, plan: DatasetPlan, *, report_dir: Path | None = None, progress=None
) -> tuple[Path, dict[str, Any]]:
    """Read, stack, write to a staging folder and check; returns (staging dir, facts)."""
    layout = plan.config.data_layout
    trivial = {d.value: plan.records[d.value][0] for d in plan.config.trivial_dimensions}
    pivot = layout.pivoted_dimension_type.value if layout.pivoted_dimension_type else None
    shape = DatasetShape(
        trivial=trivial, pivot_ids=set(plan.records.get(pivot, [])), time=plan.time
    )
    share = summary_share()  # a bad setting is refused before any work
    staging = registry.data.new_staging_dir()
    con = connect()
    try:
        table_path = staging / TABLE_FILE
        columns = ", ".join(ident(c) for c in stored_columns(plan.time))
        try:
            _say(progress, "reading data files")
            build_stacked_view(con, layout, plan.data_path, plan.lookup_path, shape)
            _say(progress, "writing Parquet")
            con.execute(
                f"COPY (SELECT {columns} FROM stacked) TO {lit(str(table_path))} "  # noqa: S608
                "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)"
            )
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - DuckDB says what it could not read
            raise InputError(_read_failure(plan, exc)) from None
        con.execute(
            f"CREATE OR REPLACE VIEW stored AS SELECT * FROM "  # noqa: S608
            f"read_parquet({lit(str(table_path))})"
        )
        _say(progress, "checking")
        facts = check_dataset_table(
            con,
            DatasetCheckInput(
                table="stored",
                records={t: plan.records[t] for t in NON_TIME_TYPES},
                time=plan.time,
                missing_association_paths=plan.missing_paths,
                expected_association_paths=plan.expected_paths,
                source=f"dataset {plan.config.dataset_id}",
                data_files=", ".join(str(p) for p in (plan.data_path, plan.lookup_path) if p),
                pivoted_dimension_type=pivot,
                null_associations=shape.null_associations,
                historical_annual=plan.config.dataset_type == "historical"
                and getattr(plan.time, "time_type", None) == "annual",
            ),
            report_dir=report_dir,
        )
        # Combinations the dataset legitimately lacks, kept for the submission check.
        dims = list(NON_TIME_TYPES)

        con.execute(
            f"COPY (SELECT * FROM ({expected_combinations_sql(dims, AssociationRules())}) a "  # noqa: S608
            f"ANTI JOIN present USING ({', '.join(ident(d) for d in dims)})) "
            f"TO {lit(str(staging / MISSING_FILE))} (FORMAT parquet)"
        )
        _say(progress, "summarizing")
        size, digest = file_digest(table_path)
        facts.update(size_bytes=size, sha256=digest)
        facts["summaries"] = write_summaries(
            con, "stored", staging, plan.time, share * size, plan.metric_units
        )
        return staging, facts
    except BaseException:
        registry.data.discard(staging)
        raise
    finally:
        con.close()


def register_dataset(
    registry,
    source: ConfigSource,
    log_message: str,
    *,
    data_roots=(),
    data_path: Path | None = None,
    report_dir: Path | None = None,
    progress=None,
) -> DatasetPlan:
    registry._require_writable()
    plan = plan_dataset(registry, source, data_roots=data_roots, data_path=data_path)
    dataset_id = plan.config.dataset_id
    if registry.store.get_component("dataset", dataset_id) is not None:
        raise AlreadyExistsError(
            f"dataset '{dataset_id}' is already registered. To replace its data or config run "
            f"`dsgrid registry datasets update {dataset_id} {source.name} --update-type minor "
            f"--version {registry.get('dataset', dataset_id).version} --log-message ...`."
        )
    store_dataset_version(
        registry, plan, "1.0.0", log_message, new=True, report_dir=report_dir, progress=progress
    )
    return plan


def store_dataset_version(
    registry,
    plan: DatasetPlan,
    version: str,
    log_message: str,
    *,
    new: bool,
    report_dir=None,
    progress=None,
    expected_current: str | None = None,
) -> dict[str, Any]:
    staging, facts = stage_dataset_table(registry, plan, report_dir=report_dir, progress=progress)
    dataset_id = plan.config.dataset_id
    config = plan.config.model_dump(mode="json", by_alias=True, exclude_none=True)
    published = False
    try:
        # Said before the write lock is taken: a job's progress is written through another
        # connection to the same database, which the transaction would hold up.
        _say(progress, "publishing")
        # An object store uploads the staged files here, before the transaction starts.
        registry.data.prepare_publish(staging, dataset_id, version)
        with registry._transaction():
            if expected_current is not None:
                registry._check_current("dataset", dataset_id, expected_current)
            for prep in plan.new_dimensions:
                store_dimension(registry, prep, log_message)

            record = registry.version_record(
                "dataset",
                dataset_id,
                version,
                config,
                log_message,
                row_count=facts["row_count"],
                size_bytes=facts["size_bytes"],
                sha256=facts["sha256"],
                data_path=f"{dataset_id}/{version}/{TABLE_FILE}",
                extra={
                    "dimensions": plan.dimensions,
                    "combinations": facts["combinations"],
                    "summaries": facts["summaries"],
                    "trivial": {
                        d.value: plan.records[d.value][0] for d in plan.config.trivial_dimensions
                    },
                },
            )
            registry._add_component_version(
                "dataset",
                dataset_id,
                plan.config.dataset_id,
                plan.config.dataset_type,
                plan.config.description,
                record,
                list(dict.fromkeys(plan.deps)),
                new=new,
            )
            registry.data.publish(staging, dataset_id, version)
            published = True
    except BaseException:
        if published:
            registry.data.unpublish(dataset_id, version)
        registry.data.discard(staging)
        raise
    registry.data.release(dataset_id, version)
    return facts


def _read_failure(plan: DatasetPlan, exc: Exception) -> str:
    """A reader's error as one paragraph naming the data files (DuckDB's own first lines carry
    the line number and the value)."""
    text = str(exc)
    if isinstance(exc, UnicodeDecodeError) or "UTF" in text.upper() and "ENCOD" in text.upper():
        return (
            f"{plan.data_path}: not UTF-8 text ({text.splitlines()[0][:160]}); save the file as "
            "UTF-8."
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()][:3]
    detail = re.sub(r"\s+", " ", " ".join(lines))[:400]
    files = ", ".join(str(p) for p in (plan.data_path, plan.lookup_path) if p)
    return f"{files}: cannot read the data: {detail}. Fix the file and register again."


def _say(progress, message: str) -> None:
    if progress is not None:
        progress(message)
