"""The query files the suite runs, in the reference's syntax, by corpus: a registry and a folder of
queries over it. test_efs (the dsgrid test data, registered whole): queries/*.json5;
standard_scenarios (the small copy of StandardScenarios that tests/compat/compat_shrink.py
makes, see queries_standard_scenarios.py): queries_standard_scenarios/*.json5. A query's key
is "<corpus>/<file stem>": its row, gap or bug. Runs in our Python only."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import json5

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
QUERIES = HERE / "queries"
STANDARD_SCENARIOS_QUERIES = HERE / "queries_standard_scenarios"
TEST_DATA = Path(
    os.environ.get("DSGRID_TEST_DATA", REPO_ROOT.parent / "shared" / "dsgrid-test-data")
)
EFS_BULK = TEST_DATA / "test_efs_registration.json5"
PROJECTS = REPO_ROOT.parent / "shared" / "dsgrid-projects"
STANDARD_SCENARIOS_BULK = (
    PROJECTS / "StandardScenarios/dsgrid_project/scripts/build_registry/project_registration.json5"
)


@dataclass(frozen=True)
class Corpus:
    name: str  # the first part of its queries' keys
    folder: Path  # its query files
    title: str  # what the registry is, for the page


CORPORA = {
    "test_efs": Corpus("test_efs", QUERIES, "the test_efs project of the dsgrid test data"),
    "standard_scenarios": Corpus(
        "standard_scenarios",
        STANDARD_SCENARIOS_QUERIES,
        "a small copy of the StandardScenarios project (dsgrid_conus_2022)",
    ),
}

# The Spark engines (local, Spark Connect, the standalone cluster) run one set of plans, our
# Spark SQL, through three transports. Local Spark answers the real project's corpus, and
# test_efs's queries run on DuckDB; the engine parity suite (tests/query) runs every engine,
# the transports included. This keeps the whole test suite under its 30 minutes (test_efs took
# 49 s on local Spark, 47 s on Connect and 67 s on the cluster; StandardScenarios 26 s on
# Connect and 41 s on the cluster). DSGRID_COMPAT_QUERY_ALL_CORPORA=1 runs every corpus on
# every engine.
TRANSPORT_CORPORA: dict[str, tuple[str, ...]] = (
    {}
    if os.environ.get("DSGRID_COMPAT_QUERY_ALL_CORPORA") == "1"
    else {"spark": ("standard_scenarios",), "spark_connect": (), "spark_cluster": ()}
)


# our engines: DSGRID_COMPAT_QUERY_ENGINES (comma-separated), all four by default
ENGINES = [
    e.strip()
    for e in os.environ.get(
        "DSGRID_COMPAT_QUERY_ENGINES", "duckdb,spark,spark_connect,spark_cluster"
    ).split(",")
    if e.strip()
]


def engines_for(corpus: str) -> list[str]:
    """The engines a corpus's queries run on."""
    return [e for e in ENGINES if corpus in TRANSPORT_CORPORA.get(e, (corpus,))]


def reference_venv() -> Path:
    """DSGRID_REFERENCE_VENV, else the repository's .venv-reference (scripts/test.sh makes it)."""
    return Path(os.environ.get("DSGRID_REFERENCE_VENV") or REPO_ROOT / ".venv-reference")


def reference_python() -> Path | None:
    python = reference_venv() / "bin" / "python"
    return python if python.exists() else None


def missing_requirement(corpus: str = "test_efs") -> str | None:
    """Why the suite (its queries over ``corpus``) cannot run here, or None."""
    if reference_python() is None:
        return (
            f"reference venv (dsgrid-toolkit 0.4.0) not found at {reference_venv()} "
            "(scripts/test.sh makes it; or set DSGRID_REFERENCE_VENV)"
        )
    if not EFS_BULK.exists():
        return f"dsgrid test data not found at {TEST_DATA} (set DSGRID_TEST_DATA)"
    if corpus == "standard_scenarios" and not STANDARD_SCENARIOS_BULK.exists():
        return f"the StandardScenarios project repository not found at {STANDARD_SCENARIOS_BULK}"
    return None


@dataclass(frozen=True)
class QueryFile:
    corpus: str
    stem: str  # the file's stem, the query's name
    path: Path
    kind: str  # "project" (ProjectQueryModel) or "dataset" (DatasetQueryModel)
    question: str  # the file's first line, a comment saying what it asks

    @property
    def key(self) -> str:
        """The name of its row, gap or bug: "<corpus>/<stem>"."""
        return f"{self.corpus}/{self.stem}"

    @property
    def data(self) -> dict:
        return json5.loads(self.path.read_text(encoding="utf-8"))

    @property
    def as_job(self) -> dict:
        return {"key": self.key, "path": str(self.path), "kind": self.kind}


def query_files(corpus: str = "test_efs") -> list[QueryFile]:
    found = []
    for path in sorted(CORPORA[corpus].folder.glob("*.json5")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        question = first.removeprefix("//").strip() if first.startswith("//") else ""
        kind = "dataset" if "dataset_id" in json5.loads(text) else "project"
        found.append(QueryFile(corpus, path.stem, path, kind, question))
    return found
