"""The reference's bugs (compat_bugs.py), each proved: the reference's answer, the
independent pandas computation over the raw files, and ours agreeing with pandas."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from compat_bugs import BUGS
from compat_compare import FORMS, reference_python, run_reference
from compat_generate import layout_variants
from compat_ours import register


def test_every_bug_has_its_proof():
    assert {bug["test"] for bug in BUGS} <= set(globals())


@pytest.fixture
def undeclared_csv(tmp_path):
    """The one_table/stacked/CSV layout dataset with its column types left out."""
    if reference_python() is None:
        pytest.skip("reference venv not found (scripts/test.sh makes it)")
    out = tmp_path / "layouts"
    layout_variants(FORMS / "layouts", out)
    config = out / "datasets" / "compat_one_table_stacked_csv" / "dataset.json5"
    data = json.loads(config.read_text())
    data["data_layout"]["data_file"].pop("columns")
    config.write_text(json.dumps(data))
    return out, config


def test_reference_drops_csv_utc_offsets(undeclared_csv, tmp_path):
    out, config = undeclared_csv
    steps = [
        {"action": "project", "config": str(out / "project.json5")},
        {"action": "dataset", "config": str(config)},
        {
            "action": "submit",
            "project_id": "compat_layouts",
            "dataset_id": "compat_one_table_stacked_csv",
        },
        {"action": "stats", "dataset_id": "compat_one_table_stacked_csv"},
    ]
    # independent: pandas over the file
    frame = pd.read_csv(config.parent / "load_data.csv", dtype={"geography": str})
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    expected = set(pd.date_range("2012-01-01 00:00", "2012-01-01 23:00", freq="h", tz="UTC"))
    per_combo = frame.groupby(["geography", "subsector", "metric"])["timestamp"].apply(set)
    assert len(per_combo) == 8 and all(stamps == expected for stamps in per_combo)
    assert len(frame) == 192 and math.isclose(frame["value"].sum(), 382.08)

    # the reference: refuses, calling the instants it has missing
    ref = run_reference(
        {"mode": "register", "plans": [{"registry": str(tmp_path / "ref"), "steps": steps}]},
        tmp_path,
    )["plans"][0]["steps"]
    assert ref[0]["accepted"] and not ref[1]["accepted"]
    assert "do not match expected timestamps" in ref[1]["message"]

    # ours: registered, the stored values and instants those of the file
    ours = register(tmp_path / "ours", steps)["steps"]
    assert all(step["accepted"] for step in ours), ours
    assert ours[3]["values"] == 192 and math.isclose(ours[3]["value_sum"], 382.08)
    _assert_stored_instants(tmp_path / "ours", expected)


def _assert_stored_instants(registry_dir, expected):
    import duckdb

    from dsgrid_core.registry.registry import Registry

    with Registry(registry_dir, read_only=True) as registry:
        path = str(registry.dataset_table_path("compat_one_table_stacked_csv"))
    source = path if path.endswith(".parquet") else f"{path}/**/*.parquet"
    rel = duckdb.connect().sql(f"select * from read_parquet('{source}')")  # noqa: S608
    times = [c for c, t in zip(rel.columns, rel.types, strict=True) if "TIMESTAMP" in str(t)]
    assert len(times) == 1, rel.columns
    stored = pd.to_datetime(rel.df()[times[0]], utc=True)
    assert set(stored) == expected
