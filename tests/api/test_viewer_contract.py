"""The viewer's two implementations answer alike: every question the pages ask, put to
`LocalViewer` (in process, on the registry folder) and to `RemoteViewer` (over HTTP, through a
real server's /api/v1 on 127.0.0.1), gives the same answer field for field, and the same error
class and message. Covers every component of test_efs and of the small demo, the grids'
filters (AND and OR), sorts and offsets, and a query job from submission to its files."""

from __future__ import annotations

import contextlib
import time

import pytest
from live_server import serving
from test_query_jobs_api import _query

from dsgrid_core.browse.paging import AnyOf, Filter, Page
from dsgrid_core.errors import DsgridError
from dsgrid_core.service import open_registry
from dsgrid_core.service.local_viewer import LocalViewer
from dsgrid_core.service.remote_viewer import RemoteError, RemoteViewer
from dsgrid_core.service.viewer import Viewer

NON_TIME = ("geography", "sector", "subsector", "metric", "model_year", "scenario", "weather_year")


def _outcome(viewer: Viewer, method: str, *args, **kwargs):
    """What a call gives: its answer (a Page as its fields), or its error's class and text."""
    try:
        value = getattr(viewer, method)(*args, **kwargs)
    except DsgridError as exc:
        return ("error", type(exc).__name__, exc.message)
    if isinstance(value, Page):  # what a paged API answer carries (items, total, next)
        return ("page", value.items, value.total, value.next)
    return ("answer", value)


class Both:
    """Asks both viewers and fails on the first call they answer differently."""

    def __init__(self, local: Viewer, remote: Viewer) -> None:
        self.local, self.remote, self.calls = local, remote, 0

    def same(self, method: str, *args, messages: bool = True, **kwargs):
        """``messages=False``: errors of the same class whose texts may differ (the server
        checks its parameters before the core sees them, and names its own source)."""
        mine = _outcome(self.local, method, *args, **kwargs)
        theirs = _outcome(self.remote, method, *args, **kwargs)
        if not messages and mine[0] == theirs[0] == "error":
            mine, theirs = mine[:2], theirs[:2]
        assert mine == theirs, f"{method}{args}{kwargs}"
        self.calls += 1
        return mine


@pytest.fixture
def both(request, tmp_path):
    def make(registry):
        stack = contextlib.ExitStack()
        request.addfinalizer(stack.close)
        url = stack.enter_context(serving(registry, cache_dir=str(tmp_path / "cache")))
        reg = open_registry(registry, read_only=True)
        stack.callback(reg.close)
        return Both(LocalViewer(reg), RemoteViewer(url))

    return make


def _ask_everything(b: Both) -> dict[str, int]:
    """Every read question over every component of the registry; counts what was asked."""
    seen = {}
    b.same("summary", latest=5)
    b.same("search", "county", limit=10)
    b.same("search", "hospital")
    for kind in ("project", "dataset", "dimension", "dimension_mapping"):
        b.same("components", kind, limit=3)
        b.same("components", kind, sort=[("name", True)], offset=1, limit=2)
        b.same("components", kind, filters=[Filter("name", "contains", "e")])
        rows = b.local.catalog(kind)
        assert rows == b.remote.catalog(kind)
        seen[kind] = len(rows)
        for row in rows:
            b.same("component", kind, row["id"])
            b.same("versions", kind, row["id"])
            b.same("dependency_graph", kind, row["id"])
            b.same("where_used", kind, row["id"])
    b.same("components", "dimension", type="geography")
    for dim in b.local.catalog("dimension"):
        if dim["type"] == "time":
            continue
        b.same("records", dim["id"])
        b.same("records_page", dim["id"], limit=5, offset=2)
        b.same("records_page", dim["id"], sort=[("id", True)], limit=4)
        either = AnyOf((Filter("id", "startswith", "1"), Filter("name", "contains", "a")))
        b.same("records_page", dim["id"], filters=[either], limit=50)
    for mapping in b.local.catalog("dimension_mapping"):
        b.same("mapping_rows", mapping["id"])
        b.same("mapping_records_page", mapping["id"], filters=[Filter("from_fraction", "lt", 1)])
        b.same("fraction_check", mapping["id"])
        b.same("mapping_flows", mapping["id"], max_nodes=5)
    for dataset in b.local.catalog("dataset"):
        facts = b.same("dataset_facts", dataset["id"])[1]
        b.same("preview", dataset["id"], limit=7, offset=3)
        b.same("preview", dataset["id"], filters=[Filter("value", "gt", 0)], limit=5)
        b.same("coverage", dataset["id"], x="geography", y="subsector")
        by = next(t for t in ("metric", "subsector") if t in facts["dimensions"])
        b.same("load_profile", dataset["id"], by=by, resolution="day")
    for project in b.local.catalog("project"):
        overview = b.same("project_overview", project["id"])[1]
        for ds in overview["datasets"]:
            b.same("project_coverage", project["id"], ds["dataset_id"], x="geography", y="metric")
        choices = b.same("query_choices", project["id"])[1]
        for t in NON_TIME:
            for name in choices["dimensions"].get(t, [])[:2]:
                b.same("query_records", project["id"], t, name)
    return seen


