"""The reference's side: every query file run by reference_query_driver.py in the reference's
own Python, one process for the whole batch of a corpus, against its reference registry."""

from __future__ import annotations

import json
import subprocess  # noqa: S404 - runs the reference's own Python on our driver
from pathlib import Path

import pandas as pd
from queries_corpus import TEST_DATA, QueryFile, reference_python, reference_venv

from tests.reference_cli import private_tmp_env

DRIVER = Path(__file__).resolve().parent / "reference_query_driver.py"


def build_reference_registry(folder: Path) -> str:
    """The reference's bulk-register of test_efs into a new registry in ``folder`` (on a
    writable copy of the test data: the reference writes next to what it registers), as
    tests/reference_cli.py's reference_efs_registry does; returns the registry URL."""
    from reference_cli import create_reference_registry, reference, writable_copy

    url, _ = create_reference_registry(folder)
    files = writable_copy(TEST_DATA, folder / "td")
    reference("registry", "bulk-register", "test_efs_registration.json5", url=url, cwd=files)
    return url


class ReferenceRun:
    """The driver started in the background (our side runs meanwhile); verdicts() waits."""

    def __init__(self, queries: list[QueryFile], url: str, workdir: Path):
        python = reference_python()
        if python is None:
            raise RuntimeError(f"the reference venv is missing: {reference_venv()}")
        workdir.mkdir(parents=True, exist_ok=True)
        self.queries = queries
        self.answer = workdir / "answer.json"
        job = {
            "url": url,
            "workdir": str(workdir),
            "answer": str(self.answer),
            "queries": [q.as_job for q in queries],
        }
        # its output goes to a file: a full pipe would stop it while nobody reads
        self.log = workdir / "driver.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed interpreter and script
                [str(python), str(DRIVER)],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                cwd=workdir,
                env=private_tmp_env(workdir / "tmp", DSGRID_BACKEND_ENGINE="duckdb"),
            )
        self.process.stdin.write(json.dumps(job))
        self.process.stdin.close()
        self._verdicts: dict[str, dict] | None = None

    def verdicts(self) -> dict[str, dict]:
        """The reference's verdict on every query, by key: accepted with its tables
        (DataFrames under "frames": "table" and one per report), or refused with its message."""
        if self._verdicts is None:
            if self.process.wait(timeout=1800) != 0:
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"reference query driver failed:\n{tail}")
            answers = json.loads(self.answer.read_text())["results"]
            self._verdicts = {}
            for query, answer in zip(self.queries, answers, strict=True):
                if answer["accepted"]:
                    answer["frames"] = {"table": pd.read_parquet(answer["table"])}
                    for name, path in answer["reports"].items():
                        answer["frames"][name] = pd.read_parquet(path)
                self._verdicts[query.key] = answer
        return self._verdicts


def dimension_types_by_name(url: str) -> dict[str, str]:
    """Every dimension name of the reference registry with its type (read from its database
    with sqlite3: its models table stores each config as JSON)."""
    import sqlite3

    database = url.removeprefix("sqlite:///")
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = con.execute("select model from models where model_type = 'dimension'").fetchall()
    finally:
        con.close()
    names = {}
    for (data,) in rows:
        model = json.loads(data)
        names[model["name"]] = model["type"]
    return names
