"""Projects: list -> filter -> open -> dimensions, expected datasets and coverage checked against
the project's input files -> follow a link -> back, on the test_efs and the demo registries; and
the empty states of a project that expects no datasets."""

from __future__ import annotations

import csv
import json
import shutil
from itertools import product
from pathlib import Path

import json5
import pandas as pd
import pytest
from conftest import click, grid_cells, pick, plotly_traces, wait_until

from app import ids

pytestmark = pytest.mark.browser

EFS_DATASET = "test_efs_comstock"
COUNT_KEYS = ("present", "declared_missing", "required_absent", "not_required")


# --- independent facts, from the input files -----------------------------------------------------


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _mapping(path: Path) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for row in _csv_rows(path):
        if row["to_id"]:
            table.setdefault(row["from_id"], []).append(row["to_id"])
    return table


def _project_counts(provided, declared_files, required, all_ids, x, y, mappings=None):
    """Cells per status over every (x, y) pair of the project's base records. ``provided``:
    (x, y) pairs of the dataset's rows; ``declared_files``: its missing-associations tables
    (a table without an x or y column declares every record of that type); ``mappings``:
    dataset id -> project ids per dimension type."""
    mappings = mappings or {}

    def mapped(pairs):
        out = set()
        for a, b in pairs:
            for ma in mappings.get(x, {}).get(a, [a]):
                for mb in mappings.get(y, {}).get(b, [b]):
                    out.add((ma, mb))
        return out

    declared = set()
    for frame in declared_files:
        xs = list(frame[x]) if x in frame else None
        ys = list(frame[y]) if y in frame else None
        if xs is not None and ys is not None:
            declared |= set(zip(xs, ys, strict=True))
        elif xs is not None:
            declared |= set(product(set(xs), all_ids["dataset"][y]))
        elif ys is not None:
            declared |= set(product(all_ids["dataset"][x], set(ys)))
    provided, declared = mapped(provided), mapped(declared)
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for pair in product(all_ids["project"][x], all_ids["project"][y]):
        if pair in provided:
            counts["present"] += 1
        elif pair in declared:
            counts["declared_missing"] += 1
        elif pair in required:
            counts["required_absent"] += 1
        else:
            counts["not_required"] += 1
    return counts


def _shown_counts(dash_duo) -> dict[str, int]:
    return {
        k: int(
            dash_duo.find_element(
                f"#{ids.coverage_count(ids.PROJECT_COVERAGE_COUNTS, k)}"
            ).text.replace(",", "")
        )
        for k in COUNT_KEYS
    }


def _heatmap(dash_duo) -> dict | None:
    """The drawn heatmap: its axes and cells per status (colour index 0 not required, 1 required
    but absent, 2 declared missing, 3 present)."""
    traces = plotly_traces(dash_duo, ids.PROJECT_COVERAGE_GRAPH)
    if not traces or traces[0]["type"] != "heatmap":
        return None
    cells = [cell for row in traces[0]["z"] for cell in row]
    counts = {k: cells.count(i) for i, k in enumerate(reversed(COUNT_KEYS))}
    return {"x": traces[0]["x"], "y": traces[0]["y"], "counts": counts}


def _expected_rows(dash_duo) -> dict[str, str]:
    """dataset id -> the text of its row in the expected-datasets table."""
    rows = dash_duo.find_elements(f"#{ids.PROJECT_DATASETS} tbody tr")
    return {r.get_attribute("id").removeprefix(ids.project_dataset_row("")): r.text for r in rows}


def _subset_ids(path: Path, selector: str) -> list[str]:
    return [row["id"] for row in _csv_rows(path) if row[selector].strip().lower() == "x"]


# --- tests --------------------------------------------------------------------------------------


