"""A query result as NDJSON (the whole table, one JSON object per line, streamed), equal row for
row to the JSON pages and to the Parquet file read with pandas, through the API and through a
viewer of another server's API; and results of metrics that mix energy and power units: each
kind converted to its own unit, never added together, a single unit that cannot apply refused
naming the metrics. Expected values from pandas over the generated data file and a table of
unit factors written here from the published definitions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import json5
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from api_helpers import failed, ok

from dsgrid_core.errors import InputError
from tests.compat.compat_generate import write_data

FORMS = Path(__file__).resolve().parents[1] / "compat" / "forms" / "layouts"


# --- NDJSON ------------------------------------------------------------------------------------


@pytest.fixture
def registry(tmp_path, dsgrid) -> Path:
    path = tmp_path / "registry"
    assert dsgrid("registry", "create", path).exit_code == 0
    return path


def _result_job(registry: Path, folder: Path) -> pd.DataFrame:
    """A succeeded query job whose result (several row groups, an instant, a null value) is
    written here; returns (job id, what was written)."""
    from dsgrid_core.jobs.store import JobStore

    i = np.arange(2345)
    frame = pd.DataFrame(
        {
            "geography": pd.Series(i % 7).map("county_{}".format),
            "timestamp": pd.Timestamp("2012-01-01", tz="UTC") + pd.to_timedelta(i, "h"),
            "value": (i * 7919 % 1003) / 7.0,
        }
    )
    frame.loc[5, "value"] = None
    folder.mkdir(parents=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, folder / "table.parquet", row_group_size=500)
    store = JobStore(registry)
    try:
        job = store.create("query", {"query": {"name": "formats"}}, stages_total=1)
        store.finish(job.id, "succeeded", result_path=str(folder))
        return job.id
    finally:
        store.close()


def _pages(client, job: str) -> list[dict]:
    rows, query = [], f"/api/v1/jobs/{job}/result?limit=1000"
    while True:
        body = ok(client.get(query))
        rows += body["data"]["rows"]
        if body["next"] is None:
            return rows
        query = f"/api/v1/jobs/{job}/result?limit=1000&next={body['next']}"


def _lines(text: str) -> list[dict]:
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_ndjson_is_the_whole_table_as_the_pages_and_parquet_give_it(api, registry, tmp_path):
    from dsgrid_core.service.remote_viewer import RemoteViewer
    from tests.api.live_server import serving

    job = _result_job(registry, tmp_path / "result")
    client = api(registry)
    response = client.get(f"/api/v1/jobs/{job}/result?format=ndjson")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"] == f"attachment; filename={job}.ndjson"
    rows = _lines(response.get_data(as_text=True))

    assert rows == _pages(client, job)
    parquet = client.get(f"/api/v1/jobs/{job}/result?format=parquet").get_data()
    frame = pd.read_parquet(pd.io.common.BytesIO(parquet))
    assert len(rows) == len(frame) == 2345
    assert [r["geography"] for r in rows] == list(frame["geography"])
    assert [pd.Timestamp(r["timestamp"]) for r in rows] == list(frame["timestamp"])
    got = np.array([np.nan if r["value"] is None else r["value"] for r in rows])
    np.testing.assert_array_equal(got, frame["value"].to_numpy())
    assert rows[5]["value"] is None and set(rows[0]) == {"geography", "timestamp", "value"}

    # a viewer of this server's API pages through it: the same lines
    with serving(registry, cache_dir=str(tmp_path / "apicache")) as url:
        remote = "".join(RemoteViewer(url).result_ndjson(job))
    assert _lines(remote) == rows


def test_ndjson_errors_answer_before_any_byte(api, registry, tmp_path, monkeypatch):
    job = _result_job(registry, tmp_path / "result")
    client = api(registry)
    assert "jobs" in failed(client.get("/api/v1/jobs/nope/result?format=ndjson"), 404)["message"]
    error = failed(client.get(f"/api/v1/jobs/{job}/result?format=xml"), 400)
    assert "format" in error["message"]
    monkeypatch.setenv("DSGRID_CSV_ROW_CAP", "1000")
    error = failed(client.get(f"/api/v1/jobs/{job}/result?format=ndjson"), 413)
    assert "2,345 rows" in error["message"] and "Parquet" in error["message"]


def test_the_openapi_document_says_ndjson(api, registry):
    document = api(registry).get("/api/v1/openapi.json").get_json()
    get = document["paths"]["/jobs/{job_id}/result"]["get"]
    formats = next(p for p in get["parameters"] if p["name"] == "format")
    assert "ndjson" in formats["schema"]["enum"] and "ndjson" in formats["description"]
    assert "application/x-ndjson" in get["responses"]["200"]["content"]


# --- metrics in energy and power units ----------------------------------------------------------

END_USES = {  # id -> unit: energy in kWh and MWh, power in kW and MW
    "heating": "kWh",
    "cooling": "MWh",
    "lighting": "kWh",
    "fans": "kW",
    "pumps": "MW",
    "motors": "MW",
}
TO_KWH = {"kWh": 1.0, "MWh": 1000.0}  # 1 MWh = 1000 kWh
TO_KW = {"kW": 1.0, "MW": 1000.0}  # 1 MW = 1000 kW


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A tiny registered project whose end uses mix energy and power units, with its data file:
    (registry folder, generated data as pandas)."""
    from dsgrid_core.registry.registry import Registry

    root = tmp_path_factory.mktemp("mixed")
    out = root / "inputs"
    shutil.copytree(FORMS, out)
    (out / "dimensions" / "end_uses.csv").write_text(
        "id,name,fuel_id,unit\n"
        + "".join(f"{i},{i.title()},electricity,{u}\n" for i, u in END_USES.items())
    )
    project = json5.loads((out / "project.json5").read_text())
    project["datasets"] = [{"dataset_id": "mixed_ds", "dataset_type": "modeled"}]
    (out / "project.json5").write_text(json.dumps(project))
    dataset = json5.loads((out / "dataset.json5").read_text())
    dataset["dataset_id"] = "mixed_ds"
    (out / "dataset.json5").write_text(json.dumps(dataset))
    write_data(out / "dataset.json5", out / "project.json5")
    with Registry.create(root / "registry") as registry:
        registry.register_project(out / "project.json5", "p")
        registry.register_dataset(out / "dataset.json5", "d")
        registry.submit_dataset("compat_layouts", "mixed_ds", None, "s")
    return root / "registry", pd.read_parquet(out / "load_data.parquet")


