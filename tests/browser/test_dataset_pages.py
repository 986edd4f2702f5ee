"""Datasets: list -> filter -> open -> facts, coverage, preview and load profile checked against
the raw input files and the stored Parquet -> follow a link -> back, on the test_efs and the
demo registries; and the error state of an unknown dataset or version."""

from __future__ import annotations

import csv
import io
import math
from itertools import product
from pathlib import Path

import json5
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import requests
from conftest import (
    choose,
    click,
    grid_cells,
    grid_filter,
    grid_rows,
    grid_sort,
    grid_status,
    pick,
    plotly_axis_title,
    plotly_traces,
    wait_until,
)

from app import ids
from app.components.chart_theme import PALETTE

pytestmark = pytest.mark.browser

EFS_DATASET = "test_efs_comstock"
PREVIEW_SHOWN = ["metric", "geography", "subsector", "timestamp", "value"]


# --- independent facts, from the raw files ----------------------------------------------------


def _ids_of(path: Path) -> list[str]:
    with path.open(newline="") as f:
        return [row["id"] for row in csv.DictReader(f)]


def _coverage_counts(present: set, missing: list[pd.DataFrame], x: str, y: str, all_ids: dict):
    """present / declared missing / absent over every (x, y) pair; a missing-associations file
    without an x or y column declares every record of that type."""
    declared = set()
    for frame in missing:
        xs = frame[x].astype(str) if x in frame else None
        ys = frame[y].astype(str) if y in frame else None
        if xs is not None and ys is not None:
            declared |= set(zip(xs, ys, strict=True))
        elif xs is not None:
            declared |= set(product(set(xs), all_ids[y]))
        elif ys is not None:
            declared |= set(product(all_ids[x], set(ys)))
        else:
            declared |= set(product(all_ids[x], all_ids[y]))
    declared -= present
    total = len(all_ids[x]) * len(all_ids[y])
    return {
        "present": len(present),
        "declared_missing": len(declared),
        "absent": total - len(present) - len(declared),
    }


def _efs_raw(test_data: Path) -> dict:
    """test_efs_comstock from its raw two-table pivoted files."""
    raw = test_data / "datasets" / EFS_DATASET
    load = pd.read_csv(raw / "load_data.csv")
    lookup = pd.read_json(raw / "load_data_lookup.json", lines=True, dtype={"geography": str})
    metrics = [c for c in load.columns if c not in ("id", "timestamp")]
    joined = load.merge(lookup, on="id")
    stacked = joined.melt(
        id_vars=["geography", "sector", "subsector", "timestamp"],
        value_vars=metrics,
        var_name="metric",
    ).dropna(subset=["value"])
    config_dir = test_data / "test_efs" / "dsgrid_project" / "datasets" / "modeled" / "comstock"
    config = json5.loads((config_dir / "dataset.json5").read_text())
    project_dims = test_data / "test_efs" / "dsgrid_project" / "dimensions"
    missing = [
        pd.read_csv(p, dtype=str) for p in sorted((raw / "missing_associations").glob("*.csv"))
    ]
    return {
        "stacked": stacked,
        "config": config,
        "missing": missing,
        "ids": {
            "geography": _ids_of(project_dims / "comstock_counties.csv"),
            "subsector": _ids_of(config_dir / "dimensions" / "comstock_subsectors.csv"),
            "metric": _ids_of(config_dir / "dimensions" / "comstock_enduses.csv"),
        },
    }


def _stored_table(registry: Path, dataset_id: str, version: str = "1.0.0"):
    return pq.read_table(registry / "data" / dataset_id / version / "table.parquet")


def _assert_rows_match(shown: list[dict], expected) -> None:
    """Rendered grid rows against the first rows of a pyarrow table."""
    assert len(shown) >= 5, shown
    expected = expected.slice(0, len(shown)).to_pylist()
    for row, want in zip(shown, expected, strict=True):
        assert row["metric"] == want["metric"]
        assert row["geography"] == want["geography"]
        assert row["subsector"] == want["subsector"]
        assert pd.Timestamp(row["timestamp"]) == pd.Timestamp(want["timestamp"])
        assert math.isclose(float(row["value"]), want["value"], rel_tol=1e-12, abs_tol=1e-12)


