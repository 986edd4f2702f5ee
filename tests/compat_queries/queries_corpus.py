"""The query files the suite runs (queries/*.json5, in the reference's syntax) and where the
test_efs corpus and the reference venv are. Runs in our Python only."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import json5

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
QUERIES = HERE / "queries"
TEST_DATA = Path(
    os.environ.get("DSGRID_TEST_DATA", REPO_ROOT.parent / "shared" / "dsgrid-test-data")
)
EFS_BULK = TEST_DATA / "test_efs_registration.json5"


def reference_venv() -> Path:
    """DSGRID_REFERENCE_VENV, else the repository's .venv-reference (scripts/test.sh makes it)."""
    return Path(os.environ.get("DSGRID_REFERENCE_VENV") or REPO_ROOT / ".venv-reference")


def reference_python() -> Path | None:
    python = reference_venv() / "bin" / "python"
    return python if python.exists() else None


def missing_requirement() -> str | None:
    """Why the suite cannot run here, or None."""
    if reference_python() is None:
        return (
            f"reference venv (dsgrid-toolkit 0.4.0) not found at {reference_venv()} "
            "(scripts/test.sh makes it; or set DSGRID_REFERENCE_VENV)"
        )
    if not EFS_BULK.exists():
        return f"dsgrid test data not found at {TEST_DATA} (set DSGRID_TEST_DATA)"
    return None


@dataclass(frozen=True)
class QueryFile:
    key: str  # the file's stem: the name of its row, gap or bug
    path: Path
    kind: str  # "project" (ProjectQueryModel) or "dataset" (DatasetQueryModel)
    question: str  # the file's first line, a comment saying what it asks

    @property
    def data(self) -> dict:
        return json5.loads(self.path.read_text(encoding="utf-8"))

    @property
    def as_job(self) -> dict:
        return {"key": self.key, "path": str(self.path), "kind": self.kind}


def query_files() -> list[QueryFile]:
    found = []
    for path in sorted(QUERIES.glob("*.json5")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        question = first.removeprefix("//").strip() if first.startswith("//") else ""
        kind = "dataset" if "dataset_id" in json5.loads(text) else "project"
        found.append(QueryFile(path.stem, path, kind, question))
    return found
