"""Configs naming records or mapping files that do not exist are refused when read (as dsgrid's
models refuse them), naming each field, its text and where the file was looked for."""

from __future__ import annotations

import json

import pytest

from dsgrid_core.config.dataset import DatasetConfig
from dsgrid_core.config.load import load_config
from dsgrid_core.config.mapping import DatasetMappingsFile
from dsgrid_core.errors import ConfigError


def _dataset(folder, files: dict[str, str]) -> dict:
    return {
        "dataset_id": "listed",
        "dataset_type": "modeled",
        "data_classification": "low",
        "dimensions": [
            {"type": t, "class": c, "name": f"listed {t}", "description": t, "file": f}
            for (t, c), f in zip(
                [("geography", "County"), ("metric", "EnergyEndUse")], files.values(), strict=True
            )
        ],
        "dimension_references": [
            {"type": t, "name": f"project {t}", "version": "1.0.0"}
            for t in ("sector", "subsector", "time", "weather_year", "model_year", "scenario")
        ],
        "data_layout": {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": "load_data.parquet"},
        },
    }


def test_missing_records_files_are_named_with_where_they_were_looked_for(tmp_path):
    (tmp_path / "dims").mkdir()
    (tmp_path / "dims" / "counties.csv").write_text("id,name,state\n01001,A,AL\n")
    config = tmp_path / "dataset.json5"
    config.write_text(
        json.dumps(_dataset(tmp_path, {"g": "dims/counties.csv", "m": "dims/end_uses.csv"}))
    )
    with pytest.raises(ConfigError) as caught:
        load_config(DatasetConfig, config)
    text = str(caught.value)
    assert "dimensions[1].file = 'dims/end_uses.csv'" in text
    assert str(tmp_path / "dims" / "end_uses.csv") in text
    assert "counties.csv" not in text  # the file that exists is not listed
    assert str(config) in text


def test_existing_files_and_mapping_files_load(tmp_path):
    (tmp_path / "a.csv").write_text("id,name,state\n01001,A,AL\n")
    (tmp_path / "b.csv").write_text("id,name,fuel_id,unit\nm,M,electricity,kWh\n")
    config = tmp_path / "dataset.json5"
    config.write_text(json.dumps(_dataset(tmp_path, {"g": "a.csv", "m": "b.csv"})))
    loaded, _ = load_config(DatasetConfig, config)
    assert [d.file for d in loaded.dimensions] == ["a.csv", "b.csv"]

    mappings = tmp_path / "maps" / "dimension_mappings.json5"
    mappings.parent.mkdir()
    mappings.write_text(
        json.dumps({"mappings": [{"dimension_type": "geography", "file": "../a.csv"}]})
    )
    load_config(DatasetMappingsFile, mappings)  # relative to the mappings file's folder
    mappings.write_text(
        json.dumps({"mappings": [{"dimension_type": "geography", "file": "a.csv"}]})
    )
    with pytest.raises(ConfigError, match=r"mappings\[0\]\.file = 'a.csv'"):
        load_config(DatasetMappingsFile, mappings)
