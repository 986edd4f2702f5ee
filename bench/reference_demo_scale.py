"""Side by side with the reference dsgrid-toolkit 0.4.0 on the demo project at realistic scale.

    python bench/reference_demo_scale.py [--scales small,medium] [--work-dir DIR]
                                         [--ref-venv .venv-reference] [--timeout 3600]
                                         [--registration-only] [--markdown FILE]

For each scale (small 2.3M, medium 24M, large 175M stacked rows): `dsgrid demo` builds our demo
registry, `dsgrid registry projects export` writes it as a dsgrid project folder, and both CLIs
bulk-register that same folder into new registries. Then each query of
bench/queries/demo_reference/ (Q1-Q4 in the reference's syntax) runs once through each CLI, a
new process each, our result cache off. Each step is timed (wall clock) with its peak memory
(the maximum resident set size of the process and its children: os.wait4). The result tables
are compared (columns by name, rows sorted, relative tolerance 1e-9). A reference step that
fails or passes --timeout is reported as such, with its time so far and peak memory.
--registration-only stops after the registrations.

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
from dataclasses import dataclass
from pathlib import Path

import common  # bench/ is the script's folder

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


def run(cmd: list[str], cwd: Path, timeout: float) -> Step:
    """``cmd`` in a new process: wall time, peak memory of it and its children, outcome."""
    log = cwd / "bench-step.log"
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                seconds = time.perf_counter() - start
                return Step(seconds, usage.ru_maxrss / 2**20, False, f"over {timeout:.0f} s")
            time.sleep(0.05)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 2**20  # KiB -> GiB
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
    scale: str, work: Path, ref: str, ours: str, timeout: float, queries: bool = True
) -> list[str]:
    folder = work / scale
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    demo, export = folder / "demo", folder / "export"
    subprocess.run([ours, "demo", str(demo), "--scale", scale], check=True, capture_output=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [ours, "--registry", str(demo), "registry", "projects", "export", PROJECT, str(export)],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(demo)  # only the exported folder is registered, by both
    url = f"sqlite:///{folder / 'ref.db'}"
    subprocess.run(  # noqa: S603
        [ref, "create-registry", url, "-p", str(folder / "ref-data")],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    subprocess.run([ours, "registry", "create", str(folder / "ours")], check=True)  # noqa: S603
    rows = []
    register = "registration.json5"
    ref_reg = run([ref, "-u", url, "registry", "bulk-register", register], export, timeout)
    our_reg = run(
        [ours, "--registry", str(folder / "ours"), "registry", "bulk-register", register],
        export,
        timeout,
    )
    rows.append(
        f"| {scale} | bulk-register | {ref_reg.cell()} | {our_reg.cell()} | "
        f"{ratio(ref_reg, our_reg)} | |"
    )
    for path in sorted(QUERIES.glob("*.json5")) if queries else []:
        name = path.stem
        ref_out, our_out = folder / "ref-out", folder / "our-out"
        ref_q = (
            run(
                [ref, "-u", url, "query", "project", "run", str(path), "-o", str(ref_out)],
                folder,
                timeout,
            )
            if ref_reg.ok
            else Step(0, 0, False, "not registered")
        )
        our_q = run(
            [
                ours,
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
    args = parser.parse_args()
    ref = str(args.ref_venv / "bin" / "dsgrid")
    ours = shutil.which("dsgrid") or sys.exit("our dsgrid CLI is not on PATH")
    subprocess.run(  # noqa: S603 - compiled bytecode for both sides, as pip did for the reference
        [sys.executable, "-m", "compileall", "-q", str(REPO / "dsgrid_core")], check=True
    )
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')}: wall seconds (peak memory) of one run each.",
        "",
        "| scale | step | reference dsgrid-toolkit 0.4.0 | dsgrid-viewer | speed-up | "
        "same result |",
        "|---|---|---:|---:|---:|---|",
    ]
    for scale in args.scales.split(","):
        steps = side_by_side(
            scale.strip(), args.work_dir, ref, ours, args.timeout, not args.registration_only
        )
        for row in steps:
            print(row, flush=True)
            lines.append(row)
    common.publish(lines, args.markdown)


if __name__ == "__main__":
    main()
