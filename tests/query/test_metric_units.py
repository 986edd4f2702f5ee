"""Units when metrics are grouped or summed over: a supplemental metric converts each end use
into its group's unit before summing; values in different units are never added as they are.
A tiny project (two end uses, one in kWh and one in MWh) with generated data, against pandas
over the generated file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import json5
import numpy as np
import pandas as pd
import pytest

from dsgrid_core.errors import InputError
from tests.compat.compat_generate import write_data

FORMS = Path(__file__).resolve().parents[1] / "compat" / "forms" / "layouts"


def _project(tmp_path, group_unit: str | None):
    out = tmp_path / "units"
    shutil.copytree(FORMS, out)
    (out / "dimensions" / "end_uses.csv").write_text(
        "id,name,fuel_id,unit\nheating,Space Heating,electricity,kWh\n"
        "cooling,Space Cooling,electricity,MWh\n"
    )
    unit_column = f",{group_unit}" if group_unit else ","
    (out / "dimensions" / "groups.csv").write_text(
        f"id,name,fuel_id,unit\nall_electric,All electric,electricity{unit_column}\n"
    )
    (out / "groups.csv").write_text("from_id,to_id\nheating,all_electric\ncooling,all_electric\n")
    project = json5.loads((out / "project.json5").read_text())
    project["dimensions"]["supplemental_dimensions"] = [
        {"type": "metric", "class": "EnergyEndUse", "name": "Electric Groups",
         "description": "both end uses", "file": "dimensions/groups.csv",
         "mapping": {"file": "groups.csv", "mapping_type": "many_to_one_aggregation"}}
    ]  # fmt: skip
    project["datasets"] = [{"dataset_id": "units_ds", "dataset_type": "modeled"}]
    (out / "project.json5").write_text(json.dumps(project))
    dataset = json5.loads((out / "dataset.json5").read_text())
    dataset["dataset_id"] = "units_ds"
    (out / "dataset.json5").write_text(json.dumps(dataset))
    write_data(out / "dataset.json5", out / "project.json5")
    return out


def _registry(tmp_path, out):
    from dsgrid_core.registry.registry import Registry

    registry = Registry.create(tmp_path / "reg")
    registry.register_project(out / "project.json5", "p")
    registry.register_dataset(out / "dataset.json5", "d")
    registry.submit_dataset("compat_layouts", "units_ds", None, "s")
    return registry


def _query(metric: list[str] | None, **result) -> dict:
    dims = {"subsector": ["Compat Subsectors"]}
    if metric:
        dims["metric"] = metric
    return {
        "name": "units",
        "project": {"project_id": "compat_layouts", "dataset": {
            "dataset_id": "units", "source_datasets": [{"dataset_id": "units_ds"}]}},
        "result": {
            "aggregations": [{"dimensions": dims}], "column_type": "dimension_types", **result
        },
    }  # fmt: skip


def _run(registry, query: dict) -> pd.DataFrame:
    from dsgrid_core.query.run import parse_query, run_query

    return run_query(registry, parse_query(query), use_cache=False).to_pandas()


def _expected(out, factor: dict[str, float]) -> pd.DataFrame:
    frame = pd.read_parquet(out / "load_data.parquet")
    frame["value"] = frame["value"] * frame["metric"].map(factor)
    return frame.groupby("subsector", as_index=False)["value"].sum().sort_values("subsector")


@pytest.mark.parametrize(("group_unit", "factor"), [("kWh", 1.0), ("MWh", 1e-3)])
def test_a_supplemental_metric_converts_each_end_use_to_its_groups_unit(
    tmp_path, group_unit, factor
):
    out = _project(tmp_path, group_unit)
    with _registry(tmp_path, out) as registry:
        table = _run(registry, _query(["Electric Groups"]))
    # cooling is in MWh: 1 MWh is 1000 kWh
    want = _expected(out, {"heating": factor, "cooling": 1000 * factor})
    table = table.sort_values("subsector").reset_index(drop=True)
    assert list(table["metric"].unique()) == ["all_electric"]
    assert list(table["subsector"]) == list(want["subsector"])
    np.testing.assert_allclose(table["value"], want["value"], rtol=1e-12)


def test_metrics_in_different_units_are_not_added_as_they_are(tmp_path):
    out = _project(tmp_path, None)
    with _registry(tmp_path, out) as registry:
        with pytest.raises(InputError, match="keeps no metric column, so it would add values in"):
            _run(registry, _query(None))
        with pytest.raises(InputError, match="'all_electric' has no unit and groups records in"):
            _run(registry, _query(["Electric Groups"]))
        in_kwh = _run(registry, _query(None, unit="kWh"))  # one unit asked: answered
    want = _expected(out, {"heating": 1.0, "cooling": 1000.0})
    in_kwh = in_kwh.sort_values("subsector").reset_index(drop=True)
    np.testing.assert_allclose(in_kwh["value"], want["value"], rtol=1e-12)
