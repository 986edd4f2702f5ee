"""Project queries over datasets whose time is annual, index or representative periods, or has
no time at all, compared row by row with the reference dsgrid-toolkit 0.4.0 on every engine.

Both registries are the reference's own: it registers and submits the time-kinds project
(tests/integration/reference_import_time_registry.py: one dataset per kind of time, hourly 2012
EST project), and we import its registry. One county keeps New York's clock (daylight saving),
the other the project's standard time, so index time and representative periods are read on
each county's own clock. The reference runs
every query once in one process (tests/compat_queries/reference_query_driver.py). Where the
reference fails, our answer is checked against pandas over the stored files instead.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from tests.reference_cli import REFERENCE_VENV, require_reference

DRIVER = Path(__file__).resolve().parents[1] / "compat_queries" / "reference_query_driver.py"
PROJECT_TIME = "Time-2012-EST-hourly"
DATASETS = ["annual", "index", "week_per_month", "weekday_weekend", "noop"]
# one county on New York's clock (daylight saving), one on the project's standard time: index
# time starts at local midnight on January 1st, EST in both, so no hour falls outside the year
COUNTIES = [
    ("36001", "Albany County", "NY", "America/New_York"),
    ("36005", "Bronx County", "NY", "Etc/GMT+5"),
]
# (aggregation function, time function): None = no time column; "" = the project's hours
SHAPES = {
    "total": ("sum", None),
    "hourly": ("sum", ""),
    "mean_month": ("mean", "month"),
    "max_hour": ("max", "hour"),
    "count_dayofweek": ("count", "dayofweek"),
    # time mapped before the function, as dsgrid does: the largest hourly value, not the
    # largest annual total
    "max_total": ("max", None),
}


def _query(name: str, dataset: str, function: str, time: str | None) -> dict:
    dims: dict = {
        t: [] for t in ("model_year", "scenario", "sector", "subsector", "weather_year", "time")
    }
    dims["geography"] = ["Two counties"]
    dims["metric"] = ["Two end uses"]
    if time is not None:
        dims["time"] = (
            [{"dimension_name": PROJECT_TIME, "function": time}] if time else [PROJECT_TIME]
        )
    return {
        "name": name,
        "project": {
            "project_id": "time_kinds",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [
                    {"dataset_id": f"time_kinds_{dataset}", "dataset_type": "standalone"}
                ],
            },
        },
        "result": {"aggregations": [{"aggregation_function": function, "dimensions": dims}]},
    }


def _queries(datasets: list[str]) -> dict[str, dict]:
    return {
        f"{ds}_{shape}": _query(f"{ds}_{shape}", ds, fn, time)
        for ds in datasets
        for shape, (fn, time) in SHAPES.items()
    }


def _build(root: Path, counties, datasets: list[str]) -> dict:
    """Both registries and the reference's answers: {"ours", "data", "queries", "answers"}."""
    from tests.conftest import run_dsgrid
    from tests.integration.reference_import_time_registry import (
        COUNTIES,
        build_time_kinds_registry,
    )

    url, data, _ = build_time_kinds_registry(
        root / "reference",
        update_annual=False,
        counties=counties or COUNTIES,
        dataset_ids=[f"time_kinds_{d}" for d in datasets],
    )
    ours = root / "ours"
    assert run_dsgrid("registry", "create", ours).exit_code == 0
    imported = run_dsgrid("registry", "import", url, registry=ours, as_json=True)
    assert imported.exit_code == 0, imported
    queries = _queries(datasets)
    items = []
    for key, query in queries.items():
        path = root / "queries" / f"{key}.json5"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(query), encoding="utf-8")
        items.append({"key": key, "path": str(path), "kind": "project"})
    job = {
        "url": url,
        "workdir": str(root / "work"),
        "answer": str(root / "answer.json"),
        "queries": items,
    }
    subprocess.run(  # noqa: S603 - the reference's own Python, our driver script
        [str(REFERENCE_VENV / "bin" / "python"), str(DRIVER)],
        input=json.dumps(job),
        text=True,
        check=True,
        capture_output=True,
        timeout=1200,
    )
    answers = json.loads((root / "answer.json").read_text(encoding="utf-8"))["results"]
    return {
        "ours": ours,
        "data": data,
        "queries": queries,
        "answers": {item["key"]: a for item, a in zip(items, answers, strict=True)},
    }


@pytest.fixture(scope="module")
def time_kinds(tmp_path_factory) -> dict[str, dict]:
    require_reference()
    return {
        "both": _build(tmp_path_factory.mktemp("time-kinds"), COUNTIES, DATASETS),
    }


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for c in frame.columns:
        if c == "value":
            continue
        if pd.api.types.is_datetime64_any_dtype(frame[c]):
            series = frame[c]
            frame[c] = (
                series.dt.tz_convert("UTC")
                if series.dt.tz is not None
                else series.dt.tz_localize("UTC")
            )
            frame[c] = frame[c].astype("datetime64[us, UTC]")
        else:
            frame[c] = frame[c].astype(str)
    keys = sorted(c for c in frame.columns if c != "value")
    return frame[[*keys, "value"]].sort_values(keys).reset_index(drop=True)


CASES = [
    (variant, key)
    for variant, datasets in (("both", DATASETS),)
    for key in _queries(datasets)
    if not key.startswith("noop")
]


