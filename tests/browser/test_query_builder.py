"""The query builder (/query): build a query with the controls, run it, check the grid and the
chart against pandas over the raw input files, export the result (CSV, Parquet, PNG, SVG, HTML)
and the query (JSON5 run unchanged by `dsgrid query run`), restore everything from the URL,
cancel a long job, and keep a run across navigation; on test_efs and on the demo registry.

Screenshots for the docs: QUERY_BUILDER_SCREENSHOTS=docs/screenshots python -m pytest ... saves
query_builder_*.png there."""

from __future__ import annotations

import math
import os
import shlex
import shutil
from pathlib import Path
from urllib.parse import urlencode

import json5
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import (
    allow_downloads,
    click,
    component_prop,
    grid_filter,
    grid_snapshot,
    grid_sort,
    pick,
    png_size,
    scroll_to,
    wait_for_download,
    wait_for_grid_rows,
    wait_until,
)
from reference import TO_KWH, apply_mapping, dataset_frame, in_unit, records, to_project

from app import ids
from app.components.query_exports import png_available
from app.state import REGISTRY_KEY

pytestmark = pytest.mark.browser

EFS_PROJECT = "test_efs/dsgrid_project"
EFS_MODELED = f"{EFS_PROJECT}/datasets/modeled"
EFS_TRIVIAL = {"weather_year": "2012", "model_year": "2012", "scenario": "baseline"}
EST = "Etc/GMT+5"  # both projects' time zone
DEMO = "demo_us_buildings"
DEMO_DATASETS = ["demo_comstock_like", "demo_resstock_like"]


# --- independent facts: pandas over the raw input files -----------------------------------------


def _efs_base(test_data: Path) -> pd.DataFrame:
    """Both submitted test_efs datasets in the project's base dimensions."""
    frames = []
    for dataset in ("comstock", "comstock_unpivoted"):
        folder = test_data / EFS_MODELED / dataset
        frame = dataset_frame(folder / "dataset.json5", EFS_TRIVIAL, EST)
        frames.append(
            to_project(
                frame,
                folder / "dimension_mappings.json5",
                records(folder / "dimensions" / "comstock_enduses.csv"),
                records(test_data / EFS_PROJECT / "dimensions" / "enduses.csv"),
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def demo_base(demo_registry) -> pd.DataFrame:
    """Both demo datasets in the project's base dimensions (as tests/query/test_demo_queries):
    13 million rows, so computed once for the tests that need it."""
    return _demo_base(demo_registry[1])


def _demo_base(inputs: Path) -> pd.DataFrame:
    frames = []
    for dataset in DEMO_DATASETS:
        folder = inputs / "datasets" / dataset
        trivial = {
            dim: records(folder / "dimensions" / file)["id"].iloc[0]
            for dim, file in (("model_year", "model_years.csv"), ("scenario", "scenarios.csv"))
        }
        weather = records(inputs / "dimensions" / "weather_years.csv")["id"].iloc[0]
        frame = dataset_frame(folder / "dataset.json5", {**trivial, "weather_year": weather}, EST)
        frames.append(
            to_project(
                frame,
                folder / "dimension_mappings.json5",
                records(folder / "dimensions" / "enduses.csv"),
                records(inputs / "dimensions" / "enduses.csv"),
            )
        )
    return pd.concat(frames, ignore_index=True)


def _local(frame: pd.DataFrame, zone: str = EST) -> pd.Series:
    return frame["timestamp"].dt.tz_convert(zone).dt.tz_localize(None)


# --- reading the page ---------------------------------------------------------------------------

FIGURE_JS = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!gd || !gd._fullData || !gd._fullData.length) { return null; }
const list = a => (a == null ? null : Array.from(a, v => (v && v.length !== undefined
    && typeof v !== 'string' ? Array.from(v) : v)));
return gd._fullData.map(t => ({
    type: t.type || 'scatter', name: t.name === undefined ? null : t.name,
    x: list(t.x), y: list(t.y), z: list(t.z), locations: list(t.locations),
    locationmode: t.locationmode || null, stackgroup: t.stackgroup || null,
    geojson: typeof t.geojson === 'string' ? t.geojson : (t.geojson ? 'inline' : null),
}));
"""


def _figure(dash_duo) -> list[dict] | None:
    """The traces plotly.js has drawn in the page's chart (its full data: arrays decoded)."""
    return dash_duo.driver.execute_script(FIGURE_JS, f"#{ids.QUERY_CHART}")


def _wait_figure(dash_duo, trace_type: str, timeout: float = 30) -> list[dict]:
    def drawn():
        traces = _figure(dash_duo)
        return traces if traces and traces[0]["type"] == trace_type else None

    return wait_until(drawn, timeout, f"a {trace_type} chart")


def _chart_choices(dash_duo) -> list[str]:
    labels = dash_duo.find_elements(f"#{ids.QUERY_CHART_TYPE} label")
    return [label.text for label in labels]


def _pick_chart(dash_duo, kind: str) -> None:
    click(dash_duo, f"#{ids.QUERY_CHART_TYPE} input[value='{kind}']")


def _idle(dash_duo) -> None:
    """Wait until no callback is pending (a dropdown a callback redraws goes stale)."""
    wait_until(lambda: dash_duo.redux_state_rqs == [], 20, "callbacks to finish")


def _retry(dash_duo, action) -> None:
    """Run a dropdown ``action`` once the page is idle; again when the popover moved or was
    redrawn under the click (such a click never landed, so a retry cannot toggle a choice
    twice)."""
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        StaleElementReferenceException,
    )

    for attempt in range(3):
        _idle(dash_duo)
        try:
            action()
            return
        except (StaleElementReferenceException, ElementClickInterceptedException):
            if attempt == 2:
                raise
            dash_duo.find_element("body").send_keys("\ue00c")  # close the popover


