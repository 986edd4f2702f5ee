"""Side by side with the reference dsgrid-toolkit 0.4.0 on the same project query over test_efs.

Needs the reference installed in its own virtual environment (it is not a dependency):

    python3 -m venv /tmp/dsgrid-ref-venv
    /tmp/dsgrid-ref-venv/bin/pip install dsgrid-toolkit==0.4.0
    python bench/reference_side_by_side.py --ref-venv /tmp/dsgrid-ref-venv

Both CLIs register test_efs (bulk-register) into fresh registries, then run
bench/queries/state_enduse_model_year.json5 (sum by state, end use and model year) --runs
times each, end to end as a user would (new process each time, no result cache on our side).
The two result tables are compared (relative tolerance 1e-9). A last row repeats the query
with our result cache on, which the reference does not have: what a user sees when repeating a
query, not a like-for-like comparison.

Both sides run from compiled bytecode: pip compiled the reference's modules when it installed
them, and this script compiles ours first (an editable install has none until Python writes
it on first import, which PYTHONDONTWRITEBYTECODE, set on some machines, prevents).
"""

from __future__ import annotations

import argparse
import glob
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERY = REPO / "bench" / "queries" / "state_enduse_model_year.json5"


def timed(cmd: list[str], cwd: Path | None = None, setup=None) -> float:
    if setup:
        setup()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ref-venv", type=Path, required=True)
    parser.add_argument(
        "--test-data", type=Path, default=REPO.parent / "shared" / "dsgrid-test-data"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ref = str(args.ref_venv / "bin" / "dsgrid")
    ours = shutil.which("dsgrid")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "dsgrid_core")], check=True
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "td"
        shutil.copytree(args.test_data, data)
        for path in data.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        url = f"sqlite:///{tmp / 'ref.db'}"
        subprocess.run(
            [ref, "create-registry", url, "-p", str(tmp / "ref-data")],
            check=True,
            capture_output=True,
            cwd=tmp,  # the reference writes dsgrid.log into its working folder
        )
        t_ref_reg = timed(
            [ref, "-u", url, "registry", "bulk-register", "test_efs_registration.json5"], cwd=data
        )
        ours_reg = tmp / "ours"
        subprocess.run([ours, "registry", "create", str(ours_reg)], check=True, capture_output=True)
        t_our_reg = timed(
            [
                ours,
                "--registry",
                str(ours_reg),
                "registry",
                "bulk-register",
                str(data / "test_efs_registration.json5"),
            ]
        )
        ref_out, our_out = tmp / "ref-out", tmp / "our-out"
        ref_times = [
            timed(
                [ref, "-u", url, "query", "project", "run", str(QUERY), "-o", str(ref_out)],
                cwd=data,
                setup=lambda: shutil.rmtree(ref_out, ignore_errors=True),
            )
            for _ in range(args.runs)
        ]
        our_cmd = [
            ours,
            "--registry",
            str(ours_reg),
            "query",
            "run",
            str(QUERY),
            "-o",
            str(our_out),
            "--no-cache",
        ]
        our_times = [
            timed(our_cmd, setup=lambda: shutil.rmtree(our_out, ignore_errors=True))
            for _ in range(args.runs)
        ]
        # The same query again with our result cache on (the reference has none): what a user
        # sees repeating a query; not the like-for-like comparison above.
        cached = [*our_cmd[:-1]]
        timed(cached, setup=lambda: shutil.rmtree(our_out, ignore_errors=True))  # fills the cache
        repeat_times = [
            timed(cached, setup=lambda: shutil.rmtree(our_out, ignore_errors=True))
            for _ in range(args.runs)
        ]
        import numpy as np
        import pandas as pd

        ref_table = pd.read_parquet(
            glob.glob(str(ref_out / "state_enduse_model_year" / "table.parquet"))[0]
        )
        ref_table.columns = ["geography", "metric", "model_year", "value"]
        our_table = pd.read_parquet(our_out / "state_enduse_model_year" / "table.parquet")
        merged = ref_table.merge(our_table, on=["geography", "metric", "model_year"])
        same = len(merged) == len(ref_table) == len(our_table) and np.allclose(
            merged["value_x"], merged["value_y"], rtol=1e-9
        )
    med_ref, med_our = statistics.median(ref_times), statistics.median(our_times)
    print("| step | reference dsgrid-toolkit 0.4.0 (s) | dsgrid-viewer (s) | speed-up |")
    print("|---|---:|---:|---:|")
    print(
        f"| bulk-register test_efs | {t_ref_reg:.2f} | {t_our_reg:.2f} | "
        f"{t_ref_reg / t_our_reg:.1f}x |"
    )
    print(
        f"| query state x end use x model year, median of {args.runs} (min) | "
        f"{med_ref:.2f} ({min(ref_times):.2f}) | {med_our:.2f} ({min(our_times):.2f}) | "
        f"{med_ref / med_our:.1f}x |"
    )
    med_repeat = statistics.median(repeat_times)
    print(
        f"| the same query repeated, our result cache on (the reference has none), median of "
        f"{args.runs} (min) | {med_ref:.2f} ({min(ref_times):.2f}) | {med_repeat:.2f} "
        f"({min(repeat_times):.2f}) | {med_ref / med_repeat:.1f}x |"
    )
    print(f"\nresults identical within 1e-9: {'yes' if same else 'NO'} ({len(our_table)} rows)")


if __name__ == "__main__":
    main()
