"""The query builder's honest numbers and readable charts (issue 17, findings 2, 3, 4, 10), in
real Chromium, local and remote: alternatives grouped by default (summing them is said in
words), a default unit that is said, units in groups, axes and headers; a shared link restores
the same series in the same order with a legend clear of the plot; invalid links and a bare
/query show no previous result; an empty result says which filters left nothing; county x hour
offers every time chart; tooltips to 4 significant digits; zones as UTC offsets; exports carry
their query. Expected numbers come from pandas over the demo's raw input files."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import pytest
from conftest import allow_downloads, click, component_prop, wait_for_download, wait_until
from reference import in_unit, records
from test_query_builder import (
    DEMO,
    DEMO_DATASETS,
    _chart_choices,
    _demo_base,
    _figure,
    _local,
    _pick,
    _pick_chart,
    _private_copy,
    _run,
    _start,
    _wait_figure,
    _wait_finished,
)

from app import ids

pytestmark = pytest.mark.browser

CHART = f"#{ids.QUERY_CHART}"


@pytest.fixture(scope="module")
def demo_base(demo_registry) -> pd.DataFrame:
    """Both demo datasets in the project's base dimensions (pandas over the raw inputs)."""
    return _demo_base(demo_registry[1])


GEOMETRY_JS = """
const root = document.querySelector(arguments[0]);
const box = s => { const e = root.querySelector(s);
    if (!e) { return null; } const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
return {legend: box('g.legend'), plot: box('.draglayer .nsewdrag'), xtitle: box('.g-xtitle'),
        names: Array.from(root.querySelectorAll('g.legend .traces .legendtext'),
                          e => e.textContent)};
"""


DATA_JS = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!gd || !gd.data || !gd.data.length) { return null; }
return gd.data.map(t => ({type: t.type, name: t.name, x: t.x, z: t.z, locations: t.locations,
                          visible: t.visible}));
"""


def _data(dash_duo, trace_type: str, count: int) -> list[dict]:
    """The traces of the figure as given to plotly.js (hidden ones too: a dropdown shows one
    map or heatmap at a time, and plotly.js computes nothing for the hidden ones)."""

    def drawn():
        traces = dash_duo.driver.execute_script(DATA_JS, CHART)
        ok = traces and len(traces) == count and all(t["type"] == trace_type for t in traces)
        return traces if ok else None

    return wait_until(drawn, 30, f"{count} {trace_type} traces")


def _geometry(dash_duo) -> dict:
    return dash_duo.driver.execute_script(GEOMETRY_JS, CHART)


def _legend_is_clear(dash_duo) -> list[str]:
    """The legend lies below the plot area and the x axis title, overlapping neither; returns
    the legend's entries, top to bottom and left to right (as drawn)."""
    g = wait_until(
        lambda: (lambda g: g if g["legend"] and g["plot"] and g["names"] else None)(
            _geometry(dash_duo)
        ),
        20,
        "the chart's legend drawn",
    )
    assert g["legend"]["top"] >= g["plot"]["bottom"], g
    if g["xtitle"]:
        assert g["legend"]["top"] >= g["xtitle"]["bottom"], g
    return g["names"]


def _demo(demo_base, inputs) -> pd.DataFrame:
    return in_unit(demo_base, records(inputs / "dimensions" / "enduses.csv"), "MWh")


def _names(inputs, file: str) -> dict[str, str]:
    frame = records(inputs / "dimensions" / file)
    return dict(zip(frame["id"], frame["name"], strict=True))


def _year_scenario_labels(inputs) -> dict[tuple[str, str], str]:
    """(model year, scenario) -> legend entry (the result's columns: model_year, scenario)."""
    scenarios = _names(inputs, "scenarios.csv")
    return {
        (y, s): f"model year {y} · scenario {scenarios[s]} ({s})"
        for s in scenarios
        for y in _names(inputs, "model_years.csv")
    }


def _search(*pairs) -> str:
    return urlencode([("p", DEMO), *[("d", d) for d in DEMO_DATASETS], *pairs])


