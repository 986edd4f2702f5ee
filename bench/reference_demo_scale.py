"""Side by side with the reference dsgrid-toolkit 0.4.0 on the demo project at realistic scale.

    python bench/reference_demo_scale.py [--scales small,medium] [--work-dir DIR]
                                         [--engine duckdb|spark] [--timeout 3600]
                                         [--ref-venv .venv-reference]
                                         [--ref-spark-venv .venv-reference-spark]
                                         [--spark-memory 8g] [--spark-cores 2]
                                         [--registration-only | --queries q1,q3]
                                         [--markdown FILE]

For each scale (small 2.3M, medium 24M, large 175M stacked rows): `dsgrid demo` builds our demo
registry, `dsgrid registry projects export` writes it as a dsgrid project folder, and both CLIs
bulk-register that same folder into new registries. Then each query of
bench/queries/demo_reference/ (Q1-Q4 in the reference's syntax) runs once through each CLI, a
new process each, our result cache off. Each step is timed (wall clock) with its peak memory:
the larger of the largest process waited for (os.wait4) and the resident memory of the whole
process tree, sampled (bench/process_memory.py). The result tables are compared (columns by
name, rows sorted, relative tolerance 1e-9). A reference step that fails or passes --timeout
is reported as such, with its time so far and peak memory. --registration-only stops after the
registrations.

--engine spark runs both tools on Spark in local mode with the same cores and driver memory:
the reference from a venv with its Spark extra (bench/reference_spark.py says how to make it),
which maps time through a Spark Thrift Server this script starts per scale (127.0.0.1; its
memory counts in the reference's steps); ours with `--engine spark`. Our registration does not
depend on the query engine.

The work folder (default $DSGRID_BENCH_DIR/reference-demo or ~/dsgrid-bench/reference-demo)
is outside the repository: the large scale needs about 10 GB.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import common  # bench/ is the script's folder
import reference_spark
from process_memory import kill_tree, tree_rss_bytes

REPO = Path(__file__).resolve().parent.parent
QUERIES = REPO / "bench" / "queries" / "demo_reference"
PROJECT = "demo_us_buildings"


@dataclass
class Step:
    seconds: float
    peak_gib: float
    ok: bool
    why: str = ""  # what went wrong, when not ok

    def cell(self) -> str:
        if self.ok:
            return f"{self.seconds:.2f} ({self.peak_gib:.2f} GiB)"
        return f"{self.why} after {self.seconds:.0f} s ({self.peak_gib:.2f} GiB)"


@dataclass
class Side:
    """How one tool is run: its CLI with the options before the command, its environment,
    and processes outside the command whose memory counts with it (a Thrift Server)."""

    cli: list[str]
    env: dict[str, str] = field(default_factory=dict)
    also: list[int] = field(default_factory=list)


def run(cmd: list[str], cwd: Path, timeout: float, side: Side) -> Step:
    """``cmd`` in a new process: wall time, peak memory, outcome. Peak memory is the larger
    of the largest process waited for (os.wait4) and the resident memory of the command's
    process tree plus ``side.also``, sampled every 0.1 s (a Spark JVM is not waited for)."""
    log = cwd / "bench-step.log"
    start = time.perf_counter()
    sampled = 0
    with open(log, "w") as out:
        proc = subprocess.Popen(  # noqa: S603
            cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **side.env}
        )
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            sampled = max(sampled, tree_rss_bytes([proc.pid, *side.also]))
            if time.perf_counter() > deadline:
                kill_tree(proc.pid)
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                seconds = time.perf_counter() - start
                peak = max(usage.ru_maxrss * 1024, sampled) / 2**30
                return Step(seconds, peak, False, f"over {timeout:.0f} s")
            time.sleep(0.1)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = max(usage.ru_maxrss * 1024, sampled) / 2**30  # ru_maxrss is in KiB
    if proc.returncode == 0:
        return Step(seconds, peak, True)
    tail = log.read_text(errors="replace").strip().splitlines()[-1:] or [""]
    why = (
        "killed (SIGKILL: out of memory?)" if proc.returncode == -9 else f"failed: {tail[0][:160]}"
    )
    return Step(seconds, peak, False, why)


def read_table(folder: Path, name: str):
    import pandas as pd

    found = glob.glob(str(folder / name / "table.parquet")) or glob.glob(
        str(folder / name / "table.parquet" / "*.parquet")
    )
    if not found:
        return None
    frame = pd.concat([pd.read_parquet(f) for f in found], ignore_index=True)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def same_table(a, b) -> str:
    """'yes (N rows)' or what differs."""
    import numpy as np

    if a is None or b is None:
        return "-"
    if sorted(a.columns) != sorted(b.columns):
        return f"columns differ: {sorted(a.columns)} vs {sorted(b.columns)}"
    keys = [c for c in a.columns if c != "value"]
    a = a.sort_values(keys).reset_index(drop=True)
    b = b[a.columns].sort_values(keys).reset_index(drop=True)
    if len(a) != len(b):
        return f"rows differ: {len(a)} vs {len(b)}"
    for key in keys:
        if not (a[key].astype(str) == b[key].astype(str)).all():
            return f"{key} differs"
    if not np.allclose(a["value"], b["value"], rtol=1e-9, atol=0):
        return "values differ"
    return f"yes ({len(a)} rows)"


def ratio(ref: Step, ours: Step) -> str:
    if not ours.ok:
        return "-"
    if not ref.ok:
        return "none: the reference fails"
    return f"{ref.seconds / ours.seconds:.1f}x"


def side_by_side(
    scale: str, folder: Path, ref: Side, ours: Side, timeout: float, queries: list[Path]
) -> list[str]:
    """One scale: both registrations of the exported folder, then each query; table rows."""
    export = folder / "export"
    url = f"sqlite:///{folder / 'ref.db'}"
    subprocess.run(  # noqa: S603
        [ref.cli[0], "create-registry", url, "-p", str(folder / "ref-data")],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    subprocess.run([ours.cli[0], "registry", "create", str(folder / "ours")], check=True)  # noqa: S603
    rows = []
    register = "registration.json5"
    ref_reg = run(
        [*ref.cli, "-u", url, "registry", "bulk-register", register], export, timeout, ref
    )
    our_reg = run(
        [*ours.cli, "--registry", str(folder / "ours"), "registry", "bulk-register", register],
        export,
        timeout,
        ours,
    )
    rows.append(
        f"| {scale} | bulk-register | {ref_reg.cell()} | {our_reg.cell()} | "
        f"{ratio(ref_reg, our_reg)} | |"
    )
    for path in queries:
        name = path.stem
        ref_out, our_out = folder / "ref-out", folder / "our-out"
        ref_q = (
            run(
                [*ref.cli, "-u", url, "query", "project", "run", str(path), "-o", str(ref_out)],
                folder,
                timeout,
                ref,
            )
            if ref_reg.ok
            else Step(0, 0, False, "not registered")
        )
        our_q = run(
            [
                *ours.cli,
                "--registry",
                str(folder / "ours"),
                "query",
                "run",
                str(path),
                "-o",
                str(our_out),
                "--no-cache",
            ],
            folder,
            timeout,
            ours,
        )
        agree = same_table(
            read_table(ref_out, name) if ref_q.ok else None,
            read_table(our_out, name) if our_q.ok else None,
        )
        question = path.read_text().splitlines()[0].removeprefix("//").strip()
        label = question.split(":")[0]
        rows.append(
            f"| {scale} | {label} | {ref_q.cell()} | {our_q.cell()} | {ratio(ref_q, our_q)} "
            f"| {agree} |"
        )
        shutil.rmtree(ref_out, ignore_errors=True)
        shutil.rmtree(our_out, ignore_errors=True)
    return rows


def export_demo(scale: str, work: Path, ours: str) -> Path:
    """A new folder for ``scale`` holding our demo exported as a dsgrid project folder."""
    folder = work / scale
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    demo = folder / "demo"
    subprocess.run([ours, "demo", str(demo), "--scale", scale], check=True, capture_output=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [
            ours,
            "--registry",
            str(demo),
            "registry",
            "projects",
            "export",
            PROJECT,
            str(folder / "export"),
        ],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(demo)  # only the exported folder is registered, by both
    return folder


def chosen_queries(args) -> list[Path]:
    """The query files --queries names (q1,q3: the files whose names start so), all by
    default, none with --registration-only."""
    every = sorted(QUERIES.glob("*.json5"))
    if args.registration_only:
        return []
    if not args.queries:
        return every
    names = [n.strip() for n in args.queries.split(",") if n.strip()]
    chosen = [p for p in every if any(p.stem.startswith(n) for n in names)]
    if not chosen:
        sys.exit(f"--queries {args.queries} names none of {[p.stem for p in every]}")
    return chosen


def scale_rows(scale: str, args, ours_cli: str, queries: list[Path]) -> list[str]:
    """Export the demo at ``scale`` and measure both tools on the chosen engine."""
    folder = export_demo(scale, args.work_dir, ours_cli)
    engine = ["--engine", args.engine]
    if args.engine == "duckdb":
        ref = Side([str(args.ref_venv / "bin" / "dsgrid")])
        ours = Side([ours_cli, *engine])
        return side_by_side(scale, folder, ref, ours, args.timeout, queries)
    venv = args.ref_spark_venv
    with reference_spark.thrift_server(
        venv, folder / "thrift", args.spark_memory, args.spark_cores
    ) as server:
        ref = Side(
            [str(venv / "bin" / "dsgrid")],
            reference_spark.reference_env(venv, server, args.spark_memory, args.spark_cores),
            [server.pid],
        )
        ours = Side(
            [ours_cli, *engine],
            {
                "DSGRID_SPARK_MASTER": f"local[{args.spark_cores}]",
                "DSGRID_SPARK_DRIVER_MEMORY": args.spark_memory,
                "SPARK_LOCAL_IP": "127.0.0.1",
            },
        )
        return side_by_side(scale, folder, ref, ours, args.timeout, queries)


def main() -> None:
    parser = common.parser(__doc__, data_dir=False)
    parser.add_argument("--scales", default="small,medium")
    parser.add_argument("--work-dir", type=Path, default=common.bench_dir() / "reference-demo")
    parser.add_argument(
        "--ref-venv",
        type=Path,
        default=Path(os.environ.get("DSGRID_REFERENCE_VENV", REPO / ".venv-reference")),
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step")
    parser.add_argument("--registration-only", action="store_true", help="no queries")
    parser.add_argument("--queries", help="only these queries: q1,q3 (default: all four)")
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="both tools' engine (spark: the reference from --ref-spark-venv with a Thrift Server)",
    )
    parser.add_argument(
        "--ref-spark-venv",
        type=Path,
        default=Path(os.environ.get("DSGRID_REFERENCE_SPARK_VENV", REPO / ".venv-reference-spark")),
        help=f"the reference with its Spark extra; make it with: {reference_spark.INSTALL_HINT}",
    )
    parser.add_argument("--spark-memory", default="8g", help="Spark driver memory of each tool")
    parser.add_argument("--spark-cores", type=int, default=2, help="local[N] for each tool")
    args = parser.parse_args()
    ours = shutil.which("dsgrid") or sys.exit("our dsgrid CLI is not on PATH")
    queries = chosen_queries(args)  # a bad --queries stops before any demo is built
    subprocess.run(  # noqa: S603 - compiled bytecode for both sides, as pip did for the reference
        [sys.executable, "-m", "compileall", "-q", str(REPO / "dsgrid_core")], check=True
    )
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {args.engine}: wall seconds (peak memory) "
        "of one run each.",
        "",
        "| scale | step | reference dsgrid-toolkit 0.4.0 | dsgrid-viewer | speed-up | "
        "same result |",
        "|---|---|---:|---:|---:|---|",
    ]
    for scale in args.scales.split(","):
        for row in scale_rows(scale.strip(), args, ours, queries):
            print(row, flush=True)
            lines.append(row)
    common.publish(lines, args.markdown)


if __name__ == "__main__":
    main()