def _pick(dash_duo, dropdown_id: str, label: str) -> None:
    """``pick`` (conftest) made robust to a popover redrawn under the click."""
    _retry(dash_duo, lambda: pick(dash_duo, dropdown_id, label))


def _pick_until(dash_duo, dropdown_id: str, label: str, value: str | None = None) -> None:
    """``_pick``, once more when the dropdown does not hold the choice 5 s later (a CI run saw
    a pick made while an error message was drawn next to the dropdown never land)."""
    value = value or label
    for _ in range(2):
        _pick(dash_duo, dropdown_id, label)
        try:
            wait_until(lambda: component_prop(dash_duo, dropdown_id, "value") == value, 5)
            return
        except AssertionError:
            continue
    assert component_prop(dash_duo, dropdown_id, "value") == value


def _choose_option(dash_duo, dropdown_id: str, search: str, value: str) -> None:
    """Pick the option ``value`` of a dropdown after typing ``search`` (a name or an id)."""

    def choose_it():
        scroll_to(dash_duo, dash_duo.find_element(f"#{dropdown_id}")).click()
        box = dash_duo.wait_for_element(".dash-dropdown-content .dash-dropdown-search")
        box.send_keys(search)
        option = dash_duo.wait_for_element(
            f".dash-dropdown-content [role='option'] input[value='{value}']"
        )
        option.find_element("xpath", "./ancestor::label").click()
        dash_duo.find_element("body").send_keys("\ue00c")

    _retry(dash_duo, choose_it)


def _params(dash_duo) -> dict[str, list[str]]:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(dash_duo.driver.current_url).query)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _wait_finished(dash_duo, timeout: float = 60) -> str:
    dash_duo.wait_for_contains_text(f"#{ids.QUERY_STATUS}", "Finished", timeout=timeout)
    return dash_duo.find_element(f"#{ids.QUERY_STATUS}").text


def _run(dash_duo, timeout: float = 60) -> str:
    """Click Run and wait until a new job has finished; returns the status line."""
    before = dash_duo.find_element(f"#{ids.QUERY_STATUS}").text
    click(dash_duo, f"#{ids.QUERY_RUN}")

    def finished():
        text = dash_duo.find_element(f"#{ids.QUERY_STATUS}").text
        return text if text != before and text.startswith("Finished") else None

    return wait_until(finished, timeout, "a new run finished")


def _jobs(registry: Path) -> list:
    from dsgrid_core.jobs.store import JobStore

    store = JobStore(registry)
    try:
        return store.list()
    finally:
        store.close()


def _engine(registry: Path, query: dict) -> pd.DataFrame:
    from dsgrid_core.service import open_registry, run_query

    with open_registry(registry, read_only=True) as reg:
        return run_query(reg, query, use_cache=False).to_pandas()