def _shown_counts(dash_duo, counts_id: str) -> dict[str, int]:
    keys = ("present", "declared_missing", "absent")
    return {
        k: int(dash_duo.find_element(f"#{ids.coverage_count(counts_id, k)}").text.replace(",", ""))
        for k in keys
    }


def _heatmap_counts(dash_duo, graph_id: str) -> dict[str, int] | None:
    """Cells per status in the drawn heatmap (its colour index: 0 absent ... 2 present)."""
    traces = plotly_traces(dash_duo, graph_id)
    if not traces or traces[0]["type"] != "heatmap":
        return None
    cells = [cell for row in traces[0]["z"] for cell in row]
    return {
        "absent": cells.count(0),
        "declared_missing": cells.count(1),
        "present": cells.count(2),
    }


# --- tests --------------------------------------------------------------------------------------


def test_efs_dataset_list_open_facts_coverage_preview_and_back(
    dash_duo, viewer, efs_registry_template, test_data
):
    bulk = json5.loads((test_data / "test_efs_registration.json5").read_text())
    submitted = {
        s["dataset_id"] for s in bulk["dataset_submissions"] if s["project_id"] == "test_efs"
    }
    raw = _efs_raw(test_data)
    stacked, config = raw["stacked"], raw["config"]
    table_file = efs_registry_template / "data" / EFS_DATASET / "1.0.0" / "table.parquet"

    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/datasets")
    count = f"#{ids.list_count('datasets')}"
    dash_duo.wait_for_text_to_equal(count, f"{len(bulk['datasets'])} datasets")

    # filter by project: the datasets submitted to test_efs
    choose(dash_duo, ids.list_filter("datasets", "project"), "test_efs")
    dash_duo.wait_for_text_to_equal(count, f"{len(submitted)} datasets")
    assert "project=test_efs" in dash_duo.driver.current_url
    grid = ids.list_grid("datasets")
    wait_until(lambda: set(grid_cells(dash_duo, grid, "id")) == submitted, message="list rows")

    dash_duo.find_element(f"#{grid} a[href='/datasets/{EFS_DATASET}']").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", EFS_DATASET)

    # facts: rows from the raw files, size of the stored file, layout and metadata of the config
    dash_duo.wait_for_text_to_equal(f"#{ids.dataset_fact('rows')}", f"{len(stacked):,}")
    assert len(stacked) == 35_616
    size = table_file.stat().st_size
    assert dash_duo.find_element(f"#{ids.dataset_fact('size')}").text == f"{size / 1024:,.1f} KiB"
    layout = dash_duo.find_element(f"#{ids.DATASET_LAYOUT}").text
    assert config["data_layout"]["table_format"] in layout
    assert config["data_layout"]["value_format"] in layout
    metadata = dash_duo.find_element(f"#{ids.DATASET_METADATA}").text
    assert config["origin_creator"] in metadata
    assert ", ".join(config["tags"]) in metadata
    assert config["data_classification"] in metadata
    dimensions = dash_duo.find_element(f"#{ids.DATASET_DIMENSIONS}").text
    for line in dimensions.splitlines()[1:]:
        dimension_type = line.split()[0]
        assert ("trivial:" in line) == (dimension_type in config["trivial_dimensions"]), line
    first = pd.Timestamp(stacked["timestamp"].min()).tz_convert("UTC")
    assert (
        str(first.tz_localize(None))
        in dash_duo.find_element(f"#{ids.dataset_fact('time_range')}").text
    )

    # coverage, geography x subsector: counts written and drawn equal a count over the raw files
    present = set(zip(stacked["geography"], stacked["subsector"], strict=True))
    expected = _coverage_counts(present, raw["missing"], "geography", "subsector", raw["ids"])
    assert expected["declared_missing"] > 0
    wait_until(
        lambda: _heatmap_counts(dash_duo, ids.DATASET_COVERAGE_GRAPH) == expected,
        message="heatmap cells",
    )
    assert _shown_counts(dash_duo, ids.DATASET_COVERAGE_COUNTS) == expected

    # preview: all stored rows, then a column filter answered on the server
    grid = ids.DATASET_PREVIEW
    wait_until(lambda: grid_status(dash_duo, grid).endswith(f"of {len(stacked):,}"))
    county = sorted(raw["ids"]["geography"])[2]
    grid_filter(dash_duo, grid, "geography", county)
    in_county = int((stacked["geography"] == county).sum())
    wait_until(
        lambda: grid_status(dash_duo, grid).endswith(f"of {in_county:,}"), message="filtered"
    )
    wait_until(lambda: set(grid_cells(dash_duo, grid, "geography")) == {county})
    stored = _stored_table(efs_registry_template, EFS_DATASET)
    filtered = stored.filter(pc.match_substring(stored["geography"], county))
    _assert_rows_match(grid_rows(dash_duo, grid, PREVIEW_SHOWN), filtered)

    # another coverage axis: kept in the URL, counted again
    pick(dash_duo, ids.DATASET_COVERAGE_Y, "metric")
    wait_until(lambda: "y=metric" in dash_duo.driver.current_url, message="y in the URL")
    # the grid's filter, which the grid wrote into the address, stays there
    assert f"filter=geography%3Acontains%3A{county}" in dash_duo.driver.current_url
    present = set(zip(stacked["geography"], stacked["metric"], strict=True))
    by_metric = _coverage_counts(present, raw["missing"], "geography", "metric", raw["ids"])
    wait_until(lambda: _heatmap_counts(dash_duo, ids.DATASET_COVERAGE_GRAPH) == by_metric)

    # back and forward on this page step through the choices
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal(f"#{ids.DATASET_COVERAGE_Y}", "subsector")
    wait_until(lambda: _heatmap_counts(dash_duo, ids.DATASET_COVERAGE_GRAPH) == expected)
    dash_duo.driver.forward()
    dash_duo.wait_for_text_to_equal(f"#{ids.DATASET_COVERAGE_Y}", "metric")
    wait_until(lambda: _heatmap_counts(dash_duo, ids.DATASET_COVERAGE_GRAPH) == by_metric)

    # follow a dependency: the geography dimension, then back to the same view
    click(
        dash_duo, f"#{ids.DATASET_DIMENSIONS} a[href^='/dimensions/us_counties_2010_comstock_only']"
    )
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", "US Counties 2010 - ComStock Only")
    dash_duo.wait_for_contains_text(f"#{ids.WHERE_USED}", EFS_DATASET)
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", EFS_DATASET)
    dash_duo.wait_for_text_to_equal(f"#{ids.DATASET_COVERAGE_Y}", "metric")
    wait_until(lambda: _heatmap_counts(dash_duo, ids.DATASET_COVERAGE_GRAPH) == by_metric)
    assert _shown_counts(dash_duo, ids.DATASET_COVERAGE_COUNTS) == by_metric
    assert dash_duo.get_logs() == []


