"""Query benchmark: the project's planner against hand-written DuckDB SQL and PySpark.

    python bench/query_bench.py [--data-dir DIR] [--scales small,medium,large]
                                [--engines duckdb,spark] [--runs 3] [--markdown FILE]

Data: demo registries built with `dsgrid demo` at three scales (2.3M, 23.9M, 175M stacked
rows) in --data-dir (default $DSGRID_BENCH_DIR or ~/dsgrid-bench), outside the repository.
Queries (all through the project's mappings: dataset end uses, model-year and scenario
multipliers):
  Q1 county -> state, by state x end use x month (EST)
  Q2 peak hour per state
  Q3 one state's hourly totals
  Q4 county -> balancing area (many-to-many, fractions) x scenario x model year
The project's plans read the stored tables, as the hand-written versions do (--summaries lets
Q1 and Q4 read the version's summaries, see bench/summary_bench.py). Every answer is checked
against the others (relative tolerance 1e-6). Times are wall clock,
median of --runs after one warm-up run; peak memory is the maximum resident set size of a
fresh process running the query (the JVM's for Spark).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import common  # noqa: E402 - bench/ is the script's folder
from hand_written import (  # noqa: E402
    DATASETS,
    TZ,
    Inputs,
    duckdb_connection,
    hand_duckdb_sql,
    hand_pyspark,
)


def project_query(name: str, **result) -> dict:
    return {
        "name": name,
        "project": {
            "project_id": "demo_us_buildings",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [{"dataset_id": d} for d in DATASETS],
            },
        },
        "result": result,
    }


def queries(state: str) -> dict[str, dict]:
    time_ref = "Demo Time 2018 Hourly EST"
    return {
        "Q1": project_query(
            "q1",
            time_zone=TZ,
            aggregations=[
                {
                    "dimensions": {
                        "geography": ["Demo States"],
                        "metric": ["Demo End Uses"],
                        "time": [{"dimension_name": time_ref, "function": "start_of_month"}],
                    }
                }
            ],
        ),
        "Q2": project_query(
            "q2",
            unit="kWh",  # end uses added together: in one unit
            reports=[{"report_type": "peak_load"}],
            aggregations=[{"dimensions": {"geography": ["Demo States"], "time": [time_ref]}}],
        ),
        "Q3": project_query(
            "q3",
            unit="kWh",
            aggregations=[{"dimensions": {"time": [time_ref]}}],
            dimension_filters=[
                {
                    "filter_type": "supplemental_column_operator",
                    "dimension_type": "geography",
                    "dimension_name": "Demo States",
                    "operator": "isin",
                    "value": [state],
                }
            ],
        ),
        "Q4": project_query(
            "q4",
            unit="kWh",
            aggregations=[
                {
                    "dimensions": {
                        "geography": ["Demo Balancing Areas"],
                        "scenario": ["Demo Scenarios"],
                        "model_year": ["Demo Model Years"],
                    }
                }
            ],
        ),
    }


def median_time(fn, runs: int, warmup: bool = True):
    if warmup:
        fn()
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def frame_of(table):
    frame = table.to_pandas() if hasattr(table, "to_pandas") else table
    keys = sorted(c for c in frame.columns if c != "value")
    frame = frame[keys + ["value"]].copy()
    for k in keys:
        if "timestamp" in k:
            import pandas as pd

            col = pd.to_datetime(frame[k])
            frame[k] = col.dt.tz_localize(None) if col.dt.tz is not None else col
        else:
            frame[k] = frame[k].astype(str)
    return frame.sort_values(keys).reset_index(drop=True)


def agree(a, b) -> bool:
    import numpy as np

    if a.shape != b.shape or list(a.columns) != list(b.columns):
        return False
    keys = [c for c in a.columns if c != "value"]
    if not all((a[k] == b[k]).all() for k in keys):
        return False
    return bool(np.allclose(a["value"], b["value"], rtol=1e-6, atol=1e-6))


def peak_memory_duckdb(registry: Path, query: dict) -> float:
    """GiB: maximum RSS of a fresh process running the project query on DuckDB (the child
    reports its own peak, so every query gets its own figure)."""
    code = (
        "import json, resource, sys; from dsgrid_core.registry.registry import Registry; "
        "from dsgrid_core.query.run import parse_query, run_query; "
        "r = Registry(sys.argv[1], read_only=True); "
        "run_query(r, parse_query(json.loads(sys.argv[2])), use_cache=False, use_summaries=False); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(registry), json.dumps(query)],
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024 / 1024


class PeakMemory:
    """Peak resident memory of this process and all its children (the Spark JVM included),
    sampled every 0.1 s while the ``with`` block runs; ``gib`` after it."""

    def __init__(self, interval: float = 0.1):
        import threading

        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        import psutil

        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def gib(self) -> float:
        return self.peak / 1024**3


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--scales", default="small,medium,large")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--spark-scales",
        default="small,medium,large",
        help="scales to run on Spark (large takes minutes per query on 2 cores)",
    )
    parser.add_argument(
        "--spark-runs",
        type=int,
        help="timed runs per Spark query after the warm-up (default: --runs)",
    )
    parser.add_argument(
        "--no-spark-warmup-at",
        default="large",
        help="scales at which Spark queries run without a warm-up run (minutes per run)",
    )
    parser.add_argument(
        "--summaries",
        action="store_true",
        help="let the project read summaries where they answer (Q1, Q4): not a like-for-like "
        "comparison with the hand-written versions, which read the tables",
    )
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    engines = args.engines.split(",")
    lines = [
        "| scale | stacked rows | query | project DuckDB (s) | hand DuckDB SQL (s) | ratio "
        "| project Spark (s) | hand PySpark (s) | ratio | all agree |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    notes = []
    spark = None
    spark_peaks: list[float] = []
    for scale in args.scales.split(","):
        registry_path = args.data_dir / scale
        if not (registry_path / "registry.db").exists():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "dsgrid_core.cli.main",
                    "demo",
                    str(registry_path),
                    "--scale",
                    scale,
                ],
                check=True,
                cwd=REPO,
            )
        inputs = Inputs(registry_path)
        with Registry(registry_path, read_only=True) as reg:
            rows = sum(reg.show("dataset", d).row_count for d in DATASETS)
        hand_sql = hand_duckdb_sql(inputs)
        con = duckdb_connection(inputs)
        for qname, query_dict in queries(inputs.state).items():
            query = parse_query(query_dict)
            with Registry(registry_path, read_only=True) as reg:
                t_proj, res = median_time(
                    lambda q=query, r=reg: run_query(
                        r, q, use_cache=False, use_summaries=args.summaries
                    ),
                    args.runs,
                )
                proj = res.reports["peak_load"] if qname == "Q2" else res.table
                proj_frame = frame_of(proj)
            t_hand, hand = median_time(
                lambda sql=hand_sql[qname], c=con: c.sql(sql).to_arrow_table(), args.runs
            )
            ok = agree(proj_frame, frame_of(hand))
            cells = [
                scale,
                f"{rows:,}",
                qname,
                f"{t_proj:.3f}",
                f"{t_hand:.3f}",
                f"{t_proj / t_hand:.2f}",
            ]
            if "spark" in engines and scale in args.spark_scales.split(","):
                if spark is None:
                    from dsgrid_core.engine.spark_engine import get_session

                    t0 = time.perf_counter()
                    spark = get_session("local[*]")
                    notes.append(f"Spark local[*] session start: {time.perf_counter() - t0:.1f} s")
                    spark_queries = None
                spark_queries = hand_pyspark(spark, inputs)
                spark_runs = args.spark_runs or args.runs
                warm = scale not in args.no_spark_warmup_at.split(",")
                with Registry(registry_path, read_only=True) as reg, PeakMemory() as memory:
                    t_sp, sres = median_time(
                        lambda q=query, r=reg: run_query(
                            r,
                            q,
                            engine="spark",
                            use_cache=False,
                            use_summaries=args.summaries,
                            engine_options={"master": "local[*]"},
                        ),
                        spark_runs,
                        warmup=warm,
                    )
                    sp = sres.reports["peak_load"] if qname == "Q2" else sres.table
                spark_peaks.append(memory.gib)
                with PeakMemory() as memory:
                    t_hsp, hsp = median_time(
                        lambda f=spark_queries[qname]: f().toArrow(), spark_runs, warmup=warm
                    )
                spark_peaks.append(memory.gib)
                ok = ok and agree(proj_frame, frame_of(sp)) and agree(proj_frame, frame_of(hsp))
                cells += [f"{t_sp:.3f}", f"{t_hsp:.3f}", f"{t_sp / t_hsp:.2f}"]
            else:
                cells += ["-", "-", "-"]
            cells.append("yes" if ok else "NO")
            lines.append("| " + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
        con.close()
        with Registry(registry_path, read_only=True) as reg:
            query = parse_query(queries(inputs.state)["Q1"])
            run_query(reg, query, use_cache=True)
            t0 = time.perf_counter()
            hit = run_query(reg, query, use_cache=True)
            notes.append(
                f"{scale}: Q1 repeated from the result cache: "
                f"{(time.perf_counter() - t0) * 1000:.1f} ms ({hit.metadata['cache']})"
            )
        if scale == args.scales.split(",")[-1]:
            peaks = {
                name: peak_memory_duckdb(registry_path, q)
                for name, q in queries(inputs.state).items()
            }
            notes.append(
                f"{scale}: peak memory on DuckDB (fresh process per query, max RSS): "
                + ", ".join(f"{name} {gib:.2f} GiB" for name, gib in peaks.items())
            )
    if spark_peaks:
        notes.append(
            f"Spark peak memory (driver process + JVM, sampled every 0.1 s): "
            f"{max(spark_peaks):.2f} GiB"
        )
    common.publish([*lines, "", *(f"- {n}" for n in notes)], args.markdown)


if __name__ == "__main__":
    main()
