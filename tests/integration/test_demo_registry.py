"""`dsgrid demo` builds a registry whose stored data equal the generated input files."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq

from dsgrid_core.demo import expected_rows_by_dataset


def test_small_demo_registers_everything(tmp_path, dsgrid):
    registry, inputs = tmp_path / "demo", tmp_path / "inputs"
    result = dsgrid("demo", registry, "--scale", "small", "--work-dir", inputs, as_json=True)
    assert result.exit_code == 0, result
    kinds = [item["kind"] for item in result.json()["items"]]
    assert kinds == ["project", "dataset", "dataset", "submission", "submission"]
    expected_rows = expected_rows_by_dataset("small")
    project = dsgrid(
        "registry", "projects", "show", "demo_us_buildings", registry=registry, as_json=True
    ).json()
    assert {d["status"] for d in project["config"]["datasets"]} == {"Registered"}
    for dataset_id, rows in expected_rows.items():
        shown = dsgrid(
            "registry", "datasets", "show", dataset_id, registry=registry, as_json=True
        ).json()
        assert shown["facts"]["row_count"] == rows
        stored = pq.read_table(registry / "data" / shown["facts"]["data_path"])
        assert stored.num_rows == rows
        # independent total straight from the generated input files
        folder = inputs / "demo_us_buildings" / "datasets" / dataset_id
        data = folder / "load_data.parquet"
        if (folder / "load_data_lookup.parquet").exists():
            columns = [c for c in pq.read_schema(data).names if c not in ("id", "timestamp")]
            total = duckdb.sql(
                "SELECT sum(" + " + ".join(f'"{c}"' for c in columns) + f") FROM '{data}'"
            ).fetchall()[0][0]
        else:
            total = duckdb.sql(f"SELECT sum(value) FROM '{data}'").fetchall()[0][0]
        stored_total = duckdb.sql(
            f"SELECT sum(value) FROM '{registry / 'data' / shown['facts']['data_path']}'"
        ).fetchall()[0][0]
        assert abs(stored_total - total) <= 1e-9 * abs(total)
    counties = dsgrid(
        "registry", "dimensions", "show", "demo_counties", registry=registry, as_json=True
    ).json()
    assert counties["facts"]["record_count"] == 4  # DC and Delaware's three counties
    assert counties["config"]["class"] == "County"