def test_efs_project_list_open_datasets_coverage_and_back(
    dash_duo, viewer, efs_registry_template, test_data
):
    root = test_data / "test_efs" / "dsgrid_project"
    project = json5.loads((root / "project.json5").read_text())
    bulk = json5.loads((test_data / "test_efs_registration.json5").read_text())
    expected_ids = [d["dataset_id"] for d in project["datasets"]]
    submitted = [s["dataset_id"] for s in bulk["dataset_submissions"]]
    mapping_files = {
        s["dataset_id"]: json5.loads((test_data / s["dimension_mapping_file"]).read_text())
        for s in bulk["dataset_submissions"]
    }
    base = {d["type"]: d for d in project["dimensions"]["base_dimensions"]}
    counties = [r["id"] for r in _csv_rows(root / base["geography"]["file"])]
    subsectors = [r["id"] for r in _csv_rows(root / base["subsector"]["file"])]

    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/projects")
    count = f"#{ids.list_count('projects')}"
    dash_duo.wait_for_text_to_equal(count, "1 project")
    dash_duo.find_element(f"#{ids.list_filter('projects', 'text')}").send_keys("nothing like it")
    dash_duo.wait_for_text_to_equal(count, "0 projects")
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_EMPTY}", "No project matches")
    box = dash_duo.find_element(f"#{ids.list_filter('projects', 'text')}")
    box.clear()
    box.send_keys("validation")  # in the description only
    dash_duo.wait_for_text_to_equal(count, "1 project")
    wait_until(lambda: "q=validation" in dash_duo.driver.current_url, message="q in the URL")
    assert not dash_duo.find_elements(f"#{ids.PAGE_EMPTY}")
    grid = ids.list_grid("projects")
    wait_until(lambda: grid_cells(dash_duo, grid, "id") == [project["project_id"]])
    dash_duo.find_element(f"#{grid} a[href='/projects/test_efs']").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", project["name"])
    assert project["description"] in dash_duo.find_element(f"#{ids.PAGE_CONTENT}").text
    assert dash_duo.find_element(f"#{ids.PROJECT_STATUS}").text

    # the datasets it expects: all submitted, each with the mappings of its submission
    rows = _expected_rows(dash_duo)
    assert list(rows) == expected_ids and len(rows) == 2
    for dataset_id, text in rows.items():
        assert ("Registered" in text) == (dataset_id in submitted), text
        mappings = dash_duo.find_elements(
            f"#{ids.project_dataset_row(dataset_id)} a[href^='/mappings/']"
        )
        assert len(mappings) == len(mapping_files[dataset_id]["mappings"])

    # dimensions: one base row per type with its record count; supplemental with mappings
    for dimension_type, config in base.items():
        row = dash_duo.find_element(f"#{ids.project_base_row(dimension_type)}").text
        assert config["name"] in row
        if "file" in config:
            assert row.endswith(f" {len(_csv_rows(root / config['file'])):,}"), row
    supplemental = project["dimensions"]["supplemental_dimensions"]
    links = dash_duo.find_elements(f"#{ids.PROJECT_SUPPLEMENTAL_DIMENSIONS} a[href^='/mappings/']")
    # and those dsgrid makes at registration, as dsgrid-toolkit 0.4 does: all_<project>_<type>s
    # for the six types other than metric and time, and one per subset group
    groups = project["dimensions"].get("subset_dimensions", [])
    made = [g for g in groups if g.get("create_supplemental_dimension", True)]
    assert len(links) == len(supplemental) + 6 + len(made)
    subset = project["dimensions"]["subset_dimensions"][0]
    commercial = _subset_ids(root / subset["filename"], "commercial_subsectors2")
    subset_text = dash_duo.find_element(f"#{ids.PROJECT_SUBSET_DIMENSIONS}").text
    assert f"commercial_subsectors2 {len(commercial)}: {', '.join(commercial)}" in subset_text

    # coverage of the first submitted dataset after its mappings, against the raw files
    dash_duo.wait_for_text_to_equal(f"#{ids.PROJECT_COVERAGE_DATASET}", "test_efs_comstock")
    raw = test_data / "datasets" / "test_efs_comstock"
    lookup = pd.read_json(raw / "load_data_lookup.json", lines=True, dtype={"geography": str})
    used = set(pd.read_csv(raw / "load_data.csv", usecols=["id"])["id"])
    lookup = lookup[lookup["id"].isin(used)]
    missing = [pd.read_csv(p, dtype=str) for p in (raw / "missing_associations").glob("*.csv")]
    submission = next(s for s in bulk["dataset_submissions"] if s["dataset_id"] == EFS_DATASET)
    folder = (test_data / submission["dimension_mapping_file"]).parent
    subsector_map = next(
        m for m in mapping_files[EFS_DATASET]["mappings"] if m["dimension_type"] == "subsector"
    )
    mapping = {"subsector": _mapping(folder / subsector_map["file"])}
    dataset_subsectors = [r["id"] for r in _csv_rows(folder / "dimensions/comstock_subsectors.csv")]
    required = set(product(counties, commercial))  # sector com x the commercial subset
    expected = _project_counts(
        set(zip(lookup["geography"], lookup["subsector"], strict=True)),
        missing,
        required,
        {
            "project": {"geography": counties, "subsector": subsectors},
            "dataset": {"geography": counties, "subsector": dataset_subsectors},
        },
        "geography",
        "subsector",
        mapping,
    )
    assert expected["present"] > 0 and expected["declared_missing"] > 0

    def drawn():
        heatmap = _heatmap(dash_duo)
        return heatmap if heatmap and heatmap["counts"] == expected else None

    heatmap = wait_until(drawn, message="coverage heatmap")
    assert heatmap["x"] == counties and heatmap["y"] == subsectors
    assert _shown_counts(dash_duo) == expected

    # other axes: kept in the URL, restored after a visit to a dataset page and back
    pick(dash_duo, ids.PROJECT_COVERAGE_Y, "sector")
    sectors = [r["id"] for r in _csv_rows(root / base["sector"]["file"])]
    wait_until(lambda: (_heatmap(dash_duo) or {}).get("y") == sectors, message="sector axis")
    wait_until(lambda: "y=sector" in dash_duo.driver.current_url, message="y in the URL")
    assert f"dataset={EFS_DATASET}" in dash_duo.driver.current_url
    click(dash_duo, f"#{ids.project_dataset_row('test_efs_comstock')} a[href^='/datasets/']")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", "test_efs_comstock")
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", project["name"])
    dash_duo.wait_for_text_to_equal(f"#{ids.PROJECT_COVERAGE_Y}", "sector")
    dash_duo.wait_for_text_to_equal(f"#{ids.PROJECT_COVERAGE_DATASET}", "test_efs_comstock")
    wait_until(lambda: (_heatmap(dash_duo) or {}).get("y") == sectors, message="restored axis")

    # the first version: nothing submitted yet
    click(dash_duo, f"#{ids.COMPONENT_VERSIONS} a[href$='version=1.0.0']")
    dash_duo.wait_for_element(f"#{ids.COMPONENT_OLD_VERSION}")
    dash_duo.wait_for_contains_text(f"#{ids.PROJECT_COVERAGE_EMPTY}", "No dataset is submitted")
    rows = _expected_rows(dash_duo)
    assert list(rows) == expected_ids
    assert all("Unregistered" in text for text in rows.values())
    assert dash_duo.get_logs() == []