def _builder_query(unit: str | None, metric: bool = True) -> dict:
    from dsgrid_core.query.builder import BuilderState, to_query

    group_by = {"subsector": "Compat Subsectors"}
    if metric:
        group_by["metric"] = "Compat End Uses"
    state = BuilderState(
        project_id="compat_layouts", datasets=["mixed_ds"], group_by=group_by, unit=unit
    )
    return to_query(state, "Compat Hours")


def _in_kind_units(data: pd.DataFrame, energy: str, power: str) -> pd.DataFrame:
    """Per end use and subsector: the sum in ``energy`` (energy end uses) or ``power``."""
    factor = {
        i: TO_KWH[u] / TO_KWH[energy] if u in TO_KWH else TO_KW[u] / TO_KW[power]
        for i, u in END_USES.items()
    }
    frame = data.assign(value=data["value"] * data["metric"].map(factor))
    return frame.groupby(["metric", "subsector"], as_index=False)["value"].sum()


def test_each_kind_is_converted_to_its_own_unit_and_never_added(api, mixed):
    from app.components import query_units

    registry, data = mixed
    records = [{"id": i, "name": i, "unit": u} for i, u in END_USES.items()]
    # the builder's default: the most common unit of each kind (kWh twice, MW twice)
    default = query_units.default_unit(records)
    assert default == "kWh,MW" and query_units.mixes_kinds(records)
    labels = [o["label"] for o in query_units.unit_options(default, records)]
    assert labels.index("Energy units") < labels.index("Power units")
    assert (
        labels[labels.index("One unit per kind (energy, power)") + 1]
        == "energy in kWh, power in MW"
    )
    assert "Energy and power are never added" in query_units.unit_note(default, records)

    client = api(registry)
    body = ok(
        client.post("/api/v1/queries", json={"query": _builder_query(default), "wait": 30}), 202
    )
    job = body["data"]["id"]
    assert body["data"]["status"] == "succeeded", body["data"]
    rows = _lines(client.get(f"/api/v1/jobs/{job}/result?format=ndjson").get_data(as_text=True))
    got = pd.DataFrame(rows).sort_values(["metric", "subsector"]).reset_index(drop=True)
    want = _in_kind_units(data, "kWh", "MW").sort_values(["metric", "subsector"])
    assert list(got["metric"]) == list(want["metric"])
    assert list(got["subsector"]) == list(want["subsector"])
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-12)


def test_a_result_that_would_add_energy_and_power_is_refused(api, mixed):
    from app.components import query_units

    registry, _ = mixed
    records = [{"id": i, "name": i, "unit": u} for i, u in END_USES.items()]
    client = api(registry)

    def refused(query: dict) -> str:
        return failed(client.post("/api/v1/queries", json={"query": query, "wait": 30}), 400)[
            "message"
        ]

    # one unit for every metric: the power end uses are named
    message = refused(_builder_query("MWh"))
    assert "cannot express every metric in MWh" in message
    assert all(f"{i} ({u})" in message for i, u in END_USES.items() if u in TO_KW)
    assert not any(f"{i} (" in message for i, u in END_USES.items() if u in TO_KWH)
    note = query_units.unit_note("MWh", records)
    assert "fans (kW), pumps (MW), motors (MW)" in note.children
    assert note.className == "text-danger"
    # a unit per kind but no metric column: energy and power would be added
    assert "would add values in MW, kWh" in refused(_builder_query("kWh,MW", metric=False))
    # two units of one kind
    assert "two energy units" in refused(_builder_query("kWh,MWh"))


def test_unit_words_and_targets():
    from dsgrid_core.query.units import one_unit, target_units, unit_words

    assert target_units("MWh,MW") == {"energy": "MWh", "power": "MW"}
    assert one_unit("MWh") == "MWh" and one_unit("MWh,MW") is None and one_unit(None) is None
    assert unit_words("MWh,MW") == "energy in MWh, power in MW"
    with pytest.raises(InputError, match="'furlong' is not a unit"):
        target_units("MWh,furlong")
