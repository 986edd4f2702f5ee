"""The registration wizards, driven as a user would: upload files, check the guesses and their
reasons, fix each problem shown next to its field, register through the background job, follow
the link to the new component, and compare what was stored with the files given. Every path
that must not register anything is checked against the registry's content before and after."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import (
    click,
    edit_cell,
    grid_row_index,
    grid_snapshot,
    pick,
    read_csv,
    registry_content,
    type_into,
    upload,
    wait_for_grid_rows,
    wait_until,
)

from app import ids

pytestmark = pytest.mark.browser

UNPIVOTED = "datasets/test_efs_comstock_unpivoted"
TOKEN = "s3cret-token"  # noqa: S105 - the access token of the test server
STATES = (
    "id,name,is_conus,census_division,census_region\n"
    "CO,Colorado,true,Mountain,West\n"
    "NY,New York,true,Middle Atlantic,Northeast\n"
    "TX,Texas,true,West South Central,South\n"
    "HI,Hawaii,false,Pacific,West\n"
)


@pytest.fixture(autouse=True)
def uploads(tmp_path, monkeypatch) -> Path:
    """A private upload folder, to see the form's files come and go."""
    folder = tmp_path / "uploads"
    monkeypatch.setenv("DSGRID_UPLOAD_DIR", str(folder))
    return folder


def sessions(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.is_dir()) if folder.exists() else []


def start(dash_duo, app, path: str) -> None:
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.wait_for_page(f"{dash_duo.server_url}{path}")


def make_app(registry: Path, tmp_path: Path, **settings):
    from app import create_app

    settings.setdefault("host", "127.0.0.1")  # `dsgrid serve` on loopback: writes allowed
    return create_app(str(registry), cache_dir=str(tmp_path / "webcache"), **settings)


@pytest.fixture(params=["local", "remote"])
def wizard_app(request, tmp_path):
    """``make_app`` in both modes: ``remote`` serves the registry from a second server (on
    127.0.0.1, in a thread) and the wizards' server, which has no registry of its own, reads
    it and registers on it through that server's /api/v1 (``dsgrid serve --api-url``)."""
    from app import create_app
    from tests.api.live_server import serving

    with contextlib.ExitStack() as servers:

        def make(registry: Path, **settings):
            if request.param == "local":
                return make_app(registry, tmp_path, **settings)
            url = servers.enter_context(serving(registry, cache_dir=str(tmp_path / "apicache")))
            settings.setdefault("host", "127.0.0.1")
            return create_app(None, api_url=url, cache_dir=str(tmp_path / "webcache"), **settings)

        yield make


def text_of(dash_duo, element_id: str) -> str:
    return dash_duo.find_element(f"#{element_id}").text


def wait_text(dash_duo, element_id: str, text: str, timeout: float = 15) -> str:
    """Wait until the element's text contains ``text``; returns the whole text."""

    def found():
        shown = text_of(dash_duo, element_id)
        return shown if text in shown else None

    return wait_until(found, timeout, f"'{text}' in #{element_id}")


def press_register(dash_duo, wizard: str) -> None:
    """Click Register; wait until the previous result (if any) is gone, so that what follows
    reads the result of this registration."""
    from selenium.common.exceptions import StaleElementReferenceException

    old = dash_duo.find_elements(f"#{ids.wizard_id(wizard, 'result-alert')}")
    click(dash_duo, f"#{ids.wizard_id(wizard, 'register')}")

    def gone():
        try:
            old[0].is_displayed()
        except StaleElementReferenceException:
            return True
        return False

    if old:
        wait_until(gone, 15, "the previous result cleared")


def registered(dash_duo, wizard: str, timeout: float = 60) -> str:
    """Wait for the registration job to end well; returns the result's text."""
    result = ids.wizard_id(wizard, "result")
    wait_until(
        lambda: (
            "Registered" in text_of(dash_duo, result)
            or "Submitted" in text_of(dash_duo, result)
            or "Nothing was registered" in text_of(dash_duo, result)
        ),
        timeout,
        "the registration's end",
    )
    text = text_of(dash_duo, result)
    assert "Nothing was registered" not in text, text
    return text


