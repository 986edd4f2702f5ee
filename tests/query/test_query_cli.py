"""`dsgrid query` commands: outputs, validation errors, jobs and the result cache."""

from __future__ import annotations

import json
import os
import time

import json5
import pandas as pd
import pytest

FIVE = "test_efs/queries/five_year_intervals.json5"
TIME_NAME = "Time-2012-EST-hourly-periodBeginning-noDST-noLeapDayAdjustment-total"


def _write(path, query: dict):
    path.write_text(json.dumps(query))
    return path


def _small_query(name="small", **result):
    return {
        "name": name,
        "project": {
            "project_id": "test_efs",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [{"dataset_id": "test_efs_comstock"}],
            },
        },
        # end uses in MWh and kWh summed over: one unit
        "result": {
            "aggregations": [{"dimensions": {"geography": ["US States"]}}],
            "unit": "kWh",
            "column_type": "dimension_types",
            **result,
        },
    }


def test_run_writes_table_query_and_metadata(efs_registry, test_data, tmp_path, dsgrid):
    out = tmp_path / "out"
    result = dsgrid(
        "query", "run", test_data / FIVE, "--output", out, registry=efs_registry, as_json=True
    )
    assert result.exit_code == 0, result
    folder = out / "five_year_intervals"
    table = pd.read_parquet(folder / "table.parquet")
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["row_count"] == len(table) == 320544
    assert metadata["engine"] == "duckdb"
    assert metadata["versions"]["datasets"] == {"test_efs_comstock": "1.0.0"}
    assert set(metadata["timings"]) >= {"resolve", "plan", "execute", "total"}
    query = json5.loads((folder / "query.json5").read_text())
    assert query["name"] == "five_year_intervals"
    # the written query runs again unchanged and gives the same table
    again = dsgrid(
        "query",
        "run",
        folder / "query.json5",
        "--output",
        tmp_path / "again",
        "--no-cache",
        registry=efs_registry,
    )
    assert again.exit_code == 0, again
    again_table = pd.read_parquet(tmp_path / "again" / "five_year_intervals" / "table.parquet")
    keys = [c for c in table.columns if c != "value"]
    pd.testing.assert_frame_equal(
        again_table.sort_values(keys).reset_index(drop=True),
        table.sort_values(keys).reset_index(drop=True),
    )


def test_csv_output(efs_registry, tmp_path, dsgrid):
    path = _write(tmp_path / "q.json5", _small_query(output_format="csv"))
    assert (
        dsgrid("query", "run", path, "-o", tmp_path / "out", registry=efs_registry).exit_code == 0
    )
    table = pd.read_csv(tmp_path / "out" / "small" / "table.csv")
    assert sorted(table["geography"]) == ["CA", "CO", "NY", "TX"]


def test_cache_hit_skips_the_engine_and_new_version_misses(
    efs_registry, tmp_path, dsgrid, monkeypatch, test_data
):
    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    query = parse_query(_small_query())
    with Registry(efs_registry) as registry:
        first = run_query(registry, query)
        assert first.metadata["cache"] == "miss"
        import dsgrid_core.engine as engines

        def no_engine(*args, **kwargs):
            raise AssertionError("a cache hit must not create an engine")

        monkeypatch.setattr(engines, "create_engine", no_engine)
        hit = run_query(registry, query)
        assert hit.metadata["cache"] == "hit"
        assert hit.table.equals(first.table)
        monkeypatch.undo()
    # a new version of an input (the project) changes the key
    project = test_data / "test_efs/dsgrid_project/project.json5"
    assert (
        dsgrid(
            "registry",
            "projects",
            "update",
            "test_efs",
            project,
            "-t",
            "patch",
            "--version",
            "1.2.0",
            "-l",
            "touch",
            "--data-root",
            test_data,
            registry=efs_registry,
        ).exit_code
        == 0
    )
    with Registry(efs_registry) as registry:
        assert run_query(registry, query).metadata["cache"] == "miss"


