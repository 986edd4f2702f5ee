"""Summaries (dsgrid_core.data.summaries), over time, per local day, week and month, and those
summed over geography or over sector, subsector and metric too: written at registration within
their share of the table's bytes, checked against pandas over the stored table, and batteries
of queries answered with and without them on DuckDB and Spark: the same tables (within 1e-9),
and the metadata says which file each query read. Queries no summary can answer (a time
filter, a function other than a sum, a result by hour or in a zone whose days cut the stored
days, a dataset with a time map) read the table either way."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

NON_TIME = ["geography", "sector", "subsector", "metric", "model_year", "scenario", "weather_year"]
DEMO_DATASETS = ("demo_comstock_like", "demo_resstock_like")
STATES, BAS, END_USES = "Demo States", "Demo Balancing Areas", "Demo End Uses"
COUNTIES, SECTORS = "Demo Counties", "Demo Sectors"  # base dimensions
SCENARIOS, MODEL_YEARS = "Demo Scenarios", "Demo Model Years"
TIME = "Demo Time 2018 Hourly EST"
OVER_CATEGORIES = "summary per day over sector, subsector and metric per unit"


def _versions(registry_path):
    from dsgrid_core.registry.registry import Registry

    with Registry(registry_path, read_only=True) as registry:
        return {d: registry.show("dataset", d) for d in DEMO_DATASETS}


@pytest.fixture(scope="module")
def roomy_registry(tmp_path_factory, dsgrid):
    """The small demo registered with room for every summary (a tenth of the table's bytes):
    with four counties, the sums over geography do not fit in the default 5 %."""
    registry = tmp_path_factory.mktemp("roomy") / "registry"
    result = dsgrid("demo", registry, "--scale", "small", env={"DSGRID_SUMMARY_SHARE": "0.1"})
    assert result.exit_code == 0, result
    return registry


def test_registration_writes_each_datetime_dataset_summed_over_time(demo_registry):
    registry, _ = demo_registry
    for dataset_id, record in _versions(registry).items():
        folder = registry / "data" / dataset_id / record.version
        table = pd.read_parquet(folder / "table.parquet")
        summary = pd.read_parquet(folder / "summary_total.parquet")
        keys = [c for c in summary.columns if c != "value"]
        assert sorted(keys) == sorted(NON_TIME)  # the stored ids of every non-time type
        assert list(summary.columns) == [*keys, "value"]
        expected = table.groupby(keys, as_index=False)["value"].sum().sort_values(keys)
        summary = summary.sort_values(keys)
        assert len(summary) == len(expected) == len(table) // 8760
        for key in keys:
            assert list(summary[key]) == list(expected[key])
        np.testing.assert_allclose(summary["value"], expected["value"], rtol=1e-12)
        entry = record.extra["summaries"]["total"]
        assert entry["rows"] == len(summary)
        assert entry["size_bytes"] == (folder / "summary_total.parquet").stat().st_size


def _local_periods(table: pd.DataFrame) -> pd.DataFrame:
    """Each stored row's day, week and month on the dataset's clock (the demo's Eastern
    Standard Time, UTC-5): days since 1970-01-01, weeks since the Monday before it
    (1969-12-29) and months since January 1970."""
    local = pd.to_datetime(table["timestamp"], utc=True).dt.tz_convert("Etc/GMT+5")
    local = local.dt.tz_localize(None)
    table["day"] = (local.dt.normalize() - pd.Timestamp(0)).dt.days
    monday = local.dt.normalize() - pd.to_timedelta(local.dt.weekday, unit="D")
    table["week"] = (monday - pd.Timestamp("1969-12-29")).dt.days // 7
    table["month"] = (local.dt.year - 1970) * 12 + local.dt.month - 1
    return table


KINDS = [
    "total",
    "month",
    "day",
    "day_over_geography",
    "month_over_geography",
    "day_over_sector_subsector_metric_per_unit",
    "week",
]
# the dimension types each kind sums out beside time (the last sums the end uses of each unit
# under the first id of that unit)
SUMMED_OUT = {
    "day_over_geography": {"geography"},
    "month_over_geography": {"geography"},
    "day_over_sector_subsector_metric_per_unit": {"sector", "subsector"},
}


def _unit_groups(registry_path, record) -> dict[str, str]:
    """The dataset's end use ids -> the first id (in id order) of those in their unit, from its
    metric dimension's records."""
    from dsgrid_core.registry.registry import Registry

    metric = record.extra["dimensions"]["metric"]
    with Registry(registry_path, read_only=True) as registry:
        records = pd.DataFrame(registry.store.dimension_records(metric["id"], metric["version"]))
    first = records.groupby("unit")["id"].transform("min")
    return dict(zip(records["id"], first, strict=True))


@pytest.mark.parametrize("kind", KINDS[1:])
def test_registration_writes_each_datetime_dataset_summed_per_local_period(roomy_registry, kind):
    for dataset_id, record in _versions(roomy_registry).items():
        folder = roomy_registry / "data" / dataset_id / record.version
        table = _local_periods(pd.read_parquet(folder / "table.parquet"))
        summary = pd.read_parquet(folder / f"summary_{kind}.parquet")
        entry = record.extra["summaries"][kind]
        if kind.endswith("_per_unit"):
            groups = _unit_groups(roomy_registry, record)
            assert len(set(groups.values())) >= 3  # the demo's MWh, kWh, MBtu (and therm)
            assert entry["groups"] == groups
            table["metric"] = table["metric"].map(groups)
        assert entry["zone"] == "Etc/GMT+5"
        period = kind.split("_")[0]
        ids = [t for t in NON_TIME if t not in SUMMED_OUT.get(kind, set())]
        keys = [*ids, period]
        assert sorted(summary.columns) == sorted([*keys, "value"])
        expected = table.groupby(keys, as_index=False)["value"].sum().sort_values(keys)
        summary = summary.sort_values(keys).reset_index(drop=True)
        # the demo's year runs from 2018-01-01 00:00 on its UTC-5 clock: 365 whole days,
        # the twelve months of 2018, the 53 weeks from Monday 2018-01-01 to Monday
        # 2018-12-31
        first = (pd.Timestamp("2018-01-01") - pd.Timestamp(0)).days
        periods = {
            "day": range(first, first + 365),
            "month": range(576, 588),
            "week": range((first + 3) // 7, (first + 3) // 7 + 53),
        }
        assert sorted(summary[period].unique()) == list(periods[period])
        assert len(summary) == len(expected)
        for key in keys:
            assert list(summary[key]) == list(expected[key]), key
        np.testing.assert_allclose(summary["value"], expected["value"], rtol=1e-12)
        assert entry["rows"] == len(summary)


def test_summaries_take_under_their_share_of_the_table(demo_registry, roomy_registry):
    """With room for a tenth of the table's bytes the small demo keeps every kind of summary;
    at the default 5 % each dataset keeps them in order while they fit, the same files byte
    for byte, and leaves no other in its folder. The one per day over geography is a quarter
    of the one per day there (four counties): it never fits."""
    registry, _ = demo_registry
    for dataset_id, record in _versions(registry).items():
        folder = registry / "data" / dataset_id / record.version
        roomy = _versions(roomy_registry)[dataset_id]
        kept, every = record.extra["summaries"], roomy.extra["summaries"]
        assert sorted(every) == sorted(KINDS)
        table_bytes = (folder / "table.parquet").stat().st_size
        assert (
            roomy_registry / "data" / dataset_id / "1.0.0" / "table.parquet"
        ).stat().st_size == table_bytes
        fitting, used = [], 0
        for kind in KINDS:
            if used + every[kind]["size_bytes"] <= 0.05 * table_bytes:
                fitting.append(kind)
                used += every[kind]["size_bytes"]
        assert sorted(kept) == sorted(fitting)
        assert {"total", "month", "day"} <= set(kept) and "day_over_geography" not in kept
        for kind, entry in kept.items():
            assert entry["size_bytes"] == (folder / entry["file"]).stat().st_size
            assert entry["sha256"] == every[kind]["sha256"], (dataset_id, kind)
        files = {p.name for p in folder.iterdir() if p.name.startswith("summary_")}
        assert files == {e["file"] for e in kept.values()}
        share = sum(e["size_bytes"] for e in kept.values()) / table_bytes
        assert share < 0.05, f"{dataset_id}: summaries {share:.1%} of the table"
        roomy_share = sum(e["size_bytes"] for e in every.values()) / table_bytes
        assert 0.05 < roomy_share < 0.1


def test_a_bad_summary_share_is_refused_before_any_work(tmp_path, dsgrid, demo_registry):
    registry = tmp_path / "registry"
    assert dsgrid("registry", "create", registry).exit_code == 0
    project = demo_registry[1] / "project.json5"
    registered = dsgrid("registry", "projects", "register", project, "-l", "p", registry=registry)
    assert registered.exit_code == 0, registered
    dataset = demo_registry[1] / "datasets" / "demo_resstock_like" / "dataset.json5"
    for bad in ("lots", "1.5", "-0.1"):
        result = dsgrid(
            "registry", "datasets", "register", dataset, "-l", "d",
            registry=registry, env={"DSGRID_SUMMARY_SHARE": bad},
        )  # fmt: skip
        assert result.exit_code == 2, result
        assert f"DSGRID_SUMMARY_SHARE is '{bad}'" in result.stderr
        assert "a number from 0 to 1" in result.stderr
    # nothing staged, nothing kept
    assert [p for p in (registry / "data").rglob("*") if p.is_file()] == []
    listed = dsgrid("registry", "datasets", "list", registry=registry, as_json=True)
    assert listed.json() == []


def _by_time(name: str, function: str, **result) -> dict:
    time = {"dimension_name": TIME, "function": function}
    dims = {"geography": [STATES], "metric": [END_USES], "time": [time]}
    return _query(name, dims, **result)


def _query(name: str, dimensions: dict, *, dataset_expression=None, **result) -> dict:
    dataset = {
        "dataset_id": name,
        "source_datasets": [{"dataset_id": d} for d in DEMO_DATASETS],
    }
    if dataset_expression:
        dataset["expression"] = dataset_expression
    return {
        "name": name,
        "project": {"project_id": "demo_us_buildings", "dataset": dataset},
        "result": {
            "column_type": "dimension_types",
            "aggregations": [{"dimensions": dimensions}],
            **result,
        },
    }


STATE_FILTER = {
    "filter_type": "supplemental_column_operator",
    "dimension_type": "geography",
    "dimension_name": STATES,
    "operator": "isin",
    "value": ["DE"],
}
# name -> (query, what each dataset is read from with summaries on)
BATTERY = {
    "state_by_end_use": (
        _query("state_by_end_use", {"geography": [STATES], "metric": [END_USES]}),
        "summary",
    ),
    "ba_scenario_model_year_kwh": (
        _query(
            "ba_scenario_model_year_kwh",
            {"geography": [BAS], "scenario": [SCENARIOS], "model_year": [MODEL_YEARS]},
            unit="kWh",
        ),
        "summary",
    ),
    "one_state_by_county_and_subsector": (
        _query(
            "one_state_by_county_and_subsector",
            {"geography": [], "subsector": [], "metric": [END_USES]},
            dimension_filters=[STATE_FILTER],
        ),
        "summary",
    ),
    "difference_of_datasets_pivoted_names": (
        _query(
            "difference_of_datasets_pivoted_names",
            {"geography": [STATES], "metric": [END_USES], "model_year": [MODEL_YEARS]},
            dataset_expression="demo_comstock_like - demo_resstock_like",
            replace_ids_with_names=True,
            table_format={"format_type": "pivoted", "pivoted_dimension_type": "model_year"},
        ),
        "summary",
    ),
    "total_kwh": (_query("total_kwh", {}, unit="kWh"), "summary"),
    # periods of whole months, or days, on the data's clock (the project's zone, the builder's
    # default): the coarsest summary by local period that answers
    "state_by_month": (_by_time("state_by_month", "start_of_month"), "summary per month"),
    "state_by_quarter": (_by_time("state_by_quarter", "quarter"), "summary per month"),
    # the summary per week does not fit in the 5 % of the small demo (the one per unit, kept
    # before it, cannot answer: the end use is kept)
    "state_by_week_kwh": (
        _by_time("state_by_week_kwh", "start_of_week", unit="kWh"),
        "summary per day",
    ),
    "state_by_day_of_week": (_by_time("state_by_day_of_week", "dayofweek"), "summary per day"),
    # not answerable from a summary: read the table either way
    "state_by_hour_of_day": (_by_time("state_by_hour_of_day", "hour"), "table"),
    # months in UTC cut the data's days (an EST day runs 05:00 to 05:00 UTC)
    "state_by_month_in_utc": (
        _by_time("state_by_month_in_utc", "start_of_month", time_zone="UTC"),
        "table",
    ),
    "state_in_january": (
        _query(
            "state_in_january",
            {"geography": [STATES], "metric": [END_USES]},
            dimension_filters=[
                {
                    "filter_type": "between_column_operator",
                    "dimension_type": "time",
                    "dimension_name": TIME,
                    "lower_bound": "2018-01-01 05:00:00+00:00",
                    "upper_bound": "2018-02-01 04:00:00+00:00",
                }
            ],
        ),
        "table",
    ),
    "largest_hour_by_state": (
        {
            **_query("largest_hour_by_state", {}),
            "result": {
                "column_type": "dimension_types",
                "aggregations": [
                    {
                        "aggregation_function": "max",
                        "dimensions": {"geography": [STATES], "metric": [END_USES]},
                    }
                ],
            },
        },
        "table",
    ),
}


def _run(registry_path, query: dict, engine, *, use_summaries: bool):
    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    with Registry(registry_path, read_only=True) as registry:
        result = run_query(
            registry,
            parse_query(query),
            engine=engine.name,
            engine_options=engine.options,
            use_cache=False,
            use_summaries=use_summaries,
        )
    return result.table.to_pandas(), result.metadata


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    values = [c for c in a.columns if pd.api.types.is_float_dtype(a[c])]
    keys = [c for c in a.columns if c not in values]
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    assert len(a) == len(b) > 0
    for key in keys:
        assert list(a[key].astype(str)) == list(b[key].astype(str)), key
    for value in values:
        np.testing.assert_allclose(a[value], b[value], rtol=1e-9, atol=0)


# Spark runs the shapes that differ in what they read or how (fractions, an expression with
# a pivot, periods and parts from the summaries per month and per day, periods from the
# table); DuckDB runs them all.
ON_SPARK = (
    "ba_scenario_model_year_kwh",
    "state_by_week_kwh",
    "difference_of_datasets_pivoted_names",
    "state_by_month",
    "state_by_day_of_week",
    "state_by_month_in_utc",
    "state_by_quarter",
)


@pytest.mark.parametrize("engine", ["duckdb", "spark"], indirect=True)
def test_every_answer_is_the_full_scans(demo_registry, engine):
    names = ON_SPARK if engine.name == "spark" else BATTERY
    _answers_are_the_full_scans(demo_registry[0], {n: BATTERY[n] for n in names}, engine)


def _answers_are_the_full_scans(registry, battery: dict, engine) -> None:
    """Each query of ``battery`` (name -> (query, read)) run with and without summaries: the
    same table, read from what it names, and from the tables without them."""
    for name, (query, expected_read) in battery.items():
        with_summaries, read_on = _run(registry, query, engine, use_summaries=True)
        full, read_off = _run(registry, query, engine, use_summaries=False)
        _same(with_summaries, full)
        assert _reads(read_on) == _expected(expected_read), name
        assert {r["read"] for r in read_off["read"]} == {"table"}, name


def _reads(metadata) -> dict[str, str]:
    return {r["dataset_id"]: r["read"] for r in metadata["read"]}


def _expected(read: str | dict[str, str]) -> dict[str, str]:
    """What each demo dataset is read from: one for both, or one each."""
    return read if isinstance(read, dict) else dict.fromkeys(DEMO_DATASETS, read)


def _over_time(name: str, function: str, dimensions: dict, **result) -> dict:
    time = {"dimension_name": TIME, "function": function}
    return _query(name, {**dimensions, "time": [time]}, **result)


# name -> (query, read with every summary kept, read at the default 5 % of the small demo);
# a sum per period that keeps no geography, filters none and weighs each county alike reads
# the summaries over geography.
GEOGRAPHY_BATTERY = {
    "end_use_by_day_kwh": (
        _over_time("end_use_by_day_kwh", "start_of_day", {"metric": [END_USES]}, unit="kWh"),
        "summary per day over geography",
        "summary per day",
    ),
    "sector_by_day_of_week": (
        _over_time("sector_by_day_of_week", "dayofweek", {"sector": []}, unit="kWh"),
        OVER_CATEGORIES,  # fewer rows than over geography (four counties)
        # at 5 %, the residential dataset keeps no summary per unit (its four units)
        {"demo_comstock_like": OVER_CATEGORIES, "demo_resstock_like": "summary per day"},
    ),
    "scenario_by_month": (
        _over_time("scenario_by_month", "start_of_month", {"scenario": [SCENARIOS]}, unit="MWh"),
        "summary per month over geography",
        "summary per month over geography",
    ),
    "end_use_by_day_of_the_difference": (
        _over_time(
            "end_use_by_day_of_the_difference",
            "start_of_day",
            {"metric": [END_USES]},
            dataset_expression="demo_comstock_like - demo_resstock_like",
        ),
        "summary per day over geography",
        "summary per day",
    ),
    # with four counties the summary per week has fewer rows than the one per day over
    # geography: the smallest that answers
    "end_use_by_week_kwh": (
        _over_time("end_use_by_week_kwh", "start_of_week", {"metric": [END_USES]}, unit="kWh"),
        "summary per week",
        "summary per day",
    ),
    # a filter on geography keeps it: the summaries that have it
    "end_use_by_day_in_one_state": (
        _over_time(
            "end_use_by_day_in_one_state",
            "start_of_day",
            {"metric": [END_USES]},
            dimension_filters=[STATE_FILTER],
        ),
        "summary per day",
        "summary per day",
    ),
    "balancing_area_by_month": (
        _over_time("balancing_area_by_month", "start_of_month", {"geography": [BAS]}, unit="kWh"),
        "summary per month",
        "summary per month",
    ),
    # hours cut every day: the table
    "end_use_by_hour_of_day": (
        _over_time("end_use_by_hour_of_day", "hour", {"metric": [END_USES]}),
        "table",
        "table",
    ),
}
GEOGRAPHY_ON_SPARK = ("end_use_by_day_kwh", "scenario_by_month")


@pytest.mark.parametrize("engine", ["duckdb", "spark"], indirect=True)
def test_sums_over_geography_are_the_full_scans(roomy_registry, demo_registry, engine):
    names = GEOGRAPHY_ON_SPARK if engine.name == "spark" else GEOGRAPHY_BATTERY
    for name in names:
        query, roomy_read, default_read = GEOGRAPHY_BATTERY[name]
        for registry, expected_read in (
            (roomy_registry, roomy_read),
            (demo_registry[0], default_read),
        ):
            with_summaries, read_on = _run(registry, query, engine, use_summaries=True)
            full, read_off = _run(registry, query, engine, use_summaries=False)
            _same(with_summaries, full)
            assert _reads(read_on) == _expected(expected_read), (name, registry)
            assert {r["read"] for r in read_off["read"]} == {"table"}, name
            if engine.name == "spark":
                break  # the roomy registry only: Spark reads what DuckDB reads


@pytest.fixture(scope="module")
def one_unit_registry(tmp_path_factory, dsgrid):
    """The small demo with every end use in kWh (`dsgrid demo --end-use-unit kWh`), registered
    at the default share: as real projects keep theirs (StandardScenarios' ResStock and
    ComStock end uses, fuels included, are all kWh), where the demo mixes MWh, kWh, MBtu and
    therm on purpose."""
    from dsgrid_core.registry.registry import Registry

    registry = tmp_path_factory.mktemp("one-unit") / "registry"
    result = dsgrid("demo", registry, "--scale", "small", "--end-use-unit", "kWh")
    assert result.exit_code == 0, result
    with Registry(registry, read_only=True) as reg:
        end_uses = [
            reg.store.dimension_records(record.id, record.version)
            for record in reg.store.iter_versions()
            if record.kind == "dimension" and record.config.get("type") == "metric"
        ]
    assert len(end_uses) == 3  # the project's and each dataset's
    assert {r["unit"] for records in end_uses for r in records} == {"kWh"}
    return registry


def test_a_demo_in_a_unit_that_is_no_energy_unit_is_refused(tmp_path, dsgrid):
    result = dsgrid("demo", tmp_path / "registry", "--end-use-unit", "kW")
    assert result.exit_code == 2
    assert "'kW' is not an energy unit" in result.stderr and "MWh" in result.stderr, result
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "registry").exists()


# name -> (query, read from the demo in one unit); a sum per period that keeps the geography
# and none of sector, subsector and metric, filters none of them and converts every end use
# by one factor reads the summary over them (alternatives kept or summed alike)
CATEGORIES_BATTERY = {
    "state_by_day_mwh": (
        _over_time("state_by_day_mwh", "start_of_day", {"geography": [STATES]}, unit="MWh"),
        OVER_CATEGORIES,
    ),
    "county_by_week_and_scenario": (
        _over_time(
            "county_by_week_and_scenario",
            "start_of_week",
            {"geography": [COUNTIES], "scenario": [SCENARIOS]},
            unit="kWh",
        ),
        OVER_CATEGORIES,
    ),
    "balancing_area_by_day_of_the_difference": (
        _over_time(
            "balancing_area_by_day_of_the_difference",
            "start_of_day",
            {"geography": [BAS]},
            dataset_expression="demo_comstock_like - demo_resstock_like",
        ),
        OVER_CATEGORIES,
    ),
    # a kept end use, a filter on one, a kept sector: the summaries that have them
    "state_by_day_and_end_use": (
        _over_time(
            "state_by_day_and_end_use",
            "start_of_day",
            {"geography": [STATES], "metric": [END_USES]},
        ),
        "summary per day",
    ),
    "state_by_day_of_one_end_use": (
        _over_time(
            "state_by_day_of_one_end_use",
            "start_of_day",
            {"geography": [STATES]},
            dimension_filters=[
                {
                    "filter_type": "column_operator",
                    "dimension_type": "metric",
                    "dimension_name": END_USES,
                    "operator": "isin",
                    "value": ["electricity_heating", "electricity_cooling"],
                }
            ],
        ),
        "summary per day",
    ),
    "state_by_day_and_sector": (
        _over_time(
            "state_by_day_and_sector", "start_of_day", {"geography": [STATES], "sector": [SECTORS]}
        ),
        "summary per day",
    ),
}
CATEGORIES_ON_SPARK = ("state_by_day_mwh", "state_by_day_of_one_end_use")


@pytest.mark.parametrize("engine", ["duckdb", "spark"], indirect=True)
def test_sums_over_the_categories_of_use_are_the_full_scans(one_unit_registry, engine):
    names = CATEGORIES_ON_SPARK if engine.name == "spark" else CATEGORIES_BATTERY
    battery = {n: CATEGORIES_BATTERY[n] for n in names}
    _answers_are_the_full_scans(one_unit_registry, battery, engine)


def test_end_uses_in_several_units_read_the_sums_of_each_unit(roomy_registry, duckdb_engine):
    """The demo's end uses convert by different factors into MWh (MWh, kWh, MBtu, therm): a
    state's daily lines of all uses read the summary per unit (each unit's sum converted by its
    factor); a filter on two end uses, which leaves others of their unit out, the one per
    day."""
    battery = {"state_by_day_mwh": (CATEGORIES_BATTERY["state_by_day_mwh"][0], OVER_CATEGORIES)}
    two = json.loads(json.dumps(CATEGORIES_BATTERY["state_by_day_of_one_end_use"][0]))
    two["result"]["unit"] = "MWh"
    battery["state_by_day_of_two_end_uses_in_mwh"] = (two, "summary per day")
    difference = _over_time(
        "balancing_area_by_day_of_the_difference_in_mwh",
        "start_of_day",
        {"geography": [BAS]},
        dataset_expression="demo_comstock_like - demo_resstock_like",
        unit="MWh",
    )
    battery[difference["name"]] = (difference, OVER_CATEGORIES)
    _answers_are_the_full_scans(roomy_registry, battery, duckdb_engine)


def test_a_summary_per_unit_needs_one_factor_per_unit():
    """The planner's check, on made-up plans: the metrics of a group (a unit) must all be there
    and weighed alike; a constant weight without a filter always passes."""
    from dsgrid_core.data.summaries import DAY_OVER_CATEGORIES, PeriodSummary
    from dsgrid_core.query.planner.time_buckets import _alike_in_groups
    from dsgrid_core.query.planner.treatments import Treatment

    groups = (("a", "a"), ("b", "a"), ("c", "c"))
    summary = PeriodSummary(DAY_OVER_CATEGORIES, "s.parquet", "UTC", 2, groups)
    assert summary.label == OVER_CATEGORIES

    def factor(**factors):
        return Treatment("metric", "factor", factors=factors)

    assert _alike_in_groups(factor(a=0.001, b=0.001, c=0.29), summary)
    assert not _alike_in_groups(factor(a=0.001, b=1.0, c=0.29), summary)  # b is not like a
    assert not _alike_in_groups(factor(a=0.001, c=0.29), summary)  # b filtered out
    assert _alike_in_groups(Treatment("metric", "scale", constant=2.0), summary)
    assert not _alike_in_groups(Treatment("metric", "scale", keep_ids={"a"}), summary)
    assert not _alike_in_groups(Treatment("metric", "keep"), summary)


def test_a_summary_over_geography_needs_every_county_weighed_alike(demo_registry, tmp_path):
    """Where the plan weighs counties apart (a split mapping: factors that differ), or keeps
    some only, the summary per day that keeps geography answers, not the smaller one over
    geography; with one constant for all, the smaller one. By hour, neither."""
    from types import SimpleNamespace

    from dsgrid_core.config.time_dimension import DatetimeTimeConfig
    from dsgrid_core.data.summaries import PeriodSummary
    from dsgrid_core.query.context_types import SourceDataset
    from dsgrid_core.query.planner.time_buckets import TimeBuckets
    from dsgrid_core.query.planner.timekeys import TimeOutput
    from dsgrid_core.query.planner.treatments import Treatment
    from dsgrid_core.registry.registry import Registry

    with Registry(demo_registry[0], read_only=True) as registry:
        time = registry.show("dataset", DEMO_DATASETS[0]).extra["dimensions"]["time"]
        config = registry.show("dimension", time["id"], time["version"]).config
    over = PeriodSummary("day_over_geography", tmp_path / "over.parquet", "Etc/GMT+5", 365)
    by_county = PeriodSummary("day", tmp_path / "day.parquet", "Etc/GMT+5", 1460)
    ds = SourceDataset(
        dataset_id="d",
        version="1.0.0",
        table_path=tmp_path / "table.parquet",
        mappings={},
        time_shift_seconds=0,
        dimensions={},
        time_config=DatetimeTimeConfig.model_validate(config),
        period_summaries=(over, by_county),
    )
    weeks = SimpleNamespace(time=TimeOutput("local", "Etc/GMT+5", "start_of_week"))
    alike = Treatment("geography", "scale", constant=2.0)
    split = Treatment("geography", "factor", factors={"a": 1.0, "b": 0.5})
    some = Treatment("geography", "scale", keep_ids={"a"}, constant=1.0)
    for plan, expected in ((alike, over), (split, by_county), (some, by_county)):
        tables: dict = {}
        chosen, name = TimeBuckets(weeks, tables).summary(ds, [], [plan])
        assert chosen == expected, plan
        days = tables[name][1].rows  # each stored day -> the Monday of its week
        assert len(days) == 365
        assert {week.weekday() for _, week in days} == {0}
    hours = SimpleNamespace(time=TimeOutput("part", "Etc/GMT+5", "hour"))
    assert TimeBuckets(hours, {}).summary(ds, [], [alike]) is None


def test_test_efs_totals_from_summaries(efs_registry_template, duckdb_engine):
    """test_efs's datasets (registered from the dsgrid test data): those with datetime time
    answer a sum without time from their summaries (any other time kind would read its table),
    with the same numbers."""
    from dsgrid_core.registry.registry import Registry

    with Registry(efs_registry_template, read_only=True) as registry:
        project = registry.show("project", "test_efs")
        ids = [d["dataset_id"] for d in project.config["datasets"]]
        kinds = {}
        for dataset_id in ids:
            record = registry.show("dataset", dataset_id)
            time = record.extra["dimensions"]["time"]
            config = registry.show("dimension", time["id"], time["version"]).config
            kinds[dataset_id] = config["time_type"]
    query = {
        "name": "efs_totals",
        "project": {
            "project_id": "test_efs",
            "dataset": {
                "dataset_id": "efs_totals",
                "source_datasets": [{"dataset_id": d} for d in ids],
            },
        },
        "result": {"unit": "kWh", "aggregations": [{"dimensions": {"geography": []}}]},
    }
    on, read_on = _run(efs_registry_template, query, duckdb_engine, use_summaries=True)
    off, _ = _run(efs_registry_template, query, duckdb_engine, use_summaries=False)
    _same(on, off)
    read = {r["dataset_id"]: r["read"] for r in read_on["read"]}
    assert read == {d: "summary" if kinds[d] == "datetime" else "table" for d in ids}


def test_copy_keeps_summaries_and_check_finds_one_missing(demo_registry, dsgrid, tmp_path):
    registry, _ = demo_registry
    target = tmp_path / "copied"
    result = dsgrid("registry", "copy", "--from", registry, "--to", target)
    assert result.exit_code == 0, result
    for dataset_id, record in _versions(registry).items():
        name = f"{dataset_id}/{record.version}/summary_total.parquet"
        assert (target / "data" / name).read_bytes() == (registry / "data" / name).read_bytes()
    (target / "data" / "demo_comstock_like" / "1.0.0" / "summary_total.parquet").unlink()
    checked = dsgrid("registry", "check", registry=target, as_json=True)
    assert checked.exit_code != 0
    findings = checked.json()["findings"]
    assert any("summary total" in f["what"] and "missing" in f["what"] for f in findings)


def test_a_copy_writes_again_the_summaries_of_a_registry_made_without_them(
    demo_registry, dsgrid, tmp_path, duckdb_engine
):
    """The demo registered with no room for summaries (as a registry made before they existed
    reads), copied with --rewrite-summaries: each version of the copy has the summaries a
    registration writes today, byte for byte those of the demo registered with them, its
    table unchanged; `registry check` passes and queries read them. Without the flag the
    copy has none."""
    bare = tmp_path / "bare"
    made = dsgrid("demo", bare, "--scale", "small", env={"DSGRID_SUMMARY_SHARE": "0"})
    assert made.exit_code == 0, made
    plain = tmp_path / "plain"
    assert dsgrid("registry", "copy", "--from", bare, "--to", plain).exit_code == 0
    rewritten = tmp_path / "rewritten"
    done = dsgrid("registry", "copy", "--from", bare, "--to", rewritten, "--rewrite-summaries")
    assert done.exit_code == 0, done

    registered = _versions(demo_registry[0])
    for dataset_id, record in _versions(rewritten).items():
        assert not _versions(bare)[dataset_id].extra["summaries"]
        assert not _versions(plain)[dataset_id].extra["summaries"]
        assert record.sha256 == registered[dataset_id].sha256  # the same table
        kept = record.extra["summaries"]
        assert kept == registered[dataset_id].extra["summaries"]  # files, rows, bytes, SHA-256
        folder = rewritten / "data" / dataset_id / record.version
        written = {p.name for p in folder.iterdir() if p.name.startswith("summary_")}
        assert written == {e["file"] for e in kept.values()}
    checked = dsgrid("registry", "check", registry=rewritten, as_json=True)
    assert checked.exit_code == 0, checked
    query = CATEGORIES_BATTERY["state_by_day_mwh"][0]
    read = {"demo_comstock_like": OVER_CATEGORIES, "demo_resstock_like": "summary per day"}
    _answers_are_the_full_scans(rewritten, {"state_by_day_mwh": (query, read)}, duckdb_engine)


def test_a_copy_that_writes_summaries_again_does_not_read_the_old_ones(
    demo_registry, demo_registry_copy, dsgrid, tmp_path
):
    """A source whose summary file was damaged: a plain copy refuses it (the file lacks its
    recorded SHA-256), naming it; a copy with --rewrite-summaries never reads it and writes
    the summaries again, byte for byte those of the intact demo."""
    folder = demo_registry_copy / "data" / "demo_comstock_like"
    (version,) = [p for p in folder.iterdir() if p.is_dir()]
    damaged = version / "summary_total.parquet"
    damaged.write_bytes(b"not parquet")

    plain = dsgrid("registry", "copy", "--from", demo_registry_copy, "--to", tmp_path / "plain")
    assert plain.exit_code == 2, plain
    assert "summary_total.parquet" in plain.stderr and "SHA-256" in plain.stderr
    assert "Traceback" not in plain.stderr

    target = tmp_path / "rewritten"
    done = dsgrid(
        "registry", "copy", "--from", demo_registry_copy, "--to", target, "--rewrite-summaries"
    )
    assert done.exit_code == 0, done
    intact = demo_registry[0] / "data" / "demo_comstock_like" / version.name
    copied = target / "data" / "demo_comstock_like" / version.name
    names = sorted(p.name for p in intact.iterdir() if p.name.startswith("summary_"))
    assert "summary_total.parquet" in names
    for name in names:
        assert (copied / name).read_bytes() == (intact / name).read_bytes(), name
    assert dsgrid("registry", "check", registry=target).exit_code == 0


def test_a_copy_with_a_bad_summary_share_is_refused_and_leaves_nothing(
    demo_registry, dsgrid, tmp_path
):
    target = tmp_path / "copy"
    refused = dsgrid(
        "registry",
        "copy",
        "--from",
        demo_registry[0],
        "--to",
        target,
        "--rewrite-summaries",
        env={"DSGRID_SUMMARY_SHARE": "lots"},
    )
    assert refused.exit_code == 2, refused
    assert "DSGRID_SUMMARY_SHARE is 'lots'" in refused.stderr and "Traceback" not in refused.stderr
    assert not target.exists()


def test_cli_no_summaries_reads_the_tables(demo_registry_copy, dsgrid, tmp_path):
    query = tmp_path / "q.json5"
    query.write_text(json.dumps(BATTERY["state_by_end_use"][0]))
    reads = {}
    for flag in ([], ["--no-summaries"]):
        out = tmp_path / ("off" if flag else "on")
        result = dsgrid(
            "query", "run", query, "-o", out, *flag, registry=demo_registry_copy, as_json=True
        )
        assert result.exit_code == 0, result
        meta = result.json()
        reads[bool(flag)] = {r["read"] for r in meta["read"]}
    assert reads == {False: {"summary"}, True: {"table"}}
    shutil.rmtree(tmp_path / "on")


def test_a_datetime_dataset_with_a_time_map_sums_its_table(tmp_path):
    """A datetime dataset can have a summary and still a time map (wrapped around the
    project's span: each stored hour counts with its map's factor); a sum over time then reads
    the table, joined to the map summed per stored hour, never the summary."""
    from datetime import datetime

    from dsgrid_core.query.context_types import SourceDataset
    from dsgrid_core.query.dataset_time import TimeJoin
    from dsgrid_core.query.planner.dataset_source import dataset_source

    instant = datetime(2012, 1, 1)
    ds = SourceDataset(
        dataset_id="wrapped",
        version="1.0.0",
        table_path=tmp_path / "table.parquet",
        summary_path=tmp_path / "summary_total.parquet",
        mappings={},
        time_shift_seconds=0,
        dimensions={},
        time_join=TimeJoin(["timestamp"], [(instant, instant, 2.0)]),
    )
    tables: dict = {}
    dataset_source(0, ds, tables, needs_instants=False, sums=True)
    parquet = {str(v) for kind, v in tables.values() if kind == "parquet"}
    assert parquet == {str(tmp_path / "table.parquet")}
    # the same dataset without its map answers from the summary
    tables = {}
    dataset_source(0, replace(ds, time_join=None), tables, needs_instants=False, sums=True)
    assert {str(v) for kind, v in tables.values() if kind == "parquet"} == {
        str(tmp_path / "summary_total.parquet")
    }
