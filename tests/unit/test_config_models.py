"""Config models: every real dsgrid file loads; unknown keys refused; legacy keys accepted."""

from __future__ import annotations

import pytest

from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.bulk import BulkRegistration
from dsgrid_core.config.dataset import DatasetConfig
from dsgrid_core.config.files import load_json5
from dsgrid_core.config.load import detect_config_kind, validate_model
from dsgrid_core.config.mapping import DatasetMappingsFile, StandaloneMappingsFile
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.config.query import ProjectQueryConfig
from dsgrid_core.config.registry_files import DimensionsFile
from dsgrid_core.config.time_dimension import (
    AnnualTimeConfig,
    DatetimeTimeConfig,
    IndexTimeConfig,
    NoOpTimeConfig,
    RepresentativePeriodTimeConfig,
    parse_frequency,
)
from dsgrid_core.errors import ConfigError

MODELS = {
    "project": ProjectConfig,
    "dataset": DatasetConfig,
    "query": ProjectQueryConfig,
    "bulk": BulkRegistration,
    "mappings": DatasetMappingsFile,
    "mapping_references": DatasetMappingsFile,
    "standalone_mappings": StandaloneMappingsFile,
    "dimensions": DimensionsFile,
}


def test_every_dsgrid_test_file_loads(test_data):
    files = sorted(test_data.rglob("*.json5"))
    assert len(files) >= 20
    kinds = set()
    for file in files:
        data = load_json5(file)
        kind = detect_config_kind(data)
        kinds.add(kind)
        model, _ = validate_model(MODELS[kind], data, str(file))
        assert model is not None
    assert {
        "project",
        "dataset",
        "query",
        "bulk",
        "mappings",
        "standalone_mappings",
        "dimensions",
        "mapping_references",
    } <= kinds


def test_legacy_keys_are_accepted_with_a_notice(test_data):
    data = load_json5(test_data / "test_efs/dsgrid_project/project.json5")
    project, notices = validate_model(ProjectConfig, data, "project.json5")
    time = next(d for d in project.dimensions.base_dimensions if d.type.value == "time")
    assert time.time_zone == "Etc/GMT+5"
    assert any("'timezone'" in n for n in notices)
    assert any("'module'" in n and "ignored" in n for n in notices)


def test_legacy_data_schema_becomes_a_layout(test_data):
    path = (
        test_data / "test_efs/dsgrid_project/datasets/modeled/comstock_unpivoted/"
        "dataset_with_dimension_ids.json5"
    )
    dataset, notices = validate_model(DatasetConfig, load_json5(path), str(path))
    assert dataset.data_layout.table_format == "two_table"
    assert dataset.data_layout.value_format == "pivoted"
    assert dataset.data_layout.pivoted_dimension_type.value == "metric"
    assert dataset.data_layout.data_file is None
    assert any("data_schema" in n for n in notices)


def test_unknown_key_is_refused_with_a_suggestion(test_data):
    data = load_json5(test_data / "test_efs/dsgrid_project/project.json5")
    data["descripton"] = "typo"
    with pytest.raises(ConfigError) as info:
        validate_model(ProjectConfig, data, "project.json5")
    message = str(info.value)
    assert "project.json5" in message
    assert "unknown key 'descripton'" in message
    assert "Did you mean 'description'" in message


def test_nested_unknown_key_names_its_location(test_data):
    data = load_json5(test_data / "test_efs/dsgrid_project/project.json5")
    data["dimensions"]["base_dimensions"][1]["colour"] = "red"
    with pytest.raises(ConfigError, match=r"dimensions\.base_dimensions\[1\]"):
        validate_model(ProjectConfig, data, "project.json5")


def test_malformed_json5_names_line_and_column(tmp_path):
    path = tmp_path / "bad.json5"
    path.write_text("{\n  name: 'x',\n  type: 'geography'\n  class: 'County',\n}\n")
    with pytest.raises(ConfigError) as info:
        load_json5(path)
    assert f"{path}, line 4, column 3" in str(info.value)