def test_alternatives_start_grouped_the_unit_is_said_and_maps_switch_between_them(
    dash_duo, viewer, demo_registry, demo_base, tmp_path
):
    source, inputs = demo_registry
    _start(dash_duo, viewer, _private_copy(source, tmp_path))
    assert not dash_duo.find_element(f"#{ids.QUERY_RESTORE}").is_displayed()  # no last run yet

    _pick(dash_duo, ids.QUERY_PROJECT, DEMO)
    wait_until(lambda: "g.scenario=Demo+Scenarios" in dash_duo.driver.current_url)
    assert "g.model_year=Demo+Model+Years" in dash_duo.driver.current_url
    assert "g.weather_year" not in dash_duo.driver.current_url  # one weather year
    # the most common unit of the end uses (all energy), said under the control
    end_uses = records(inputs / "dimensions" / "enduses.csv")
    common = end_uses["unit"].value_counts().sort_index().idxmax()
    assert component_prop(dash_duo, ids.QUERY_UNIT, "value") == common == "MWh"
    dash_duo.wait_for_contains_text(f"#{ids.QUERY_UNIT_NOTE}", f"converted to {common}")
    assert "default" in dash_duo.find_element(f"#{ids.QUERY_UNIT_NOTE}").text
    # energy and power units in two labelled groups
    click(dash_duo, f"#{ids.QUERY_UNIT}")
    options = dash_duo.wait_for_element(".dash-dropdown-content")
    texts = [o.text for o in options.find_elements("css selector", "[role='option']")]
    dash_duo.find_element("body").send_keys("\ue00c")
    energy, power = texts.index("Energy units"), texts.index("Power units")
    assert energy == 0 and {"kWh", "MWh", "therm"} <= set(texts[1:power])
    assert set(texts[power + 1 :]) == {"W", "kW", "MW", "GW", "TW"}
    # the project's zone Etc/GMT+5 (POSIX) is shown as UTC-5, its name in a tooltip
    zone = dash_duo.find_element(f"#{ids.QUERY_TIME_ZONE}")
    assert "UTC-5 (the project's)" in zone.text
    assert zone.find_elements("css selector", "span[title='Etc/GMT+5']")

    _pick(dash_duo, ids.query_group_by("geography"), "Demo States")
    _run(dash_duo)
    assert _chart_choices(dash_duo) == ["US map by state", "Bars"]
    summary = dash_duo.find_element(f"#{ids.QUERY_SUMMARY}").text
    assert summary == "Values in MWh."  # nothing summed over that is an alternative
    headers = [h.text for h in dash_duo.find_elements(f"#{ids.QUERY_GRID} .ag-header-cell-text")]
    assert "value (MWh)" in headers

    # one map per scenario and model year (a dropdown switches), values from pandas
    base = _demo(demo_base, inputs)
    counties = records(inputs / "dimensions" / "counties.csv")
    base["state"] = base["geography"].map(dict(zip(counties["id"], counties["state"], strict=True)))
    expected = base.groupby(["model_year", "scenario", "state"])["value"].sum()
    labels = _year_scenario_labels(inputs)
    traces = _data(dash_duo, "choropleth", 6)
    assert [t["visible"] for t in traces] == [True] + [False] * 5
    assert [t["name"] for t in traces] == [labels[k] for k in sorted(labels)]
    for trace, key in zip(traces, sorted(labels), strict=True):
        assert trace["type"] == "choropleth"
        drawn = dict(zip(trace["locations"], trace["z"], strict=True))
        np.testing.assert_allclose(
            [drawn[s] for s in sorted(drawn)], expected.loc[key].sort_index().to_numpy(), rtol=1e-9
        )
    buttons = dash_duo.find_elements(f"{CHART} .updatemenu-container")
    assert buttons, "a dropdown to pick the scenario and model year shown"

    # bars: the states along the axis, scenario x model year side by side (never stacked)
    _pick_chart(dash_duo, "bar")
    bars = _wait_figure(dash_duo, "bar")
    assert [b["name"] for b in bars] == [labels[k] for k in sorted(labels)]
    mode = dash_duo.driver.execute_script(
        f"return document.querySelector('{CHART} .js-plotly-plot')._fullLayout.barmode;"
    )
    assert mode == "group"
    assert dash_duo.get_logs() == []


