"""A copy of the demo registry in which one dataset has three versions, made as a user would
(``dsgrid registry datasets dump``, edit, ``dsgrid registry datasets update``):

- 1.0.0, the version the project lists (submitted);
- 1.1.0, the same dimensions, some values changed (county 11001 x 1.25, lighting in 10001
  halved);
- 1.2.0, a geography dimension with a county the project does not have (does not fit).

Shared by the comparison tests (tests/query, tests/browser): build it once per module into a
folder of its own, never into the session's demo registry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

DATASET = "demo_resstock_like"
FIRST, CHANGED, UNFIT = "1.0.0", "1.1.0", "1.2.0"
NEW_COUNTY = "99001"


def _dump(dsgrid, registry: Path, folder: Path) -> Path:
    result = dsgrid("registry", "datasets", "dump", DATASET, folder, registry=registry)
    assert result.exit_code == 0, result
    return folder / DATASET


def _update(dsgrid, registry: Path, config: Path, current: str, message: str) -> None:
    result = dsgrid(
        "registry", "datasets", "update", DATASET, config,
        "--update-type", "minor", "--version", current, "--log-message", message,
        registry=registry,
    )  # fmt: skip
    assert result.exit_code == 0, result


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.reset_index(drop=True).to_parquet(path, index=False)


def make_versioned(dsgrid, template: Path, work: Path) -> Path:
    """``template`` (the demo registry) copied to ``work``/registry with versions 1.1.0 and
    1.2.0 of DATASET added; returns the registry folder."""
    registry = work / "registry"
    shutil.copytree(template, registry)

    folder = _dump(dsgrid, registry, work / "changed")
    data = pd.read_parquet(folder / "load_data.parquet")
    data.loc[data["geography"] == "11001", "value"] *= 1.25
    data.loc[(data["geography"] == "10001") & (data["metric"] == "res_lighting"), "value"] *= 0.5
    _write(data, folder / "load_data.parquet")
    _update(dsgrid, registry, folder / "dataset.json5", FIRST, "county 11001 recalibrated")

    folder = _dump(dsgrid, registry, work / "unfit")
    config = json.loads((folder / "dataset.json5").read_text())
    counties = next(r for r in config["dimension_references"] if r["type"] == "geography")
    config["dimension_references"].remove(counties)
    config["dimensions"] = [
        {
            "type": "geography",
            "name": "Demo Counties Plus",
            "description": "The demo counties and one the project does not have.",
            "class": "County",
            "file": "counties.csv",
        }
    ]
    (folder / "dataset.json5").write_text(json.dumps(config, indent=2))
    records = _dimension_records(dsgrid, registry, counties["name"], work)
    extra = records.iloc[[-1]].assign(id=NEW_COUNTY, name="Elsewhere")
    pd.concat([records, extra]).to_csv(folder / "counties.csv", index=False)
    for name in ("load_data.parquet", "missing_associations.parquet"):
        table = pd.read_parquet(folder / name)
        copied = table[table["geography"] == "11001"].assign(geography=NEW_COUNTY)
        _write(pd.concat([table, copied]), folder / name)
    _update(dsgrid, registry, folder / "dataset.json5", CHANGED, "one more county")
    return registry


def _dimension_records(dsgrid, registry: Path, name: str, work: Path) -> pd.DataFrame:
    listed = dsgrid("registry", "dimensions", "list", registry=registry, as_json=True).json()
    dimension_id = next(r["id"] for r in listed if r["name"] == name)
    result = dsgrid(
        "registry", "dimensions", "dump", dimension_id, work / "dims", registry=registry
    )
    assert result.exit_code == 0, result
    return pd.read_csv(work / "dims" / dimension_id / "records.csv", dtype=str)


def stored_rows(registry: Path, dataset_id: str, version: str) -> pd.DataFrame:
    """The rows the registry keeps for a dataset version (its own dimensions), read with
    pandas: the independent side of a version comparison."""
    return pd.read_parquet(registry / "data" / dataset_id / version / "table.parquet")