def test_a_repeated_query_loads_neither_planner_nor_engine(efs_registry, tmp_path):
    """A cache hit is answered from the registry and the stored result alone: the fresh
    process that repeats a query loads neither sqlglot (the planner) nor an engine."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from dsgrid_core.cli.main import cli\n"
        "try:\n"
        "    cli(sys.argv[1:])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "print(sorted(m for m in ('sqlglot', 'duckdb', 'pyspark') if m in sys.modules))\n"
    )
    query = _write(tmp_path / "q.json5", _small_query())
    out = tmp_path / "out"
    args = ["--registry", str(efs_registry), "query", "run", str(query), "-o", str(out)]

    def run(*more):
        done = subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-c", script, *args, *more],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    assert run() == "['duckdb', 'sqlglot']"  # the first run plans and computes
    first = pd.read_parquet(out / "small" / "table.parquet")
    assert run("--overwrite") == "[]"
    assert json.loads((out / "small" / "metadata.json").read_text())["cache"] == "hit"
    pd.testing.assert_frame_equal(pd.read_parquet(out / "small" / "table.parquet"), first)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "project": {
                    "project_id": "test_ef",
                    "dataset": {
                        "dataset_id": "x",
                        "source_datasets": [{"dataset_id": "test_efs_comstock"}],
                    },
                }
            },
            "Did you mean test_efs",
        ),
        (
            {
                "project": {
                    "project_id": "test_efs",
                    "dataset": {
                        "dataset_id": "x",
                        "source_datasets": [{"dataset_id": "test_efs_comstok"}],
                    },
                }
            },
            "Did you mean test_efs_comstock",
        ),
        (
            {"result": {"aggregations": [{"dimensions": {"geography": ["US Stats"]}}]}},
            "Did you mean 'US States'",
        ),
        (
            {
                "result": {
                    "dimension_filters": [
                        {
                            "filter_type": "column_operator",
                            "dimension_type": "geography",
                            "dimension_name": "US States",
                            "column": "populaton",
                            "operator": "isin",
                            "value": ["CA"],
                        }
                    ]
                }
            },
            "unknown column 'populaton'",
        ),
        (
            {
                "result": {
                    "dimension_filters": [
                        {
                            "filter_type": "expression_raw",
                            "dimension_type": "geography",
                            "dimension_name": "US States",
                            "value": "id = 'CA'; DROP TABLE x",
                        }
                    ]
                }
            },
            "expression_raw",
        ),
        (
            {
                "result": {
                    "dimension_filters": [
                        {
                            "filter_type": "expression_raw",
                            "dimension_type": "geography",
                            "dimension_name": "US States",
                            "value": "id IN (SELECT id FROM read_csv('/etc/passwd'))",
                        }
                    ]
                }
            },
            "is not allowed",
        ),
        (
            {
                "result": {
                    "dimension_filters": [
                        {
                            "filter_type": "between_column_operator",
                            "dimension_type": "time",
                            "dimension_name": TIME_NAME,
                            "lower_bound": "yesterday",
                            "upper_bound": "today",
                        }
                    ]
                }
            },
            "'yesterday' is not a timestamp",
        ),
        ({"result": {"time_zone": "Mars/Olympus"}}, "unknown time zone"),
    ],
)
def test_bad_queries_exit_2_and_write_nothing(efs_registry, tmp_path, dsgrid, change, message):
    query = _small_query()
    for key, value in change.items():
        query[key] = {**query[key], **value} if key == "result" else value
    path = _write(tmp_path / "q.json5", query)
    out = tmp_path / "out"
    result = dsgrid("query", "run", path, "-o", out, registry=efs_registry)
    assert result.exit_code == 2, result
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())
    validated = dsgrid("query", "validate", path, registry=efs_registry)
    assert validated.exit_code == 2 and message in validated.stderr


def test_csv_over_the_cap_suggests_parquet(efs_registry, test_data, tmp_path, dsgrid):
    query = json5.loads((test_data / FIVE).read_text())
    query["result"]["output_format"] = "csv"
    path = _write(tmp_path / "q.json5", query)
    result = dsgrid(
        "query",
        "run",
        path,
        "-o",
        tmp_path / "out",
        registry=efs_registry,
        env={"DSGRID_CSV_ROW_CAP": "1000"},
    )
    assert result.exit_code == 2, result
    assert "above the CSV cap" in result.stderr and "parquet" in result.stderr
    assert not any((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_unreachable_spark_master_is_explained(efs_registry, tmp_path, dsgrid):
    path = _write(tmp_path / "q.json5", _small_query())
    result = dsgrid(
        "--engine",
        "spark",
        "query",
        "run",
        path,
        "-o",
        tmp_path / "out",
        "--no-cache",
        registry=efs_registry,
        env={"DSGRID_SPARK_MASTER": "sc://127.0.0.1:9"},
    )
    assert result.exit_code == 2, result
    assert "cannot reach the Spark Connect server sc://127.0.0.1:9" in result.stderr
    assert not (tmp_path / "out" / "small").exists()


def test_missing_java_is_explained(efs_registry, tmp_path, dsgrid):
    path = _write(tmp_path / "q.json5", _small_query())
    result = dsgrid(
        "--engine",
        "spark",
        "query",
        "run",
        path,
        "-o",
        tmp_path / "out",
        "--no-cache",
        registry=efs_registry,
        env={"DSGRID_SPARK_MASTER": "local[1]", "PATH": "/nonexistent", "JAVA_HOME": ""},
    )
    assert result.exit_code == 2, result
    assert "needs Java 17" in result.stderr


def _wait(dsgrid, registry, job_id, statuses, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = dsgrid("query", "status", job_id, registry=registry, as_json=True).json()
        if job["status"] in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} stayed {job['status']}")


def test_background_job_runs_and_reports_progress(efs_registry, tmp_path, dsgrid):
    path = _write(tmp_path / "q.json5", _small_query())
    started = dsgrid(
        "query",
        "run",
        path,
        "-o",
        tmp_path / "out",
        "--background",
        registry=efs_registry,
        as_json=True,
    )
    assert started.exit_code == 0, started
    job = _wait(dsgrid, efs_registry, started.json()["job_id"], ("succeeded", "failed"))
    assert job["status"] == "succeeded", job
    assert (job["stages_done"], job["stages_total"]) == (4, 4)
    assert pd.read_parquet(tmp_path / "out" / "small" / "table.parquet").shape[0] == 4
    listed = dsgrid("query", "list", registry=efs_registry, as_json=True).json()
    assert started.json()["job_id"] in {j["id"] for j in listed}


def test_time_limit_and_cancel_interrupt_duckdb(efs_registry, tmp_path):
    """A deliberately slow statement is interrupted by the time limit and by cancel."""
    import threading

    from dsgrid_core.jobs import runner
    from dsgrid_core.jobs.store import JobStore

    slow = _small_query("slow")
    # a many-to-many explosion of the data with itself keeps DuckDB busy for minutes
    from dsgrid_core.engine import duckdb_engine

    original = duckdb_engine.DuckDBEngine.copy_to_parquet

    def slow_copy(self, sql, path):
        return original(self, "SELECT count(*) AS n FROM range(100000000000) a", path)

    duckdb_engine.DuckDBEngine.copy_to_parquet = slow_copy
    try:
        job_id = runner.create_query_job(
            efs_registry, slow, engine="duckdb", time_limit=1.0, use_cache=False
        )
        start = time.monotonic()
        assert runner.execute_job(efs_registry, job_id) == "failed"
        assert time.monotonic() - start < 30
        store = JobStore(efs_registry)
        assert "time limit" in store.get(job_id).error
        job_id = runner.create_query_job(efs_registry, slow, engine="duckdb", use_cache=False)
        thread = threading.Thread(target=runner.execute_job, args=(efs_registry, job_id))
        thread.start()
        deadline = time.monotonic() + 30
        while store.get(job_id).status != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        runner.cancel_job(efs_registry, job_id)
        thread.join(30)
        assert not thread.is_alive()
        assert store.get(job_id).status == "cancelled"
        store.close()
    finally:
        duckdb_engine.DuckDBEngine.copy_to_parquet = original


def test_interrupted_jobs_are_marked_failed(efs_registry, dsgrid):
    from dsgrid_core.jobs.store import JobStore

    store = JobStore(efs_registry)
    job = store.create("query", {"query": {}}, stages_total=4)
    dead_pid = 2**22 + 7  # above pid_max on this machine: no such process
    store.start(job.id, dead_pid)
    store.close()
    listed = dsgrid("query", "list", registry=efs_registry, as_json=True).json()
    mine = next(j for j in listed if j["id"] == job.id)
    assert mine["status"] == "failed" and "interrupted" in mine["error"]
    assert os.path.exists(efs_registry / "registry.db")


def test_python_api_query_returns_arrow_and_pandas(efs_registry_template, test_data):
    from dsgrid_core.service import open_registry, run_query

    with open_registry(efs_registry_template, read_only=True) as registry:
        result = run_query(registry, test_data / FIVE, use_cache=False)
        frame = result.to_pandas()
    assert result.table.num_rows == len(frame) == 320544
    # dsgrid's default column_type: columns named after their dimensions
    assert sorted(frame["Five Year Intervals"].unique())[:3] == ["2010", "2015", "2020"]


def test_duckdb_memory_limit_is_named_when_hit(demo_registry_copy, tmp_path, dsgrid):
    """A query needing more than DSGRID_DUCKDB_MEMORY_LIMIT stops with the setting's name,
    exit 2, and nothing in the output folder."""
    registry = demo_registry_copy
    query = tmp_path / "mem.json5"
    query.write_text(
        '{name: "mem", project: {project_id: "demo_us_buildings", dataset: {dataset_id: "mem",'
        ' source_datasets: [{dataset_id: "demo_comstock_like"}, {dataset_id:'
        ' "demo_resstock_like"}]}}, result: {aggregations: [{aggregation_function: "mean",'
        ' dimensions: {geography: ["geography"], metric: ["metric"], subsector: ["subsector"],'
        ' time: ["time"]}}]}}'
    )
    out = tmp_path / "out"
    result = dsgrid(
        "query", "run", query, "-o", out, "--no-cache",
        registry=registry, env={"DSGRID_DUCKDB_MEMORY_LIMIT": "30MB"},
    )  # fmt: skip
    assert result.exit_code == 2, result
    assert "DSGRID_DUCKDB_MEMORY_LIMIT" in result.stderr
    assert not (out / "mem").exists()
