"""Write docs/compatibility-queries.md: the query files of every corpus of tests/compat_queries
(queries/ on test_efs, queries_standard_scenarios/ on the small copy of StandardScenarios) run by
the reference (dsgrid-toolkit 0.4.0, from DSGRID_REFERENCE_VENV, default .venv-reference) and
by us (DuckDB engine), and compared. Builds every registry in a temporary folder.

    python scripts/compat_queries_report.py            # rewrite the page
    python scripts/compat_queries_report.py --check    # exit 1 when the page is out of date
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "compatibility-queries.md"
sys.path.insert(0, str(ROOT / "tests" / "compat_queries"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the page")
    args = parser.parse_args()

    from queries_corpus import EFS_BULK, missing_requirement
    from queries_ours import ENGINES, build_our_registry
    from queries_page import render
    from queries_reference import build_reference_registry
    from queries_session import comparison, start_reference
    from queries_standard_scenarios import build_standard_scenarios

    reason = missing_requirement("standard_scenarios")
    if reason:
        print(reason, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="compat-queries-") as scratch:
        root = Path(scratch)
        url = build_reference_registry(root / "reference-registry")
        ours = build_our_registry(root / "our-registry", EFS_BULK)
        small = build_standard_scenarios(root / "standard-scenarios")
        work, duckdb = root / "work", ENGINES["duckdb"]
        # both reference runs first (each in its own process), then our side
        start_reference("test_efs", url, work)
        start_reference("standard_scenarios", small.url, work)
        rows = list(comparison("test_efs", url, ours, duckdb, work).rows.values())
        rows += comparison("standard_scenarios", small.url, small.ours, duckdb, work).rows.values()
        text = render(rows)
    if args.check:
        if PAGE.exists() and PAGE.read_text(encoding="utf-8") == text:
            return 0
        print(
            f"{PAGE} is out of date: run python scripts/compat_queries_report.py", file=sys.stderr
        )
        return 1
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