def _screenshot(dash_duo, name: str) -> None:
    folder = os.environ.get("QUERY_BUILDER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        height = dash_duo.driver.execute_script("return document.body.scrollHeight")
        dash_duo.driver.set_window_size(1400, min(max(height, 900), 3000))
        dash_duo.driver.save_screenshot(str(Path(folder) / f"query_builder_{name}.png"))
        dash_duo.driver.set_window_size(1400, 1100)


def _start(dash_duo, viewer, registry: Path, path: str = "/query"):
    app = viewer(registry)
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1400, 1100)
    dash_duo.wait_for_page(f"{dash_duo.server_url}{path}")
    return app


def _private_copy(source: Path, tmp_path: Path) -> Path:
    """Runs write jobs (and the result cache) into the registry: a copy per test."""
    target = tmp_path / "registry"
    shutil.copytree(source, target)
    return target


# --- tests --------------------------------------------------------------------------------------


def test_state_map_grid_and_every_export_on_test_efs(
    dash_duo, viewer, efs_registry, test_data, tmp_path, monkeypatch
):
    downloads = tmp_path / "downloads"
    _start(dash_duo, viewer, efs_registry)
    allow_downloads(dash_duo, downloads)

    _pick(dash_duo, ids.QUERY_PROJECT, "test_efs")
    submitted = ["test_efs_comstock", "test_efs_comstock_unpivoted"]
    wait_until(lambda: component_prop(dash_duo, ids.QUERY_DATASETS, "value") == submitted)
    # five model years: grouped by at first, summed here by choice (and said so below)
    wait_until(lambda: "g.model_year=" in dash_duo.driver.current_url)
    assert "g.scenario" not in dash_duo.driver.current_url  # one scenario: nothing to sum
    _retry(
        dash_duo,
        lambda: dash_duo.find_element(
            f"#{ids.query_group_by('model_year')} .dash-dropdown-clear"
        ).click(),
    )
    wait_until(lambda: "g.model_year" not in dash_duo.driver.current_url)
    _pick(dash_duo, ids.query_group_by("geography"), "US States")

    # a combination dsgrid_core refuses (a power unit for energy metrics): said next to Run,
    # and nothing runs
    _pick(dash_duo, ids.QUERY_UNIT, "kW")
    click(dash_duo, f"#{ids.QUERY_RUN}")
    dash_duo.wait_for_contains_text(f"#{ids.QUERY_RUN_ERROR}", "cannot express every metric in kW")
    assert "(power)" in dash_duo.find_element(f"#{ids.QUERY_RUN_ERROR}").text
    assert _jobs(efs_registry) == []

    _pick_until(dash_duo, ids.QUERY_UNIT, "MWh")
    wait_until(lambda: "u=MWh" in dash_duo.driver.current_url)
    status = _run(dash_duo)
    assert dash_duo.find_element(f"#{ids.QUERY_RUN_ERROR}").text == ""
    assert "4 rows" in status

    # expected: county -> state through the project's mapping file, every metric in MWh
    base = _efs_base(test_data)
    states = apply_mapping(
        base,
        "geography",
        records(
            test_data / EFS_PROJECT / "dimension_mappings/base_to_supplemental/"
            "lookup_county_to_state.csv"
        ),
    )
    units = records(test_data / EFS_PROJECT / "dimensions" / "enduses.csv")
    unit_of = dict(zip(units["id"], units["unit"], strict=True))
    states["value"] *= states["metric"].map(lambda m: TO_KWH[unit_of[m]] / TO_KWH["MWh"])
    expected = states.groupby("geography")["value"].sum().to_dict()
    assert len(expected) == 4

    rows = wait_for_grid_rows(dash_duo, ids.QUERY_GRID, ["geography", "value"], len(expected))
    assert [r["geography"] for r in rows] == sorted(expected)
    for row in rows:  # shown to 4 significant digits, with thousands separators
        assert math.isclose(_number(row["value"]), expected[row["geography"]], rel_tol=5e-4)
        assert len(row["value"].replace(",", "").replace(".", "").strip("0")) <= 4
    assert dash_duo.find_element(f"#{ids.QUERY_ROW_COUNT}").text == "4 rows"
    summary = dash_duo.find_element(f"#{ids.QUERY_SUMMARY}").text
    assert summary.startswith("Values in MWh. Summed over 5 model years: 2010, 2020, 2030")
    # sorted and filtered on the server (dsgrid_core.browse.results)
    grid_sort(dash_duo, ids.QUERY_GRID, "value", "desc")
    by_value = sorted(expected, key=expected.get, reverse=True)
    wait_until(
        lambda: (
            [r["geography"] for r in grid_snapshot(dash_duo, ids.QUERY_GRID, ["geography"])]
            == by_value
        ),
        15,
        "rows by value, descending",
    )
    grid_filter(dash_duo, ids.QUERY_GRID, "value", "1000000")  # greater than (numeric filter)
    big = [k for k in by_value if expected[k] > 1_000_000]
    wait_until(
        lambda: (
            [r["geography"] for r in grid_snapshot(dash_duo, ids.QUERY_GRID, ["geography"])] == big
        ),
        15,
        "rows above a million MWh",
    )

    # the chart: a map of states first, bars offered too; the map drawn from vendored topojson
    assert _chart_choices(dash_duo) == ["US map by state", "Bars"]
    (trace,) = _wait_figure(dash_duo, "choropleth")
    assert trace["locationmode"] == "USA-states"
    drawn = dict(zip(trace["locations"], trace["z"], strict=True))
    assert drawn.keys() == expected.keys()
    for state, value in expected.items():
        assert math.isclose(drawn[state], value, rel_tol=1e-9)
    wait_until(
        lambda: len(dash_duo.find_elements(f"#{ids.QUERY_CHART} path.choroplethlocation")) == 4,
        20,
        "4 states drawn on the map",
    )
    _screenshot(dash_duo, "state_map")

    # exports of the result equal the engine's result for the same query
    engine = _engine(
        efs_registry,
        {
            "name": "by_state",
            "project": {
                "project_id": "test_efs",
                "dataset": {
                    "dataset_id": "by_state",
                    "source_datasets": [{"dataset_id": d} for d in submitted],
                },
            },
            "result": {
                "aggregations": [{"dimensions": {"geography": ["US States"]}}],
                "unit": "MWh",
                "column_type": "dimension_types",
            },
        },
    )
    engine = engine.sort_values("geography").reset_index(drop=True)
    monkeypatch.setenv("DSGRID_CSV_ROW_CAP", "3")  # the server runs in this process
    click(dash_duo, f"#{ids.query_export('csv')}")
    dash_duo.wait_for_contains_text(
        f"#{ids.QUERY_EXPORT_MESSAGE}", "the result has 4 rows, above the CSV cap of 3"
    )
    monkeypatch.delenv("DSGRID_CSV_ROW_CAP")
    click(dash_duo, f"#{ids.query_export('csv')}")
    csv = pd.read_csv(wait_for_download(downloads, "dsgrid-query.csv"), dtype={"geography": str})
    pd.testing.assert_frame_equal(csv, engine, check_exact=False, rtol=1e-12)
    click(dash_duo, f"#{ids.query_export('parquet')}")
    parquet = pq.read_table(wait_for_download(downloads, "dsgrid-query.parquet")).to_pandas()
    pd.testing.assert_frame_equal(parquet, engine, check_exact=False, rtol=1e-12)

    # PNG drawn on the server at the size asked (where kaleido and Chromium are installed; else
    # the page says why there is no such button), SVG in the browser, standalone HTML
    available, why = png_available()
    width = 900 if available else 1200  # the default size, when the size fields are hidden
    if available:
        for box, value in ((ids.QUERY_PNG_WIDTH, "900"), (ids.QUERY_PNG_HEIGHT, "500")):
            field = dash_duo.find_element(f"#{box}")
            field.clear()
            field.send_keys(value)
        wait_until(lambda: component_prop(dash_duo, ids.QUERY_PNG_HEIGHT, "value") == 500)
        click(dash_duo, f"#{ids.query_export('png')}")
        png = wait_for_download(downloads, "dsgrid-query.png", timeout=90).read_bytes()
        assert png_size(png) == (900, 500)
    else:
        assert dash_duo.find_element(f"#{ids.QUERY_PNG_UNAVAILABLE}").text == why
    click(dash_duo, f"#{ids.query_export('svg')}")
    svg = wait_for_download(downloads, "dsgrid-query.svg").read_text()
    assert svg.startswith("<svg") and f'width="{width}"' in svg and "choropleth" in svg
    click(dash_duo, f"#{ids.query_export('html')}")
    page = wait_for_download(downloads, "dsgrid-query.html").read_text()
    # both say what they show: title with the unit, and the query (grouping, filters, sums)
    for said in (
        "sum of value (MWh) by state",
        "Project test_efs; datasets test_efs_comstock, test_efs_comstock_unpivoted",
        "Grouped by geography (US States); filters: none",
        "sum of value, unit MWh",
        "Summed over 5 model years: 2010, 2020",
    ):
        assert said in svg and said in page, said
    assert '"type":"choropleth"' in page and "PlotlyGeoAssets" in page
    assert "<script src=" not in page and "cdn.plot.ly/plotly" not in page
    assert dash_duo.find_element(f"#{ids.QUERY_EXPORT_MESSAGE}").text == ""
    assert dash_duo.get_logs() == []


