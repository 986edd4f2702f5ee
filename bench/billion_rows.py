"""A billion rows on one machine: Q1-Q4 of bench/query_bench.py on DuckDB over the demo at
its xlarge scale (2,046 counties, 1,200,207,600 stacked rows), each against the Parquet decode
limit measured in the same run.

    python bench/billion_rows.py [--data-dir DIR] [--scale xlarge] [--runs 3]
                                 [--memory-limit 3GB] [--markdown FILE]

Data: `dsgrid demo DIR/<scale> --scale <scale>` (built when missing; some 10 GB, outside the
repository). Each query runs in a fresh process (so its peak memory, the maximum resident set
size, is its own), once to warm the OS cache and then --runs times, with the DuckDB memory
limit of --memory-limit (DSGRID_DUCKDB_MEMORY_LIMIT) on every core. Two ways:
  - full scan (`use_summaries=False`): the plan over the stored tables;
  - as the builder runs it (summaries on): Q1 (months on the data's clock) reads the summary
    per local day and Q4 (no time) the summary over time; Q2 and Q3 keep the hour, so they
    read the tables either way.
The decode limit of a query is the time DuckDB takes to read, decompress and decode just the
table columns its plan reads (the dimension columns it groups, filters or maps, the timestamp
where it keeps time, and the value), of the rows its filter keeps (Q3: one state's counties,
whose row groups the scan skips by their statistics), with the lightest aggregate that reads
every value (the length of each string, the largest timestamp, the sum of the values): a
plan over those files does at least that much. The answers of the two ways are compared
(relative tolerance 1e-9).
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
from hand_written import DATASETS  # noqa: E402
from query_bench import queries  # noqa: E402

MAPPED = ["geography", "metric", "model_year", "scenario"]
# the table columns each query's full-scan plan reads
COLUMNS = {
    "Q1": [*MAPPED, "timestamp", "value"],
    "Q2": [*MAPPED, "timestamp", "value"],
    "Q3": [*MAPPED, "timestamp", "value"],
    "Q4": [*MAPPED, "value"],
}

# The child: runs one query --runs times after a warm-up, prints times, what it read, its peak
# memory and the result (to compare).
CHILD = """
import json, resource, statistics, sys, time
from dsgrid_core.registry.registry import Registry
from dsgrid_core.query.run import parse_query, run_query
registry, query, runs = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
summaries = sys.argv[4] == "1"
with Registry(registry, read_only=True) as reg:
    model = parse_query(query)
    def once():
        return run_query(reg, model, use_cache=False, use_summaries=summaries)
    result = once()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = once()
        times.append(time.perf_counter() - t0)
table = result.reports["peak_load"] if "peak_load" in result.reports else result.table
print(json.dumps({
    "seconds": statistics.median(times),
    "read": sorted({r["read"] for r in result.metadata["read"]}),
    "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024,
    "rows": table.num_rows,
    "result": table.to_pandas().astype(
        {c: str for c in table.column_names if c != "value"}
    ).to_dict("list"),
}))
"""


def run_child(registry: Path, query: dict, runs: int, summaries: bool, env: dict) -> dict:
    out = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [
            sys.executable,
            "-c",
            CHILD,
            str(registry),
            json.dumps(query),
            str(runs),
            str(int(summaries)),
        ],
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def state_counties(state: str) -> list[str]:
    from dsgrid_core.demo.catalog import read_package_csv

    return sorted(r["id"] for r in read_package_csv("counties.csv") if r["state"] == state)


def _reads(column: str) -> str:
    """The lightest aggregate that reads every value of a column."""
    if column == "value":
        return "sum(value)"
    if column == "timestamp":
        return "max(timestamp)"
    return f"sum(length({column}))"


def decode_limit(
    tables: list[str], columns: list[str], runs: int, memory_limit: str, where: str = ""
) -> float:
    """Median seconds to decode ``columns`` of every table, of the rows ``where`` keeps (after
    one warm-up read)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    files = ", ".join(f"'{t}'" for t in tables)
    aggregates = ", ".join(_reads(c) for c in columns)
    sql = f"SELECT {aggregates} FROM read_parquet([{files}]) {where}"  # noqa: S608 - bench constants
    con.execute(sql).fetchall()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        con.execute(sql).fetchall()
        times.append(time.perf_counter() - t0)
    con.close()
    return statistics.median(times)


def same(a: dict, b: dict) -> bool:
    import numpy as np
    import pandas as pd

    fa, fb = pd.DataFrame(a["result"]), pd.DataFrame(b["result"])
    keys = sorted(c for c in fa.columns if c != "value")
    if sorted(fa.columns) != sorted(fb.columns) or len(fa) != len(fb):
        return False
    fa, fb = (f.sort_values(keys).reset_index(drop=True) for f in (fa, fb))
    return all((fa[k] == fb[k]).all() for k in keys) and bool(
        np.allclose(fa["value"], fb["value"], rtol=1e-9, atol=0)
    )


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--scale", default="xlarge")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-limit", default="3GB")
    args = parser.parse_args()

    from dsgrid_core.registry.registry import Registry

    registry = args.data_dir / args.scale
    build = None
    if not (registry / "registry.db").exists():
        t0 = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own CLI
            [
                sys.executable,
                "-m",
                "dsgrid_core.cli.main",
                "demo",
                str(registry),
                "--scale",
                args.scale,
            ],
            check=True,
            cwd=REPO,
        )
        build = time.perf_counter() - t0
    with Registry(registry, read_only=True) as reg:
        records = [reg.show("dataset", d) for d in DATASETS]
        tables = [
            str(reg.dataset_table_path(d, r.version))
            for d, r in zip(DATASETS, records, strict=True)
        ]
    rows = sum(r.row_count for r in records)
    size = sum(r.size_bytes for r in records)
    env = {**os.environ, "DSGRID_DUCKDB_MEMORY_LIMIT": args.memory_limit}

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')}: {rows:,} stacked rows ({size / 1e9:.1f} GB of "
        f"Parquet), DuckDB with memory_limit {args.memory_limit} on {os.cpu_count()} cores, "
        f"median of {args.runs} warm runs, a fresh process per query and way.",
        "",
        "| query | full scan (s) | decode limit (s) | full scan / limit | peak memory (GiB) "
        "| with summaries (s) | read | peak memory (GiB) | same answer |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    state = "NY"
    counties = ", ".join(f"'{c}'" for c in state_counties(state))
    where = {"Q3": f"WHERE geography IN ({counties})"}
    for name, query in queries(state).items():
        full = run_child(registry, query, args.runs, False, env)
        fast = run_child(registry, query, args.runs, True, env)
        limit = decode_limit(
            tables, COLUMNS[name], args.runs, args.memory_limit, where.get(name, "")
        )
        line = (
            f"| {name} | {full['seconds']:.2f} | {limit:.2f} | {full['seconds'] / limit:.2f} | "
            f"{full['peak_gib']:.2f} | {fast['seconds']:.2f} | {' and '.join(fast['read'])} | "
            f"{fast['peak_gib']:.2f} | {'yes' if same(full, fast) else 'NO'} "
            f"({full['rows']:,} rows) |"
        )
        print(line, flush=True)
        lines.append(line)
    if build is not None:
        lines.append(
            f"\nBuilding the registry (`dsgrid demo --scale {args.scale}`): {build / 60:.1f} min."
        )
    common.publish(lines, args.markdown)


if __name__ == "__main__":
    main()
