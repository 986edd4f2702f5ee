"""The OpenAPI document describes every route the server answers, and the server keeps to it:
property-based requests generated from the document (schemathesis) never get a server error
or an answer that contradicts the document."""

from __future__ import annotations

import re

import pytest
import schemathesis
import schemathesis.specs.openapi.checks
from hypothesis import HealthCheck, settings

from app import create_app


def test_every_api_route_is_documented_and_every_documented_route_exists(tmp_path):
    app = create_app(str(tmp_path), cache_dir=str(tmp_path / "cache"))
    document = app.server.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        (method.upper(), "/api/v1" + path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = set()
    for rule in app.server.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint.endswith(
            ("unknown_route", "openapi_json")
        ):
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["summary"] and operation["operationId"]
            assert "503" in operation["responses"]


@pytest.fixture(scope="module")
def api_schema(efs_registry_template, tmp_path_factory):
    cache = tmp_path_factory.mktemp("schemathesis-cache")
    app = create_app(str(efs_registry_template), cache_dir=str(cache))
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app.server)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_api_keeps_to_its_document(case):
    # Filters and sorts name columns that depend on the data (a dimension's record columns),
    # coverage axes must differ, and a query must name what the registry holds: those are
    # schema-valid and still a 400, on purpose.
    semantic = case.operation.path.endswith(
        ("records", "preview", "coverage", "/{kind}", "/queries")
    )
    excluded = [schemathesis.specs.openapi.checks.positive_data_acceptance] if semantic else []
    case.call_and_validate(excluded_checks=excluded)
