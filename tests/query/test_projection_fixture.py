"""A tiny project for projection datasets (dsgrid's ProjectionDatasetModel): an initial-value
dataset with hourly time and model year 2018 only, and a growth-rate dataset with no-op time
over the project's model years (2018, 2020, 2025, 2030), as the Standard Scenarios project's
ComStock and AEO growth factors. ``build`` writes the configs and data; ``expected`` is the
projection computed with pandas over the written files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

LAYOUTS = Path(__file__).resolve().parents[1] / "compat" / "forms" / "layouts"
PROJECT = "growth_proj"
IV = "growth_iv"
GR = "growth_gr"
MULT = "growth_mult"  # annual multipliers (values near 1)
IV2 = "growth_iv2"  # initial values at two model years (2018 and 2020)
PROJECTED = "growth_projected"  # listed in the project, as dsgrid requires of a projection
DERIVED = "growth_derived"
MODEL_YEARS = ["2018", "2020", "2025", "2030"]
DIMS = ["geography", "subsector", "metric"]

_REF = {
    "geography": "Compat Counties",
    "sector": "Compat Sectors",
    "subsector": "Compat Subsectors",
    "metric": "Compat End Uses",
    "weather_year": "Compat Weather Years",
    "model_year": "Growth Model Years",
    "scenario": "Compat Scenarios",
    "time": "Compat Hours",
}


def _refs(skip: set[str]) -> list[dict]:
    return [{"type": t, "name": n, "version": "1.0.0"} for t, n in _REF.items() if t not in skip]


def _dataset(dataset_id: str, own: list[dict], skip: set[str], trivial: list[str]) -> dict:
    return {
        "dataset_id": dataset_id,
        "dataset_type": "modeled",
        "data_source": "test",
        "data_classification": "low",
        "description": f"{dataset_id}: generated",
        "sector_description": "commercial",
        "trivial_dimensions": trivial,
        "dimensions": own,
        "dimension_references": _refs(skip),
        "data_layout": {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": f"{dataset_id}.parquet"},
        },
    }


def build(out: Path, derived_ids: tuple[str, ...] = (PROJECTED, DERIVED)) -> Path:
    """Write the project, the datasets and their data in ``out``; returns ``out``."""
    shutil.copytree(LAYOUTS / "dimensions", out / "dimensions")
    (out / "dimensions" / "model_years.csv").write_text(
        "id,name\n" + "".join(f"{y},{y}\n" for y in MODEL_YEARS)
    )
    (out / "dimensions" / "iv_model_years.csv").write_text("id,name\n2018,2018\n")
    (out / "dimensions" / "iv2_model_years.csv").write_text("id,name\n2018,2018\n2020,2020\n")
    project = json.loads(json.dumps(_project_template()))
    project["datasets"] = [
        {
            "dataset_id": IV,
            "dataset_type": "modeled",
            "version": "1.0.0",
            "required_dimensions": {"single_dimensional": {"model_year": {"base": ["2018"]}}},
        },
        {
            "dataset_id": IV2,
            "dataset_type": "modeled",
            "version": "1.0.0",
            "required_dimensions": {
                "single_dimensional": {"model_year": {"base": ["2018", "2020"]}}
            },
        },
        *[
            {"dataset_id": d, "dataset_type": "modeled", "version": "1.0.0"}
            for d in (GR, MULT, *derived_ids)
        ],
    ]
    (out / "project.json5").write_text(json.dumps(project, indent=2))

    iv_year = {
        "type": "model_year",
        "class": "ModelYear",
        "name": "Initial Model Year",
        "description": "2018 only",
        "file": "dimensions/iv_model_years.csv",
    }
    no_time = {
        "type": "time",
        "class": "Time",
        "name": "Growth No Time",
        "description": "growth factors hold at every time",
        "time_type": "noop",
    }
    trivial = ["sector", "weather_year", "scenario"]
    (out / f"{IV}.json5").write_text(
        json.dumps(_dataset(IV, [iv_year], {"model_year"}, trivial), indent=2)
    )
    iv2_year = {
        **iv_year,
        "name": "Initial Model Years 2018 2020",
        "description": "2018 and 2020",
        "file": "dimensions/iv2_model_years.csv",
    }
    (out / f"{IV2}.json5").write_text(
        json.dumps(_dataset(IV2, [iv2_year], {"model_year"}, trivial), indent=2)
    )
    for dataset_id in (GR, MULT):
        config = _dataset(dataset_id, [no_time], {"time"}, trivial)
        (out / f"{dataset_id}.json5").write_text(json.dumps(config, indent=2))

    rng = np.random.default_rng(7)
    counties = pd.read_csv(out / "dimensions" / "counties.csv", dtype=str)["id"].tolist()
    subsectors = ["office", "retail"]
    metrics = ["heating", "cooling"]
    hours = pd.date_range("2012-01-01 00:00:00", periods=24, freq="h")
    iv = pd.MultiIndex.from_product(
        [counties, subsectors, metrics, ["2018"], hours],
        names=[*DIMS, "model_year", "timestamp"],
    ).to_frame(index=False)
    iv["value"] = rng.uniform(1.0, 100.0, len(iv))
    iv["timestamp"] = iv["timestamp"].dt.tz_localize("UTC")
    iv.to_parquet(out / f"{IV}.parquet", index=False)
    later = iv.assign(model_year="2020", value=rng.uniform(1.0, 100.0, len(iv)))
    pd.concat([iv, later], ignore_index=True).to_parquet(out / f"{IV2}.parquet", index=False)
    keys = pd.MultiIndex.from_product(
        [counties, subsectors, metrics, MODEL_YEARS], names=[*DIMS, "model_year"]
    ).to_frame(index=False)
    gr = keys.assign(value=rng.uniform(-0.02, 0.05, len(keys)))
    gr.to_parquet(out / f"{GR}.parquet", index=False)
    mult = keys.assign(value=rng.uniform(0.8, 1.6, len(keys)))
    mult.to_parquet(out / f"{MULT}.parquet", index=False)
    return out


def _project_template() -> dict:
    import json5

    project = json5.loads((LAYOUTS / "project.json5").read_text())
    project["project_id"] = PROJECT
    project["name"] = "Growth projection test"
    for dim in project["dimensions"]["base_dimensions"]:
        if dim["type"] == "model_year":
            dim["name"] = "Growth Model Years"
            dim["description"] = "2018 to 2030"
    return project


def register(registry, out: Path, datasets=(IV, GR, MULT, IV2)) -> None:
    registry.register_project(out / "project.json5", "projection test")
    for dataset_id in datasets:
        registry.register_dataset(out / f"{dataset_id}.json5", "projection test")
        registry.submit_dataset(PROJECT, dataset_id, None, "projection test")


def expected(
    out: Path, method: str, growth_id: str = GR, base_year: int = 2018, initial_id: str = IV
) -> pd.DataFrame:
    """dsgrid's projection over the raw files (dsgrid/dataset/growth_rates.py): the
    initial-value rows (model year dropped) once per model year of the growth-rate dataset,
    times (1 + r) ** (year - base_year) or times r."""
    iv = pd.read_parquet(out / f"{initial_id}.parquet")
    gr = pd.read_parquet(out / f"{growth_id}.parquet")
    if method == "exponential_growth":
        iv = iv[iv["model_year"] == str(base_year)].drop(columns="model_year")
        factor = (1 + gr["value"]) ** (gr["model_year"].astype(int) - base_year)
        merged = iv.merge(gr.assign(factor=factor).drop(columns="value"), on=DIMS)
    else:
        merged = iv.merge(gr.rename(columns={"value": "factor"}), on=[*DIMS, "model_year"])
    merged["value"] = merged["value"] * merged["factor"]
    return merged[[*DIMS, "model_year", "timestamp", "value"]]
