"""docs/compatibility.md is what the current code gives: a verdict that changed (a gap fixed,
a new refusal) fails here until the page is regenerated with scripts/compat_report.py."""

from __future__ import annotations

from compat_compare import REPO_ROOT
from compat_page import render

PAGE = REPO_ROOT / "docs" / "compatibility.md"


def test_committed_page_matches_the_comparison(compat_rows):
    expected = render(list(compat_rows.values()))
    assert PAGE.read_text(encoding="utf-8") == expected, (
        "docs/compatibility.md is out of date: run python scripts/compat_report.py"
    )
