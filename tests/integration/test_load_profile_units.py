"""The dataset page's load profile never adds values of different units: every end use is
converted to its kind's common unit before anything is added, and kinds that cannot be added
(energy and power) stay apart. Checked against pandas over the generated input Parquet, with
unit factors written out here (not the tool's tables)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dsgrid_core.browse.datasets import load_profile
from dsgrid_core.service import open_registry

DATASET = "demo_comstock_like"
# 1 <unit> = factor MWh, from the definitions (1 Btu = 1055.05585 J, 1 kWh = 3.6 MJ)
TO_MWH = {"MWh": 1.0, "kWh": 1e-3, "MBtu": 0.29307107, "therm": 0.029307107}


@pytest.fixture(scope="module")
def demo(demo_registry):
    path, inputs = demo_registry
    registry = open_registry(path, read_only=True)
    folder = inputs / "datasets" / DATASET
    raw = pd.read_parquet(folder / "load_data.parquet")
    end_uses = pd.read_csv(folder / "dimensions" / "enduses.csv")
    yield registry, raw, end_uses
    registry.close()


def _monthly(raw: pd.DataFrame, zone: str) -> pd.DataFrame:
    local = raw["timestamp"].dt.tz_convert(zone).dt.tz_localize(None)
    return raw.assign(month=local.dt.to_period("M").dt.start_time)


def test_summed_end_uses_are_converted_to_mwh_first(demo):
    registry, raw, end_uses = demo
    assert set(end_uses["unit"]) == {"MWh", "kWh", "MBtu"}  # the demo mixes units on purpose
    profile = load_profile(registry, DATASET, resolution="month")
    unit = end_uses["unit"].map(TO_MWH)
    factor = dict(zip(end_uses["id"], unit, strict=True))
    frame = _monthly(raw, profile["time_zone"])
    expected = (frame["value"] * frame["metric"].map(factor)).groupby(frame["month"]).sum()
    naive = frame.groupby("month")["value"].sum()  # what adding them as stored would give

    assert profile["unit"] == "MWh" and profile["kinds"] == ["energy"]
    [series] = profile["series"]
    assert series["unit"] == "MWh" and len(series["y"]) == len(expected) == 12
    for got, want, wrong in zip(series["y"], expected, naive, strict=True):
        assert math.isclose(got, want, rel_tol=1e-9)
        assert not math.isclose(got, wrong, rel_tol=1e-3)
    converted = {c["from"]: (c["to"], c["factor"], c["records"]) for c in profile["conversions"]}
    by_unit = end_uses.groupby("unit")["id"].apply(sorted).to_dict()
    assert converted == {
        u: ("MWh", pytest.approx(TO_MWH[u], rel=1e-9), by_unit[u]) for u in ("kWh", "MBtu")
    }


def test_one_line_per_end_use_each_in_mwh(demo):
    registry, raw, end_uses = demo
    chosen = ["com_cooling", "com_exterior_lighting", "com_gas_heating"]
    profile = load_profile(
        registry, DATASET, records={"metric": chosen}, by="metric", resolution="month"
    )
    frame = _monthly(raw[raw["metric"].isin(chosen)], profile["time_zone"])
    unit_of = dict(zip(end_uses["id"], end_uses["unit"], strict=True))
    assert [s["name"] for s in profile["series"]] == chosen
    for series in profile["series"]:
        rows = frame[frame["metric"] == series["name"]]
        want = rows.groupby("month")["value"].sum() * TO_MWH[unit_of[series["name"]]]
        assert series["unit"] == "MWh"
        assert series["y"] == pytest.approx(list(want), rel=1e-9)


def test_energy_and_power_are_never_added(demo):
    """Two end uses given as power (kW, as another dataset might be): they become their own
    series in kW; the energy end uses are still converted to MWh and summed apart."""
    registry, raw, end_uses = demo
    power = {"com_fans": "kW", "com_refrigeration": "kW"}

    class PowerUnits:
        """The registry, with two end uses' unit changed to kW in their records."""

        def __getattr__(self, name):
            return getattr(registry, name)

        def records(self, dimension_id, version=None):
            rows = registry.records(dimension_id, version)
            return [{**r, "unit": power.get(r["id"], r.get("unit"))} for r in rows]

    profile = load_profile(PowerUnits(), DATASET, resolution="month")
    frame = _monthly(raw, profile["time_zone"])
    assert profile["kinds"] == ["energy", "power"] and profile["unit"] is None
    series = {s["kind"]: s for s in profile["series"]}
    assert (series["energy"]["unit"], series["power"]["unit"]) == ("MWh", "kW")
    energy = frame[~frame["metric"].isin(power)]
    factor = dict(zip(end_uses["id"], end_uses["unit"].map(TO_MWH), strict=True))
    want = (energy["value"] * energy["metric"].map(factor)).groupby(energy["month"]).sum()
    assert series["energy"]["y"] == pytest.approx(list(want), rel=1e-9)
    # kW values of the two (as stored: fans in MWh-scale numbers, refrigeration in kWh-scale),
    # added as they are since both are now in kW
    kw = frame[frame["metric"].isin(power)].groupby("month")["value"].sum()
    assert series["power"]["y"] == pytest.approx(list(kw), rel=1e-9)
