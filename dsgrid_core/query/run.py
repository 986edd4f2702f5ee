"""Running a query: resolve, plan, (cache), execute on an engine, normalise, write outputs."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsgrid_core.config.dataset_query import DatasetQueryConfig
from dsgrid_core.config.files import load_json5
from dsgrid_core.config.load import validate_model
from dsgrid_core.config.query import ProjectionSourceDataset, ProjectQueryConfig
from dsgrid_core.data.duck import connect
from dsgrid_core.errors import InputError
from dsgrid_core.query.cache import ResultCache, cache_key
from dsgrid_core.query.context import load_project_context, with_compared_versions
from dsgrid_core.query.dataset_query import load_dataset_query_context
from dsgrid_core.query.summary_reads import reads, without_summaries
from dsgrid_core.settings import get as setting


def csv_row_cap() -> int:
    """Largest result written as CSV (env DSGRID_CSV_ROW_CAP); larger ones must be Parquet."""
    return int(setting("DSGRID_CSV_ROW_CAP"))


STAGES = ("resolve", "plan", "execute", "write")


@dataclass
class QueryResult:
    """A result on disk: ``table.parquet`` and ``reports/<name>.parquet`` in ``folder``.

    Tables are read only when asked for, so the CLI can copy a result without loading it."""

    folder: Path
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A result made without the cache lives in a temporary folder of its own: removed
        # when the result is no longer referenced.
        if self.metadata.get("cache") == "off":
            weakref.finalize(self, shutil.rmtree, self.folder, True)

    @property
    def table(self):
        import pyarrow.parquet as pq  # late: pyarrow

        return pq.read_table(self.folder / TABLE_FILE)

    @property
    def reports(self) -> dict[str, Any]:
        import pyarrow.parquet as pq  # late: pyarrow

        return {
            p.stem: pq.read_table(p) for p in sorted((self.folder / "reports").glob("*.parquet"))
        }

    def to_pandas(self):
        return self.table.to_pandas()


TABLE_FILE = "table.parquet"


def load_query(path: Path) -> ProjectQueryConfig | DatasetQueryConfig:
    """A project query, or a dataset query (a file with a top-level dataset_id)."""
    return parse_query(load_json5(Path(path)), str(path))


def load_context(registry, query):
    """Resolve what a query reads (project or dataset query)."""
    if isinstance(query, DatasetQueryConfig):
        return load_dataset_query_context(registry, query)

    excluded = set(query.project.excluded_dataset_ids)
    sources = [
        (i, s)
        for i, s in enumerate(query.project.dataset.source_datasets)
        if s.dataset_id not in excluded
    ]
    source_ids = [s.dataset_id for _, s in sources if not isinstance(s, ProjectionSourceDataset)]
    projections = [
        (f"project.dataset.source_datasets[{i}]", s)
        for i, s in sources
        if isinstance(s, ProjectionSourceDataset)
    ]
    context = load_project_context(
        registry,
        query.project.project_id,
        query.project.version,
        source_ids,
        projections=projections,
        order=[s.dataset_id for _, s in sources],
    )
    return with_compared_versions(registry, context, query.comparison)


def as_project_query(query) -> ProjectQueryConfig:
    return query.as_project_query() if isinstance(query, DatasetQueryConfig) else query


def _target_schema(table, plan):
    import pyarrow as pa  # late: pyarrow

    kinds = {o.name: o.type for o in plan.columns}
    fields = []
    for name in table.column_names:
        kind = kinds.get(name, "value")
        if kind == "time" and plan.time_output == "part":
            fields.append(pa.field(name, pa.int64()))  # hour of the day, month...
        elif kind == "time":
            tz = "UTC" if plan.time_output == "instant" else None
            fields.append(pa.field(name, pa.timestamp("us", tz=tz)))
        elif kind == "value":
            fields.append(pa.field(name, pa.float64()))
        else:
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields)


def _normalize(table, plan):
    """Same Arrow types from every engine: strings, UTC instants or naive local wall-clock
    times, doubles. DuckDB already returns these; Spark labels local times as UTC."""
    target = _target_schema(table, plan)
    if table.schema.equals(target):
        return table
    import pyarrow as pa  # late: pyarrow

    columns = []
    for target_field in target:
        column = table.column(target_field.name)
        if pa.types.is_timestamp(target_field.type) and target_field.type.tz is None:
            if pa.types.is_timestamp(column.type) and column.type.tz is not None:
                # Spark returns wall-clock values marked UTC: drop the marking, keep values
                column = (
                    column.cast(pa.timestamp(column.type.unit, tz="UTC"))
                    .cast(pa.int64())
                    .cast(pa.timestamp(column.type.unit))
                )
        columns.append(column.cast(target_field.type))
    return pa.Table.from_arrays(columns, schema=target)


def run_query(
    registry,
    query: ProjectQueryConfig | DatasetQueryConfig,
    *,
    engine: str | None = None,
    use_cache: bool = True,
    progress=None,
    engine_options=None,
    cancel_check=None,
    scratch=None,
    use_summaries: bool = True,
) -> QueryResult:
    """``scratch`` (optional) is told each folder the run starts writing, so that a job can
    have it removed if its process dies before the folder is finished or removed here.
    ``use_summaries`` false reads every dataset's table, never its summary over time (the
    answer is the same; the metadata's ``read`` says which each query read)."""
    timings: dict[str, float] = {}
    start = time.perf_counter()

    def stage(i: int) -> None:
        if progress is not None:
            progress(i, len(STAGES), STAGES[i])
        if cancel_check is not None:
            cancel_check()

    stage(0)
    context = load_context(registry, query)
    if not use_summaries:
        context = without_summaries(context)
    timings["resolve"] = time.perf_counter() - start
    query_dict = {"kind": type(query).__name__, **query.model_dump(mode="json")}
    query = as_project_query(query)
    versions = context.versions_read()
    # off, the same answer from other files: cached apart, so its metadata says what it read
    key = cache_key(query_dict if use_summaries else {**query_dict, "summaries": "off"}, versions)
    cache = ResultCache(registry.path)
    if use_cache:
        hit = cache.get(key)
        if hit is not None:
            folder, metadata = hit
            metadata = {
                **metadata,
                "cache": "hit",
                "timings": {"total": time.perf_counter() - start},
            }
            return QueryResult(folder, metadata)
    # planner and engines (sqlglot, DuckDB or Spark) are loaded only when a query runs
    from dsgrid_core.engine import create_engine  # late: engines, when a query runs
    from dsgrid_core.query.planner import RESULT_TABLE, plan_project_query  # late: sqlglot

    stage(1)
    t0 = time.perf_counter()
    plan = plan_project_query(context, query)
    timings["plan"] = time.perf_counter() - t0
    stage(2)
    t0 = time.perf_counter()
    folder = cache.new_staging() if use_cache else Path(tempfile.mkdtemp(prefix="dsgrid-result-"))
    (folder / "reports").mkdir()
    if scratch is not None:
        scratch(folder)
    try:
        eng = create_engine(engine, **(engine_options or {}))
        try:
            for name, (kind, value) in plan.tables.items():
                if kind == "parquet":
                    eng.register_parquet(name, value)
                else:
                    eng.register_rows(name, value.columns, value.rows)
            if eng.can_lock_down:
                eng.lock_down(writable=[folder])
            if progress is not None:
                progress.engine = eng  # lets a job cancel the running statement
            main_sql = plan.sql(eng)
            rows = write_parquet(eng, main_sql, folder / TABLE_FILE, plan)
            if plan.reports_from_result:
                eng.register_result(RESULT_TABLE, folder / TABLE_FILE, main_sql)
            for name in plan.reports:
                write_parquet(
                    eng, plan.report_sql(name, eng), folder / "reports" / f"{name}.parquet", plan
                )
        finally:
            eng.close()
        timings["execute"] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - start
        metadata = {
            "query_name": query.name,
            "row_count": rows,
            "engine": eng.name,
            "versions": versions,
            "notices": context.notices,
            "timings": timings,
            "time_output": plan.time_output,
            "time_zone": plan.time_zone or "UTC",
            "columns": [{"name": o.name, "type": o.type} for o in plan.columns],
            "cache": "miss" if use_cache else "off",
            "cache_key": key,
            "read": reads(context, plan.tables),
        }
        if getattr(query, "comparison", None) is not None:
            # what base and other are: the value columns' meaning travels with the result
            metadata["comparison"] = query.comparison.model_dump(mode="json")
        if use_cache:
            folder = cache.publish(folder, key, metadata)
    except BaseException:
        if use_cache:
            cache.discard(folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return QueryResult(folder, metadata)


def write_parquet(engine, sql: str, path: Path, plan) -> int:
    """Run ``sql`` into a Parquet file with the normalised schema; returns the row count."""
    if engine.writes_parquet_itself:
        return engine.copy_to_parquet(sql, path)
    import pyarrow.parquet as pq  # late: pyarrow

    table = _normalize(engine.execute(sql), plan)
    pq.write_table(table, path)
    return table.num_rows


def parse_query(data: dict[str, Any], source: str = "query"):
    model = DatasetQueryConfig if "dataset_id" in data else ProjectQueryConfig
    query, _ = validate_model(model, data, source)
    return query


def write_result(
    result: QueryResult, query, output_dir: Path, *, overwrite: bool = False, scratch=None
) -> Path:
    """DIR/<name>/table.parquet|csv, query.json5, metadata.json, reports; all or nothing
    (``scratch``, optional, is told the staging folder, as in ``run_query``)."""
    output_dir = Path(output_dir)
    target = output_dir / query.name
    if target.exists() and not overwrite:
        raise InputError(
            f"{target} already exists; remove it, choose another --output, or pass --overwrite."
        )
    fmt = as_project_query(query).result.output_format
    cap = csv_row_cap()
    rows = result.metadata.get("row_count", 0)
    if fmt == "csv" and rows > cap:
        raise InputError(
            f"the result has {rows:,} rows, above the CSV cap of {cap:,}; use output_format "
            "'parquet' (smaller and faster), or aggregate more."
        )
    output_dir.mkdir(parents=True, exist_ok=True)
    staging = output_dir / f".{query.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    if scratch is not None:
        scratch(staging)
    try:
        if fmt == "csv":
            parquet_to_csv(result.folder / TABLE_FILE, staging / "table.csv")
        else:
            shutil.copyfile(result.folder / TABLE_FILE, staging / TABLE_FILE)
        for report in sorted((result.folder / "reports").glob("*.parquet")):
            shutil.copyfile(report, staging / report.name)
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


def parquet_to_csv(source: Path, target: Path) -> None:
    from dsgrid_core.sql import lit  # late: sqlglot

    con = connect()
    try:
        con.execute(
            f"COPY (SELECT * FROM read_parquet({lit(str(source))})) TO {lit(str(target))} "  # noqa: S608
            "(FORMAT csv, HEADER true)"
        )
    finally:
        con.close()
