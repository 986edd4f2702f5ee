"""The comparison page (/compare) in real Chromium, [local] and [remote]: build a scenario
comparison (and one of two versions of a dataset) with the controls, check its peak table
against the same query's result read through the HTTP API (peaks computed with pandas here),
restore it from its link, and show bad choices inline."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import pytest
from conftest import (
    allow_downloads,
    click,
    component_prop,
    plotly_traces,
    scroll_to,
    wait_for_download,
    wait_until,
)
from versioned_demo import CHANGED, DATASET, FIRST, UNFIT, make_versioned

from app import ids

pytestmark = pytest.mark.browser

HOLD_YEAR = "2035"
PEAK_KEYS = ("base_peak", "other_peak", "difference")


def _held(dimension_type: str, value: str) -> dict:
    return {
        "filter_type": "expression",
        "dimension_type": dimension_type,
        "dimension_name": dimension_type,
        "value": value,
    }


SCENARIO_FILTERS = [_held("model_year", HOLD_YEAR), _held("weather_year", "2018")]


def _api_result(
    registry: Path, tmp_path: Path, comparison: dict, filters=SCENARIO_FILTERS
) -> pd.DataFrame:
    """The comparison (what the page asks, written out here) run through POST
    /api/v1/queries of a server of its own, its result read as Parquet."""
    import io

    import pyarrow.parquet as pq

    from app import create_app

    client = create_app(str(registry), cache_dir=str(tmp_path / "apicheck")).server.test_client()
    query = {
        "name": "check",
        "project": {
            "project_id": "demo_us_buildings",
            "dataset": {
                "dataset_id": "check",
                "source_datasets": [
                    {"dataset_id": "demo_comstock_like"},
                    {"dataset_id": "demo_resstock_like"},
                ],
            },
        },
        "result": {
            "column_type": "dimension_types",
            "unit": "MWh",
            "aggregations": [
                {
                    "dimensions": {
                        "geography": ["Demo States"],
                        "time": ["Demo Time 2018 Hourly EST"],
                    }
                }
            ],
            "dimension_filters": list(filters),
        },
        "comparison": comparison,
    }
    started = client.post("/api/v1/queries", json={"query": query, "use_cache": False})
    assert started.status_code == 202, started.json
    job_id = started.json["data"]["id"]
    deadline = time.monotonic() + 120
    while client.get(f"/api/v1/jobs/{job_id}").json["data"]["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    answer = client.get(f"/api/v1/jobs/{job_id}/result?format=parquet")
    assert answer.status_code == 200
    return pq.read_table(io.BytesIO(answer.data)).to_pandas()


def _expected_peaks(frame: pd.DataFrame) -> list[tuple[str, float, str, float, str]]:
    """(geography, base peak, its hour, other peak, its hour): all states together first."""

    def peak(part: pd.DataFrame, side: str) -> tuple[float, str]:
        part = part.sort_values("timestamp")
        best = part.loc[part[side] == part[side].max()].iloc[0]  # the first of a tie
        local = pd.Timestamp(best["timestamp"]).tz_convert("Etc/GMT+5")
        return float(best[side]), f"{local:%Y-%m-%d %H:%M} UTC-5"

    hourly = frame.groupby("timestamp", as_index=False)[["base", "other"]].sum()
    rows = [("All (coincident peak)", *peak(hourly, "base"), *peak(hourly, "other"))]
    for state in sorted(frame["geography"].unique()):
        part = frame[frame["geography"] == state]
        rows.append((state, *peak(part, "base"), *peak(part, "other")))
    return rows


def _cell(dash_duo, row: int, key: str) -> str:
    return dash_duo.find_element(f"#{ids.compare_peak_cell(row, key)}").text


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _check_peaks(dash_duo, expected) -> None:
    wait_until(
        lambda: dash_duo.find_elements(f"#{ids.compare_peak_cell(len(expected) - 1, 'geography')}"),
        60,
        "the peak table",
    )
    assert not dash_duo.find_elements(f"#{ids.compare_peak_cell(len(expected), 'geography')}")
    for i, (geo, base, base_hour, other, other_hour) in enumerate(expected):
        assert _cell(dash_duo, i, "geography") == geo
        assert _cell(dash_duo, i, "base_hour") == base_hour
        assert _cell(dash_duo, i, "other_hour") == other_hour
        shown = [_number(_cell(dash_duo, i, k)) for k in PEAK_KEYS]
        # the page writes 4 significant digits
        np.testing.assert_allclose(shown, [base, other, other - base], rtol=1e-3)
        relative = _cell(dash_duo, i, "relative_difference")
        assert relative.endswith(" %")
        assert _number(relative[:-2]) == pytest.approx((other - base) / base * 100, rel=1e-3)


def _choose(dash_duo, dropdown_id: str, value: str) -> None:
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        StaleElementReferenceException,
    )

    for attempt in range(3):
        try:
            scroll_to(dash_duo, dash_duo.find_element(f"#{dropdown_id}")).click()
            box = dash_duo.wait_for_element(".dash-dropdown-content .dash-dropdown-search")
            box.send_keys(value)
            option = dash_duo.wait_for_element(
                f".dash-dropdown-content [role='option'] input[value='{value}']"
            )
            option.find_element("xpath", "./ancestor::label").click()
            dash_duo.find_element("body").send_keys("\ue00c")
            return
        except (StaleElementReferenceException, ElementClickInterceptedException):
            if attempt == 2:
                raise
            time.sleep(0.3)


def test_scenario_comparison_peaks_match_the_api_and_the_link_restores_it(
    dash_duo, viewer, demo_registry, tmp_path
):
    registry = tmp_path / "registry"
    shutil.copytree(demo_registry[0], registry)
    comparison = {"dimension": "scenario", "base": "reference", "other": "high_electrification"}
    expected = _expected_peaks(_api_result(registry, tmp_path, comparison))

    app = viewer(registry)
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1400, 1100)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare")
    dash_duo.wait_for_element(f"#{ids.COMPARE_RUN}")
    # the page starts on the project's first two scenarios
    assert component_prop(dash_duo, ids.COMPARE_BASE, "value") == "reference"
    assert component_prop(dash_duo, ids.COMPARE_OTHER, "value") == "high_electrification"
    _choose(dash_duo, ids.compare_hold("model_year"), HOLD_YEAR)
    wait_until(
        lambda: component_prop(dash_duo, ids.compare_hold("model_year"), "value") == HOLD_YEAR
    )
    click(dash_duo, f"#{ids.COMPARE_RUN}")
    _check_peaks(dash_duo, expected)
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_SUMMARY}", "held at model year 2035")
    map_traces = dash_duo.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return gd && gd.data ? gd.data.length : 0;",
        f"#{ids.COMPARE_MAP}",
    )
    assert map_traces == 1
    # load-duration curves: base, other and the difference, each sorted from its highest hour
    curves = plotly_traces(dash_duo, ids.COMPARE_DURATION)
    assert [len(c["y"]) for c in curves] == [8760] * 3
    all_states = expected[0]
    np.testing.assert_allclose(
        [curves[0]["y"][0], curves[1]["y"][0]], [all_states[1], all_states[3]]
    )
    assert all(a >= b for a, b in zip(curves[2]["y"], curves[2]["y"][1:], strict=False))
    # the legend lies under the plot and its axis title, and the title is not covered
    drawn = dash_duo.driver.execute_script(
        """const root = document.querySelector(arguments[0]);
        const box = s => { const e = root.querySelector(s);
            if (!e) { return null; } const r = e.getBoundingClientRect();
            return {top: r.top, bottom: r.bottom}; };
        return {legend: box('g.legend'), plot: box('.draglayer .nsewdrag'),
                xtitle: box('.g-xtitle'), title: box('.g-gtitle')};""",
        f"#{ids.COMPARE_DURATION}",
    )
    assert all(drawn.values()), drawn
    assert drawn["legend"]["top"] >= max(drawn["plot"]["bottom"], drawn["xtitle"]["bottom"])
    assert drawn["title"]["bottom"] <= drawn["plot"]["top"], drawn

    params = parse_qs(urlparse(dash_duo.driver.current_url).query)
    assert params["base"] == ["reference"] and params["other"] == ["high_electrification"]
    assert params["hold_model_year"] == [HOLD_YEAR]
    link = dash_duo.driver.current_url

    # the link, opened afresh, restores the controls and the same peaks
    dash_duo.driver.get(f"{dash_duo.server_url}/")
    dash_duo.wait_for_page(link)
    _check_peaks(dash_duo, expected)
    assert component_prop(dash_duo, ids.compare_hold("model_year"), "value") == HOLD_YEAR
    assert component_prop(dash_duo, ids.COMPARE_DIMENSION, "value") == "scenario"

    # the same scenario twice: said inline, nothing drawn anew
    _choose(dash_duo, ids.COMPARE_OTHER, "reference")
    wait_until(lambda: component_prop(dash_duo, ids.COMPARE_OTHER, "value") == "reference")
    click(dash_duo, f"#{ids.COMPARE_RUN}")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_ERROR}", "pick two different", timeout=20)
    assert dash_duo.get_logs() == []


def test_a_bad_link_says_what_is_wrong(dash_duo, viewer, demo_registry, tmp_path):
    registry = tmp_path / "registry"
    shutil.copytree(demo_registry[0], registry)
    dash_duo.start_server(viewer(registry))
    dash_duo.wait_for_page(
        f"{dash_duo.server_url}/compare?project=demo_us_buildings&dimension=scenario"
        "&base=reference&other=nope"
    )
    dash_duo.wait_for_contains_text(
        f"#{ids.COMPARE_ERROR}", "comparison.other: 'nope' is not a record", timeout=30
    )
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare?dimension=colour")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_ERROR}", "'colour' cannot be compared")
    assert dash_duo.get_logs() == []


def test_a_model_year_link_with_end_uses_restores_them_and_their_peaks(
    dash_duo, viewer, demo_registry, tmp_path
):
    registry = tmp_path / "registry"
    shutil.copytree(demo_registry[0], registry)
    end_uses = ["electricity_heating", "electricity_cooling"]
    expected = _expected_peaks(
        _api_result(
            registry,
            tmp_path,
            {"dimension": "model_year", "base": "2025", "other": "2045"},
            [
                _held("scenario", "high_electrification"),
                _held("weather_year", "2018"),
                {
                    "filter_type": "column_operator",
                    "dimension_type": "metric",
                    "dimension_name": "metric",
                    "operator": "isin",
                    "value": end_uses,
                },
            ],
        )
    )
    dash_duo.start_server(viewer(registry))
    dash_duo.driver.set_window_size(1400, 1100)
    dash_duo.wait_for_page(
        f"{dash_duo.server_url}/compare?project=demo_us_buildings&dimension=model_year"
        "&base=2025&other=2045&geography=Demo+States&unit=MWh"
        "&hold_scenario=high_electrification&hold_weather_year=2018"
        f"&end_uses={','.join(end_uses)}"
    )
    _check_peaks(dash_duo, expected)
    assert component_prop(dash_duo, ids.COMPARE_END_USES, "value") == end_uses
    assert component_prop(dash_duo, ids.compare_hold("model_year"), "disabled") is True
    dash_duo.wait_for_contains_text(
        f"#{ids.COMPARE_SUMMARY}", "end uses electricity_heating, electricity_cooling"
    )
    assert dash_duo.get_logs() == []


def test_one_scenario_is_said_and_two_datasets_compare_on_test_efs(
    dash_duo, viewer, efs_registry_template, tmp_path
):
    """test_efs has one scenario (nothing to compare) and two datasets holding the same
    ComStock data in two layouts: their difference is 0 everywhere."""
    registry = tmp_path / "registry"
    shutil.copytree(efs_registry_template, registry)
    dash_duo.start_server(viewer(registry))
    dash_duo.driver.set_window_size(1400, 1100)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_ERROR}", "one scenario: nothing to compare")
    _choose(dash_duo, ids.COMPARE_DIMENSION, "dataset")
    wait_until(lambda: component_prop(dash_duo, ids.COMPARE_OTHER, "value"), 15, "two datasets")
    assert component_prop(dash_duo, ids.COMPARE_BASE, "value") == "test_efs_comstock"
    assert component_prop(dash_duo, ids.COMPARE_OTHER, "value") == "test_efs_comstock_unpivoted"
    click(dash_duo, f"#{ids.COMPARE_RUN}")
    wait_until(
        lambda: dash_duo.find_elements(f"#{ids.compare_peak_cell(4, 'geography')}"),
        60,
        "the peak table (all states, then 4 states)",
    )
    for row in range(5):
        assert _cell(dash_duo, row, "base_peak") == _cell(dash_duo, row, "other_peak")
        assert _cell(dash_duo, row, "base_hour") == _cell(dash_duo, row, "other_hour")
        assert abs(_number(_cell(dash_duo, row, "difference"))) < 1e-6
    states = sorted(_cell(dash_duo, row, "geography") for row in range(1, 5))
    assert states == ["CA", "CO", "NY", "TX"]
    assert dash_duo.find_element(f"#{ids.COMPARE_ERROR}").text == ""

    # the exports hold the whole result: per state, its largest hour is the table's peak
    folder = allow_downloads(dash_duo, tmp_path / "downloads")
    click(dash_duo, f"#{ids.COMPARE_EXPORT_CSV}")
    csv = pd.read_csv(wait_for_download(folder, "comparison.csv"))
    click(dash_duo, f"#{ids.COMPARE_EXPORT_PARQUET}")
    parquet = pd.read_parquet(wait_for_download(folder, "comparison.parquet"))
    columns = ["geography", "timestamp", "base", "other", "difference", "relative_difference"]
    assert list(csv.columns) == list(parquet.columns) == columns
    assert len(csv) == len(parquet) == 4 * 168  # test_efs: one week of hours
    np.testing.assert_allclose(csv["base"], parquet["base"], rtol=1e-12)
    peaks = csv.groupby("geography")["base"].max()
    for row in range(1, 5):
        state = _cell(dash_duo, row, "geography")
        assert _number(_cell(dash_duo, row, "base_peak")) == pytest.approx(peaks[state], rel=1e-3)

    # versions: no dataset of test_efs has two, which is said
    _choose(dash_duo, ids.COMPARE_DIMENSION, "dataset_version")
    dash_duo.wait_for_contains_text(
        f"#{ids.COMPARE_ERROR}", "No dataset of the project has two versions"
    )
    assert dash_duo.get_logs() == []


@pytest.fixture(scope="module")
def versioned_template(demo_registry, dsgrid, tmp_path_factory) -> Path:
    """The demo registry with versions 1.1.0 (values changed) and 1.2.0 (a county the project
    lacks) of demo_resstock_like (tests/versioned_demo.py); each test copies it."""
    return make_versioned(dsgrid, demo_registry[0], tmp_path_factory.mktemp("versions"))


# local only: a remote viewer runs the same comparison through the API, which
# tests/api/test_compare_api.py checks for versions (the suite's 30 minutes)
@pytest.mark.parametrize("viewer", ["local"], indirect=True)
def test_two_versions_of_a_dataset_compare_and_the_link_keeps_them(
    dash_duo, viewer, versioned_template, tmp_path
):
    registry = tmp_path / "registry"
    shutil.copytree(versioned_template, registry)
    comparison = {"dimension": "dataset_version", "dataset_id": DATASET, "base": FIRST}
    held = [
        _held("model_year", "2025"),
        _held("scenario", "reference"),
        _held("weather_year", "2018"),
    ]
    expected = _expected_peaks(
        _api_result(registry, tmp_path, {**comparison, "other": CHANGED}, held)
    )
    # what the new version changed: county 11001 (DC) up, lighting in 10001 (DE) halved
    assert {row[0] for row in expected if row[1] != row[3]} == {"All (coincident peak)", "DC", "DE"}

    dash_duo.start_server(viewer(registry))
    dash_duo.driver.set_window_size(1400, 1100)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/compare")
    dash_duo.wait_for_element(f"#{ids.COMPARE_RUN}")
    assert not dash_duo.find_element(f"#{ids.COMPARE_DATASET}").is_displayed()
    _choose(dash_duo, ids.COMPARE_DIMENSION, "dataset_version")
    # only the dataset with two versions or more is offered, and chosen; its first two versions
    wait_until(lambda: component_prop(dash_duo, ids.COMPARE_OTHER, "value") == CHANGED)
    assert component_prop(dash_duo, ids.COMPARE_DATASET, "value") == DATASET
    assert [o["value"] for o in component_prop(dash_duo, ids.COMPARE_DATASET, "options")] == [
        DATASET
    ]
    assert component_prop(dash_duo, ids.COMPARE_BASE, "value") == FIRST
    assert [o["value"] for o in component_prop(dash_duo, ids.COMPARE_OTHER, "options")] == [
        FIRST,
        CHANGED,
        UNFIT,
    ]
    click(dash_duo, f"#{ids.COMPARE_RUN}")
    _check_peaks(dash_duo, expected)
    dash_duo.wait_for_contains_text(
        f"#{ids.COMPARE_SUMMARY}", f"{DATASET} {CHANGED} compared with {DATASET} {FIRST}"
    )
    params = parse_qs(urlparse(dash_duo.driver.current_url).query)
    assert params["dimension"] == ["dataset_version"] and params["dataset"] == [DATASET]
    assert params["base"] == [FIRST] and params["other"] == [CHANGED]
    link = dash_duo.driver.current_url

    # the link, opened afresh, restores the dataset, its versions and the same peaks
    dash_duo.driver.get(f"{dash_duo.server_url}/")
    dash_duo.wait_for_page(link)
    _check_peaks(dash_duo, expected)
    assert component_prop(dash_duo, ids.COMPARE_DATASET, "value") == DATASET
    assert dash_duo.find_element(f"#{ids.COMPARE_DATASET}").is_displayed()

    # a version whose dimensions the project does not have: said inline, naming the side
    _choose(dash_duo, ids.COMPARE_OTHER, UNFIT)
    wait_until(lambda: component_prop(dash_duo, ids.COMPARE_OTHER, "value") == UNFIT)
    click(dash_duo, f"#{ids.COMPARE_RUN}")
    dash_duo.wait_for_contains_text(
        f"#{ids.COMPARE_ERROR}", f"comparison.other: dataset '{DATASET}' version {UNFIT}", 20
    )
    assert dash_duo.get_logs() == []
