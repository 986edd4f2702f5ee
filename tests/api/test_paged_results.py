"""Row pages of query results and dataset previews: a page reads only its rows (not the whole
file), answers exactly the rows pandas cuts, carries a ``next`` token while rows remain, and a
filter value that does not fit its column is a 400 naming the column and the form to use."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from api_helpers import failed, ok

from dsgrid_core.browse.paging import Filter
from dsgrid_core.errors import InputError

PREVIEW = "/api/v1/datasets/test_efs_comstock/preview"


def _result(folder: Path, rows: int, row_group: int) -> pd.DataFrame:
    """A result table like a query's (dimension columns, an instant, a value), in row groups;
    returns what was written."""
    i = np.arange(rows)
    frame = pd.DataFrame(
        {
            "geography": pd.Series(i // 8760 % 50).map("state_{}".format),
            "metric": pd.Series(i // 1000 % 7).map("metric_{}".format),
            "timestamp": pd.Timestamp("2012-01-01", tz="UTC") + pd.to_timedelta(i % 8760, "h"),
            "value": (i * 7919 % 100_003) / 7.0,
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False),
        folder / "table.parquet",
        row_group_size=row_group,
    )
    return frame


def _job(registry: Path, folder: Path) -> str:
    """A succeeded query job whose result is ``folder`` (through the job store's own API)."""
    from dsgrid_core.jobs.store import JobStore

    store = JobStore(registry)
    try:
        job = store.create("query", {"query": {"name": "paged"}}, stages_total=1)
        store.finish(job.id, "succeeded", result_path=str(folder))
        return job.id
    finally:
        store.close()


@pytest.fixture
def registry(tmp_path, dsgrid) -> Path:
    path = tmp_path / "registry"
    assert dsgrid("registry", "create", path).exit_code == 0
    return path


def _expected(frame: pd.DataFrame) -> list[dict]:
    """Rows as the JSON page gives them: timestamps as ISO text (computed by pandas)."""
    out = frame.copy()
    out["timestamp"] = [t.isoformat() for t in out["timestamp"]]
    return out.to_dict("records")


# Runs in a fresh interpreter, so that the Arrow memory pool's peak is the page read's own.
PEAK_SCRIPT = """
import json, sys
import pyarrow as pa
from app import create_app
registry, cache, url = sys.argv[1:4]
client = create_app(registry, cache_dir=cache).server.test_client()
before = pa.default_memory_pool().max_memory()
body = client.get(url).get_json()
print(json.dumps({"before": before, "peak": pa.default_memory_pool().max_memory(),
                  "rows": body["data"]["rows"], "next": body["next"]}))
"""


def test_a_result_page_reads_only_the_row_groups_it_shows(registry, tmp_path):
    rows, offset, limit = 2_500_000, 2_345_678, 1000
    frame = _result(tmp_path / "result", rows, row_group=100_000)
    decoded = pq.read_table(tmp_path / "result" / "table.parquet").nbytes
    job = _job(registry, tmp_path / "result")
    url = f"/api/v1/jobs/{job}/result?limit={limit}&offset={offset}"
    run = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", PEAK_SCRIPT, str(registry), str(tmp_path / "cache"), url],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout.splitlines()[-1])
    assert answer["rows"] == _expected(frame.iloc[offset : offset + limit])
    # The whole file decodes to ~100 MB; one page may decode a row group's batch, not the file.
    assert answer["peak"] < decoded / 10, (answer["peak"], decoded)
    assert answer["next"]


def test_following_next_walks_a_result_without_overlap_or_gap(api, registry, tmp_path):
    frame = _result(tmp_path / "result", 5003, row_group=700)
    job = _job(registry, tmp_path / "result")
    client = api(registry)
    url = f"/api/v1/jobs/{job}/result"

    for offset, limit in ((0, 10), (650, 100), (4990, 50), (6000, 10)):
        body = ok(client.get(f"{url}?offset={offset}&limit={limit}"))
        assert body["data"]["rows"] == _expected(frame.iloc[offset : offset + limit])
        assert body["total"] == body["data"]["row_count"] == len(frame)
        more = offset + limit < len(frame)
        assert (body["next"] is not None) == more and body["data"]["next"] == body["next"]

    walked, pages, query = [], 0, f"{url}?limit=997"
    while True:
        body = ok(client.get(query))
        walked += body["data"]["rows"]
        pages += 1
        if body["next"] is None:
            break
        query = f"{url}?limit=997&next={body['next']}"
    assert pages == 6  # 5003 rows in pages of 997: the last page ends the walk
    assert walked == _expected(frame)

    token = ok(client.get(f"{url}?limit=10"))["next"]
    error = failed(client.get(f"{url}?offset=5&next={token}"), 400)
    assert "next" in error["message"]
    assert failed(client.get(f"{url}?next=not-a-token"), 400)


def test_result_page_filters_and_sorts_walk_like_pandas(tmp_path):
    from dsgrid_core.browse.results import result_page

    frame = _result(tmp_path / "result", 4000, row_group=512)
    path = tmp_path / "result" / "table.parquet"
    chosen = frame[frame["geography"] == "state_0"]
    chosen = chosen[chosen["value"] > 5000]
    filters = [Filter("geography", "exact", "state_0"), Filter("value", "gt", "5000")]
    walked, token = [], None
    while True:
        page = result_page(path, filters=filters, limit=333, token=token)
        walked += [row["value"] for row in page.items]
        token = page.next
        if token is None:
            break
    assert page.total == len(chosen) and walked == list(chosen["value"])

    ordered = frame.sort_values("value", ascending=False, kind="stable")
    page = result_page(path, sort=[("value", True)], offset=1200, limit=100)
    assert [row["value"] for row in page.items] == list(ordered["value"].iloc[1200:1300])

    with pytest.raises(InputError, match="'value'.*not a number"):
        result_page(path, filters=[Filter("value", "gt", "abc")])
    with pytest.raises(InputError, match="not a number"):
        result_page(path, filters=[Filter("value", "lt", "nan")])
    with pytest.raises(InputError, match="another table"):
        result_page(path, token=page.next, filters=filters)


def test_preview_next_walks_every_stored_row(api, efs_registry_template):
    client = api(efs_registry_template)
    version = ok(client.get("/api/v1/datasets/test_efs_comstock/facts"))["data"]["version"]
    table = pq.read_table(
        efs_registry_template / "data" / "test_efs_comstock" / version / "table.parquet"
    ).to_pandas()

    def walk(query: str) -> tuple[list[dict], dict]:
        rows, url = [], f"{PREVIEW}?{query}"
        while True:
            body = ok(client.get(url))
            rows += body["data"]
            assert body["total"] is not None
            if body["next"] is None:
                return rows, body
            url = f"{PREVIEW}?{query}&next={body['next']}"

    rows, last = walk("limit=1000")
    assert last["total"] == len(table) == len(rows)
    got = pd.DataFrame(rows)
    for column in ("geography", "subsector", "metric"):
        assert list(got[column]) == list(table[column])
    np.testing.assert_array_equal(got["value"], table["value"])
    assert rows[0]["timestamp"] == table["timestamp"].iloc[0].isoformat()

    mine = table[table["geography"] == "06073"]
    rows, last = walk("limit=700&filter=geography:exact:06073")
    assert last["total"] == len(mine) == len(rows)
    np.testing.assert_array_equal([r["value"] for r in rows], mine["value"])

    rows, last = walk("limit=900&sort=-value")
    assert len(rows) == len(table)
    assert [r["value"] for r in rows] == sorted(table["value"], reverse=True)
    keys = {(r["geography"], r["subsector"], r["metric"], r["timestamp"]) for r in rows}
    assert len(keys) == len(table)  # no row twice, so none skipped either


def test_filter_values_that_do_not_fit_their_column_are_400s(api, efs_registry_template):
    client = api(efs_registry_template)
    error = failed(client.get(f"{PREVIEW}?filter=timestamp:exact:x"), 400)
    assert "timestamp" in error["message"] and "ISO" in error["message"]
    error = failed(client.get(f"{PREVIEW}?filter=timestamp:gt:2012-13-45"), 400)
    assert "timestamp" in error["message"]
    error = failed(client.get(f"{PREVIEW}?filter=value:gt:abc"), 400)
    assert "'value'" in error["message"] and "number" in error["message"]
    assert failed(client.get(f"{PREVIEW}?filter=value:lte:inf"), 400)
    first = ok(client.get(f"{PREVIEW}?limit=1"))["data"][0]["timestamp"]
    same = ok(client.get(f"{PREVIEW}?filter=timestamp:exact:{first.replace('+', '%2B')}"))
    assert same["total"] > 0 and {r["timestamp"] for r in same["data"]} == {first}


def test_the_web_server_bounds_duckdb_memory_by_default(monkeypatch):
    import flask

    from dsgrid_core.data.duck import connect, page_connection

    def limit(con) -> str:
        try:
            return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        finally:
            con.close()

    monkeypatch.delenv("DSGRID_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("DSGRID_SERVER_DUCKDB_MEMORY_LIMIT", raising=False)
    with flask.Flask(__name__).test_request_context("/api/v1/summary"):
        assert limit(connect()) == limit(connect(memory_limit="1GB"))  # the server's default
    unbounded = limit(connect())
    assert unbounded != limit(connect(memory_limit="1GB"))  # a CLI query: DuckDB's own default
    seen = {}
    job = threading.Thread(target=lambda: seen.update(limit=limit(connect())), name="dsgrid-job-x")
    job.start()
    job.join()
    assert seen["limit"] == limit(connect(memory_limit="1GB"))
    assert limit(page_connection()) == limit(connect(memory_limit="256MB"))
    monkeypatch.setenv("DSGRID_DUCKDB_MEMORY_LIMIT", "3GB")
    with flask.Flask(__name__).test_request_context("/"):
        assert limit(connect()) == limit(connect(memory_limit="3GB"))
