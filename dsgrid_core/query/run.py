"""Running a query: resolve, plan, (cache), execute on an engine, normalise, write outputs."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsgrid_core.config.query import DatasetQueryConfig, ProjectQueryConfig
from dsgrid_core.errors import InputError


def csv_row_cap() -> int:
    """Largest result written as CSV (env DSGRID_CSV_ROW_CAP); larger ones must be Parquet."""
    return int(os.environ.get("DSGRID_CSV_ROW_CAP", "2000000"))


STAGES = ("resolve", "plan", "execute", "write")


@dataclass
class QueryResult:
    table: Any  # pyarrow.Table
    reports: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_pandas(self):
        return self.table.to_pandas()


def load_query(path: Path) -> ProjectQueryConfig | DatasetQueryConfig:
    """A project query, or a dataset query (a file with a top-level dataset_id)."""
    from dsgrid_core.config.files import load_json5

    return parse_query(load_json5(Path(path)), str(path))


def load_context(registry, query):
    """Resolve what a query reads (project or dataset query)."""
    from dsgrid_core.query.context import load_dataset_context, load_project_context

    if isinstance(query, DatasetQueryConfig):
        return load_dataset_context(registry, query.dataset_id, query.version)
    source_ids = [
        s.dataset_id
        for s in query.project.dataset.source_datasets
        if s.dataset_id not in query.project.excluded_dataset_ids
    ]
    return load_project_context(
        registry, query.project.project_id, query.project.version, source_ids
    )


def as_project_query(query) -> ProjectQueryConfig:
    return query.as_project_query() if isinstance(query, DatasetQueryConfig) else query


def _normalize(table, plan):
    """Same Arrow types from every engine: strings, UTC instants or naive local times,
    doubles."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays, names = [], []
    types = {o.name: o.type for o in plan.columns}
    for name in table.column_names:
        column = table.column(name)
        kind = types.get(name, "value")
        if kind == "time":
            if pa.types.is_date(column.type):
                column = column.cast(pa.timestamp("us"))
            if plan.time_output == "instant":
                if column.type.tz is None:
                    column = pc.assume_timezone(column.cast(pa.timestamp("us")), "UTC")
                column = column.cast(pa.timestamp("us", tz="UTC"))
            else:
                column = (
                    column.cast(pa.timestamp("us", tz=column.type.tz))
                    if getattr(column.type, "tz", None)
                    else column.cast(pa.timestamp("us"))
                )
                if getattr(column.type, "tz", None):
                    column = (
                        pc.local_timestamp(column)
                        if column.type.tz != "UTC"
                        else (column.cast(pa.timestamp("us")))
                    )
        elif kind == "value":
            column = column.cast(pa.float64())
        else:
            column = column.cast(pa.string())
        arrays.append(column)
        names.append(name)
    return pa.table(arrays, names=names)


def run_query(
    registry,
    query: ProjectQueryConfig | DatasetQueryConfig,
    *,
    engine: str | None = None,
    use_cache: bool = True,
    progress=None,
    engine_options=None,
    cancel_check=None,
) -> QueryResult:
    from dsgrid_core.engine import create_engine
    from dsgrid_core.query.cache import ResultCache, cache_key
    from dsgrid_core.query.planner import plan_project_query

    timings: dict[str, float] = {}
    start = time.perf_counter()

    def stage(i: int) -> None:
        if progress is not None:
            progress(i, len(STAGES), STAGES[i])
        if cancel_check is not None:
            cancel_check()

    stage(0)
    context = load_context(registry, query)
    timings["resolve"] = time.perf_counter() - start
    query_dict = {"kind": type(query).__name__, **query.model_dump(mode="json")}
    query = as_project_query(query)
    versions = context.versions_read()
    key = cache_key(query_dict, versions)
    cache = ResultCache(registry.path)
    if use_cache:
        hit = cache.get(key)
        if hit is not None:
            table, reports, metadata = hit
            metadata = {
                **metadata,
                "cache": "hit",
                "timings": {"total": time.perf_counter() - start},
            }
            return QueryResult(table, reports, metadata)
    stage(1)
    t0 = time.perf_counter()
    plan = plan_project_query(context, query)
    timings["plan"] = time.perf_counter() - t0
    stage(2)
    t0 = time.perf_counter()
    eng = create_engine(engine, **(engine_options or {}))
    try:
        for name, (kind, value) in plan.tables.items():
            if kind == "parquet":
                eng.register_parquet(name, value)
            else:
                eng.register_arrow(name, value)
        if hasattr(eng, "lock_down"):
            eng.lock_down()
        if progress is not None:
            progress.engine = eng  # lets a job cancel the running statement
        table = _normalize(eng.execute(plan.sql(eng)), plan)
        reports = {
            name: _normalize(eng.execute(plan.report_sql(name, eng)), plan) for name in plan.reports
        }
    finally:
        eng.close()
    timings["execute"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    metadata = {
        "query_name": query.name,
        "row_count": table.num_rows,
        "engine": eng.name,
        "versions": versions,
        "notices": context.notices,
        "timings": timings,
        "time_output": plan.time_output,
        "time_zone": plan.time_zone or "UTC",
        "columns": [{"name": o.name, "type": o.type} for o in plan.columns],
        "cache": "miss",
        "cache_key": key,
    }
    if use_cache:
        cache.put(key, table, reports, metadata)
    return QueryResult(table, reports, metadata)


def parse_query(data: dict[str, Any], source: str = "query"):
    from dsgrid_core.config.load import validate_model

    model = DatasetQueryConfig if "dataset_id" in data else ProjectQueryConfig
    query, _ = validate_model(model, data, source)
    return query


def write_result(
    result: QueryResult, query: ProjectQueryConfig, output_dir: Path, *, overwrite: bool = False
) -> Path:
    """DIR/<name>/table.parquet|csv, query.json5, metadata.json, reports; all or nothing."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    output_dir = Path(output_dir)
    target = output_dir / query.name
    if target.exists() and not overwrite:
        raise InputError(
            f"{target} already exists; remove it, choose another --output, or pass --overwrite."
        )
    fmt = as_project_query(query).result.output_format
    cap = csv_row_cap()
    if fmt == "csv" and result.table.num_rows > cap:
        raise InputError(
            f"the result has {result.table.num_rows:,} rows, above the CSV cap of "
            f"{cap:,}; use output_format 'parquet' (smaller and faster), "
            "or aggregate more."
        )
    output_dir.mkdir(parents=True, exist_ok=True)
    staging = output_dir / f".{query.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        if fmt == "csv":
            pcsv.write_csv(result.table, staging / "table.csv")
        else:
            pq.write_table(result.table, staging / "table.parquet")
        for name, report in result.reports.items():
            pq.write_table(report, staging / f"{name}.parquet")
        (staging / "query.json5").write_text(
            json.dumps(query.model_dump(mode="json", exclude_none=True), indent=2) + "\n"
        )
        (staging / "metadata.json").write_text(
            json.dumps(result.metadata, indent=2, default=str) + "\n"
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
