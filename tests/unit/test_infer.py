"""Guessing configs from files: dimension type and class from records, a dataset.json5 from a
data table (every dsgrid layout of the test corpus), a mapping skeleton from two dimensions.
A guessed dataset config must register as it is, and hold every row of the file."""

from __future__ import annotations

import csv
import json
import shutil

import pandas as pd
import pytest

from dsgrid_core.config.dataset import DatasetConfig
from dsgrid_core.errors import InputError
from dsgrid_core.infer.dataset import infer_dataset
from dsgrid_core.infer.dimension import infer_dimension
from dsgrid_core.infer.mapping import mapping_skeleton
from dsgrid_core.registry.registry import Registry

DIMS = "test_efs/dsgrid_project/dimensions"


def _rows(path):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return list(rows[0]), rows


@pytest.mark.parametrize(
    ("file", "type_", "class_", "certain"),
    [
        ("comstock_counties.csv", "geography", "County", True),
        ("enduses.csv", "metric", "EnergyEndUse", True),
        ("sectors.csv", "sector", "Sector", False),
        ("subsectors.csv", None, None, False),
        ("model_years.csv", "model_year", "ModelYear", False),
    ],
)
def test_dimension_type_and_class_from_records(test_data, file, type_, class_, certain):
    columns, rows = _rows(test_data / DIMS / file)
    guess = infer_dimension(columns, rows)
    assert (guess["type"].value, guess["class"].value) == (type_, class_)
    assert guess["type"].certain is certain and guess["type"].reason


def test_records_need_id_and_name():
    with pytest.raises(InputError, match="id and name"):
        infer_dimension(["code", "label"], [{"code": "a", "label": "A"}])


def test_mapping_skeleton_matches_ids_then_names(efs_registry_template):
    with Registry(efs_registry_template, read_only=True) as registry:
        skeleton = mapping_skeleton(
            registry.records("comstock_subsectors_efs_with_formatted_prefix"),
            registry.records("comstock_subsectors_efs"),
        )
    assert skeleton["summary"] == {"same name": 14}
    assert {r["from_id"]: r["to_id"] for r in skeleton["rows"]}["com__Hospital"] == "Hospital"
    assert skeleton["mapping_type"].value == "one_to_one"
    odd = mapping_skeleton([{"id": "x1", "name": "Nowhere"}], [{"id": "a", "name": "A"}])
    assert odd["rows"][0]["to_id"] == "" and odd["summary"] == {"no match": 1}


LAYOUTS = {  # data file, lookup file, the association folders dsgrid's own config declares
    "two_table_pivoted": (
        "test_efs_comstock/load_data.csv",
        "test_efs_comstock/load_data_lookup.json",
        {"missing": "missing_associations", "expected": "expected_associations"},
    ),
    "one_table_stacked": (
        "test_efs_comstock_unpivoted/load_data.parquet",
        None,
        {"missing": "missing_associations"},
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_guessed_dataset_config_registers_with_every_row(
    layout, test_data, efs_registry, tmp_path
):
    data, lookup, associations = LAYOUTS[layout]
    folder = tmp_path / "upload"
    folder.mkdir()
    shutil.copy(test_data / "datasets" / data, folder)
    source = (test_data / "datasets" / data).parent
    for name in associations.values():
        shutil.copytree(source / name, folder / name)
    lookup_path = None
    if lookup:
        lookup_path = folder / (test_data / "datasets" / lookup).name
        shutil.copy(test_data / "datasets" / lookup, lookup_path)
    with Registry(efs_registry) as registry:
        guess = infer_dataset(
            folder / (test_data / "datasets" / data).name,
            lookup=lookup_path,
            registry=registry,
            dataset_id=f"guessed_{layout}",
        )
        config = guess.config
        DatasetConfig.model_validate(config)
        assert config["data_layout"]["table_format"] == layout.split("_table")[0] + "_table"
        referenced = {r["type"] for r in config["dimension_references"]}
        assert {"geography", "subsector"} <= referenced  # registered ones were recognised
        # the combinations the data legitimately lack, as the user adds them in the wizard
        for kind, name in associations.items():
            config["data_layout"][f"{kind}_associations"] = [name]
        (folder / "dataset.json5").write_text(json.dumps(config))
        registry.register_dataset(folder / "dataset.json5", "guessed")
        stored = registry.show("dataset", f"guessed_{layout}")
    raw = test_data / "datasets" / data
    if raw.suffix == ".parquet":
        expected = len(pd.read_parquet(raw))
    else:  # pivoted: one stored row per value column and row
        frame = pd.read_csv(raw)
        expected = len(frame) * (len(frame.columns) - 2)
    assert stored.row_count == expected


def test_unreadable_and_valueless_tables_are_explained(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("just words\n")
    with pytest.raises(InputError, match="values"):
        infer_dataset(bad)
    wrong = tmp_path / "image.png"
    wrong.write_bytes(b"\x89PNG")
    with pytest.raises(InputError, match=r"\.csv, \.json"):
        infer_dataset(wrong)


def test_mapping_skeleton_never_pairs_numbers_by_likeness():
    skeleton = mapping_skeleton(
        [{"id": "2012", "name": "2012"}, {"id": "com_Hospital", "name": "Hospital!"}],
        [{"id": "2020", "name": "2020"}, {"id": "hospital", "name": "Hospital"}],
    )
    pairs = {r["from_id"]: r["to_id"] for r in skeleton["rows"]}
    assert pairs == {"2012": "", "com_Hospital": "hospital"}