TIME_BASE = {"type": "time", "name": "t", "time_interval_type": "period_beginning"}


@pytest.mark.parametrize(
    ("extra", "cls"),
    [
        (
            {
                "time_type": "datetime",
                "ranges": [{"start": "2012-01-01 00:00:00", "end": "2012-12-31 23:00:00"}],
                "str_format": "%Y-%m-%d %H:%M:%S",
                "frequency": "01:00:00",
                "time_zone_format": {
                    "format_type": "aligned_in_absolute_time",
                    "time_zone": "EasternStandard",
                },
            },
            DatetimeTimeConfig,
        ),
        (
            {
                "time_type": "annual",
                "time_interval_type": None,  # dsgrid 0.4: annual time has no interval type
                "ranges": [{"start": "2010", "end": "2050"}],
                "str_format": "%Y",
            },
            AnnualTimeConfig,
        ),
        (
            {
                "time_type": "representative_period",
                "format": "one_week_per_month_by_hour",
                "ranges": [{"start": 1, "end": 12}],
            },
            RepresentativePeriodTimeConfig,
        ),
        (
            {
                "time_type": "index",
                "ranges": [{"start": 0, "end": 8759}],
                "starting_timestamps": ["2012-01-01 00:00:00"],
                "frequency": "01:00:00",
            },
            IndexTimeConfig,
        ),
        ({"time_type": "noop", "time_interval_type": None}, NoOpTimeConfig),
    ],
)
def test_time_variants_parse(extra, cls):
    data = {k: v for k, v in {**TIME_BASE, **extra}.items() if v is not None}
    dim = parse_dimension(data)
    assert isinstance(dim, cls)


def test_datetime_time_counts_leap_year_hours_and_converts_legacy_zone():
    dim = parse_dimension(
        {
            **TIME_BASE,
            "time_type": "datetime",
            "ranges": [{"start": "2012-01-01 00:00:00", "end": "2012-12-31 23:00:00"}],
            "time_zone_format": {"time_zone": "EasternStandard"},
        }
    )
    instants = dim.instants()
    assert len(instants) == 8784
    assert instants[0].isoformat() == "2012-01-01T05:00:00+00:00"
    assert (
        len(
            parse_dimension(
                {
                    "type": "time",
                    "name": "t",
                    "time_type": "annual",
                    "ranges": [{"start": "2010", "end": "2050"}],
                }
            ).years()
        )
        == 41
    )
    assert (
        len(
            parse_dimension(
                {
                    **TIME_BASE,
                    "time_type": "representative_period",
                    "format": "one_week_per_month_by_hour",
                    "ranges": [{"start": 1, "end": 12}],
                }
            ).periods()
        )
        == 12 * 7 * 24
    )


def test_bad_time_zone_and_range_are_explained():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        parse_dimension(
            {
                **TIME_BASE,
                "time_type": "datetime",
                "ranges": [{"start": "2012-01-01 00:00:00", "end": "2012-01-02 00:00:00"}],
                "time_zone_format": {"time_zone": "Mars/Olympus"},
            }
        )
    with pytest.raises(ValueError, match="end .* is before start"):
        parse_dimension(
            {
                **TIME_BASE,
                "time_type": "datetime",
                "ranges": [{"start": "2012-01-02 00:00:00", "end": "2012-01-01 00:00:00"}],
                "time_zone_format": {"time_zone": "Etc/GMT+5"},
            }
        )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("01:00:00", 3600),
        ("00:15:00", 900),
        ("1 day, 00:00:00", 86400),
        ("PT1H", 3600),
        ("P1D", 86400),
        (1800, 1800),
    ],
)
def test_frequencies(text, seconds):
    assert parse_frequency(text).total_seconds() == seconds


def test_record_class_must_match_dimension_type():
    with pytest.raises(ValueError, match="record class 'County' is for geography"):
        parse_dimension({"type": "sector", "name": "s", "class": "County", "records": []})
    with pytest.raises(ValueError, match="unknown record class 'Countie'"):
        parse_dimension({"type": "geography", "name": "g", "class": "Countie", "records": []})