def screenshot(dash_duo, name: str) -> None:
    """A full-page screenshot into $SCREENSHOT_DIR (docs/screenshots), when it is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    driver = dash_duo.driver
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(height + 140, 5000))
    wait_until(
        lambda: (
            driver.execute_script("return document.documentElement.scrollHeight") <= height + 140
        ),
        5,
        "the page laid out again",
    )
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(Path(folder) / f"register_{name}.png"))
    driver.set_window_size(1400, 1000)


def downloaded(dash_duo, name: str) -> Path:
    path = Path(dash_duo.download_path) / name
    wait_until(lambda: path.exists() and path.stat().st_size > 0, 10, f"download {name}")
    return path


def test_register_a_dimension_after_signing_in(
    dash_duo, empty_registry, tmp_path, uploads, dsgrid, monkeypatch
):
    # a server other machines can reach: writes need the access token
    app = make_app(empty_registry, tmp_path, host=None, api_token=TOKEN)
    start(dash_duo, app, "/register")
    wait_text(dash_duo, ids.wizard_id("landing", "permission"), "access token")
    screenshot(dash_duo, "landing")
    type_into(dash_duo, ids.wizard_id("landing", "token"), "wrong")
    click(dash_duo, f"#{ids.wizard_id('landing', 'sign-in')}")
    wait_text(dash_duo, ids.wizard_id("landing", "sign-in-result"), "not the server's access")
    type_into(dash_duo, ids.wizard_id("landing", "token"), TOKEN)
    click(dash_duo, f"#{ids.wizard_id('landing', 'sign-in')}")
    wait_text(dash_duo, ids.wizard_id("landing", "sign-in-result"), "Signed in")
    click(dash_duo, f"#{ids.wizard_link('dimension')}")
    wait_text(dash_duo, ids.wizard_id("dimension", "permission"), "lets this browser register")

    states = tmp_path / "states.csv"
    states.write_text(STATES)
    upload(dash_duo, ids.wizard_field("dimension", "file"), states)
    reason = wait_text(dash_duo, ids.wizard_reason("dimension", "class"), "State record")
    assert "census_division, census_region, is_conus" in reason
    wait_text(dash_duo, ids.wizard_field("dimension", "type"), "geography")
    wait_text(dash_duo, ids.wizard_field("dimension", "class"), "State")
    assert "4 records" in text_of(dash_duo, ids.wizard_reason("dimension", "file"))
    # the name is required: the problem shows under it, and nothing can be registered yet
    wait_text(dash_duo, ids.wizard_problem("dimension", "name"), "required field is missing")
    assert not dash_duo.find_element(f"#{ids.wizard_id('dimension', 'register')}").is_enabled()
    preview = wait_for_grid_rows(dash_duo, ids.DIMENSION_PREVIEW, ["id", "name"], 4)
    assert preview == [{"id": r["id"], "name": r["name"]} for r in read_csv(states)]

    type_into(dash_duo, ids.wizard_field("dimension", "name"), "Four states")
    type_into(dash_duo, ids.wizard_field("dimension", "description"), "CO, NY, TX and HI")
    wait_until(
        lambda: dash_duo.find_element(f"#{ids.wizard_id('dimension', 'register')}").is_enabled(),
        10,
        "Register enabled",
    )
    assert text_of(dash_duo, ids.wizard_problem("dimension", "name")) == ""
    assert '"file": "states.csv"' in text_of(dash_duo, ids.wizard_id("dimension", "preview-config"))
    screenshot(dash_duo, "dimension")

    # the config and the command repeat the registration from the command line
    click(dash_duo, f"#{ids.wizard_id('dimension', 'download-config')}")
    click(dash_duo, f"#{ids.wizard_id('dimension', 'download-command')}")
    config_file = downloaded(dash_duo, "dimension.json5")
    command = downloaded(dash_duo, "register-dimension.sh").read_text().splitlines()
    assert command[-2] == "# Put these files beside dimension.json5: states.csv"
    elsewhere = tmp_path / "cli"
    elsewhere.mkdir()
    shutil.copy(config_file, elsewhere / "dimension.json5")
    shutil.copy(states, elsewhere / "states.csv")
    other = tmp_path / "other_registry"
    assert dsgrid("registry", "create", other).exit_code == 0
    argv = shlex.split(command[-1])
    assert argv[:3] == ["dsgrid", "--registry", str(empty_registry)]
    monkeypatch.chdir(elsewhere)
    result = dsgrid("--registry", str(other), *argv[3:])
    assert result.exit_code == 0, result

    press_register(dash_duo, "dimension")
    said = registered(dash_duo, "dimension")
    assert "Registered dimension four_states version 1.0.0" in said
    assert sessions(uploads) == []  # the form's files and the job's copy are gone
    click(dash_duo, f"#{ids.wizard_id('dimension', 'result-link')}")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", "Four states")
    columns = ["id", "name", "is_conus", "census_division", "census_region"]
    shown = wait_for_grid_rows(dash_duo, ids.DIMENSION_RECORDS, columns, 4)
    assert sorted(shown, key=lambda r: r["id"]) == sorted(read_csv(states), key=lambda r: r["id"])
    # the command-line registration stored the same records
    from dsgrid_core.registry.registry import Registry

    with Registry(empty_registry, read_only=True) as web, Registry(other, read_only=True) as cli:
        assert web.records("four_states") == cli.records("four_states")
    assert dash_duo.get_logs() == []


def test_dimension_problems_show_next_to_their_fields_and_nothing_is_registered(
    dash_duo, empty_registry, tmp_path, uploads, monkeypatch
):
    monkeypatch.setenv("DSGRID_UPLOAD_LIMIT_MB", "0.05")  # before the app reads it
    start(dash_duo, make_app(empty_registry, tmp_path), "/register/dimension")
    before = registry_content(empty_registry)
    problem = ids.wizard_problem("dimension", "file")

    notes = tmp_path / "states.txt"
    notes.write_text(STATES)
    upload(dash_duo, ids.wizard_field("dimension", "file"), notes)
    wait_text(dash_duo, problem, "states.txt: files of type '.txt' are not accepted")

    big = tmp_path / "big.csv"
    big.write_text("id,name\n" + "".join(f"r{i},record {i}\n" for i in range(4000)))
    assert 52_429 < big.stat().st_size < 79_000  # above the limit, within one request
    upload(dash_duo, ids.wizard_field("dimension", "file"), big)
    said = wait_text(dash_duo, problem, "is above the upload limit")
    assert "big.csv" in said and "DSGRID_UPLOAD_LIMIT_MB" in said

    twice = tmp_path / "states.csv"
    twice.write_text(STATES + "NY,New York again,true,Middle Atlantic,Northeast\n")
    upload(dash_duo, ids.wizard_field("dimension", "file"), twice)
    wait_text(dash_duo, ids.wizard_reason("dimension", "class"), "State record")
    type_into(dash_duo, ids.wizard_field("dimension", "name"), "States")
    said = wait_text(dash_duo, problem, "duplicate id 'NY'")
    assert "line 6" in said and "first on line 3" in said
    assert not dash_duo.find_element(f"#{ids.wizard_id('dimension', 'register')}").is_enabled()

    [session] = sessions(uploads)
    assert len(list(session.glob("*.csv"))) == 1  # a rejected file is not kept
    click(dash_duo, f"#{ids.wizard_id('dimension', 'cancel')}")
    wait_text(dash_duo, ids.wizard_id("dimension", "cancelled"), "uploaded files were removed")
    assert sessions(uploads) == []
    assert text_of(dash_duo, ids.wizard_files("dimension", "file")) == ""
    assert registry_content(empty_registry) == before
    assert dash_duo.get_logs() == []


def row_of(dash_duo, grid_id: str, from_id: str) -> dict[str, str]:
    rows = grid_snapshot(dash_duo, grid_id, ["from_id", "to_id", "from_fraction", "problem"])
    return next(r for r in rows or [] if r["from_id"] == from_id)


def wait_row(dash_duo, grid_id: str, from_id: str, column: str, text: str) -> dict:
    def found():
        row = row_of(dash_duo, grid_id, from_id)
        return row if text in row[column] else None

    return wait_until(found, 10, f"'{text}' in the {column} of {from_id}")


def register_enabled(dash_duo, wizard: str) -> bool:
    return dash_duo.find_element(f"#{ids.wizard_id(wizard, 'register')}").is_enabled()


def test_register_a_mapping_edited_row_by_row(
    dash_duo, efs_registry, tmp_path, test_data, wizard_app
):
    from dsgrid_core.registry.registry import Registry

    start(dash_duo, wizard_app(efs_registry), "/register/mapping")
    pick(
        dash_duo,
        ids.wizard_field("mapping", "from"),
        "comstock_subsectors_efs_with_formatted_prefix",
    )
    wait_text(dash_duo, ids.wizard_reason("mapping", "from"), "14 records of type subsector")
    pick(dash_duo, ids.wizard_field("mapping", "to"), "comstock_subsectors_efs")
    click(dash_duo, f"#{ids.wizard_id('mapping', 'skeleton')}")
    grid = ids.MAPPING_GRID
    rows = wait_for_grid_rows(dash_duo, grid, ["from_id", "to_id", "match"], 14)
    # matched by name, as dsgrid's own lookup for these two dimensions pairs them
    lookup = test_data / (
        "test_efs/dsgrid_project/datasets/modeled/comstock_unpivoted/dimension_mappings/"
        "lookup_comstock_subsectors_to_project_subsectors.csv"
    )
    expected = {r["from_id"]: r["to_id"] for r in read_csv(lookup)}
    assert {r["from_id"]: r["to_id"] for r in rows} == expected
    assert {r["match"] for r in rows} == {"same name"}
    wait_text(dash_duo, ids.wizard_field("mapping", "mapping_type"), "one_to_one")
    reason = text_of(dash_duo, ids.wizard_reason("mapping", "mapping_type"))
    assert "each from record maps to a different to record" in reason
    wait_until(lambda: register_enabled(dash_duo, "mapping"), 10, "Register enabled")
    before = registry_content(efs_registry)

    # a fraction that breaks the type's rule: the problem is on that row, nothing can register
    edit_cell(
        dash_duo,
        grid,
        grid_row_index(dash_duo, grid, "from_id", "com__Hospital"),
        "from_fraction",
        "0.5",
    )
    row = wait_row(dash_duo, grid, "com__Hospital", "problem", "sum to 0.5")
    assert "one_to_one needs 1" in row["problem"]
    assert all(
        not r["problem"]
        for r in grid_snapshot(dash_duo, grid, ["from_id", "problem"])
        if r["from_id"] != "com__Hospital"
    )
    wait_text(dash_duo, ids.wizard_id("mapping", "grid-summary"), "1 with problems")
    assert not register_enabled(dash_duo, "mapping")
    # an id the to dimension does not have
    edit_cell(
        dash_duo,
        grid,
        grid_row_index(dash_duo, grid, "from_id", "com__Warehouse"),
        "to_id",
        "Nowhere",
    )
    wait_row(dash_duo, grid, "com__Warehouse", "problem", "'Nowhere' is not a record of")
    wait_text(dash_duo, ids.wizard_id("mapping", "grid-summary"), "2 with problems")
    screenshot(dash_duo, "mapping")
    assert not register_enabled(dash_duo, "mapping")
    assert registry_content(efs_registry) == before

    # fixed: the id corrected, and 0.5 is a multiplier, which the type must say
    edit_cell(
        dash_duo,
        grid,
        grid_row_index(dash_duo, grid, "from_id", "com__Warehouse"),
        "to_id",
        "Warehouse",
    )
    pick(dash_duo, ids.wizard_field("mapping", "mapping_type"), "one_to_one_explicit_multipliers")
    wait_text(dash_duo, ids.wizard_id("mapping", "grid-summary"), "every row follows the rules")
    type_into(dash_duo, ids.wizard_field("mapping", "description"), "Prefixed to plain subsectors")
    wait_until(lambda: register_enabled(dash_duo, "mapping"), 10, "Register enabled")
    entered = {
        r["from_id"]: (r["to_id"], float(r["from_fraction"]))
        for r in grid_snapshot(dash_duo, grid, ["from_id", "to_id", "from_fraction"])
    }
    assert entered["com__Hospital"] == ("Hospital", 0.5)
    press_register(dash_duo, "mapping")
    said = registered(dash_duo, "mapping")
    mapping_id = text_of(dash_duo, ids.wizard_id("mapping", "result-link"))
    assert f"Registered dimension mapping {mapping_id} version 1.0.0" in said
    with Registry(efs_registry, read_only=True) as registry:
        stored = {f: (t, x) for f, t, x in registry.mapping_records(mapping_id)}
        config = registry.show("dimension_mapping", mapping_id).config
    assert stored == entered
    assert config["mapping_type"] == "one_to_one_explicit_multipliers"
    assert config["description"] == "Prefixed to plain subsectors"
    click(dash_duo, f"#{ids.wizard_id('mapping', 'result-link')}")
    wait_text(dash_duo, ids.MAPPING_TYPE, "one_to_one_explicit_multipliers")
    assert dash_duo.get_logs() == []


def give_trivial_records(dash_duo, records: dict[str, str]) -> None:
    for dimension_type, record_id in records.items():
        key = f"trivial-{dimension_type}"
        dash_duo.wait_for_element(f"#{ids.wizard_id('dataset', f'row-{key}')}:not([style*='none'])")
        type_into(dash_duo, ids.wizard_field("dataset", f"{key}-id"), record_id)


def test_register_a_dataset_from_its_table(dash_duo, efs_registry, tmp_path, test_data, wizard_app):
    folder = test_data / UNPIVOTED
    start(dash_duo, wizard_app(efs_registry), "/register/dataset")
    upload(dash_duo, ids.wizard_field("dataset", "data"), folder / "load_data.parquet")
    wait_text(dash_duo, ids.wizard_reason("dataset", "data"), "one_table with stacked values")
    guess = ids.DATASET_GUESS
    wait_text(dash_duo, ids.wizard_id("dataset", "guess-geography"), "US Counties 2010")
    assert "holds all 8 values" in text_of(dash_duo, ids.wizard_id("dataset", "guess-geography"))
    assert "a 'value' column holds the values" in text_of(dash_duo, guess)
    questions = text_of(dash_duo, ids.DATASET_QUESTIONS)
    assert "The times were read as UTC" in questions
    assert "weather_year is a trivial dimension" in questions
    assert (
        dash_duo.find_element(f"#{ids.wizard_field('dataset', 'dataset_id')}").get_attribute(
            "value"
        )
        == "load_data"
    )
    # the times are instants; read in the dataset's own zone they are EST wall-clock hours
    wait_text(dash_duo, ids.wizard_id("dataset", "guess-time"), "2012-01-01 06:00:00")
    pick(dash_duo, ids.wizard_field("dataset", "time_zone"), "Etc/GMT+5")
    wait_text(dash_duo, ids.wizard_id("dataset", "guess-time"), "2012-01-01 01:00:00 to 2012-01-08")
    type_into(dash_duo, ids.wizard_field("dataset", "dataset_id"), "wizard_comstock")
    wait_text(dash_duo, ids.wizard_problem("dataset", "trivial-scenario"), "give the id")
    assert not register_enabled(dash_duo, "dataset")
    give_trivial_records(
        dash_duo, {"weather_year": "2012", "model_year": "2012", "scenario": "reference"}
    )
    wait_until(lambda: register_enabled(dash_duo, "dataset"), 10, "Register enabled")
    config = text_of(dash_duo, ids.wizard_id("dataset", "preview-config"))
    assert '"path": "load_data.parquet"' in config and '"wizard_comstock scenario"' in config
    screenshot(dash_duo, "dataset")
    before = registry_content(efs_registry)

    # without the combinations it lacks declared, the data check fails: its summary is shown
    # next to the data file, and nothing is registered
    press_register(dash_duo, "dataset")
    wait_text(dash_duo, ids.wizard_id("dataset", "result"), "Nothing was registered", 60)
    said = text_of(dash_duo, ids.wizard_problem("dataset", "data"))
    assert "missing" in said.lower() and "geography" in said and "subsector" in said
    assert registry_content(efs_registry) == before

    upload(
        dash_duo,
        ids.wizard_field("dataset", "missing"),
        folder / "missing_associations" / "geography__subsector.csv",
        folder / "missing_associations" / "sector__subsector.csv",
    )
    wait_text(dash_duo, ids.wizard_files("dataset", "missing"), "sector__subsector.csv")
    wait_text(dash_duo, ids.wizard_id("dataset", "preview-config"), "geography__subsector.csv")
    wait_until(lambda: register_enabled(dash_duo, "dataset"), 10, "Register enabled")
    press_register(dash_duo, "dataset")
    said = registered(dash_duo, "dataset")
    assert "Registered dataset wizard_comstock version 1.0.0" in said
    click(dash_duo, f"#{ids.wizard_id('dataset', 'result-link')}")
    rows = len(pd.read_parquet(folder / "load_data.parquet"))
    wait_text(dash_duo, ids.dataset_fact("rows"), f"{rows:,}", 20)
    assert text_of(dash_duo, ids.dataset_fact("rows")) == f"{rows:,}"
    assert dash_duo.get_logs() == []


@pytest.fixture(scope="session")
def waiting_template(tmp_path_factory, test_data, dsgrid) -> Path:
    """test_efs's project and its unpivoted dataset, registered one by one with the dsgrid
    command; the project expects the dataset, which is not submitted yet."""
    path = tmp_path_factory.mktemp("waiting") / "registry"
    assert dsgrid("registry", "create", path).exit_code == 0
    project = test_data / "test_efs/dsgrid_project/project.json5"
    dataset = (
        test_data / "test_efs/dsgrid_project/datasets/modeled/comstock_unpivoted/dataset.json5"
    )
    done = dsgrid("registry", "projects", "register", project, "-l", "project", registry=path)
    assert done.exit_code == 0, done
    done = dsgrid(
        "registry",
        "datasets",
        "register",
        dataset,
        "-l",
        "dataset",
        "--data-root",
        test_data,
        registry=path,
    )
    assert done.exit_code == 0, done
    return path


@pytest.fixture
def waiting_registry(waiting_template, tmp_path) -> Path:
    target = tmp_path / "registry"
    shutil.copytree(waiting_template, target)
    return target


def test_submit_a_dataset_to_its_project(
    dash_duo, waiting_registry, tmp_path, test_data, wizard_app
):
    from dsgrid_core.registry.registry import Registry

    mappings = test_data / (
        "test_efs/dsgrid_project/datasets/modeled/comstock_unpivoted/dimension_mappings"
    )
    start(dash_duo, wizard_app(waiting_registry), "/register/submission")
    pick(dash_duo, ids.wizard_field("submission", "project"), "test_efs")
    wait_text(dash_duo, ids.wizard_reason("submission", "dataset"), "test_efs_comstock (not reg")
    pick(dash_duo, ids.wizard_field("submission", "dataset"), "test_efs_comstock_unpivoted")
    same = wait_text(dash_duo, ids.wizard_id("submission", "same"), "nothing to map there")
    assert "geography, sector, weather_year, scenario" in same
    shown = {"metric": True, "subsector": True, "model_year": True, "geography": False}

    def sections():
        return {
            t: dash_duo.find_element(
                f"#{ids.wizard_id('submission', f'section-{t}')}"
            ).is_displayed()
            for t in shown
        }

    wait_until(lambda: sections() == shown, 10, f"sections shown as {shown}")
    columns = ["from_id", "to_id", "match"]
    metric = wait_for_grid_rows(dash_duo, ids.wizard_id("submission", "grid-metric"), columns, 2)
    assert {r["from_id"]: r["to_id"] for r in metric} == {
        r["from_id"]: r["to_id"] for r in read_csv(mappings / "enduse_to_project_enduse.csv")
    }
    subsector = wait_for_grid_rows(
        dash_duo, ids.wizard_id("submission", "grid-subsector"), columns, 14
    )
    lookup = read_csv(mappings / "lookup_comstock_subsectors_to_project_subsectors.csv")
    assert {r["from_id"]: r["to_id"] for r in subsector} == {
        r["from_id"]: r["to_id"] for r in lookup
    }
    years = wait_for_grid_rows(dash_duo, ids.wizard_id("submission", "grid-model_year"), columns, 1)
    # a year is never matched to another by likeness: it is left for the user to map
    assert years == [{"from_id": "2012", "to_id": "", "match": "no match"}]
    wait_until(lambda: register_enabled(dash_duo, "submission"), 10, "Register enabled")
    before = registry_content(waiting_registry)

    # the skeleton drops model year 2012: the project's years are all missing
    press_register(dash_duo, "submission")
    wait_text(dash_duo, ids.wizard_id("submission", "result"), "Nothing was registered", 60)
    said = text_of(dash_duo, ids.wizard_id("submission", "general-problems"))
    assert "the project requires record combinations the dataset does not" in said
    assert "x 5 model years" in said  # every project year is missing
    assert registry_content(waiting_registry) == before

    # dsgrid's own mapping of 2012 to the project's model years, as multipliers
    upload(
        dash_duo,
        ids.wizard_field("submission", "file-model_year"),
        mappings / "model_year_to_model_year.csv",
    )
    grid = ids.wizard_id("submission", "grid-model_year")
    wait_for_grid_rows(dash_duo, grid, columns, 5)
    wait_text(dash_duo, ids.wizard_id("submission", "summary-model_year"), "5 with problems")
    assert "sum to 5.5" in row_of(dash_duo, grid, "2012")["problem"]
    assert not register_enabled(dash_duo, "submission")
    pick(
        dash_duo,
        ids.wizard_field("submission", "type-model_year"),
        "one_to_many_explicit_multipliers",
    )
    wait_text(dash_duo, ids.wizard_id("submission", "summary-model_year"), "every row follows")
    screenshot(dash_duo, "submission")
    wait_until(lambda: register_enabled(dash_duo, "submission"), 10, "Register enabled")
    press_register(dash_duo, "submission")
    said = registered(dash_duo, "submission")
    assert "Project test_efs is now at version 1.1.0" in said
    click(dash_duo, f"#{ids.wizard_id('submission', 'result-link')}")
    row = wait_text(dash_duo, ids.project_dataset_row("test_efs_comstock_unpivoted"), "Registered")
    assert "1.0.0" in row
    assert "1.1.0" in text_of(dash_duo, ids.COMPONENT_VERSIONS)
    with Registry(waiting_registry, read_only=True) as registry:
        used = registry.show("project", "test_efs").extra["datasets"]["test_efs_comstock_unpivoted"]
        by_type = {m["dimension_type"]: m["mapping_id"] for m in used["mappings"]}
        stored = sorted(registry.mapping_records(by_type["model_year"]))
    given = read_csv(mappings / "model_year_to_model_year.csv")
    assert stored == sorted((r["from_id"], r["to_id"], float(r["from_fraction"])) for r in given)
    assert dash_duo.get_logs() == []


def test_register_a_project_from_its_files_and_another_from_fields(
    dash_duo, empty_registry, tmp_path, test_data, wizard_app
):
    from dsgrid_core.config.files import load_json5
    from dsgrid_core.forms import base_name, referenced_files
    from dsgrid_core.registry.registry import Registry

    source = test_data / "test_efs/dsgrid_project"
    raw = load_json5(source / "project.json5")
    files = {base_name(f): source / f for f in referenced_files(raw)}
    assert len(files) == len(referenced_files(raw)) == 18  # every base name is unique
    typo = tmp_path / "typo" / "project.json5"
    typo.parent.mkdir()
    typo.write_text(json.dumps({**raw, "descripton": "a typo"}))
    start(dash_duo, wizard_app(empty_registry), "/register/project")
    before = registry_content(empty_registry)
    upload(dash_duo, ids.wizard_field("project", "config"), typo)
    upload(
        dash_duo,
        ids.wizard_field("project", "files"),
        *[path for name, path in files.items() if name != "lookup_county_to_state.csv"],
    )
    wait_text(dash_duo, ids.wizard_files("project", "files"), "five_year_intervals.csv")
    said = wait_text(dash_duo, ids.wizard_problem("project", "config"), "unknown key")
    assert "descripton: unknown key 'descripton'. Did you mean 'description'?" in said
    said = wait_text(dash_duo, ids.wizard_problem("project", "files"), "lookup_county_to_state")
    assert (
        "refers to 'dimension_mappings/base_to_supplemental/lookup_county_to_state.csv': upload "
        "lookup_county_to_state.csv too" in said
    )
    summary = text_of(dash_duo, ids.PROJECT_SUMMARY)
    assert "US Counties 2010 - ComStock Only" in summary and "Expects 2 dataset(s)" in summary
    screenshot(dash_duo, "project")
    assert not register_enabled(dash_duo, "project")
    assert registry_content(empty_registry) == before

    upload(dash_duo, ids.wizard_field("project", "config"), source / "project.json5")
    upload(dash_duo, ids.wizard_field("project", "files"), files["lookup_county_to_state.csv"])
    wait_until(lambda: register_enabled(dash_duo, "project"), 15, "Register enabled")
    assert text_of(dash_duo, ids.wizard_problem("project", "files")) == ""
    preview = text_of(dash_duo, ids.wizard_id("project", "preview-config"))
    assert '"file": "lookup_county_to_state.csv"' in preview  # beside the config, by name
    press_register(dash_duo, "project")
    assert "Registered project test_efs version 1.0.0" in registered(dash_duo, "project")
    click(dash_duo, f"#{ids.wizard_id('project', 'result-link')}")
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", "test_efs")
    wait_text(dash_duo, ids.project_base_row("geography"), "US Counties 2010 - ComStock Only")
    with Registry(empty_registry, read_only=True) as registry:
        base = registry.show("project", "test_efs").extra["base_dimensions"]
        counties = registry.records(base["geography"]["id"])
    assert [r["id"] for r in counties] == [
        r["id"] for r in read_csv(files["comstock_counties.csv"])
    ]

    # a minimal project from fields, on the dimensions just registered
    dash_duo.wait_for_page(f"{dash_duo.server_url}/register/project")
    click(dash_duo, "//*[@id='register-project-tabs']//a[normalize-space()='Build from fields']")
    type_into(dash_duo, ids.wizard_field("project", "project_id"), "mini")
    type_into(dash_duo, ids.wizard_field("project", "project_name"), "A minimal project")
    # each dataset's type: its own (id:type) or the one chosen for the list, never a default
    type_into(dash_duo, ids.wizard_field("project", "datasets"), "one:modelled, two")
    said = wait_text(dash_duo, ids.wizard_problem("project", "datasets"), "modelled")
    assert "'one:modelled': unknown dataset type 'modelled'; use one of modeled, historical" in said
    wait_text(dash_duo, ids.wizard_problem("project", "dataset_type"), "choose the type of two")
    type_into(dash_duo, ids.wizard_field("project", "datasets"), "one:historical, two")
    pick(dash_duo, ids.wizard_field("project", "dataset_type"), "modeled")
    wait_until(
        lambda: text_of(dash_duo, ids.wizard_problem("project", "dataset_type")) == "",
        15,
        "the dataset type problem gone",
    )
    for t, ref in base.items():
        if t != "time":
            pick(dash_duo, ids.wizard_field("project", f"base-{t}"), ref["id"])
    wait_text(dash_duo, ids.wizard_problem("project", "base"), "missing for type(s) time")
    assert not register_enabled(dash_duo, "project")
    pick(dash_duo, ids.wizard_field("project", "base-time"), base["time"]["id"])
    wait_until(lambda: register_enabled(dash_duo, "project"), 15, "Register enabled")
    press_register(dash_duo, "project")
    assert "Registered project mini version 1.0.0" in registered(dash_duo, "project")
    with Registry(empty_registry, read_only=True) as registry:
        mini = registry.show("project", "mini")
    assert [(d["dataset_id"], d["dataset_type"]) for d in mini.config["datasets"]] == [
        ("one", "historical"),
        ("two", "modeled"),
    ]
    assert mini.extra["base_dimensions"] == base
    assert dash_duo.get_logs() == []


def test_a_dataset_value_that_is_not_a_number_registers_nothing(
    dash_duo, empty_registry, tmp_path, test_data
):
    frame = pd.read_parquet(test_data / UNPIVOTED / "load_data.parquet")
    frame = frame[frame["geography"] == "08031"].copy()
    frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S")
    frame["value"] = frame["value"].astype(str)
    frame.iloc[7, frame.columns.get_loc("value")] = "n/a"
    table = tmp_path / "table.csv"
    frame.to_csv(table, index=False)
    start(dash_duo, make_app(empty_registry, tmp_path), "/register/dataset")
    before = registry_content(empty_registry)
    upload(dash_duo, ids.wizard_field("dataset", "data"), table)
    wait_text(dash_duo, ids.wizard_id("dataset", "guess-geography"), "new: 1 records")
    type_into(dash_duo, ids.wizard_field("dataset", "dataset_id"), "not_numbers")
    give_trivial_records(
        dash_duo, {"weather_year": "2012", "model_year": "2012", "scenario": "reference"}
    )
    wait_until(lambda: register_enabled(dash_duo, "dataset"), 15, "Register enabled")
    press_register(dash_duo, "dataset")
    wait_text(dash_duo, ids.wizard_id("dataset", "result"), "Nothing was registered", 60)
    said = text_of(dash_duo, ids.wizard_problem("dataset", "data"))
    assert "table.csv: column 'value' should be double but has 1 value(s) that are not" in said
    assert "'n/a'" in said
    assert registry_content(empty_registry) == before
    assert dash_duo.get_logs() == []


def test_a_read_only_server_says_why_and_registers_nothing(
    dash_duo, efs_registry, tmp_path, uploads
):
    start(dash_duo, make_app(efs_registry, tmp_path, read_only=True), "/register")
    before = registry_content(efs_registry)
    said = wait_text(dash_duo, ids.wizard_id("landing", "permission"), "read-only")
    assert "Nothing can be registered from this browser" in said
    assert not dash_duo.find_element(f"#{ids.wizard_id('landing', 'token')}").is_displayed()

    click(dash_duo, f"#{ids.wizard_link('dimension')}")
    wait_text(dash_duo, ids.wizard_id("dimension", "permission"), "read-only")
    states = tmp_path / "states.csv"
    states.write_text(STATES)
    upload(dash_duo, ids.wizard_field("dimension", "file"), states)
    said = wait_text(dash_duo, ids.wizard_problem("dimension", "file"), "not stored")
    assert "states.csv: not stored: this server is read-only" in said
    assert sessions(uploads) == []

    # a form that needs no upload is refused when it would start the job
    dash_duo.wait_for_page(f"{dash_duo.server_url}/register/mapping")
    pick(dash_duo, ids.wizard_field("mapping", "from"), "model_years_2010_to_2050")
    pick(dash_duo, ids.wizard_field("mapping", "to"), "five_year_intervals")
    click(dash_duo, f"#{ids.wizard_id('mapping', 'skeleton')}")
    wait_for_grid_rows(dash_duo, ids.MAPPING_GRID, ["from_id", "to_id"], 5)
    wait_until(lambda: register_enabled(dash_duo, "mapping"), 10, "Register enabled")
    press_register(dash_duo, "mapping")
    said = wait_text(dash_duo, ids.wizard_id("mapping", "result"), "Nothing was registered")
    assert "this server is read-only" in said
    assert registry_content(efs_registry) == before
    assert dash_duo.get_logs() == []


def test_what_the_browser_sends_back_cannot_widen_what_a_job_reads(
    empty_registry, tmp_path, uploads
):
    """The plan and the upload list live in the browser: a crafted one can name neither a
    file outside the form's uploads nor the folders a registration may read."""
    from app.components import wizard as wz
    from app.components import wizard_register, wizard_uploads
    from dsgrid_core.errors import InputError
    from dsgrid_core.jobs.store import JobStore
    from dsgrid_core.uploads import UploadStore

    app = make_app(empty_registry, tmp_path)
    before = registry_content(empty_registry)
    secret = tmp_path / "secret.csv"
    secret.write_text("id,name\nx,y\n")
    w = wz.Wizard(name="dimension", kind="dimension", title="A dimension config")
    plan = {
        "config": {"type": "geography", "name": "Taken", "file": str(secret)},
        "config_name": "../../elsewhere.json5",
        "params": {"data_roots": [str(tmp_path)]},
    }
    with app.server.test_request_context("/"):
        job_id = wizard_register.start_job(w, plan, None, "crafted")

    def ended():
        store = JobStore(empty_registry)
        try:
            job = store.get(job_id)
        finally:
            store.close()
        return job if job.status in ("succeeded", "failed") else None

    job = wait_until(ended, 30, "the job's end")
    assert job.status == "failed" and "outside the allowed folders" in job.error
    assert job.params["data_roots"] == [str(uploads / job.params["upload_session"])]
    # the config goes to the job as data, named by the form's kind (not the plan's name)
    assert job.params["config_name"] == "dimension.json5" and "config_file" not in job.params
    assert job.params["config_folder"] == job.params["data_roots"][0]
    assert registry_content(empty_registry) == before
    assert sessions(uploads) == []  # the job removed its folder

    store = UploadStore()
    session = store.new_session()
    store.add(session, "states.csv", STATES.encode())
    [entry] = store.files(session).values()
    assert (
        wizard_uploads.stored_path({"session": session, "stored": entry["stored"]}) == entry["path"]
    )
    for stored in ("../../secret.csv", str(secret), "manifest.json"):
        with pytest.raises(InputError, match="upload the file again"):
            wizard_uploads.stored_path({"name": "x", "session": session, "stored": stored})
    with pytest.raises(InputError, match="not valid"):
        wizard_uploads.stored_path({"session": "../" + session, "stored": entry["stored"]})


