"""The API on a real HTTP server keeps to its OpenAPI document: schemathesis (`st run`) with
every check on, against a throwaway copy of the test registry, finds no failure.

What no OpenAPI document can state is listed in the config below, operation by operation,
and nothing else: which names a query or a coverage request may use depends on what the
registry holds (a schema-valid dataset id that is not registered, two equal coverage axes,
a filter on a column a dimension's records do not have), so those answers are 400 by design.
A request line longer than the HTTP server takes is refused by it with 414 (a rejection)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from live_server import serving

REGISTRY_DEPENDENT = (
    "/datasets/{id}/coverage",  # x and y must differ: no schema relates two parameters
    "/projects/{id}/coverage",
    "/dimensions/{id}/records",  # columns depend on the dimension
    "/queries",  # names must resolve in the registry
    # `next` is an opaque token the server gave out; a made-up one is a 400.
    "/{kind}",
    # which facets a kind has depends on the kind in the path (projects have no class)
    "/facets/{kind}",
    "/jobs/{job_id}/result",
    # timestamp and value filters need an ISO time or a number after the operator.
    "/datasets/{id}/preview",
    "/datasets/{id}/profile",  # a record filter must select records the dataset has
    "/projects/{id}/query-records",  # the dimension names depend on the project
    # a file must be what its name says (CSV, Parquet, JSON5): no schema states content
    "/uploads/{session}/files/{name}",
)
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415",
                     "422", "428", "429"]
""" + "".join(
    f"""
[[operations]]
include-path = "{path}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403",
                                                      "404", "409", "429"]
"""
    for path in REGISTRY_DEPENDENT
)
BUDGET_SECONDS = 110


@pytest.fixture
def live_api(efs_registry_template, tmp_path):
    registry = tmp_path / "registry"
    shutil.copytree(efs_registry_template, registry)
    with serving(registry, cache_dir=str(tmp_path / "cache")) as url:
        yield url


def test_the_live_api_keeps_to_its_document(live_api, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "--config-file",
        str(config),
        "run",
        f"{live_api}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        "8",
        "--seed",
        "13",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own test tool
        command, capture_output=True, text=True, timeout=BUDGET_SECONDS, cwd=tmp_path
    )
    elapsed = time.monotonic() - started
    report = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    assert "No issues found" in done.stdout or "passed" in done.stdout, report
    assert elapsed < BUDGET_SECONDS
