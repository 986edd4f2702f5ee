"""The differential query suite's set-up: for each corpus (a registry and a folder of query
files, queries_corpus.CORPORA) the reference runs every query file once per session (one
process), we run them once per engine; each test then checks one query of the comparison.
Engines: DSGRID_COMPAT_QUERY_ENGINES (comma-separated, default
"duckdb,spark,spark_connect,spark_cluster"; our Spark engine needs Java 17; spark_connect runs
it through a Spark Connect client on the session's server, spark_cluster with a classic session
on a standalone cluster: tests/conftest.py's spark_connect_master and spark_cluster_runner,
shared with tests/query). The last two answer only the corpora queries_corpus.TRANSPORT_CORPORA
names for them (`engines_for`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the suite's modules import each other by name (the reference driver imports none of them)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from queries_corpus import ENGINES, missing_requirement  # noqa: E402
from queries_ours import ENGINES as OUR_ENGINES  # noqa: E402
from queries_ours import Engine, spark_cluster, spark_connect  # noqa: E402
from queries_session import Comparison, comparison  # noqa: E402


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
def standard_scenarios_registries(tmp_path_factory):
    """The small copy of StandardScenarios registered by the reference and by us, once per
    session (queries_standard_scenarios.py)."""
    reason = missing_requirement("standard_scenarios")
    if reason:
        pytest.skip(reason)
    from queries_standard_scenarios import register_ours, registered_by_the_reference

    return register_ours(registered_by_the_reference(tmp_path_factory))


@pytest.fixture(scope="session")
def query_workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("compat-queries")


@pytest.fixture(params=ENGINES)
def query_engine(request) -> Engine:
    if request.param == "duckdb":
        return OUR_ENGINES["duckdb"]
    request.applymarker(pytest.mark.spark)
    if request.param == "spark_connect":
        return spark_connect(request.getfixturevalue("spark_connect_master"))
    if request.param == "spark_cluster":
        return spark_cluster(request.getfixturevalue("spark_cluster_runner"))
    return OUR_ENGINES[request.param]


def registries(request, corpus: str) -> tuple[str, Path]:
    """(the reference's registry URL, our registry folder) of a corpus, from the session's
    fixtures (a corpus that cannot run here skips the test)."""
    if corpus == "test_efs":
        return (
            request.getfixturevalue("query_reference_registry"),
            request.getfixturevalue("efs_registry_template"),
        )
    found = request.getfixturevalue("standard_scenarios_registries")
    return found.url, found.ours


@pytest.fixture
def comparison_of(request, query_engine, query_workdir):
    """corpus -> every query of the corpus compared on the engine of the test (computed once
    per session)."""

    def get(corpus: str) -> Comparison:
        url, ours = registries(request, corpus)
        return comparison(corpus, url, ours, query_engine, query_workdir)

    return get


@pytest.fixture
def query_comparison(comparison_of) -> Comparison:
    """The test_efs comparison on the engine of the test."""
    return comparison_of("test_efs")


@pytest.fixture
def standard_scenarios_comparison(comparison_of) -> Comparison:
    return comparison_of("standard_scenarios")


@pytest.fixture
def duckdb_comparisons(request, query_workdir) -> dict[str, Comparison]:
    """The comparisons the committed page shows: every corpus on our DuckDB engine."""
    found = {}
    for corpus in ("test_efs", "standard_scenarios"):
        url, ours = registries(request, corpus)
        found[corpus] = comparison(corpus, url, ours, OUR_ENGINES["duckdb"], query_workdir)
    return found