def test_demo_dataset_load_profile_preview_and_back(dash_duo, viewer, demo_registry):
    registry, inputs = demo_registry
    dataset_id = "demo_comstock_like"
    project = json5.loads((inputs / "project.json5").read_text())
    time_dim = next(d for d in project["dimensions"]["base_dimensions"] if d["type"] == "time")
    zone = time_dim["time_zone_format"]["time_zone"]
    raw = pd.read_parquet(inputs / "datasets" / dataset_id / "load_data.parquet")
    raw["local"] = raw["timestamp"].dt.tz_convert(zone).dt.tz_localize(None)
    # the profile adds end uses together: in one unit, the dataset's most common
    end_uses = pd.read_csv(inputs / "datasets" / dataset_id / "dimensions" / "enduses.csv")
    unit = end_uses["unit"].value_counts().sort_index().idxmax()
    to_kwh = {"kWh": 1.0, "MWh": 1e3, "GWh": 1e6, "therm": 29.307107, "MBtu": 293.07107}
    unit_of = dict(zip(end_uses["id"], end_uses["unit"], strict=True))
    raw["value"] = raw["value"] * raw["metric"].map(lambda m: to_kwh[unit_of[m]] / to_kwh[unit])
    with (inputs / "dimensions" / "counties.csv").open(newline="") as f:
        counties = {row["id"]: row["name"] for row in csv.DictReader(f)}
    chosen = sorted(counties)[:2]

    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(viewer(registry))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/datasets")
    count = f"#{ids.list_count('datasets')}"
    dash_duo.wait_for_text_to_equal(count, "2 datasets")
    text = dash_duo.find_element(f"#{ids.list_filter('datasets', 'text')}")
    text.send_keys("comstock")
    dash_duo.wait_for_text_to_equal(count, "1 dataset")
    wait_until(lambda: "q=comstock" in dash_duo.driver.current_url, message="q in the URL")
    grid = ids.list_grid("datasets")
    wait_until(lambda: grid_cells(dash_duo, grid, "id") == [dataset_id])
    dash_duo.find_element(f"#{grid} a[href='/datasets/{dataset_id}']").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", dataset_id)
    dash_duo.wait_for_text_to_equal(f"#{ids.dataset_fact('rows')}", f"{len(raw):,}")

    # load profile: two counties, one line each, daily sums in the project's local time
    for county in chosen:
        pick(dash_duo, ids.dataset_profile_records("geography"), county)
    pick(dash_duo, ids.DATASET_PROFILE_BY, "geography")
    wait_until(lambda: "by=geography" in dash_duo.driver.current_url, message="by in the URL")
    assert all(f"geography={c}" in dash_duo.driver.current_url for c in chosen)

    def drawn(points: int):
        traces = plotly_traces(dash_duo, ids.DATASET_PROFILE_GRAPH) or []
        if len(traces) == len(chosen) and all(len(t["y"]) == points for t in traces):
            return traces
        return None

    days = raw["local"].dt.normalize().nunique()
    traces = wait_until(lambda: drawn(days), message="one daily line per county")
    first_day = raw["local"].min().normalize()
    for county, trace in zip(chosen, traces, strict=True):
        assert county in trace["name"] and counties[county] in trace["name"]
        rows = raw[(raw["geography"] == county) & (raw["local"].dt.normalize() == first_day)]
        assert len(rows) > 0
        assert math.isclose(trace["y"][0], rows["value"].sum(), rel_tol=1e-9)
    assert zone in plotly_axis_title(dash_duo, ids.DATASET_PROFILE_GRAPH)
    assert f"energy ({unit})" in plotly_axis_title(dash_duo, ids.DATASET_PROFILE_GRAPH, "yaxis")

    # monthly: twelve points, January's sum
    click(dash_duo, f"//*[@id='{ids.DATASET_PROFILE_RESOLUTION}']//label[text()='monthly']")
    traces = wait_until(lambda: drawn(12), message="monthly lines")
    january = raw[(raw["geography"] == chosen[0]) & (raw["local"].dt.month == 1)]
    assert math.isclose(traces[0]["y"][0], january["value"].sum(), rel_tol=1e-9)
    wait_until(lambda: "res=month" in dash_duo.driver.current_url)

    # preview: filtered and sorted on the server, as the stored Parquet sorted the same way
    grid = ids.DATASET_PREVIEW
    wait_until(lambda: grid_status(dash_duo, grid).endswith(f"of {len(raw):,}"))
    grid_filter(dash_duo, grid, "geography", chosen[1])
    grid_sort(dash_duo, grid, "value", "desc")
    in_county = int((raw["geography"] == chosen[1]).sum())
    wait_until(lambda: grid_status(dash_duo, grid).endswith(f"of {in_county:,}"))
    stored = _stored_table(registry, dataset_id)
    expected = stored.filter(pc.match_substring(stored["geography"], chosen[1])).sort_by(
        [("value", "descending")]
    )
    top = expected["value"][0].as_py()
    wait_until(
        lambda: float((grid_cells(dash_duo, grid, "value") or ["nan"])[0]) == top,
        message="sorted rows",
    )
    _assert_rows_match(grid_rows(dash_duo, grid, PREVIEW_SHOWN), expected)

    # one end use too; the grid's filters and sort join the profile's choices in the URL, and
    # the CSV link downloads every row the grid holds, in its order (the stored Parquet)
    metric = sorted(raw["metric"].unique())[0]
    grid_filter(dash_duo, grid, "metric", metric)
    narrowed = expected.filter(pc.match_substring(expected["metric"], metric))
    assert 0 < len(narrowed) < in_county
    wait_until(lambda: grid_status(dash_duo, grid).endswith(f"of {len(narrowed):,}"))
    wait_until(lambda: "sort=-value" in dash_duo.driver.current_url, message="sort in the URL")
    assert f"filter=geography%3Acontains%3A{chosen[1]}" in dash_duo.driver.current_url
    assert f"filter=metric%3Acontains%3A{metric}" in dash_duo.driver.current_url
    assert "res=month" in dash_duo.driver.current_url
    link = dash_duo.find_element(f"#{ids.grid_link(grid, 'csv')}").get_attribute("href")
    download = requests.get(link, timeout=60)
    assert download.status_code == 200, download.text[:300]
    got = pd.read_csv(
        io.StringIO(download.text), dtype={"geography": str}, float_precision="round_trip"
    )
    assert len(got) == len(narrowed) and set(got["geography"]) == {chosen[1]}
    assert list(got["value"]) == narrowed["value"].to_pylist()
    top = narrowed["value"][0].as_py()

    # where used -> the project, then back: the profile choices are restored from the URL
    click(dash_duo, f"#{ids.WHERE_USED} a[href^='/projects/demo_us_buildings']")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", project["name"])
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", dataset_id)
    traces = wait_until(lambda: drawn(12), message="restored monthly lines")
    assert [t["name"].split("(")[-1].rstrip(")") for t in traces] == chosen
    picked = dash_duo.find_element(f"#{ids.dataset_profile_records('geography')}").text
    assert all(counties[c] in picked for c in chosen)
    # and the grid's filters and sort too
    wait_until(lambda: grid_status(dash_duo, grid).endswith(f"of {len(narrowed):,}"))
    wait_until(
        lambda: float((grid_cells(dash_duo, grid, "value") or ["nan"])[0]) == top,
        message="restored sorted rows",
    )
    assert dash_duo.get_logs() == []