def test_demo_project_coverage_of_a_dataset_and_back(dash_duo, viewer, demo_registry):
    registry, inputs = demo_registry
    project = json5.loads((inputs / "project.json5").read_text())
    dataset_id = "demo_resstock_like"
    entry = next(d for d in project["datasets"] if d["dataset_id"] == dataset_id)
    base = {d["type"]: d for d in project["dimensions"]["base_dimensions"]}
    counties = [r["id"] for r in _csv_rows(inputs / base["geography"]["file"])]
    subsectors = [r["id"] for r in _csv_rows(inputs / base["subsector"]["file"])]

    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(viewer(registry))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/projects?q=demo")
    dash_duo.wait_for_text_to_equal(f"#{ids.list_count('projects')}", "1 project")
    assert (
        dash_duo.find_element(f"#{ids.list_filter('projects', 'text')}").get_attribute("value")
        == "demo"
    )
    grid = ids.list_grid("projects")
    dash_duo.wait_for_element(f"#{grid} a[href='/projects/{project['project_id']}']").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", project["name"])
    rows = _expected_rows(dash_duo)
    assert list(rows) == [d["dataset_id"] for d in project["datasets"]]
    assert all("Registered" in text for text in rows.values())

    # coverage of the ResStock-like dataset: rows from its lookup, declared missing from its
    # files, required: the residential subset of every county
    pick(dash_duo, ids.PROJECT_COVERAGE_DATASET, dataset_id)
    folder = inputs / "datasets" / dataset_id
    lookup = pd.read_parquet(folder / "load_data_lookup.parquet")
    missing = [pd.read_csv(p, dtype=str) for p in (folder / "missing_associations").glob("*.csv")]
    group = entry["required_dimensions"]["multi_dimensional"][0]
    selector = group["subsector"]["subset"][0]["selectors"][0]
    subset = project["dimensions"]["subset_dimensions"][0]
    residential = _subset_ids(inputs / subset["filename"], selector)
    expected = _project_counts(
        set(zip(lookup["geography"], lookup["subsector"], strict=True)),
        missing,
        set(product(counties, residential)),
        {
            "project": {"geography": counties, "subsector": subsectors},
            "dataset": {"geography": counties, "subsector": subsectors},
        },
        "geography",
        "subsector",
    )
    assert expected["present"] == len(lookup)

    def drawn():
        heatmap = _heatmap(dash_duo)
        return heatmap if heatmap and heatmap["counts"] == expected else None

    wait_until(drawn, message="coverage heatmap")
    assert _shown_counts(dash_duo) == expected
    wait_until(lambda: f"dataset={dataset_id}" in dash_duo.driver.current_url)

    # a base dimension, then back: the same dataset's coverage
    click(dash_duo, f"#{ids.project_base_row('geography')} a[href^='/dimensions/']")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", base["geography"]["name"])
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal(f"#{ids.PROJECT_COVERAGE_DATASET}", dataset_id)
    wait_until(drawn, message="restored heatmap")
    assert _shown_counts(dash_duo) == expected
    assert dash_duo.get_logs() == []