def test_a_shared_link_restores_the_same_series_in_the_same_order_with_a_clear_legend(
    dash_duo, viewer, demo_registry, demo_base, tmp_path
):
    source, inputs = demo_registry
    search = _search(
        ("g.geography", "Demo Counties"),
        ("g.model_year", "Demo Model Years"),
        ("g.scenario", "Demo Scenarios"),
        ("t", "day"),
        ("tz", "Etc/GMT+5"),
        ("f.geography", "Demo Counties"),
        ("i.geography", "10001"),
        ("u", "MWh"),
    )
    _start(dash_duo, viewer, _private_copy(source, tmp_path), f"/query?{search}")
    _wait_finished(dash_duo)
    # alternatives: lines and load-duration curves, never a stacked area
    assert _chart_choices(dash_duo) == ["Lines over time", "Load-duration curve"]
    built = _wait_figure(dash_duo, "scatter")
    labels = _year_scenario_labels(inputs)
    names = [t["name"] for t in built]
    assert names == [labels[k] for k in sorted(labels)]
    # the county (common to every series) is said once, in the subtitle, not in each entry
    assert _legend_is_clear(dash_duo) == names
    chart_text = dash_duo.find_element(CHART).text
    assert chart_text.count("Kent (10001)") == 1 and "(UTC-5)" in chart_text

    base = _demo(demo_base, inputs)
    kent = base[base["geography"] == "10001"]
    daily = kent.assign(day=_local(kent).dt.floor("D")).groupby(["model_year", "scenario", "day"])
    expected = daily["value"].sum()
    for trace, key in zip(built, sorted(labels), strict=True):
        np.testing.assert_allclose(trace["y"], expected.loc[key].to_numpy(), rtol=1e-9)

    # the link, opened in a fresh tab session (runs again): the same names, order, legend
    url = dash_duo.driver.current_url
    dash_duo.driver.execute_script("window.sessionStorage.clear();")
    dash_duo.driver.get(url)
    _wait_finished(dash_duo)
    restored = wait_until(
        lambda: (lambda t: t if t and len(t) == 6 else None)(_figure(dash_duo)), 30, "6 lines"
    )
    assert [t["name"] for t in restored] == names
    assert [t["y"] for t in restored] == [t["y"] for t in built]
    assert _legend_is_clear(dash_duo) == names

    # the load-duration curve, linked: each series from its highest day down
    _pick_chart(dash_duo, "duration")
    wait_until(lambda: "chart=duration" in dash_duo.driver.current_url)
    dash_duo.driver.execute_script("window.sessionStorage.clear();")
    dash_duo.driver.get(dash_duo.driver.current_url)
    _wait_finished(dash_duo)
    curves = wait_until(
        lambda: (lambda t: t if t and t[0]["x"][:2] == [1, 2] else None)(_figure(dash_duo)), 30
    )
    assert [t["name"] for t in curves] == names
    for trace, key in zip(curves, sorted(labels), strict=True):
        np.testing.assert_allclose(
            trace["y"], np.sort(expected.loc[key].to_numpy())[::-1], rtol=1e-9
        )
    assert _legend_is_clear(dash_duo) == names
    assert dash_duo.get_logs() == []


def test_invalid_links_and_a_bare_address_show_no_previous_result(
    dash_duo, viewer, demo_registry, tmp_path
):
    source, _ = demo_registry
    good = _search(("g.sector", "Demo Sectors"), ("u", "MWh"))
    _start(dash_duo, viewer, _private_copy(source, tmp_path), f"/query?{good}")
    _wait_finished(dash_duo)
    wait_until(lambda: dash_duo.find_element(f"#{ids.QUERY_RESULTS}").is_displayed())

    # a tampered link: the reason inline, empty controls, no result of the earlier query
    dash_duo.driver.get(f"{dash_duo.server_url}/query?{_search(('t', 'decade'))}")
    dash_duo.wait_for_contains_text(f"#{ids.QUERY_RUN_ERROR}", "time: Input should be")
    assert "'decade'" in dash_duo.find_element(f"#{ids.QUERY_RUN_ERROR}").text
    assert component_prop(dash_duo, ids.QUERY_PROJECT, "value") is None
    assert not dash_duo.find_element(f"#{ids.QUERY_RESULTS}").is_displayed()
    assert dash_duo.find_element(f"#{ids.QUERY_STATUS}").text == ""

    # a link to a project the registry lacks: said, nothing shown
    dash_duo.driver.get(f"{dash_duo.server_url}/query?p=no_such_project&d=x")
    dash_duo.wait_for_contains_text(f"#{ids.QUERY_RUN_ERROR}", "no_such_project")
    assert not dash_duo.find_element(f"#{ids.QUERY_RESULTS}").is_displayed()

    # /query alone starts empty; the last run comes back only when asked for
    dash_duo.driver.get(f"{dash_duo.server_url}/query")
    restore = dash_duo.wait_for_element(f"#{ids.QUERY_RESTORE}")
    wait_until(restore.is_displayed, 20, "Restore last query offered")
    assert component_prop(dash_duo, ids.QUERY_PROJECT, "value") is None
    assert not dash_duo.find_element(f"#{ids.QUERY_RESULTS}").is_displayed()
    click(dash_duo, f"#{ids.QUERY_RESTORE}")
    wait_until(lambda: "g.sector=Demo+Sectors" in dash_duo.driver.current_url)
    _wait_finished(dash_duo)
    wait_until(lambda: dash_duo.find_element(f"#{ids.QUERY_RESULTS}").is_displayed())
    wait_until(lambda: not dash_duo.find_element(f"#{ids.QUERY_RESTORE}").is_displayed())
    assert dash_duo.get_logs() == []


