"""Speed a user feels from the CLI: start-up, listing, bulk registration, demo build.

Run: python bench/cli_speed.py [--test-data ../shared/dsgrid-test-data] [--runs 7]
Prints a Markdown table (median and min of several runs, wall clock, fresh processes).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _dsgrid() -> list[str]:
    exe = shutil.which("dsgrid")
    return [exe] if exe else [sys.executable, "-m", "dsgrid_core.cli.main"]


def timed(cmd: list[str], runs: int, setup=None) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--test-data", type=Path, default=REPO.parent / "shared" / "dsgrid-test-data"
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--demo-medium", action="store_true", help="also time `dsgrid demo --scale medium` once"
    )
    args = parser.parse_args()
    dsgrid = _dsgrid()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows.append(("`dsgrid --help`", *timed([*dsgrid, "--help"], args.runs), "< 0.5 s"))
        registry = tmp / "efs"
        bulk = args.test_data / "test_efs_registration.json5"

        def fresh():
            shutil.rmtree(registry, ignore_errors=True)
            subprocess.run(
                [*dsgrid, "registry", "create", str(registry)],
                check=True,
                stdout=subprocess.DEVNULL,
            )

        rows.append(
            (
                "bulk-register test_efs (3 datasets, 2 submissions)",
                *timed(
                    [*dsgrid, "--registry", str(registry), "registry", "bulk-register", str(bulk)],
                    args.runs,
                    setup=fresh,
                ),
                "< 2.5 s",
            )
        )
        rows.append(
            (
                "`dsgrid registry datasets list`",
                *timed(
                    [*dsgrid, "--registry", str(registry), "registry", "datasets", "list"],
                    args.runs,
                ),
                "< 0.5 s",
            )
        )
        if args.demo_medium:
            demo = tmp / "demo"
            rows.append(
                (
                    "`dsgrid demo --scale medium` (23.9M rows)",
                    *timed([*dsgrid, "demo", str(demo), "--scale", "medium"], 1),
                    "< 180 s",
                )
            )
    print("| command | median (s) | min (s) | target |")
    print("|---|---:|---:|---|")
    for name, median, best, target in rows:
        print(f"| {name} | {median:.3f} | {best:.3f} | {target} |")


if __name__ == "__main__":
    main()
