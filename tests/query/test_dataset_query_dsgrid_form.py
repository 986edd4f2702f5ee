"""Dataset queries in dsgrid's own form (DatasetQueryModel: to_dimension_references, result,
mapping_plan), checked against pandas over the raw test_efs files and mapping CSVs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from reference import DIMS, TO_KWH, apply_mapping, dataset_frame, records

from dsgrid_core.errors import ConfigError, InputError

TRIVIAL = {"weather_year": "2012", "model_year": "2012", "scenario": "baseline"}
EST = "Etc/GMT+5"
PROJECT = "test_efs/dsgrid_project"
COMSTOCK = f"{PROJECT}/datasets/modeled/comstock"
SUPPLEMENTAL = f"{PROJECT}/dimension_mappings/base_to_supplemental"
COUNTIES = "US Counties 2010 - ComStock Only"
OWN_TIME = "Time-2012-EST-hourly-periodEnding-noDST-noLeapDayAdjustment-total-UTChour1start"
OTHER_TIME = "Time-2012-EST-hourly-periodBeginning-noDST-noLeapDayAdjustment-total"
STATES_MAPPING = "us_counties_2010_comstock_only__to__us_states"
REGIONS_MAPPING = "us_counties_2010_comstock_only__to__us_census_regions"
MODEL_YEARS_MAPPING = "model_year_2012__to__model_years_2010_to_2050"
METRIC_MAPPING = "comstock_end_uses__to__efs_detailed_end_uses_comstock_only"


def _ref(type_: str, name: str, **extra) -> dict:
    return {"type": type_, "name": name, "version": "1.0.0", **extra}


def _query(name: str, refs: list[dict] | None, **fields) -> dict:
    query = {"name": name, "dataset_id": "test_efs_comstock", **fields}
    if refs is not None:
        query["to_dimension_references"] = refs
    return query


@pytest.fixture(scope="module")
def stored(test_data) -> pd.DataFrame:
    """test_efs_comstock as stored: the dataset's own ids and its own (period-ending) time
    labels, which a dataset query keeps (dataset_frame moves them to the period beginning)."""
    frame = dataset_frame(test_data / COMSTOCK / "dataset.json5", TRIVIAL, EST)
    return frame.assign(timestamp=frame["timestamp"] + pd.Timedelta(hours=1))


def _summed(frame: pd.DataFrame, keys=(*DIMS, "timestamp")) -> pd.DataFrame:
    return frame.groupby(list(keys), as_index=False)["value"].sum()


def _same(table: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    assert sorted(table.columns) == sorted([*keys, "value"])
    assert len(table) == len(expected)
    left = table.copy()
    right = expected.copy()
    for frame in (left, right):
        if "timestamp" in frame:
            frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    left = left.sort_values(keys).reset_index(drop=True)
    right = right.sort_values(keys).reset_index(drop=True)
    for key in keys:
        assert left[key].astype(str).tolist() == right[key].astype(str).tolist(), key
    np.testing.assert_allclose(left["value"], right["value"], rtol=1e-9, atol=1e-12)


def test_counties_mapped_to_states_sorted(
    efs_registry_template, test_data, engine, stored, run_query_on
):
    query = _query(
        "to_states",
        [_ref("geography", "US States")],
        result={"sort_columns": ["geography"]},
    )
    table, result = run_query_on(efs_registry_template, query, engine)
    states = records(test_data / SUPPLEMENTAL / "lookup_county_to_state.csv")
    expected = _summed(apply_mapping(stored, "geography", states))
    # dsgrid names a dataset query's columns after dimension types
    _same(table, expected, [*DIMS, "timestamp"])
    assert set(table["geography"]) == {"CA", "CO", "NY", "TX"}
    assert table["geography"].is_monotonic_increasing
    # the dataset's own period-ending labels: 01:00 EST is the first
    assert pd.to_datetime(table["timestamp"], utc=True).min() == pd.Timestamp(
        "2012-01-01 06:00", tz="UTC"
    )
    versions = result.metadata["versions"]
    assert versions["dimension_mappings"] == {STATES_MAPPING: "1.0.0"}
    assert versions["dimensions"]["us_states"] == "1.0.0"


def test_three_mappings_in_a_plan_with_unit_conversion(
    efs_registry_template, test_data, duckdb_engine, stored, run_query_on
):
    """Regions, model years (one_to_many with multipliers) and end uses (multipliers, MWh to
    kWh for cooling); the plan lists them in another order, two by mapping_reference, one by
    the name of the dimension mapped to."""

    def reference(type_, mapping_id):
        return {
            "from_dimension_type": type_,
            "to_dimension_type": type_,
            "mapping_id": mapping_id,
            "version": "1.0.0",
        }

    query = _query(
        "three",
        [
            _ref("geography", "US Census Regions"),
            _ref("model_year", "Model Years 2010 to 2050"),
            _ref("metric", "EFS Detailed End Uses - ComStock Only"),
        ],
        mapping_plan={
            "dataset_id": "test_efs_comstock",
            "mappings": [
                {"name": "end uses", "mapping_reference": reference("metric", METRIC_MAPPING)},
                {"name": "US Census Regions"},
                {
                    "name": "years",
                    "mapping_reference": reference("model_year", MODEL_YEARS_MAPPING),
                },
            ],
            "apply_fraction_op": {"name": "apply_fraction_op", "handle_data_skew": None},
        },
    )
    table, result = run_query_on(efs_registry_template, query, duckdb_engine)
    regions = records(test_data / SUPPLEMENTAL / "lookup_county_to_censusregion.csv")
    years = records(test_data / COMSTOCK / "dimension_mappings/model_year_to_model_year.csv")
    end_uses = records(test_data / COMSTOCK / "dimension_mappings/enduse_to_project_enduse.csv")
    from_unit = records(test_data / COMSTOCK / "dimensions/comstock_enduses.csv")
    to_unit = records(test_data / PROJECT / "dimensions/enduses.csv")
    from_unit = dict(zip(from_unit["id"], from_unit["unit"], strict=True))
    to_unit = dict(zip(to_unit["id"], to_unit["unit"], strict=True))
    end_uses["from_fraction"] = [
        str(float(x) * TO_KWH[from_unit[f]] / TO_KWH[to_unit[t]])
        for f, t, x in zip(
            end_uses["from_id"], end_uses["to_id"], end_uses["from_fraction"], strict=True
        )
    ]
    expected = apply_mapping(stored, "geography", regions)
    expected = apply_mapping(expected, "model_year", years)
    expected = _summed(apply_mapping(expected, "metric", end_uses))
    _same(table, expected, [*DIMS, "timestamp"])
    assert set(table["metric"]) == {"cooling", "fans"}
    assert sorted(table["model_year"].unique()) == sorted(set(years["to_id"]))
    assert len(set(years["to_id"])) > 1
    assert result.metadata["versions"]["dimension_mappings"] == {
        REGIONS_MAPPING: "1.0.0",
        MODEL_YEARS_MAPPING: "1.0.0",
        METRIC_MAPPING: "1.0.0",
    }


def test_references_to_the_datasets_own_dimensions_map_nothing(
    efs_registry_template, duckdb_engine, stored, run_query_on
):
    query = _query("own", [_ref("geography", COUNTIES), _ref("time", OWN_TIME)])
    table, result = run_query_on(efs_registry_template, query, duckdb_engine)
    _same(table, _summed(stored), [*DIMS, "timestamp"])
    assert result.metadata["versions"]["dimension_mappings"] == {}


def test_result_settings_are_applied(
    efs_registry_template, test_data, duckdb_engine, stored, run_query_on
):
    """dsgrid's result model as in a project query: here an aggregation, record names and
    columns named after dimensions (given explicitly)."""
    query = _query(
        "names",
        [_ref("geography", "US States")],
        result={
            "column_type": "dimension_names",
            "replace_ids_with_names": True,
            "aggregations": [
                {"dimensions": {"geography": ["US States"], "metric": ["ComStock End Uses"]}}
            ],
        },
    )
    table, _ = run_query_on(efs_registry_template, query, duckdb_engine)
    states = records(test_data / SUPPLEMENTAL / "lookup_county_to_state.csv")
    state_names = records(test_data / PROJECT / "dimensions/supplemental/states.csv")
    metric_names = records(test_data / COMSTOCK / "dimensions/comstock_enduses.csv")
    frame = apply_mapping(stored, "geography", states)
    frame["geography"] = frame["geography"].map(
        dict(zip(state_names["id"], state_names["name"], strict=True))
    )
    frame["metric"] = frame["metric"].map(
        dict(zip(metric_names["id"], metric_names["name"], strict=True))
    )
    expected = _summed(frame, ["geography", "metric"]).rename(
        columns={"geography": "US States", "metric": "ComStock End Uses"}
    )
    _same(table, expected, ["US States", "ComStock End Uses"])
    assert "California" in set(table["US States"])


def test_a_query_as_dsgrid_writes_it_is_read_field_for_field(
    efs_registry_template, test_data, duckdb_engine, stored, run_query_on
):
    """What dsgrid's make_dataset_query(...).model_dump_json() writes: every default spelled
    out, the query format version, a plan, 'dimension_type' in a reference. Its explicit
    column_type 'dimension_names' is applied (dsgrid leaves it unread in a dataset query)."""
    fixed = {"handle_data_skew": False, "persist": False, "mapping_reference": None}
    query = {
        "name": "dumped",
        "version": "0.1.0",
        "result": {
            "replace_ids_with_names": False,
            "aggregations": [],
            "aggregate_each_dataset": False,
            "reports": [],
            "column_type": "dimension_names",
            "table_format": {"format_type": "stacked"},
            "output_format": "parquet",
            "sort_columns": [],
            "dimension_filters": [],
            "time_zone": None,
        },
        "dataset_id": "test_efs_comstock",
        "to_dimension_references": [
            {"dimension_type": "geography", "dimension_id": "us_states", "version": "1.0.0"}
        ],
        "mapping_plan": {
            "dataset_id": "test_efs_comstock",
            "mappings": [
                {
                    "name": "US States",
                    "handle_data_skew": None,
                    "persist": False,
                    "mapping_reference": {
                        "from_dimension_type": "geography",
                        "to_dimension_type": "geography",
                        "mapping_id": STATES_MAPPING,
                        "version": "1.0.0",
                    },
                }
            ],
            "apply_fraction_op": {"name": "apply_fraction_op", **fixed},
            "apply_scaling_factor_op": {"name": "apply_scaling_factor_op", **fixed},
            "convert_units_op": {"name": "convert_units_op", **fixed},
            "map_time_op": {"name": "map_time", **fixed},
            "keep_intermediate_files": False,
        },
        "time_based_data_adjustment": {
            "leap_day_adjustment": "none",
            "daylight_saving_adjustment": {"spring_forward_hour": "none", "fall_back_hour": "none"},
        },
        "wrap_time_allowed": False,
    }
    table, _ = run_query_on(efs_registry_template, query, duckdb_engine)
    by_name = {
        "ComStock End Uses": "metric",
        "US States": "geography",
        "EFS Sectors - ComStock Only": "sector",
        "ComStock Subsectors EFS with formatted prefix": "subsector",
        "2012 Weather Year": "weather_year",
        "Model Year 2012": "model_year",
        "Reference Scenario": "scenario",
        OWN_TIME: "timestamp",
    }
    assert sorted(table.columns) == sorted([*by_name, "value"])
    states = records(test_data / SUPPLEMENTAL / "lookup_county_to_state.csv")
    expected = _summed(apply_mapping(stored, "geography", states))
    _same(table.rename(columns=by_name), expected, [*DIMS, "timestamp"])


def test_cli_runs_the_dsgrid_form_and_writes_a_query_that_runs_again(
    efs_registry, test_data, tmp_path, dsgrid, stored
):
    path = tmp_path / "regions.json5"
    path.write_text(json.dumps(_query("regions", [_ref("geography", "US Census Regions")])))
    out = tmp_path / "out"
    result = dsgrid("query", "run", path, "--output", out, registry=efs_registry)
    assert result.exit_code == 0, result
    table = pd.read_parquet(out / "regions" / "table.parquet")
    regions = records(test_data / SUPPLEMENTAL / "lookup_county_to_censusregion.csv")
    _same(table, _summed(apply_mapping(stored, "geography", regions)), [*DIMS, "timestamp"])
    again = dsgrid(
        "query",
        "run",
        out / "regions" / "query.json5",
        "--output",
        tmp_path / "again",
        "--no-cache",
        registry=efs_registry,
    )
    assert again.exit_code == 0, again
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "again" / "regions" / "table.parquet")
        .sort_values([*DIMS, "timestamp"])
        .reset_index(drop=True),
        table.sort_values([*DIMS, "timestamp"]).reset_index(drop=True),
    )


def test_cli_refuses_a_reference_without_mapping_with_exit_2(efs_registry, tmp_path, dsgrid):
    path = tmp_path / "chain.json5"
    path.write_text(json.dumps(_query("chain", [_ref("subsector", "Subsectors by Sector")])))
    result = dsgrid("query", "run", path, "--output", tmp_path / "out", registry=efs_registry)
    assert result.exit_code == 2, result
    text = result.stdout + result.stderr
    assert "to_dimension_references[0]" in text
    assert "no registered dimension mapping" in text
    assert not (tmp_path / "out" / "chain").exists()


_PLAN = {"dataset_id": "test_efs_comstock"}


@pytest.mark.parametrize(
    ("refs", "fields", "expected"),
    [
        pytest.param(
            [_ref("geography", "US Statez")],
            {},
            ["to_dimension_references[0]", "no registered geography dimension named 'US Statez'"],
            id="unknown-reference",
        ),
        pytest.param(
            [_ref("geography", "US States", dimension_id="us_census_regions")],
            {},
            ["to_dimension_references[0]", "'us_census_regions' is named 'US Census Regions'"],
            id="name-and-id-disagree",
        ),
        pytest.param(
            # only a chain of mappings (through ComStock Subsectors EFS) leads there
            [_ref("subsector", "Subsectors by Sector")],
            {},
            [
                "to_dimension_references[0]",
                "no registered dimension mapping from the dataset's subsector dimension",
                "Register one",
                "ComStock Subsectors EFS",
            ],
            id="no-mapping",
        ),
        pytest.param(
            [_ref("geography", "US States"), _ref("geography", "US Census Regions")],
            {},
            ["to_dimension_references[1]", "a second geography dimension"],
            id="two-of-one-type",
        ),
        pytest.param(
            [_ref("time", OTHER_TIME)],
            {},
            ["to_dimension_references[0]", "another time dimension", OWN_TIME],
            id="other-time",
        ),
        pytest.param(
            [_ref("geography", "US States")],
            {"mapping_plan": {**_PLAN, "mappings": [{"name": "US States", "persist": True}]}},
            ["mapping_plan.mappings[0].persist", "not supported"],
            id="plan-persist",
        ),
        pytest.param(
            [_ref("geography", "US States")],
            {"mapping_plan": {**_PLAN, "map_time_op": {"name": "t", "handle_data_skew": True}}},
            ["mapping_plan.map_time_op.handle_data_skew", "not supported"],
            id="plan-skew",
        ),
        pytest.param(
            [_ref("geography", "US States")],
            {"mapping_plan": {**_PLAN, "keep_intermediate_files": True}},
            ["mapping_plan.keep_intermediate_files", "not supported"],
            id="plan-intermediate-files",
        ),
        pytest.param(
            [_ref("geography", "US States")],
            {"mapping_plan": {"dataset_id": "test_efs_resstock"}},
            ["mapping_plan.dataset_id 'test_efs_resstock'", "test_efs_comstock"],
            id="plan-other-dataset",
        ),
        pytest.param(
            [_ref("geography", "US States"), _ref("model_year", "Model Years 2010 to 2050")],
            {"mapping_plan": {**_PLAN, "mappings": [{"name": "US States"}]}},
            ["mapping_plan.mappings: leaves out", MODEL_YEARS_MAPPING],
            id="plan-leaves-out",
        ),
        pytest.param(
            [_ref("geography", "US States")],
            {"mapping_plan": {**_PLAN, "mappings": [{"name": "US Census Regions"}]}},
            ["mapping_plan.mappings[0] ('US Census Regions')", STATES_MAPPING],
            id="plan-other-mapping",
        ),
        pytest.param(
            [_ref("geography", "US States")],
            {"time_based_data_adjustment": {"leap_day_adjustment": "drop_dec31"}},
            ["time_based_data_adjustment", "not supported"],
            id="time-adjustment",
        ),
        pytest.param(
            [_ref("geography", "US States")],
            {"version": "1.0.0"},
            ["version '1.0.0'", "query format version"],
            id="dataset-version-in-dsgrid-form",
        ),
        pytest.param(
            [_ref("geography", "US States")],
            {"result": {"sort_columns": ["geography"]}, "sort_columns": ["metric"]},
            ["sort_columns: given both at the top level and with 'result'"],
            id="result-twice",
        ),
        pytest.param(
            [],
            {},
            ["to_dimension_references", "at least one dimension"],
            id="no-references",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    efs_registry_template, duckdb_engine, run_query_on, refs, fields, expected
):
    with pytest.raises(InputError) as caught:
        run_query_on(efs_registry_template, _query("bad", refs, **fields), duckdb_engine)
    for text in expected:
        assert text in str(caught.value)


def test_plan_options_are_refused_when_read():
    """Refused while the file is read (a config error, exit 2), before any registry access."""
    from dsgrid_core.query.run import parse_query

    query = _query(
        "bad",
        [_ref("geography", "US States")],
        mapping_plan={**_PLAN, "mappings": [{"name": "US States", "persist": True}]},
    )
    with pytest.raises(ConfigError) as caught:
        parse_query(query)
    assert caught.value.exit_code == 2


def test_several_registered_mappings_are_refused(efs_registry, tmp_path, dsgrid):
    """A second county-to-state mapping (half of San Diego to New York): the reference no
    longer says which to use."""
    pairs = [
        ("06073", "CA", 0.5),
        ("06073", "NY", 0.5),
        ("06075", "CA", 1),
        ("08031", "CO", 1),
        ("08059", "CO", 1),
        ("36001", "NY", 1),
        ("36119", "NY", 1),
        ("48141", "TX", 1),
        ("48201", "TX", 1),
    ]
    rows = "\n".join(f"{c},{s},{x}" for c, s, x in pairs)
    (tmp_path / "mapping.csv").write_text(f"from_id,to_id,from_fraction\n{rows}\n")
    (tmp_path / "mapping.json5").write_text(
        '{mapping_type: "many_to_many_explicit_multipliers", file: "mapping.csv", '
        f'from_dimension: {{type: "geography", name: "{COUNTIES}"}}, '
        'to_dimension: {type: "geography", name: "US States"}}\n'
    )
    done = dsgrid(
        "registry",
        "dimension-mappings",
        "register",
        tmp_path / "mapping.json5",
        "-l",
        "a second mapping",
        registry=efs_registry,
    )
    assert done.exit_code == 0, done
    path = tmp_path / "states.json5"
    path.write_text(json.dumps(_query("states", [_ref("geography", "US States")])))
    result = dsgrid("query", "run", path, "--output", tmp_path / "out", registry=efs_registry)
    assert result.exit_code == 2, result
    text = result.stdout + result.stderr
    assert "to_dimension_references[0]" in text
    assert "2 registered dimension mappings" in text
    assert f"({STATES_MAPPING}, {STATES_MAPPING}_2)" in text
