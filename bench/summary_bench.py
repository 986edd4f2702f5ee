"""Summaries against the full scan: builder-style totals (no time column; the summary over
time) and sums by month, week, day and day of the week on the data's clock (the summaries per
local month, week and day, and those over geography where the result keeps none) at scale.

    python bench/summary_bench.py [--data-dir DIR] [--scales medium,large] [--runs 5]
                                  [--engines duckdb] [--one-unit] [--markdown FILE]

Data: demo registries built with `dsgrid demo` (small 2.3M, medium 24M, large 175M stacked
rows) in --data-dir (default $DSGRID_BENCH_DIR or ~/dsgrid-bench, outside the repository,
shared with bench/query_bench.py; a registry made before every summary existed is rebuilt in
DIR/<scale>-summaries). Each query runs in this process as the builder's job runner runs it
(run_query, result cache off), warm: one run first, then the median of --runs, with
summaries (what every query does) and without (`--no-summaries`: the tables). The answers are
compared (relative tolerance 1e-9) and the metadata must say what each read. --one-unit: the
demo with every end use relabelled to kWh (DIR/<scale>-one-unit), as real projects keep
theirs, and sums of all uses by day and week (the summary over sector, subsector and metric
per unit, which the demo's own four units read too).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import common  # bench/ is the script's folder

REPO = Path(__file__).resolve().parent.parent
DATASETS = ("demo_comstock_like", "demo_resstock_like")


def query(name: str, dimensions: dict, **result) -> dict:
    return {
        "name": name,
        "project": {
            "project_id": "demo_us_buildings",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [{"dataset_id": d} for d in DATASETS],
            },
        },
        "result": {"aggregations": [{"dimensions": dimensions}], **result},
    }


def period(function: str) -> dict:
    return {"dimension_name": "Demo Time 2018 Hourly EST", "function": function}


# what the builder asks for a map, a bar chart or a table of totals (read from the summary over
# time), and for lines by month or week (the summaries by local period); label -> (query, read)
QUERIES = {
    "state x end use (map, bars)": (
        query("b1", {"geography": ["Demo States"], "metric": ["Demo End Uses"]}),
        "summary",
    ),
    "county total in kWh (county map)": (
        query("b2", {"geography": ["Demo Counties"]}, unit="kWh"),
        "summary",
    ),
    "balancing area x scenario x model year, kWh": (
        query(
            "b3",
            {
                "geography": ["Demo Balancing Areas"],
                "scenario": ["Demo Scenarios"],
                "model_year": ["Demo Model Years"],
            },
            unit="kWh",
        ),
        "summary",
    ),
    "end use x model year, pivoted by scenario, names": (
        query(
            "b4",
            {
                "metric": ["Demo End Uses"],
                "model_year": ["Demo Model Years"],
                "scenario": ["Demo Scenarios"],
            },
            replace_ids_with_names=True,
            table_format={"format_type": "pivoted", "pivoted_dimension_type": "scenario"},
        ),
        "summary",
    ),
    "state x month (lines)": (
        query("b5", {"geography": ["Demo States"], "time": [period("start_of_month")]}, unit="MWh"),
        "summary per month",
    ),
    "end use x month (lines)": (
        query("b8", {"metric": ["Demo End Uses"], "time": [period("start_of_month")]}),
        "summary per month over geography",
    ),
    "end use x week x scenario, kWh (lines)": (
        query(
            "b6",
            {
                "metric": ["Demo End Uses"],
                "scenario": ["Demo Scenarios"],
                "time": [period("start_of_week")],
            },
            unit="kWh",
        ),
        "summary per day over geography",
    ),
    "sector x day of the week": (
        query("b7", {"sector": ["Demo Sectors"], "time": [period("dayofweek")]}, unit="MWh"),
        "summary per day over geography",
    ),
    "state x week (lines)": (
        query("b9", {"geography": ["Demo States"], "time": [period("start_of_week")]}, unit="MWh"),
        "summary per day over sector, subsector and metric per unit",  # kept before the weeks
    ),
    "state x day (lines)": (
        query("b10", {"geography": ["Demo States"], "time": [period("start_of_day")]}, unit="MWh"),
        "summary per day over sector, subsector and metric per unit",
    ),
}


# the demo with every end use in one unit (as real projects keep theirs): daily and weekly
# lines of all uses read the summary per day over sector, subsector and metric (one group)
ONE_UNIT = "summary per day over sector, subsector and metric per unit"
ONE_UNIT_QUERIES = {
    "state x day, all uses (lines)": (
        query("u1", {"geography": ["Demo States"], "time": [period("start_of_day")]}, unit="MWh"),
        ONE_UNIT,
    ),
    "state x week, all uses (lines)": (
        query("u2", {"geography": ["Demo States"], "time": [period("start_of_week")]}, unit="MWh"),
        ONE_UNIT,
    ),
    "county x day x scenario, all uses": (
        query(
            "u3",
            {
                "geography": ["Demo Counties"],
                "scenario": ["Demo Scenarios"],
                "time": [period("start_of_day")],
            },
            unit="kWh",
        ),
        ONE_UNIT,
    ),
}


def one_unit_registry(data_dir: Path, scale: str) -> Path:
    """The demo at ``scale`` with its end uses in kWh (`dsgrid demo --end-use-unit kWh`), in
    DIR/<scale>-one-unit (made once)."""
    return built(data_dir / f"{scale}-one-unit", scale, "--end-use-unit", "kWh")


def has_every_summary(path: Path) -> bool:
    """Whether the demo registry at ``path`` exists with every kind of summary."""
    from dsgrid_core.data.summaries import KINDS, recorded
    from dsgrid_core.registry.registry import Registry

    if not (path / "registry.db").exists():
        return False
    with Registry(path, read_only=True) as reg:
        kept = [recorded(reg.show("dataset", d).extra) for d in DATASETS]
    return all(set(k) == set(KINDS) for k in kept)


def built(path: Path, scale: str, *options: str) -> Path:
    """The demo registry at ``path`` (`dsgrid demo PATH --scale SCALE OPTIONS`), made again
    where it was made before every summary existed."""
    if has_every_summary(path):
        return path
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "dsgrid_core.cli.main", "demo", str(path), "--scale", scale]
        + list(options),
        check=True,
        cwd=REPO,
    )
    return path


def registry_with_summaries(data_dir: Path, scale: str) -> Path:
    """DIR/<scale> (shared with bench/query_bench.py) where it has every summary, else
    DIR/<scale>-summaries."""
    path = data_dir / scale
    return path if has_every_summary(path) else built(data_dir / f"{scale}-summaries", scale)


def timed(registry, model, engine: str, runs: int, use_summaries: bool):
    from dsgrid_core.query.run import run_query

    def once():
        return run_query(
            registry, model, engine=engine, use_cache=False, use_summaries=use_summaries
        )

    result = once()  # warm-up: the OS cache holds the files, the engine's modules are loaded
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = once()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def agree(a, b) -> bool:
    import numpy as np

    a, b = a.table.to_pandas(), b.table.to_pandas()
    values = [c for c in a.columns if a[c].dtype.kind == "f"]
    keys = [c for c in a.columns if c not in values]
    a = a.sort_values(keys).reset_index(drop=True)
    b = b[a.columns].sort_values(keys).reset_index(drop=True)
    return (
        len(a) == len(b)
        and all((a[k].astype(str) == b[k].astype(str)).all() for k in keys)
        and all(np.allclose(a[v], b[v], rtol=1e-9, atol=0, equal_nan=True) for v in values)
    )


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--scales", default="medium,large")
    parser.add_argument("--engines", default="duckdb")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--one-unit",
        action="store_true",
        help="the demo with every end use in kWh (DIR/<scale>-one-unit) and sums of all uses",
    )
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

    from dsgrid_core.data.summaries import recorded
    from dsgrid_core.query.run import parse_query
    from dsgrid_core.registry.registry import Registry

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')}, warm, median of {args.runs} runs, in process "
        "(run_query, result cache off).",
        "",
        "| scale | stacked rows | summaries / tables (bytes) | engine | query | read | from "
        "summaries (ms) | from tables (ms) | speed-up | same answer |",
        "|---|---:|---:|---|---|---|---:|---:|---:|---|",
    ]
    for scale in args.scales.split(","):
        if args.one_unit:
            path, queries = one_unit_registry(args.data_dir, scale), ONE_UNIT_QUERIES
        else:
            path, queries = registry_with_summaries(args.data_dir, scale), QUERIES
        with Registry(path, read_only=True) as reg:
            records = [reg.show("dataset", d) for d in DATASETS]
            rows = sum(r.row_count for r in records)
            table_bytes = sum(r.size_bytes for r in records)
            summary_bytes = sum(
                e["size_bytes"] for r in records for e in recorded(r.extra).values()
            )
            share = f"{summary_bytes:,} / {table_bytes:,} ({summary_bytes / table_bytes:.3%})"
            for engine in args.engines.split(","):
                for label, (body, read) in queries.items():
                    model = parse_query(body)
                    fast, on = timed(reg, model, engine, args.runs, True)
                    slow, off = timed(reg, model, engine, args.runs, False)
                    assert {r["read"] for r in on.metadata["read"]} == {read}, label
                    assert {r["read"] for r in off.metadata["read"]} == {"table"}, label
                    line = (
                        f"| {scale} | {rows:,} | {share} | {engine} | {label} | {read} | "
                        f"{fast * 1000:.0f} | {slow * 1000:.0f} | {slow / fast:.1f}x | "
                        f"{'yes' if agree(on, off) else 'NO'} |"
                    )
                    print(line, flush=True)
                    lines.append(line)
    common.publish(lines, args.markdown)


if __name__ == "__main__":
    main()