def test_lines_by_end_use_json5_runs_with_the_cli_and_the_url_restores_it(
    dash_duo, viewer, demo_registry, demo_base, tmp_path, dsgrid, monkeypatch
):
    source, inputs = demo_registry
    registry = _private_copy(source, tmp_path)
    downloads = tmp_path / "downloads"
    app = _start(dash_duo, viewer, registry)
    allow_downloads(dash_duo, downloads)

    _pick(dash_duo, ids.QUERY_PROJECT, DEMO)
    wait_until(lambda: component_prop(dash_duo, ids.QUERY_DATASETS, "value") == DEMO_DATASETS)
    # alternatives start grouped by, the unit at the project's most common one; summing over
    # them is an explicit choice (cleared here), said next to the chart
    wait_until(lambda: "g.scenario=Demo+Scenarios" in dash_duo.driver.current_url)
    assert "g.model_year=Demo+Model+Years" in dash_duo.driver.current_url
    assert component_prop(dash_duo, ids.QUERY_UNIT, "value") == "MWh"
    for t in ("scenario", "model_year"):
        _retry(
            dash_duo,
            lambda t=t: dash_duo.find_element(
                f"#{ids.query_group_by(t)} .dash-dropdown-clear"
            ).click(),
        )
    wait_until(lambda: "g.scenario" not in dash_duo.driver.current_url)
    wait_until(lambda: "g.model_year" not in dash_duo.driver.current_url)
    _pick(dash_duo, ids.query_group_by("metric"), "Demo End Uses")
    click(dash_duo, f"#{ids.QUERY_TIME} input[value='day']")
    click(dash_duo, "details summary")
    _choose_option(dash_duo, ids.query_filter_records("geography"), "10001", "10001")  # by id
    _choose_option(dash_duo, ids.query_filter_records("geography"), "District", "11001")
    _pick(dash_duo, ids.query_subsets("subsector"), "commercial")
    wait_until(lambda: "s.subsector=commercial" in dash_duo.driver.current_url)
    assert component_prop(dash_duo, ids.query_filter_records("geography"), "value") == [
        "10001",
        "11001",
    ]
    _run(dash_duo)

    # expected: two counties, the commercial subsectors, daily sums per end use in EST
    end_uses = records(inputs / "dimensions" / "enduses.csv")
    base = in_unit(demo_base, end_uses, "MWh")
    subset = records(inputs / "dimensions" / "subset" / "subsectors_by_sector.csv")
    commercial = set(subset.loc[subset["commercial"] == "x", "id"])
    kept = base[base["geography"].isin({"10001", "11001"}) & base["subsector"].isin(commercial)]
    kept = kept.assign(day=_local(kept).dt.floor("D"))
    expected = kept.groupby(["metric", "day"])["value"].sum()
    metrics = sorted(expected.index.get_level_values("metric").unique())
    label = {i: f"{n} ({i})" for i, n in zip(end_uses["id"], end_uses["name"], strict=True)}

    assert _chart_choices(dash_duo) == ["Lines over time", "Stacked area", "Load-duration curve"]
    summary = dash_duo.find_element(f"#{ids.QUERY_SUMMARY}").text
    assert summary.startswith("Values in MWh. Summed over 2 scenarios: Reference, High")
    assert "3 model years: 2025, 2035, 2045" in summary
    traces = _wait_figure(dash_duo, "scatter")
    assert [t["name"] for t in traces] == [label[m] for m in metrics]
    for trace, metric in zip(traces, metrics, strict=True):
        series = expected.loc[metric]
        assert len(trace["y"]) == len(series) == 365
        assert trace["x"][0].startswith("2018-01-01")
        np.testing.assert_allclose(trace["y"], series.to_numpy(), rtol=1e-9)
        assert trace["stackgroup"] is None

    _pick_chart(dash_duo, "area")
    wait_until(lambda: "chart=area" in dash_duo.driver.current_url)
    stacked = wait_until(lambda: [t for t in _figure(dash_duo) or [] if t["stackgroup"]])
    assert len(stacked) == len(metrics)
    _pick_chart(dash_duo, "line")
    wait_until(lambda: "chart=line" in dash_duo.driver.current_url)
    _wait_figure(dash_duo, "scatter")
    _screenshot(dash_duo, "line_chart")
    _pick_chart(dash_duo, "area")
    wait_until(lambda: "chart=area" in dash_duo.driver.current_url)

    # the query as JSON5, run unchanged by the exported `dsgrid query run` command (in the
    # folder the two files were saved in), gives the page's table
    click(dash_duo, f"#{ids.query_export('text')}")
    query_file = wait_for_download(downloads, "query.json5")
    click(dash_duo, f"#{ids.QUERY_TEXT_FORMAT} input[value='command']")
    dash_duo.wait_for_contains_text(f"#{ids.QUERY_TEXT}", "query run")
    click(dash_duo, f"#{ids.query_export('text')}")
    command = shlex.split(wait_for_download(downloads, "query.sh").read_text())
    # a viewer of a remote API has no folder to name: the command runs where the registry is
    local = app.server.config[REGISTRY_KEY] is not None
    where = ["--registry", str(registry)] if local else []
    assert command == [
        "dsgrid", *where, "query", "run", "query.json5", "--output", "query_output",
    ]  # fmt: skip
    monkeypatch.chdir(downloads)
    ran = dsgrid(*command[1 + len(where) :], registry=registry)
    assert ran.exit_code == 0, ran
    name = json5.loads(query_file.read_text())["name"]
    cli = pq.read_table(downloads / "query_output" / name / "table.parquet").to_pandas()
    click(dash_duo, f"#{ids.query_export('parquet')}")
    page_table = pq.read_table(wait_for_download(downloads, "dsgrid-query.parquet")).to_pandas()
    pd.testing.assert_frame_equal(cli, page_table, check_exact=False, rtol=1e-12)
    np.testing.assert_allclose(
        cli.set_index(["metric", "timestamp"])["value"].sort_index().to_numpy(),
        expected.sort_index().to_numpy(),
        rtol=1e-9,
    )

    # reloading the address restores every control and the chart (the tab's run is reused)
    jobs = len(_jobs(registry))
    url = dash_duo.driver.current_url
    dash_duo.driver.get(url)
    restored = {
        ids.QUERY_PROJECT: DEMO,
        ids.QUERY_DATASETS: DEMO_DATASETS,
        ids.query_group_by("metric"): "Demo End Uses",
        ids.query_group_by("geography"): None,
        ids.QUERY_TIME: "day",
        ids.QUERY_TIME_ZONE: EST,
        ids.query_filter_dimension("geography"): "Demo Counties",
        ids.query_filter_records("geography"): ["10001", "11001"],
        ids.query_subsets("subsector"): ["commercial"],
        ids.QUERY_FUNCTION: "sum",
        ids.QUERY_UNIT: "MWh",
        ids.QUERY_CHART_TYPE: "area",
    }
    wait_until(
        lambda: all(component_prop(dash_duo, k, "value") == v for k, v in restored.items()),
        20,
        "the controls restored from the address",
    )
    again = wait_until(lambda: [t for t in _figure(dash_duo) or [] if t["stackgroup"]])
    assert [t["y"] for t in again] == [t["y"] for t in stacked]
    assert len(_jobs(registry)) == jobs

    # the same link in a fresh tab session runs the query again, with the same chart
    dash_duo.driver.execute_script("window.sessionStorage.clear();")
    dash_duo.driver.get(url)
    _wait_finished(dash_duo)
    fresh = wait_until(lambda: [t for t in _figure(dash_duo) or [] if t["stackgroup"]])
    assert [t["y"] for t in fresh] == [t["y"] for t in stacked]
    # the same series names in the same order as built, in the figure and in the legend
    built = [label[m] for m in metrics]
    assert [t["name"] for t in again] == [t["name"] for t in fresh] == built
    legend = dash_duo.driver.execute_script(
        f"return Array.from(document.querySelectorAll('#{ids.QUERY_CHART} g.legend "
        ".traces .legendtext'), e => e.textContent);"
    )
    assert legend == built
    assert len(_jobs(registry)) == jobs + 1
    assert dash_duo.get_logs() == []


