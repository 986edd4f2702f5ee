"""A dataset whose end uses mix energy and power: the load profile never adds the two. Energy end
uses are converted to MWh and summed, power ones summed in kW, each in its own panel with an
axis naming its unit, and the note under the chart says why. Checked against pandas over the
generated input Parquet, on a copy of the demo registry where two end uses' records say kW."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pandas as pd
import pytest
from conftest import plotly_axis_title, plotly_traces, wait_until

from app import ids

pytestmark = pytest.mark.browser

DATASET = "demo_comstock_like"
POWER = ("com_fans", "com_refrigeration")
# 1 <unit> = factor MWh, from the definitions (1 Btu = 1055.05585 J, 1 kWh = 3.6 MJ)
TO_MWH = {"MWh": 1.0, "kWh": 1e-3, "MBtu": 0.29307107}


def _say_kw(registry, record_ids) -> None:
    """Set the unit of the dataset's end-use records ``record_ids`` to kW, in the registry."""
    with closing(sqlite3.connect(registry / "registry.db")) as con, con:
        rows = con.execute(
            "SELECT dimension_id, version, record_id, data FROM dimension_records "
            f"WHERE record_id IN ({', '.join('?' for _ in record_ids)})",
            record_ids,
        ).fetchall()
        assert len(rows) == len(record_ids), rows
        for dimension_id, version, record_id, data in rows:
            record = {**json.loads(data), "unit": "kW"}
            con.execute(
                "UPDATE dimension_records SET data = ? "
                "WHERE dimension_id = ? AND version = ? AND record_id = ?",
                (json.dumps(record), dimension_id, version, record_id),
            )


def test_energy_and_power_end_uses_get_their_own_panels(
    dash_duo, viewer, demo_registry, demo_registry_copy
):
    _, inputs = demo_registry
    folder = inputs / "datasets" / DATASET
    raw = pd.read_parquet(folder / "load_data.parquet")
    end_uses = pd.read_csv(folder / "dimensions" / "enduses.csv")
    _say_kw(demo_registry_copy, POWER)

    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(viewer(demo_registry_copy))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/datasets/{DATASET}?res=month")

    def two_lines():
        traces = plotly_traces(dash_duo, ids.DATASET_PROFILE_GRAPH) or []
        return traces if len(traces) == 2 and all(len(t["y"]) == 12 for t in traces) else None

    traces = {t["name"]: t for t in wait_until(two_lines, message="an energy and a power line")}
    zone = dash_duo.driver.execute_script(
        "const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return gd.layout.xaxis2.title.text;",
        ids.DATASET_PROFILE_GRAPH,
    )
    zone = zone.split("(")[-1].rstrip(")")
    local = raw["timestamp"].dt.tz_convert(zone).dt.tz_localize(None)
    raw["month"] = local.dt.to_period("M").dt.start_time
    unit_of = dict(zip(end_uses["id"], end_uses["unit"], strict=True))

    energy = raw[~raw["metric"].isin(POWER)]
    mwh = energy["value"] * energy["metric"].map(lambda m: TO_MWH[unit_of[m]])
    assert traces["total energy"]["y"] == pytest.approx(
        list(mwh.groupby(energy["month"]).sum()), rel=1e-9
    )
    power = raw[raw["metric"].isin(POWER)]
    assert traces["total power"]["y"] == pytest.approx(
        list(power.groupby("month")["value"].sum()), rel=1e-9
    )
    assert plotly_axis_title(dash_duo, ids.DATASET_PROFILE_GRAPH, "yaxis") == "energy (MWh)"
    assert plotly_axis_title(dash_duo, ids.DATASET_PROFILE_GRAPH, "yaxis2") == "power (kW)"
    note = dash_duo.find_element(f"#{ids.DATASET_PROFILE_UNITS}").text
    assert "never added together" in note and "energy, power" in note, note
    assert dash_duo.get_logs() == []