def test_an_empty_result_says_no_rows_match_and_which_filters(
    dash_duo, viewer, demo_registry, demo_base, tmp_path
):
    source, inputs = demo_registry
    # independently: the commercial dataset has no residential subsector
    subset = records(inputs / "dimensions" / "subset" / "subsectors_by_sector.csv")
    residential = set(subset.loc[subset["residential"] == "x", "id"])
    commercial_rows = demo_base[demo_base["subsector"].isin(residential)]
    raw = records(inputs / "datasets" / "demo_comstock_like" / "dimensions" / "enduses.csv")
    assert not raw.empty and commercial_rows["value"].sum() > 0  # the residential data exists

    search = urlencode(
        [("p", DEMO), ("d", "demo_comstock_like"), ("s.subsector", "residential"), ("u", "MWh")]
    )
    _start(dash_duo, viewer, _private_copy(source, tmp_path), f"/query?{search}")
    _wait_finished(dash_duo)
    dash_duo.wait_for_text_to_equal(f"#{ids.QUERY_ROW_COUNT}", "no rows match")
    note = dash_duo.find_element(f"#{ids.QUERY_CHART_NOTE}").text
    assert note == "No rows match the filters: subsector subset residential."
    assert not dash_duo.find_element(CHART).is_displayed()
    assert _chart_choices(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_county_by_hour_offers_every_time_chart_with_tooltips_and_exports_that_say_the_query(
    dash_duo, viewer, demo_registry, demo_base, tmp_path
):
    source, inputs = demo_registry
    downloads = tmp_path / "downloads"
    search = _search(
        ("g.geography", "Demo Counties"),
        ("t", "hour"),
        ("tz", "Etc/GMT+5"),
        ("f.model_year", "Demo Model Years"),
        ("i.model_year", "2025"),
        ("f.scenario", "Demo Scenarios"),
        ("i.scenario", "reference"),
        ("u", "MWh"),
    )
    _start(dash_duo, viewer, _private_copy(source, tmp_path), f"/query?{search}")
    allow_downloads(dash_duo, downloads)
    _wait_finished(dash_duo, timeout=90)
    assert _chart_choices(dash_duo) == [
        "Lines over time",
        "Stacked area",
        "Hour × day heatmap",
        "Load-duration curve",
    ]
    # filtered to one scenario and model year: nothing of the kind summed
    assert dash_duo.find_element(f"#{ids.QUERY_SUMMARY}").text == "Values in MWh."
    base = _demo(demo_base, inputs)
    one = base[(base["scenario"] == "reference") & (base["model_year"] == "2025")]
    hourly = one.assign(local=_local(one)).groupby(["geography", "local"])["value"].sum()
    counties = sorted(one["geography"].unique())

    lines = _wait_figure(dash_duo, "scatter")
    assert len(lines) == len(counties) == 4
    # a tooltip: 4 significant digits, thousands separators, the unit
    dash_duo.driver.execute_script(
        f"const gd = document.querySelector('{CHART} .js-plotly-plot');"
        "Plotly.Fx.hover(gd, [{curveNumber: 0, pointNumber: 0}]);"
    )
    tip = wait_until(
        lambda: dash_duo.driver.execute_script(
            f"const h = document.querySelector('{CHART} .hoverlayer .hovertext');"
            "return h ? h.textContent : null;"
        ),
        10,
        "a tooltip",
    )
    first = hourly.loc[counties[0]].iloc[0]
    number = f"{float(f'{first:.4g}'):,.0f}" if abs(first) >= 1000 else f"{first:.4g}"
    assert f"{number} MWh" in tip, (tip, first)

    _pick_chart(dash_duo, "area")
    stacked = wait_until(lambda: [t for t in _figure(dash_duo) or [] if t["stackgroup"]])
    assert len(stacked) == 4
    _pick_chart(dash_duo, "heatmap")
    heat = _data(dash_duo, "heatmap", 4)
    names = _names(inputs, "counties.csv")
    assert [t["name"] for t in heat] == [f"{names[c]} ({c})" for c in counties]
    for trace, county in zip(heat, counties, strict=True):
        day = trace["x"].index("2018-07-04")
        expected = hourly.loc[county].loc["2018-07-04"].to_numpy()
        np.testing.assert_allclose([row[day] for row in trace["z"]], expected, rtol=1e-9)
    _pick_chart(dash_duo, "duration")
    curves = wait_until(
        lambda: (lambda t: t if t and t[0]["x"][:2] == [1, 2] else None)(_figure(dash_duo))
    )
    for trace, county in zip(curves, counties, strict=True):
        expected = np.sort(hourly.loc[county].to_numpy())[::-1]
        assert len(trace["y"]) == 8760
        np.testing.assert_allclose(trace["y"], expected, rtol=1e-9)
    assert "hours at or above" in dash_duo.find_element(CHART).text

    # the standalone HTML export says the query: title with the unit, filters, grouping, zone
    click(dash_duo, f"#{ids.query_export('html')}")
    page = wait_for_download(downloads, "dsgrid-query.html").read_text()
    for part in (
        "<title>sum of value (MWh): load-duration curve</title>",
        "Project demo_us_buildings",
        "Grouped by geography (Demo Counties)",
        "model_year (Demo Model Years) in 2025",
        "scenario (Demo Scenarios) in reference",
        "unit MWh; time by hour, UTC-5",
    ):
        assert part in page, part
    assert dash_duo.get_logs() == []


# local only: a remote viewer's NDJSON is the API's, which tests/api/test_result_formats.py
# checks line for line (the suite's 30 minutes)
@pytest.mark.parametrize("viewer", ["local"], indirect=True)
def test_restore_brings_back_the_chart_type_and_the_result_downloads_as_ndjson(
    dash_duo, viewer, demo_registry, demo_base, tmp_path
):
    source, inputs = demo_registry
    search = _search(
        ("g.sector", "Demo Sectors"),
        ("t", "month"),
        ("tz", "Etc/GMT+5"),
        ("f.model_year", "Demo Model Years"),
        ("i.model_year", "2025"),
        ("f.scenario", "Demo Scenarios"),
        ("i.scenario", "reference"),
        ("u", "MWh"),
    )
    _start(dash_duo, viewer, _private_copy(source, tmp_path), f"/query?{search}")
    _wait_finished(dash_duo)
    assert "Stacked area" in _chart_choices(dash_duo)  # sectors are parts of a whole
    _wait_figure(dash_duo, "scatter")
    _pick_chart(dash_duo, "area")
    wait_until(lambda: "chart=area" in dash_duo.driver.current_url)

    # independently: monthly (local time) MWh per sector, for that model year and scenario
    base = _demo(demo_base, inputs)
    base = base[(base["model_year"] == "2025") & (base["scenario"] == "reference")]
    month = _local(base).dt.to_period("M").dt.to_timestamp()
    expected = base.assign(month=month).groupby(["sector", "month"])["value"].sum()
    totals = sorted(expected.groupby(level="sector").sum())

    def stacked():
        traces = _figure(dash_duo)
        return traces if traces and all(t["stackgroup"] for t in traces) else None

    area = wait_until(stacked, 30, "a stacked area")
    np.testing.assert_allclose(sorted(sum(t["y"]) for t in area), totals, rtol=1e-9)

    # away to a bare /query, then "Restore last query": the query and its stacked area
    dash_duo.driver.get(f"{dash_duo.server_url}/query")
    restore = dash_duo.wait_for_element(f"#{ids.QUERY_RESTORE}")
    wait_until(restore.is_displayed, 20, "Restore last query offered")
    click(dash_duo, f"#{ids.QUERY_RESTORE}")
    wait_until(lambda: "chart=area" in dash_duo.driver.current_url, 20, "the chart in the link")
    _wait_finished(dash_duo)
    restored = wait_until(stacked, 30, "the stacked area restored")
    assert [t["y"] for t in restored] == [t["y"] for t in area]
    assert component_prop(dash_duo, ids.QUERY_CHART_TYPE, "value") == "area"

    # the whole result as NDJSON, from the result area: one object per row
    downloads = allow_downloads(dash_duo, tmp_path / "downloads")
    click(dash_duo, f"#{ids.query_export('ndjson')}")
    lines = wait_for_download(downloads, "dsgrid-query.ndjson").read_text().splitlines()
    rows = pd.DataFrame([json.loads(line) for line in lines])
    assert len(rows) == len(expected)
    got = rows.groupby("sector")["value"].sum().sort_values()
    np.testing.assert_allclose(got.to_numpy(), totals, rtol=1e-9)
    assert dash_duo.get_logs() == []