def _long_query_search() -> str:
    """A mean over every dimension at hourly resolution: millions of rows, seconds of work."""
    params = [("p", DEMO), *[("d", d) for d in DEMO_DATASETS]]
    params += [
        ("g.geography", "Demo Counties"),
        ("g.metric", "Demo End Uses"),
        ("g.model_year", "Demo Model Years"),
        ("g.scenario", "Demo Scenarios"),
        ("g.sector", "Demo Sectors"),
        ("g.subsector", "Demo Subsectors"),
        ("g.weather_year", "Demo Weather Year 2018"),
        ("t", "hour"),
        ("tz", "America/New_York"),
        ("fn", "mean"),
    ]
    return "?" + urlencode(params)


def test_cancel_a_long_job_and_runs_survive_navigation(dash_duo, viewer, demo_registry, tmp_path):
    registry = _private_copy(demo_registry[0], tmp_path)
    _start(dash_duo, viewer, registry, f"/query{_long_query_search()}")

    # opening the link starts the run: a job with a progress bar and Cancel
    dash_duo.wait_for_contains_text(f"#{ids.QUERY_STATUS}", "Running", timeout=30)
    (job,) = _jobs(registry)
    assert job.id in dash_duo.find_element(f"#{ids.QUERY_STATUS}").text
    assert dash_duo.find_element(f"#{ids.QUERY_PROGRESS}").is_displayed()

    # away and back through the navbar: the same job, still running
    click(dash_duo, f"#{ids.NAVBAR} a[href='/projects']")
    wait_until(lambda: dash_duo.driver.current_url.endswith("/projects"))
    dash_duo.wait_for_element(f"#{ids.list_grid('projects')}")
    click(dash_duo, f"#{ids.NAVBAR} a[href='/query']")
    # /query alone starts empty, and offers the tab's last run back
    restore = dash_duo.wait_for_element(f"#{ids.QUERY_RESTORE}")
    wait_until(restore.is_displayed, 20, "the Restore last query button")
    assert component_prop(dash_duo, ids.QUERY_PROJECT, "value") is None
    assert not dash_duo.find_element(f"#{ids.QUERY_RESULTS}").is_displayed()
    click(dash_duo, f"#{ids.QUERY_RESTORE}")
    wait_until(lambda: "g.subsector=Demo+Subsectors" in dash_duo.driver.current_url)
    dash_duo.wait_for_contains_text(f"#{ids.QUERY_STATUS}", job.id, timeout=20)
    wait_until(
        lambda: component_prop(dash_duo, ids.QUERY_FUNCTION, "value") == "mean",
        message="the aggregation function restored from the address",
    )
    assert [j.id for j in _jobs(registry)] == [job.id]

    # Cancel stops it
    wait_until(lambda: dash_duo.find_element(f"#{ids.QUERY_CANCEL}").is_enabled())
    assert _jobs(registry)[0].status == "running"
    click(dash_duo, f"#{ids.QUERY_CANCEL}")
    dash_duo.wait_for_text_to_equal(f"#{ids.QUERY_STATUS}", "Cancelled.", timeout=60)
    (cancelled,) = _jobs(registry)
    assert cancelled.status == "cancelled" and cancelled.result_path is None
    assert not dash_duo.find_element(f"#{ids.QUERY_RESULTS}").is_displayed()

    # a small run, then away and back: the same result, not run again
    click(dash_duo, f"#{ids.QUERY_TIME} input[value='none']")
    _pick(dash_duo, ids.QUERY_FUNCTION, "sum")
    wait_until(lambda: "fn" not in _params(dash_duo) and "t" not in _params(dash_duo))
    status = _run(dash_duo)
    small = _jobs(registry)[0]
    assert small.id != job.id and small.status == "succeeded" and small.id in status
    rows = small.metadata["row_count"]
    dash_duo.wait_for_text_to_equal(f"#{ids.QUERY_ROW_COUNT}", f"{rows:,} rows")
    click(dash_duo, f"#{ids.NAVBAR} a[href='/datasets']")
    wait_until(lambda: dash_duo.driver.current_url.endswith("/datasets"))
    click(dash_duo, f"#{ids.NAVBAR} a[href='/query']")
    wait_until(dash_duo.wait_for_element(f"#{ids.QUERY_RESTORE}").is_displayed, 20, "Restore")
    click(dash_duo, f"#{ids.QUERY_RESTORE}")
    dash_duo.wait_for_contains_text(f"#{ids.QUERY_STATUS}", small.id, timeout=20)
    dash_duo.wait_for_text_to_equal(f"#{ids.QUERY_ROW_COUNT}", f"{rows:,} rows")
    assert component_prop(dash_duo, ids.QUERY_TIME, "value") == "none"
    assert len(_jobs(registry)) == 2
    assert dash_duo.get_logs() == []


