"""Canonical queries over the demo registry, on every engine, against pandas over the raw
generated files: county -> state aggregation by end use and month (Q1), the peak hour per
state (Q2), one state's hourly totals (Q3), and a many-to-many mapping with fractions (Q4)."""

from __future__ import annotations

import json5
import numpy as np
import pandas as pd
import pytest
from reference import TO_KWH, apply_mapping, dataset_frame, in_unit, records, to_project

TZ = "Etc/GMT+5"


@pytest.fixture(scope="module")
def demo_base(demo_registry):
    """Both demo datasets in the project's base dimensions, from the generated inputs."""
    _, inputs = demo_registry
    frames = []
    for dataset in ("demo_comstock_like", "demo_resstock_like"):
        folder = inputs / "datasets" / dataset
        trivial = {}
        for dim, file in (("model_year", "model_years.csv"), ("scenario", "scenarios.csv")):
            trivial[dim] = records(folder / "dimensions" / file)["id"].iloc[0]
        weather = records(inputs / "dimensions" / "weather_years.csv")["id"].iloc[0]
        frame = dataset_frame(folder / "dataset.json5", {**trivial, "weather_year": weather}, TZ)
        frames.append(
            to_project(
                frame,
                folder / "dimension_mappings.json5",
                records(folder / "dimensions" / "enduses.csv"),
                records(inputs / "dimensions" / "enduses.csv"),
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def demo_kwh(demo_registry, demo_base):
    """demo_base with every value in kWh (the demo's end uses are in kWh, MWh, therm and MBtu:
    a result that adds end uses together asks for one unit)."""
    _, inputs = demo_registry
    return in_unit(demo_base, records(inputs / "dimensions" / "enduses.csv"), "kWh")


def _project_query(name: str, **result) -> dict:
    return {
        "name": name,
        "project": {
            "project_id": "demo_us_buildings",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [
                    {"dataset_id": "demo_comstock_like"},
                    {"dataset_id": "demo_resstock_like"},
                ],
            },
        },
        "result": {"column_type": "dimension_types", **result},
    }


def _supplemental(inputs, file: str) -> pd.DataFrame:
    return records(inputs / "dimension_mappings" / "base_to_supplemental" / file)


def _names(inputs) -> dict[str, str]:
    project = json5.loads((inputs / "project.json5").read_text())
    return {
        d["type"] + ":" + d.get("name", ""): d["name"]
        for d in project["dimensions"]["base_dimensions"]
        + project["dimensions"]["supplemental_dimensions"]
    }


def _dimension_name(inputs, type_: str, contains: str) -> str:
    return next(
        v
        for k, v in _names(inputs).items()
        if k.startswith(type_ + ":") and contains.lower() in v.lower()
    )


def test_q1_state_by_end_use_by_month(demo_registry, demo_base, engine, run_query_on):
    registry, inputs = demo_registry
    time_name = _dimension_name(inputs, "time", "time")
    query = _project_query(
        "q1",
        time_zone="Etc/GMT+5",
        aggregations=[
            {
                "dimensions": {
                    "geography": [_dimension_name(inputs, "geography", "states")],
                    "metric": [_dimension_name(inputs, "metric", "end use")],
                    "time": [{"dimension_name": time_name, "function": "start_of_month"}],
                }
            }
        ],
    )
    table, _ = run_query_on(registry, query, engine)
    frame = apply_mapping(demo_base, "geography", _supplemental(inputs, "county_to_state.csv"))
    local = frame["timestamp"].dt.tz_convert(TZ).dt.tz_localize(None)
    frame["timestamp"] = local.dt.to_period("M").dt.to_timestamp()
    expected = frame.groupby(["geography", "metric", "timestamp"], as_index=False)["value"].sum()
    table = table.sort_values(["geography", "metric", "timestamp"]).reset_index(drop=True)
    expected = expected.sort_values(["geography", "metric", "timestamp"]).reset_index(drop=True)
    assert len(table) == len(expected) > 0
    assert list(table["geography"]) == list(expected["geography"])
    assert list(pd.to_datetime(table["timestamp"])) == list(expected["timestamp"])
    np.testing.assert_allclose(table["value"], expected["value"], rtol=1e-9)


def test_q2_peak_hour_per_state(demo_registry, demo_kwh, engine, run_query_on):
    registry, inputs = demo_registry
    query = _project_query(
        "q2",
        unit="kWh",
        reports=[{"report_type": "peak_load"}],
        aggregations=[
            {
                "dimensions": {
                    "geography": [_dimension_name(inputs, "geography", "states")],
                    "time": [_dimension_name(inputs, "time", "time")],
                }
            }
        ],
    )
    _, result = run_query_on(registry, query, engine)
    peaks = result.reports["peak_load"].to_pandas().sort_values("geography")
    frame = apply_mapping(demo_kwh, "geography", _supplemental(inputs, "county_to_state.csv"))
    hourly = frame.groupby(["geography", "timestamp"], as_index=False)["value"].sum()
    best = hourly.loc[hourly.groupby("geography")["value"].idxmax()].sort_values("geography")
    assert list(peaks["geography"]) == list(best["geography"])
    np.testing.assert_allclose(peaks["value"], best["value"], rtol=1e-9)
    assert list(pd.to_datetime(peaks["timestamp"], utc=True)) == list(best["timestamp"])


def test_q3_one_state_hourly(demo_registry, demo_kwh, engine, run_query_on):
    registry, inputs = demo_registry
    states = _supplemental(inputs, "county_to_state.csv")
    state = sorted(states["to_id"].unique())[-1]
    query = _project_query(
        "q3",
        unit="kWh",
        aggregations=[{"dimensions": {"time": [_dimension_name(inputs, "time", "time")]}}],
        dimension_filters=[
            {
                "filter_type": "supplemental_column_operator",
                "dimension_type": "geography",
                "dimension_name": _dimension_name(inputs, "geography", "states"),
                "operator": "isin",
                "value": [state],
            }
        ],
    )
    table, _ = run_query_on(registry, query, engine)
    counties = set(states.loc[states["to_id"] == state, "from_id"])
    frame = demo_kwh[demo_kwh["geography"].isin(counties)]
    expected = frame.groupby("timestamp", as_index=False)["value"].sum()
    table = table.sort_values("timestamp").reset_index(drop=True)
    assert len(table) == 8760 == len(expected)
    np.testing.assert_allclose(table["value"], expected["value"], rtol=1e-9)


def test_q4_many_to_many_balancing_areas(demo_registry, demo_kwh, engine, run_query_on):
    registry, inputs = demo_registry
    mapping = _supplemental(inputs, "county_to_demo_balancing_area.csv")
    assert (mapping.groupby("from_id").size() > 1).any()  # really many-to-many
    query = _project_query(
        "q4",
        unit="kWh",
        aggregations=[
            {
                "dimensions": {
                    "geography": [_dimension_name(inputs, "geography", "balancing")],
                    "scenario": [_dimension_name(inputs, "scenario", "scenario")],
                    "model_year": [_dimension_name(inputs, "model_year", "model year")],
                }
            }
        ],
    )
    table, _ = run_query_on(registry, query, engine)
    frame = apply_mapping(demo_kwh, "geography", mapping)
    keys = ["geography", "scenario", "model_year"]
    expected = frame.groupby(keys, as_index=False)["value"].sum().sort_values(keys)
    table = table.sort_values(keys).reset_index(drop=True)
    assert list(table["geography"]) == list(expected["geography"])
    np.testing.assert_allclose(table["value"], expected["value"], rtol=1e-9)
    # fractions conserve energy: the balancing-area total equals the county total
    np.testing.assert_allclose(table["value"].sum(), demo_kwh["value"].sum(), rtol=1e-9)


def test_filter_on_a_summed_over_dimension_with_multipliers(
    demo_registry, demo_kwh, engine, run_query_on
):
    """The scenario is summed over (not a result column) and filtered: only the multiplied
    high-electrification rows may count."""
    registry, inputs = demo_registry
    query = _project_query(
        "high_elec",
        unit="kWh",
        aggregations=[
            {
                "dimensions": {
                    "geography": [_dimension_name(inputs, "geography", "states")],
                    "model_year": [_dimension_name(inputs, "model_year", "model year")],
                }
            }
        ],
        dimension_filters=[
            {
                "filter_type": "column_operator",
                "dimension_type": "scenario",
                "dimension_name": "scenario",
                "operator": "isin",
                "value": ["high_electrification"],
            },
            {
                "filter_type": "expression",
                "dimension_type": "sector",
                "dimension_name": "sector",
                "column": "id",
                "operator": "==",
                "value": "res",
            },
        ],
    )
    table, _ = run_query_on(registry, query, engine)
    frame = demo_kwh[
        (demo_kwh["scenario"] == "high_electrification") & (demo_kwh["sector"] == "res")
    ]
    frame = apply_mapping(frame, "geography", _supplemental(inputs, "county_to_state.csv"))
    keys = ["geography", "model_year"]
    expected = frame.groupby(keys, as_index=False)["value"].sum().sort_values(keys)
    table = table.sort_values(keys).reset_index(drop=True)
    assert len(table) == len(expected) > 0
    assert list(table["model_year"]) == list(expected["model_year"])
    np.testing.assert_allclose(table["value"], expected["value"], rtol=1e-9)


@pytest.mark.parametrize("function", ["mean", "max", "count"])
def test_other_aggregation_functions_map_row_by_row(
    demo_registry, demo_kwh, engine, run_query_on, function
):
    """Means, maxima and counts are taken over the mapped rows (one per county, model year and
    scenario after the multipliers), as dsgrid defines them."""
    registry, inputs = demo_registry
    query = _project_query(
        f"by_{function}",
        unit="kWh",
        aggregations=[
            {
                "aggregation_function": function,
                "dimensions": {
                    "geography": [_dimension_name(inputs, "geography", "states")],
                    "sector": ["sector"],
                },
            }
        ],
    )
    table, _ = run_query_on(registry, query, engine)
    frame = apply_mapping(demo_kwh, "geography", _supplemental(inputs, "county_to_state.csv"))
    keys = ["geography", "sector"]
    pandas_function = {"mean": "mean", "max": "max", "count": "count"}[function]
    expected = frame.groupby(keys, as_index=False)["value"].agg(pandas_function)
    expected = expected.sort_values(keys).reset_index(drop=True)
    table = table.sort_values(keys).reset_index(drop=True)
    assert list(table["geography"]) == list(expected["geography"])
    np.testing.assert_allclose(table["value"], expected["value"].astype(float), rtol=1e-9)


@pytest.mark.parametrize("function", ["week", "day", None])
def test_local_periods_across_daylight_saving_changes(
    demo_registry, demo_kwh, engine, run_query_on, function
):
    """New York time over a whole year: weeks start on Monday, the spring day has 23 hours and
    the autumn day 25; without a function, the repeated autumn hour holds both instants."""
    registry, inputs = demo_registry
    time_name = _dimension_name(inputs, "time", "time")
    time_ref = (
        {"dimension_name": time_name, "function": f"start_of_{function}"} if function else time_name
    )
    query = _project_query(
        f"ny_{function}",
        unit="kWh",
        time_zone="America/New_York",
        aggregations=[{"dimensions": {"sector": ["sector"], "time": [time_ref]}}],
    )
    table, _ = run_query_on(registry, query, engine)
    frame = demo_kwh.copy()
    local = frame["timestamp"].dt.tz_convert("America/New_York").dt.tz_localize(None)
    if function == "week":
        local = local.dt.to_period("W-SUN").dt.start_time
    elif function == "day":
        local = local.dt.floor("D")
    frame["timestamp"] = local
    keys = ["sector", "timestamp"]
    expected = frame.groupby(keys, as_index=False)["value"].sum().sort_values(keys)
    expected = expected.reset_index(drop=True)
    table = table.sort_values(keys).reset_index(drop=True)
    assert len(table) == len(expected) > 0
    assert list(pd.to_datetime(table["timestamp"])) == list(expected["timestamp"])
    np.testing.assert_allclose(table["value"], expected["value"], rtol=1e-9)
    if function is None:  # 8760 instants, one wall-clock hour lost in March, one doubled
        assert table["timestamp"].nunique() == 8760 - 1


def test_results_in_a_chosen_unit(demo_registry, demo_base, engine, run_query_on):
    """result.unit converts every metric from its project unit (MWh or kWh in the demo)."""
    registry, inputs = demo_registry
    query = _project_query(
        "in_gwh",
        unit="GWh",
        aggregations=[{"dimensions": {"metric": [_dimension_name(inputs, "metric", "end use")]}}],
    )
    table, _ = run_query_on(registry, query, engine)
    units = records(inputs / "dimensions" / "enduses.csv").set_index("id")["unit"]
    expected = demo_base.groupby("metric", as_index=False)["value"].sum()
    factors = [TO_KWH[units[m]] / 1e6 for m in expected["metric"]]
    expected["value"] = expected["value"] * factors
    assert len(set(units[expected["metric"]])) >= 3  # kWh, MWh and therm really converted
    table = table.sort_values("metric").reset_index(drop=True)
    expected = expected.sort_values("metric").reset_index(drop=True)
    assert list(table["metric"]) == list(expected["metric"])
    np.testing.assert_allclose(table["value"], expected["value"], rtol=1e-9)
