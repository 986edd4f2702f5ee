"""Spark on a standalone cluster against Spark local mode: the same queries, the same engine,
each in a child process that holds one classic SparkSession (tests/spark_cluster.py's driver).

    python bench/cluster_bench.py [--data-dir DIR] [--runs 3] [--markdown FILE]

Cluster: a master and two workers started with pyspark's `bin/spark-class` on 127.0.0.1, one
core and 1 GB each; local mode: "local[2]" (the same two cores). Queries:
  - every project query of the differential suite over test_efs (tests/compat_queries/queries,
    those both modes answer; needs ../shared/dsgrid-test-data), and
  - Q1-Q4 of bench/query_bench.py over the small demo registry (2.3M stacked rows; built
    with `dsgrid demo` in --data-dir, default $DSGRID_BENCH_DIR or ~/dsgrid-bench).
Times are wall clock per query as the child reports it (run_query end to end, result written),
median of --runs after one warm-up run; "first query" is the warm-up of the first query, when
the cluster's executors start. Answers of the two modes are compared (relative 1e-9).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from spark_cluster import ClusterQueryRunner, StandaloneCluster  # noqa: E402

SHARED = REPO.parent / "shared" / "dsgrid-test-data"


def efs_registry(work: Path) -> Path | None:
    if not (SHARED / "test_efs_registration.json5").exists():
        return None
    path = work / "efs"
    if not path.exists():
        _dsgrid("registry", "create", str(path))
        _dsgrid("--registry", str(path), "registry", "bulk-register",
                str(SHARED / "test_efs_registration.json5"))  # fmt: skip
    return path


def demo_registry(data_dir: Path) -> Path:
    """The small demo registry (shared with bench/query_bench.py: DATA_DIR/small)."""
    path = data_dir / "small"
    if not (path / "registry.db").exists():
        _dsgrid("demo", str(path), "--scale", "small")
    return path


def _dsgrid(*args: str) -> None:
    subprocess.run(  # noqa: S603 - our own CLI
        [str(Path(sys.executable).with_name("dsgrid")), *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def efs_queries() -> dict[str, dict]:
    from dsgrid_core.config.files import load_json5

    folder = REPO / "tests" / "compat_queries" / "queries"
    found = {}
    for path in sorted(folder.glob("*.json5")):
        data = load_json5(path)
        if "project" in data:
            found[path.stem] = data
    return found


def demo_queries(registry: Path) -> dict[str, dict]:
    from hand_written import Inputs
    from query_bench import queries

    return queries(Inputs(registry).state)


def timed(runner: ClusterQueryRunner, registry: Path, query: dict, runs: int):
    """(warm-up seconds, median seconds, the result's table) or None when refused."""
    times = []
    table = None
    for _ in range(runs + 1):
        start = time.perf_counter()
        try:
            result = runner.run(registry, query=query)
        except Exception:  # noqa: BLE001 - a query this corpus refuses: not timed
            return None
        times.append(time.perf_counter() - start)
        table = result.table
    return times[0], statistics.median(times[1:]), table


def same(a, b) -> bool:
    """The same rows: key columns equal (as text), float columns within 1e-9 (relative)."""
    import numpy as np
    import pandas as pd

    fa, fb = a.to_pandas(), b.to_pandas()
    if sorted(fa.columns) != sorted(fb.columns) or len(fa) != len(fb):
        return False
    fb = fb[list(fa.columns)]
    floats = [c for c in fa.columns if pd.api.types.is_float_dtype(fa[c])]
    keys = [c for c in fa.columns if c not in floats]
    if keys:
        fa = fa.sort_values(keys, kind="stable").reset_index(drop=True)
        fb = fb.sort_values(keys, kind="stable").reset_index(drop=True)
        if not fa[keys].astype(str).equals(fb[keys].astype(str)):
            return False
    return all(
        np.allclose(fa[c].to_numpy(float), fb[c].to_numpy(float), rtol=1e-9, equal_nan=True)
        for c in floats
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default_dir = os.environ.get("DSGRID_BENCH_DIR", str(Path.home() / "dsgrid-bench"))
    parser.add_argument("--data-dir", type=Path, default=Path(default_dir))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--markdown", type=Path, help="write the table here too")
    args = parser.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    args.data_dir.mkdir(parents=True, exist_ok=True)

    corpora = []
    efs = efs_registry(args.data_dir)
    if efs is not None:
        corpora.append(("test_efs", efs, efs_queries()))
    demo = demo_registry(args.data_dir)
    corpora.append(("demo small", demo, demo_queries(demo)))

    work = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    cluster = StandaloneCluster.start(work / "cluster")
    results: dict[str, dict] = {}
    try:
        for mode, master in (("local[2]", "local[2]"), ("cluster", cluster.master)):
            runner = ClusterQueryRunner(master, work / mode.replace("[", "").replace("]", ""))
            try:
                for corpus, registry, queries in corpora:
                    for name, query in queries.items():
                        key = (corpus, name)
                        print(f"{mode:9} {corpus} {name}", flush=True)
                        results.setdefault(key, {})[mode] = timed(
                            runner, registry, query, args.runs
                        )
            finally:
                runner.stop()
    finally:
        cluster.stop()

    lines = [
        f"Run {datetime.date.today().isoformat()}, {os.cpu_count()} cores, --runs {args.runs} "
        "(median after a warm-up); `python bench/cluster_bench.py`.",
        "",
        "| corpus | query | local[2] (s) | cluster (s) | cluster / local | same answer |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    totals = {}
    firsts = {}
    for (corpus, name), by_mode in results.items():
        local, remote = by_mode.get("local[2]"), by_mode.get("cluster")
        if local is None or remote is None:
            continue
        firsts.setdefault(corpus, (local[0], remote[0]))
        sums = totals.setdefault(corpus, [0.0, 0.0, 0])
        sums[0] += local[1]
        sums[1] += remote[1]
        sums[2] += 1
        if corpus != "test_efs":  # one row per demo query; test_efs in its total
            lines.append(
                f"| {corpus} | {name} | {local[1]:.2f} | {remote[1]:.2f} | "
                f"{remote[1] / local[1]:.2f} | {'yes' if same(local[2], remote[2]) else 'NO'} |"
            )
    for corpus, (local_sum, remote_sum, count) in totals.items():
        agreeing = sum(
            1
            for (c, _), by_mode in results.items()
            if c == corpus
            and by_mode.get("local[2]")
            and by_mode.get("cluster")
            and same(by_mode["local[2]"][2], by_mode["cluster"][2])
        )
        lines.append(
            f"| {corpus} | all {count} queries, total | {local_sum:.2f} | {remote_sum:.2f} | "
            f"{remote_sum / local_sum:.2f} | {agreeing} of {count} |"
        )
    for corpus, (local_first, remote_first) in firsts.items():
        lines.append(
            f"| {corpus} | first query (session warm, executors start) | {local_first:.2f} | "
            f"{remote_first:.2f} | {remote_first / local_first:.2f} | |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