def test_county_map_and_hourly_heatmap_on_the_demo(
    dash_duo, viewer, demo_registry, demo_base, tmp_path
):
    source, inputs = demo_registry
    registry = _private_copy(source, tmp_path)
    # a link naming a dimension the project lacks: the controls show it, the reason is given
    # next to Run, nothing runs
    wrong = urlencode([("p", DEMO), *[("d", d) for d in DEMO_DATASETS], ("g.geography", "Nope")])
    _start(dash_duo, viewer, registry, f"/query?{wrong}")
    dash_duo.wait_for_contains_text(
        f"#{ids.QUERY_RUN_ERROR}", "project 'demo_us_buildings' has no geography dimension named"
    )
    assert "'Nope'" in dash_duo.find_element(f"#{ids.QUERY_RUN_ERROR}").text
    assert component_prop(dash_duo, ids.query_group_by("geography"), "value") == "Nope"
    assert _jobs(registry) == []

    search = urlencode(
        [("p", DEMO), *[("d", d) for d in DEMO_DATASETS], ("g.geography", "Demo Counties")]
    )
    dash_duo.wait_for_page(f"{dash_duo.server_url}/query?{search}")
    _wait_finished(dash_duo)

    # end uses summed over: in one unit, the demo's most common (kWh, MWh, therm, MBtu)
    end_uses = records(inputs / "dimensions" / "enduses.csv")
    unit = end_uses["unit"].value_counts().sort_index().idxmax()
    base = in_unit(demo_base, end_uses, unit)
    by_county = base.groupby("geography")["value"].sum().to_dict()
    assert _chart_choices(dash_duo) == ["US map by county", "Bars"]
    # the link sums over the alternatives: said in words
    summary = dash_duo.find_element(f"#{ids.QUERY_SUMMARY}").text
    assert "Summed over 2 scenarios" in summary and "3 model years" in summary
    (trace,) = _wait_figure(dash_duo, "choropleth")
    assert trace["geojson"] == "/assets/maps/us_counties_10m.json"  # fetched when drawn
    drawn = dict(zip(trace["locations"], trace["z"], strict=True))
    assert drawn.keys() == by_county.keys()
    for county, value in by_county.items():
        assert math.isclose(drawn[county], value, rel_tol=1e-9)
    wait_until(
        lambda: len(dash_duo.find_elements(f"#{ids.QUERY_CHART} path.choroplethlocation")) == 4,
        20,
        "4 counties drawn from the vendored GeoJSON",
    )
    _screenshot(dash_duo, "county_map")

    # bars of the same numbers
    _pick_chart(dash_duo, "bar")
    (bars,) = _wait_figure(dash_duo, "bar")
    counties = records(inputs / "dimensions" / "counties.csv")
    label = {i: f"{n} ({i})" for i, n in zip(counties["id"], counties["name"], strict=True)}
    assert bars["x"] == [label[c] for c in sorted(by_county)]
    np.testing.assert_allclose(bars["y"], [by_county[c] for c in sorted(by_county)], rtol=1e-9)

    # hourly totals: lines or an hour x day heatmap
    dash_duo.find_element(f"#{ids.query_group_by('geography')} .dash-dropdown-clear").click()
    click(dash_duo, f"#{ids.QUERY_TIME} input[value='hour']")
    wait_until(lambda: "t=hour" in dash_duo.driver.current_url)
    assert "g.geography" not in dash_duo.driver.current_url
    _run(dash_duo)
    hourly_charts = ["Lines over time", "Hour × day heatmap", "Load-duration curve"]
    wait_until(lambda: _chart_choices(dash_duo) == hourly_charts, 20, "the hourly charts")
    _pick_chart(dash_duo, "heatmap")
    (heat,) = _wait_figure(dash_duo, "heatmap")
    assert f"({unit})" in dash_duo.find_element(f"#{ids.QUERY_CHART}").text
    hourly = base.assign(local=_local(base)).groupby("local")["value"].sum()
    assert len(heat["x"]) == 365 and len(heat["y"]) == 24 and len(heat["z"]) == 24
    for day in ("2018-01-01", "2018-07-04", "2018-12-31"):
        column = heat["x"].index(day)
        expected = hourly.loc[day].to_numpy()
        np.testing.assert_allclose([row[column] for row in heat["z"]], expected, rtol=1e-9)
    assert dash_duo.get_logs() == []