# 1 <unit> = factor MWh, from the definitions (1 Btu = 1055.05585 J, 1 kWh = 3.6 MJ)
TO_MWH = {"MWh": 1.0, "kWh": 1e-3, "MBtu": 0.29307107, "therm": 0.029307107}


def _plotly_layout(dash_duo, graph_id: str) -> dict | None:
    """The colours and fonts plotly.js drew a graph with (its full layout, after templates)."""
    return dash_duo.driver.execute_script(
        """
        const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
        if (!gd || !gd._fullLayout) { return null; }
        return {colorway: Array.from(gd._fullLayout.colorway || []),
                font: gd._fullLayout.font.size};
        """,
        f"#{graph_id}",
    )


def test_demo_load_profile_converts_units_before_adding_and_says_so(
    dash_duo, viewer, demo_registry
):
    """demo_comstock_like's end uses are in MWh, kWh and MBtu: the profile converts each to
    MWh before adding (pandas with the factors written out here), the y axis names MWh and the
    note under the chart says what was converted from which unit; one line per end use too."""
    registry, inputs = demo_registry
    dataset_id = "demo_comstock_like"
    folder = inputs / "datasets" / dataset_id
    raw = pd.read_parquet(folder / "load_data.parquet")
    end_uses = pd.read_csv(folder / "dimensions" / "enduses.csv")
    assert set(end_uses["unit"]) == {"MWh", "kWh", "MBtu"}
    name_of = dict(zip(end_uses["id"], end_uses["name"], strict=True))
    factor = dict(zip(end_uses["id"], end_uses["unit"].map(TO_MWH), strict=True))
    project = json5.loads((inputs / "project.json5").read_text())
    time_dim = next(d for d in project["dimensions"]["base_dimensions"] if d["type"] == "time")
    zone = time_dim["time_zone_format"]["time_zone"]
    local = raw["timestamp"].dt.tz_convert(zone).dt.tz_localize(None)
    raw["month"] = local.dt.to_period("M").dt.start_time
    raw["mwh"] = raw["value"] * raw["metric"].map(factor)

    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(viewer(registry))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/datasets/{dataset_id}?res=month")

    def lines(count: int):
        traces = plotly_traces(dash_duo, ids.DATASET_PROFILE_GRAPH) or []
        return traces if len(traces) == count and all(len(t["y"]) == 12 for t in traces) else None

    [total] = wait_until(lambda: lines(1), message="one monthly line of every end use")
    want = raw.groupby("month")["mwh"].sum()
    as_stored = raw.groupby("month")["value"].sum()
    assert total["y"] == pytest.approx(list(want), rel=1e-9)
    assert total["y"][0] != pytest.approx(as_stored.iloc[0], rel=1e-3)
    assert plotly_axis_title(dash_duo, ids.DATASET_PROFILE_GRAPH, "yaxis") == "energy (MWh)"
    note = dash_duo.find_element(f"#{ids.DATASET_PROFILE_UNITS}").text
    kwh = ", ".join(name_of[i] for i in sorted(end_uses.loc[end_uses["unit"] == "kWh", "id"]))
    mbtu = ", ".join(name_of[i] for i in sorted(end_uses.loc[end_uses["unit"] == "MBtu", "id"]))
    assert "Converted to MWh" in note, note
    assert f"{kwh} from kWh (1 kWh = 0.001 MWh)" in note, note
    assert f"{mbtu} from MBtu (1 MBtu = 0.293071 MWh)" in note, note
    # the stored rows are not converted: the grid says which unit each end use's rows are in
    rows_note = dash_duo.find_element(f"#{ids.DATASET_PREVIEW_UNITS}").text
    assert f"kWh ({kwh})" in rows_note and f"MBtu ({mbtu})" in rows_note, rows_note
    assert f"MWh ({(end_uses['unit'] == 'MWh').sum()} end uses)" in rows_note, rows_note
    # the viewer's one chart template: its palette and font
    drawn = _plotly_layout(dash_duo, ids.DATASET_PROFILE_GRAPH)
    assert drawn["colorway"] == list(PALETTE) and drawn["font"] == 13

    # one line per end use: each in MWh, none added to another
    pick(dash_duo, ids.DATASET_PROFILE_BY, "metric")
    traces = wait_until(lambda: lines(len(end_uses)), message="one line per end use")
    for trace in traces:
        metric = trace["name"].split("(")[-1].rstrip(")")
        rows = raw[raw["metric"] == metric]
        assert trace["y"] == pytest.approx(list(rows.groupby("month")["mwh"].sum()), rel=1e-9)
    assert plotly_axis_title(dash_duo, ids.DATASET_PROFILE_GRAPH, "yaxis") == "energy (MWh)"
    assert "Converted to MWh" in dash_duo.find_element(f"#{ids.DATASET_PROFILE_UNITS}").text
    assert _plotly_layout(dash_duo, ids.DATASET_COVERAGE_GRAPH)["colorway"] == list(PALETTE)
    assert dash_duo.get_logs() == []


