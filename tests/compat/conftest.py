"""The compatibility suite's set-up: the comparison runs once per session (the reference costs
seconds per start), each test then checks one row of it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the suite's modules import each other by name (the reference driver imports none of them)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from compat_compare import all_rows, reference_python, reference_venv  # noqa: E402
from compat_corpus import corpora_present  # noqa: E402


@pytest.fixture(scope="session")
def compat_rows() -> dict:
    if reference_python() is None:
        pytest.skip(
            f"reference venv (dsgrid-toolkit 0.4.0) not found at {reference_venv()} "
            "(scripts/test.sh makes it; or set DSGRID_REFERENCE_VENV)"
        )
    if not corpora_present():
        pytest.skip("dsgrid corpora not found in ../shared (set DSGRID_TEST_DATA)")
    return {row.key: row for row in all_rows()}
