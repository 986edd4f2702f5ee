"""ConfigSource: a config read once from a file, or given as data; messages name a file by its
path as before, and a config given as data by the name it was given."""

from __future__ import annotations

import json

import pytest

from dsgrid_core.config.mapping import DatasetMappingsFile
from dsgrid_core.config.source import ConfigSource
from dsgrid_core.errors import ConfigError, InputError
from dsgrid_core.registry.registry import Registry

DIMENSION = {
    "type": "scenario",
    "class": "Scenario",
    "name": "Scenarios",
    "description": "from a records file",
    "file": "scenarios.csv",
}


def test_a_file_is_read_once_and_named_by_its_path(tmp_path):
    path = tmp_path / "dimension.json5"
    path.write_text("// a comment\n" + json.dumps(DIMENSION))
    source = ConfigSource.from_file(path)
    assert source == ConfigSource(DIMENSION, str(path), tmp_path)
    assert ConfigSource.of(source) is source and ConfigSource.of(str(path)) == source
    path.write_text("{type: 'geography',,}")  # read already: the source keeps what it read
    assert source.data == DIMENSION
    with pytest.raises(ConfigError, match=r"dimension\.json5, line 1"):
        ConfigSource.from_file(path)


def test_data_is_refused_as_its_file_would_be(tmp_path):
    with pytest.raises(ConfigError, match=r"^dimension\.json5: expected a JSON5 object"):
        ConfigSource.from_data(["not", "an object"], "dimension.json5", tmp_path)
    with pytest.raises(ConfigError, match=r"^dimension\.json5: name: contains a NUL"):
        ConfigSource.from_data({**DIMENSION, "name": "a\x00b"}, "dimension.json5", tmp_path)


def test_messages_name_the_file_by_its_path_and_data_by_its_name(tmp_path):
    """The same missing records file: the file's message keeps its path, the data's names the
    config as given; both look in the config's folder."""
    path = tmp_path / "dimension.json5"
    path.write_text(json.dumps(DIMENSION))
    with Registry.create(tmp_path / "registry") as registry:
        with pytest.raises(InputError) as by_file:
            registry.register_dimension(path, "x")
        data = ConfigSource.from_data(DIMENSION, "dimension.json5", tmp_path)
        with pytest.raises(InputError) as by_data:
            registry.register_dimension(data, "x")
        assert registry.list() == []
    assert by_file.value.message.startswith(f"{path}: dimensions[0].file = 'scenarios.csv'")
    assert by_data.value.message == by_file.value.message.replace(str(path), "dimension.json5")
    assert str(tmp_path / "scenarios.csv") in by_data.value.message


def test_listed_files_are_looked_for_in_the_given_folder(tmp_path):
    mappings = {
        "mappings": [
            {"dimension_type": "scenario", "mapping_type": "one_to_one", "file": "map.csv"}
        ]
    }
    source = ConfigSource.from_data(mappings, "dimension_mappings.json5", tmp_path)
    with pytest.raises(ConfigError, match=r"^dimension_mappings\.json5: file not found") as exc:
        source.validate(DatasetMappingsFile)
    assert str(tmp_path / "map.csv") in exc.value.message
    (tmp_path / "map.csv").write_text("from_id,to_id\na,b\n")
    config, _ = source.validate(DatasetMappingsFile)
    assert config.mappings[0].file == "map.csv"