def test_unknown_dataset_or_version_shows_the_error_and_close_matches(
    dash_duo, viewer, efs_registry_template, test_data
):
    bulk = json5.loads((test_data / "test_efs_registration.json5").read_text())
    known = {d["dataset_id"] for d in bulk["datasets"]}
    dash_duo.start_server(viewer(efs_registry_template))

    dash_duo.wait_for_page(f"{dash_duo.server_url}/datasets/test_efs_comstok")
    message = dash_duo.wait_for_element(f"#{ids.PAGE_ERROR}").text
    assert "test_efs_comstok" in message and "Did you mean" in message
    assert EFS_DATASET in message
    hinted = {word.strip(",.?") for word in message.split("Did you mean")[1].split()}
    assert hinted <= known

    dash_duo.wait_for_page(f"{dash_duo.server_url}/datasets/{EFS_DATASET}?version=9.9.9")
    message = dash_duo.wait_for_element(f"#{ids.PAGE_ERROR}").text
    assert "9.9.9" in message and "1.0.0" in message
    assert not dash_duo.find_elements(f"#{ids.DATASET_PREVIEW}")

    dash_duo.wait_for_page(f"{dash_duo.server_url}/projects/test_ef")
    message = dash_duo.wait_for_element(f"#{ids.PAGE_ERROR}").text
    assert "test_ef" in message and "test_efs" in message
    assert dash_duo.get_logs() == []