def test_a_viewer_of_a_read_only_remote_api_says_that_server_refused_and_registers_nothing(
    dash_duo, efs_registry, tmp_path, uploads
):
    """The wizards' server lets the browser register and sends the registration on; the
    registry's server is read-only and refuses: the form says which server refused and why."""
    from app import create_app
    from tests.api.live_server import serving

    before = registry_content(efs_registry)
    with serving(efs_registry, read_only=True, cache_dir=str(tmp_path / "apicache")) as url:
        app = create_app(None, api_url=url, host="127.0.0.1", cache_dir=str(tmp_path / "web"))
        start(dash_duo, app, "/register")
        said = wait_text(dash_duo, ids.wizard_id("landing", "permission"), "sent to")
        assert "lets this browser register" in said and url in said

        # the mapping form reads the remote registry's dimensions and records through its API
        dash_duo.wait_for_page(f"{dash_duo.server_url}/register/mapping")
        pick(dash_duo, ids.wizard_field("mapping", "from"), "model_years_2010_to_2050")
        pick(dash_duo, ids.wizard_field("mapping", "to"), "five_year_intervals")
        click(dash_duo, f"#{ids.wizard_id('mapping', 'skeleton')}")
        rows = wait_for_grid_rows(dash_duo, ids.MAPPING_GRID, ["from_id", "to_id"], 5)
        assert {r["from_id"] for r in rows} <= {str(y) for y in range(2010, 2051)}
        wait_until(lambda: register_enabled(dash_duo, "mapping"), 10, "Register enabled")
        press_register(dash_duo, "mapping")
        said = wait_text(dash_duo, ids.wizard_id("mapping", "result"), "Nothing was registered")
        assert f"the API server {url} refused: this server is read-only" in said
    assert registry_content(efs_registry) == before
    assert sessions(uploads) == []
    assert dash_duo.get_logs() == []