def _errors(b: Both) -> None:
    for method, args in [
        ("component", ("dimension", "no_such_dimension")),
        ("records", ("no_such_dimension",)),
        ("dataset_facts", ("no_such_dataset",)),
        ("query_choices", ("no_such_project",)),
        ("component", ("project", "x", "9.9.9")),
    ]:
        outcome = b.same(method, *args)
        assert outcome[0] == "error", (method, outcome)
    outcome = b.same("components", "dimension", sort=[("nope", False)], messages=False)
    assert outcome[0] == "error"
    assert b.same("job", "no_such_job") == ("answer", None)


def test_every_read_agrees_on_test_efs(both, efs_registry_template):
    b = both(efs_registry_template)
    seen = _ask_everything(b)
    _errors(b)
    assert seen["project"] == 1 and seen["dataset"] == 3 and seen["dimension"] > 10, seen
    assert b.calls > 200, b.calls


def test_every_read_agrees_on_the_demo(both, demo_registry):
    b = both(demo_registry[0])
    seen = _ask_everything(b)
    assert seen["dataset"] >= 2 and seen["dimension_mapping"] >= 1, seen


def test_a_query_job_agrees_from_submission_to_its_files(both, efs_registry):
    b = both(efs_registry)
    job_id = b.remote.submit_query(_query(), wait=20)  # started over HTTP
    deadline = time.monotonic() + 60
    while b.local.job(job_id)["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, "the query job did not finish"
        time.sleep(0.2)
    job = b.same("job", job_id)[1]
    assert job["status"] == "succeeded", job
    assert job["query"]["name"] == "by_state" and job["row_count"] > 0
    assert [c["name"] for c in job["columns"]] == ["geography", "metric", "value"], job
    b.same("jobs", limit=5)
    b.same("result_page", job_id, limit=2)
    b.same("result_page", job_id, sort=[("value", True)], offset=1, limit=3)
    b.same(
        "result_page",
        job_id,
        filters=[Filter("value", "gt", 0), Filter("metric", "in", ["heating", "cooling"])],
    )
    assert b.local.result_file(job_id, "csv") == b.remote.result_file(job_id, "csv")
    local_frame, remote_frame = b.local.result_frame(job_id), b.remote.result_frame(job_id)
    assert local_frame.equals(remote_frame) and len(local_frame) == job["row_count"]
    # a finished job cannot be cancelled: the same refusal both ways
    assert b.same("cancel_job", job_id)[1] == "ConflictError"
    # a bad query is refused before any job, with the same class both ways
    bad = {"name": "x", "project": {"project_id": "nope"}}
    assert b.same("submit_query", bad, messages=False)[0] == "error"


def test_an_unreachable_server_and_a_bad_url_are_clear_errors():
    with pytest.raises(DsgridError, match="not an http"):
        RemoteViewer("ftp://example.org/")
    silent = RemoteViewer("http://127.0.0.1:9", timeout=2)  # the discard port: nothing answers
    with pytest.raises(RemoteError, match="did not answer"):
        silent.state()