# every engine runs these; DuckDB runs every case (engines agree on the rest by construction:
# the same plan, and the time maps are tables computed in Python)
ENGINE_CASES = [
    ("both", "week_per_month_hourly"),
    ("both", "weekday_weekend_mean_month"),
    ("both", "index_max_hour"),
    ("both", "annual_count_dayofweek"),
]


def _check_same(case: dict, key: str, engine, run_query_on) -> None:
    answer = case["answers"][key]
    assert answer["accepted"], answer["message"]
    expected = _canonical(pd.read_parquet(answer["table"]))
    ours, _ = run_query_on(case["ours"], case["queries"][key], engine)
    ours = _canonical(ours)
    assert list(ours.columns) == list(expected.columns)
    assert len(ours) == len(expected) > 0
    keys = [c for c in expected.columns if c != "value"]
    pd.testing.assert_frame_equal(ours[keys], expected[keys])
    pd.testing.assert_series_equal(
        ours["value"], expected["value"], rtol=1e-9, atol=0, check_dtype=False
    )


@pytest.mark.parametrize(("variant", "key"), CASES)
def test_same_answer_as_the_reference(time_kinds, variant, key, duckdb_engine, run_query_on):
    _check_same(time_kinds[variant], key, duckdb_engine, run_query_on)


@pytest.mark.parametrize(("variant", "key"), ENGINE_CASES)
def test_same_answer_as_the_reference_on_every_engine(
    time_kinds, variant, key, engine, run_query_on
):
    _check_same(time_kinds[variant], key, engine, run_query_on)


def _stored(case: dict, dataset: str) -> pd.DataFrame:
    """The dataset's stored rows, read from our registry's files by pandas."""
    files = list((case["ours"]).rglob(f"data/time_kinds_{dataset}/*/table.parquet"))
    assert len(files) == 1, files
    return pd.read_parquet(files[0])


def test_representative_hours_read_on_each_countys_clock(time_kinds, duckdb_engine, run_query_on):
    """Independent of both tools: every project hour of 2012 (EST) takes, in each county, the
    value of the representative hour with that county's local month, weekday and hour."""
    case = time_kinds["both"]
    stored = _stored(case, "week_per_month")
    by_key = stored.groupby(["geography", "month", "day_of_week", "hour"])["value"].sum().to_dict()
    start = datetime(2012, 1, 1, 5, tzinfo=UTC)

    def total(county: str, zone: str) -> float:
        clock = ZoneInfo(zone)
        hours = ((start + timedelta(hours=k)).astimezone(clock) for k in range(8784))
        return sum(by_key[(county, t.month, t.weekday(), t.hour)] for t in hours)

    expected = {c[0]: total(c[0], c[3]) for c in COUNTIES}
    query = case["queries"]["week_per_month_total"]
    ours, _ = run_query_on(case["ours"], query, duckdb_engine)
    got = ours.groupby("Two counties")["value"].sum().to_dict()
    assert got.keys() == expected.keys()
    for county, value in expected.items():
        assert got[county] == pytest.approx(value, rel=1e-12)
    # the clock matters: read on standard time, New York's county would total otherwise
    assert expected["36001"] != pytest.approx(total("36001", "Etc/GMT+5"), rel=1e-9)


def test_annual_total_spread_over_the_year_and_becomes_the_model_year(
    time_kinds, duckdb_engine, run_query_on
):
    """An annual total counts 1/8,784 per hour of 2012 (include_leap_day: a 366-day year), and
    its year is the row's model year (dsgrid's rule)."""
    case = time_kinds["both"]
    stored = _stored(case, "annual")
    query = _query("annual_by_year", "annual", "sum", "")
    dims = query["result"]["aggregations"][0]["dimensions"]
    dims["model_year"] = ["Model 2012"]
    ours, _ = run_query_on(case["ours"], query, duckdb_engine)
    assert set(ours["Model 2012"]) == {str(y) for y in stored["time_year"]}
    hourly = stored.groupby(["geography", "metric"])["value"].sum() / 8784
    for (county, end_use), value in hourly.items():
        rows = ours[(ours["Two counties"] == county) & (ours["Two end uses"] == end_use)]
        assert len(rows) == 8784
        assert rows["value"].to_numpy() == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("variant", ["both"])
def test_no_op_time_totals_where_the_reference_fails(
    time_kinds, variant, duckdb_engine, run_query_on
):
    """The reference cannot query a dataset with no-op time at all: it asks for the project's
    time column, which such a dataset does not have (BinderException), even with time left
    out of the aggregation. Ours sums its values; asked for time, it says why not."""
    case = time_kinds[variant]
    answer = case["answers"]["noop_total"]
    assert not answer["accepted"]
    assert PROJECT_TIME in answer["message"]
    stored = _stored(case, "noop")
    expected = stored.groupby(["geography", "metric"])["value"].sum()
    ours, _ = run_query_on(case["ours"], case["queries"]["noop_total"], duckdb_engine)
    got = ours.set_index(["Two counties", "Two end uses"])["value"]
    assert len(got) == len(expected) == 4
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-12)


def test_no_op_time_with_time_asked_is_refused(time_kinds, duckdb_engine, run_query_on):
    from dsgrid_core.errors import InputError

    case = time_kinds["both"]
    with pytest.raises(InputError, match="time_kinds_noop' has no time"):
        run_query_on(case["ours"], case["queries"]["noop_hourly"], duckdb_engine)
