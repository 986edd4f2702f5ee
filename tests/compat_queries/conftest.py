"""The differential query suite's set-up: the reference runs every query file once per session
(one process), we run them once per engine; each test then checks one query of the
comparison. Engines: DSGRID_COMPAT_QUERY_ENGINES (comma-separated, default "duckdb,spark";
our Spark engine needs Java 17)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# the suite's modules import each other by name (the reference driver imports none of them)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from queries_corpus import missing_requirement  # noqa: E402
from queries_session import Comparison, comparison  # noqa: E402

ENGINES = [
    e.strip() for e in os.environ.get("DSGRID_COMPAT_QUERY_ENGINES", "duckdb,spark").split(",") if e
]


@pytest.fixture(scope="session")
def query_reference_registry(tmp_path_factory, test_data) -> str:
    """The URL of the reference's own registration of test_efs (shared with other suites)."""
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    from reference_cli import reference_efs_registry

    url, _, _ = reference_efs_registry(tmp_path_factory, test_data)
    return url


@pytest.fixture(scope="session")
def query_workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("compat-queries")


@pytest.fixture(params=ENGINES)
def query_engine(request) -> str:
    if request.param != "duckdb":
        request.applymarker(pytest.mark.spark)
    return request.param


@pytest.fixture
def query_comparison(
    query_reference_registry, efs_registry_template, query_engine, query_workdir
) -> Comparison:
    """Every query compared on the engine of the test (computed once per session)."""
    return comparison(query_reference_registry, efs_registry_template, query_engine, query_workdir)


@pytest.fixture
def duckdb_comparison(query_reference_registry, efs_registry_template, query_workdir):
    """The comparison the committed page shows: our DuckDB engine."""
    return comparison(query_reference_registry, efs_registry_template, "duckdb", query_workdir)