@pytest.fixture
def registry_without_datasets(test_data, tmp_path, dsgrid) -> Path:
    """A registry holding test_efs's project with its datasets list emptied (and no dataset)."""
    folder = tmp_path / "project"
    shutil.copytree(test_data / "test_efs" / "dsgrid_project", folder)
    config = json5.loads((folder / "project.json5").read_text())
    config["datasets"] = []
    (folder / "project.json5").write_text(json.dumps(config))
    registry = tmp_path / "registry"
    assert dsgrid("registry", "create", registry).exit_code == 0
    result = dsgrid(
        "registry",
        "projects",
        "register",
        folder / "project.json5",
        "-l",
        "no datasets",
        registry=registry,
    )
    assert result.exit_code == 0, result
    return registry


def test_empty_states_of_a_project_without_datasets(dash_duo, viewer, registry_without_datasets):
    dash_duo.start_server(viewer(registry_without_datasets))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/projects/test_efs")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", "test_efs")
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_EMPTY}", "expects no datasets")
    dash_duo.wait_for_contains_text(f"#{ids.PROJECT_COVERAGE_EMPTY}", "No dataset is submitted")
    assert not dash_duo.find_elements(f"#{ids.PROJECT_DATASETS}")
    assert dash_duo.find_elements(f"#{ids.project_base_row('geography')}")

    dash_duo.wait_for_page(f"{dash_duo.server_url}/datasets")
    dash_duo.wait_for_text_to_equal(f"#{ids.list_count('datasets')}", "0 datasets")
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_EMPTY}", "No dataset is registered")
    assert dash_duo.get_logs() == []
