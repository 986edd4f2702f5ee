"""docs/compatibility-queries.md is what the current code gives: an answer that changed (a gap
fixed, a new difference) fails here until the page is regenerated with
scripts/compat_queries_report.py."""

from __future__ import annotations

from queries_corpus import REPO_ROOT
from queries_page import render

PAGE = REPO_ROOT / "docs" / "compatibility-queries.md"


def test_committed_page_matches_the_comparison(duckdb_comparisons, tmp_path):
    rows = [row for c in duckdb_comparisons.values() for row in c.rows.values()]
    expected = render(rows)
    (tmp_path / "compatibility-queries.md").write_text(expected, encoding="utf-8")
    assert PAGE.exists() and PAGE.read_text(encoding="utf-8") == expected, (
        "docs/compatibility-queries.md is out of date: run python scripts/compat_queries_report.py "
        f"(the page this run gives: {tmp_path / 'compatibility-queries.md'})"
    )