def test_dataset_needs_every_dimension_type(test_data):
    path = test_data / "test_efs/dsgrid_project/datasets/modeled/comstock/dataset.json5"
    data = load_json5(path)
    data["dimension_references"] = data["dimension_references"][1:]
    with pytest.raises(ConfigError, match="no dimension of type geography"):
        validate_model(DatasetConfig, data, str(path))


def test_two_table_layout_needs_a_lookup(test_data):
    path = test_data / "test_efs/dsgrid_project/datasets/modeled/comstock/dataset.json5"
    data = load_json5(path)
    del data["data_layout"]["lookup_data_file"]
    with pytest.raises(ConfigError, match="needs lookup_data_file"):
        validate_model(DatasetConfig, data, str(path))


def test_expression_raw_filter_and_six_filter_types_parse():
    query = {
        "name": "q",
        "project": {
            "project_id": "p",
            "dataset": {"dataset_id": "d", "source_datasets": [{"dataset_id": "x"}]},
        },
        "result": {
            "dimension_filters": [
                {
                    "filter_type": "expression",
                    "dimension_type": "geography",
                    "dimension_name": "county",
                    "column": "id",
                    "operator": "==",
                    "value": "06073",
                },
                {
                    "filter_type": "expression_raw",
                    "dimension_type": "sector",
                    "dimension_name": "sector",
                    "value": "id == 'com'",
                },
                {
                    "filter_type": "column_operator",
                    "dimension_type": "metric",
                    "dimension_name": "end_use",
                    "operator": "isin",
                    "value": ["fans"],
                },
                {
                    "filter_type": "between_column_operator",
                    "dimension_type": "model_year",
                    "dimension_name": "my",
                    "lower_bound": "2010",
                    "upper_bound": "2030",
                },
                {
                    "filter_type": "subset",
                    "dimension_type": "subsector",
                    "dimension_names": ["commercial_subsectors"],
                },
                {
                    "filter_type": "supplemental_column_operator",
                    "dimension_type": "geography",
                    "dimension_name": "state",
                    "value": ["CA"],
                },
            ]
        },
    }
    model = ProjectQueryConfig.model_validate(query)
    assert [f.filter_type for f in model.result.dimension_filters] == [
        "expression",
        "expression_raw",
        "column_operator",
        "between_column_operator",
        "subset",
        "supplemental_column_operator",
    ]


def test_query_fields_read_as_dsgrid_reads_them():
    """avg is dsgrid's (pyspark's) name of the mean; include_dsgrid_dataset_components is
    refused (dsgrid 0.4 refuses it), never accepted and ignored; expression_raw takes a
    column and dsgrid's fragment after it."""
    from pydantic import ValidationError

    from dsgrid_core.config.query import ProjectQueryConfig

    base = {
        "name": "q",
        "project": {"project_id": "p", "dataset": {
            "dataset_id": "q", "source_datasets": [{"dataset_id": "d"}]}},
        "result": {"aggregations": [{"aggregation_function": "avg",
                                     "dimensions": {"geography": ["county"]}}]},
    }  # fmt: skip
    model = ProjectQueryConfig.model_validate(base)
    assert model.result.aggregations[0].aggregation_function == "mean"
    with pytest.raises(ValidationError, match="include_dsgrid_dataset_components"):
        ProjectQueryConfig.model_validate(
            {**base, "project": {**base["project"], "include_dsgrid_dataset_components": True}}
        )
    raw = {"filter_type": "expression_raw", "dimension_type": "geography",
           "dimension_name": "county", "column": "state", "value": "in ('CA', 'NY')"}  # fmt: skip
    model = ProjectQueryConfig.model_validate(
        {**base, "result": {**base["result"], "dimension_filters": [raw]}}
    )
    assert model.result.dimension_filters[0].column == "state"
