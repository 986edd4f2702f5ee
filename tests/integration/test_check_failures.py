"""Data checks explain a failure with a few minimal patterns, never a dump; on request they
write the full list to Parquet; and they leave the registry exactly as it was.

Each test registers an edited copy of dsgrid's comstock_unpivoted dataset (under a new id) into
a copy of the registered test_efs registry, so only the edit can make the check fail."""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

UNPIVOTED_DIR = "test_efs/dsgrid_project/datasets/modeled/comstock_unpivoted"
UNPIVOTED_DATA = "datasets/test_efs_comstock_unpivoted"
COMSTOCK_DIR = "test_efs/dsgrid_project/datasets/modeled/comstock"
PROJECT_DIMENSIONS = "test_efs/dsgrid_project/dimensions"
VARYING = ["metric", "geography", "sector", "subsector"]  # the other dimensions are trivial
MAX_MESSAGE_LINES = 25


def _raw(test_data: Path) -> pd.DataFrame:
    return pd.read_parquet(test_data / UNPIVOTED_DATA / "load_data.parquet")


def _dataset(
    tmp_path: Path, test_data: Path, data: pd.DataFrame, dataset_id: str = "edited_comstock"
) -> Path:
    """The comstock_unpivoted config, dimension CSVs and missing associations, with ``data``."""
    folder = tmp_path / dataset_id
    shutil.copytree(test_data / UNPIVOTED_DIR / "dimensions", folder / "dimensions")
    shutil.copytree(
        test_data / UNPIVOTED_DATA / "missing_associations", folder / "missing_associations"
    )
    data.to_parquet(folder / "load_data.parquet", index=False)  # pandas: ns timestamps
    config = (test_data / UNPIVOTED_DIR / "dataset.json5").read_text()
    config = config.replace("../../../../../datasets/test_efs_comstock_unpivoted/", "")
    config = config.replace('"test_efs_comstock_unpivoted"', f'"{dataset_id}"')
    assert "../" not in config
    (folder / "dataset.json5").write_text(config)
    return folder / "dataset.json5"


def _expected_missing(test_data: Path, data: pd.DataFrame) -> set[tuple[str, ...]]:
    """Combinations of VARYING the dataset must have (every record of each dimension, minus
    the declared missing associations) that ``data`` lacks, computed with pandas only."""

    def ids(path: Path, column: str) -> pd.DataFrame:
        return pd.read_csv(path, dtype=str)[["id"]].rename(columns={"id": column})

    dims = test_data / UNPIVOTED_DIR / "dimensions"
    every = functools.reduce(
        lambda a, b: a.merge(b, how="cross"),
        [
            ids(dims / "comstock_enduses.csv", "metric"),
            ids(test_data / PROJECT_DIMENSIONS / "comstock_counties.csv", "geography"),
            ids(test_data / PROJECT_DIMENSIONS / "sectors.csv", "sector"),
            ids(dims / "comstock_subsectors.csv", "subsector"),
        ],
    )
    excused = [
        pd.read_csv(f, dtype=str)
        for f in (test_data / UNPIVOTED_DATA / "missing_associations").glob("*.csv")
    ]
    present = [data[VARYING].drop_duplicates()]
    for table in excused + present:
        merged = every.merge(table.drop_duplicates(), how="left", indicator=True)
        every = merged[merged["_merge"] == "left_only"].drop(columns="_merge")
    return set(every[VARYING].itertuples(index=False, name=None))


@pytest.fixture
def failed_registration(efs_registry, tmp_path, test_data, dsgrid, snapshot):
    """Register edited data as a new dataset; the check must refuse it and change nothing."""

    def run(data: pd.DataFrame, *options) -> str:
        config = _dataset(tmp_path, test_data, data)
        before = snapshot(efs_registry)
        result = dsgrid(
            "registry",
            "datasets",
            "register",
            config,
            "-l",
            "edited",
            *options,
            registry=efs_registry,
        )
        assert result.exit_code == 2, result
        assert "Traceback" not in result.stdout + result.stderr, result
        assert snapshot(efs_registry) == before, "the registry changed after a failed check"
        # legacy-key notes about the config come first; the failure itself follows
        message = "\n".join(
            line for line in result.stderr.splitlines() if not line.startswith("Note: ")
        )
        assert len(message.strip().splitlines()) <= MAX_MESSAGE_LINES, result.stderr
        shown = dsgrid("registry", "datasets", "show", "edited_comstock", registry=efs_registry)
        assert shown.exit_code == 2 and "no dataset 'edited_comstock'" in shown.stderr
        return message

    return run


def _missing_count(message: str) -> int:
    match = re.search(r"([\d,]+) combinations are missing", message)
    assert match, message
    return int(match.group(1).replace(",", ""))


def test_unedited_copy_registers(efs_registry, tmp_path, test_data, dsgrid):
    """The control for every test below: the copy as written by pandas (nanosecond, UTC
    timestamps) passes every check and stores the same instants as the original."""
    raw = _raw(test_data)
    config = _dataset(tmp_path, test_data, raw)
    result = dsgrid(
        "registry",
        "datasets",
        "register",
        config,
        "-l",
        "copy",
        registry=efs_registry,
        as_json=True,
    )
    assert result.exit_code == 0, result
    assert result.json()["items"][0]["row_count"] == len(raw)
    shown = dsgrid(
        "registry", "datasets", "show", "edited_comstock", registry=efs_registry, as_json=True
    ).json()
    stored = pd.read_parquet(efs_registry / "data" / shown["facts"]["data_path"])
    assert stored["timestamp"].min() == raw["timestamp"].min()
    assert stored["timestamp"].max() == raw["timestamp"].max()


def test_missing_county_is_one_pattern_and_the_full_list_is_written_on_request(
    failed_registration, tmp_path, test_data
):
    raw = _raw(test_data)
    data = raw[raw["geography"] != "06073"]
    report_dir = tmp_path / "report"
    message = failed_registration(data, "--report-dir", report_dir)
    assert "dimension associations are incomplete" in message
    assert "geography 06073 is missing entirely" in message
    assert "missing_associations" in message  # the fix: add data or declare them missing
    expected = _expected_missing(test_data, data)
    count = _missing_count(message)
    assert (
        count
        == len(expected)
        == len(raw.loc[raw["geography"] == "06073", VARYING].drop_duplicates())
    )
    report = pd.read_parquet(report_dir / "missing_associations.parquet")
    assert str(report_dir / "missing_associations.parquet") in message
    assert len(report) == count
    assert set(report[VARYING].itertuples(index=False, name=None)) == expected
    assert set(report["scenario"]) == {"baseline"}


def test_without_report_dir_the_message_says_how_to_get_the_list(failed_registration, test_data):
    raw = _raw(test_data)
    message = failed_registration(raw[raw["geography"] != "06073"])
    assert "--report-dir DIR" in message


def test_missing_subsector_in_one_county_is_one_pattern(failed_registration, test_data):
    raw = _raw(test_data)
    gone = (raw["geography"] == "06073") & (raw["subsector"] == "com__Hospital")
    message = failed_registration(raw[~gone])
    assert "subsector com__Hospital is missing for geography 06073" in message
    assert _missing_count(message) == len(raw.loc[gone, VARYING].drop_duplicates()) == 2
    assert len(message.strip().splitlines()) == 3  # headline, one pattern, how to get the list


def test_missing_hours_of_one_combination_are_named(failed_registration, test_data):
    raw = _raw(test_data)
    hours = sorted(raw["timestamp"].unique())[10:13]
    gone = (
        (raw["geography"] == "06073")
        & (raw["subsector"] == "com__Hospital")
        & (raw["metric"] == "com_fans")
        & raw["timestamp"].isin(hours)
    )
    message = failed_registration(raw[~gone])
    assert "1 combination(s) lack some time steps" in message
    for hour in hours:
        assert f"{pd.Timestamp(hour).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC" in message
    assert "com__Hospital" in message and "06073" in message and "com_fans" in message
    assert _missing_count(message) == gone.sum() == 3


def test_timestamps_shifted_by_an_hour_point_at_time_zone_and_interval(
    failed_registration, test_data
):
    raw = _raw(test_data)
    shifted = raw.assign(timestamp=raw["timestamp"] + pd.Timedelta(hours=1))
    message = failed_registration(shifted)
    outside = shifted["timestamp"].max()
    assert "1 distinct time value(s) in the data are not in the time dimension" in message
    assert f"{outside:%Y-%m-%d %H:%M:%S} UTC" in message
    assert f"data starts at {shifted['timestamp'].min():%Y-%m-%d %H:%M:%S} UTC" in message
    assert "time zone" in message and "period_beginning/period_ending" in message


def test_duplicate_rows_name_the_combination(failed_registration, test_data):
    raw = _raw(test_data)
    row = raw.iloc[5]
    message = failed_registration(pd.concat([raw, raw.iloc[[5]]], ignore_index=True))
    assert "1 combinations appear more than once" in message
    for dim in VARYING:
        assert f"{dim}={row[dim]}" in message
    assert f"timestamp={row['timestamp']:%Y-%m-%d %H:%M:%S}" in message
    assert "(2 rows)" in message


# --- the submission check ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def unsubmitted_template(tmp_path_factory, test_data) -> Path:
    """test_efs with test_efs_comstock registered but not yet submitted (built once)."""
    from click.testing import CliRunner

    from dsgrid_core.cli.main import cli

    path = tmp_path_factory.mktemp("unsubmitted") / "registry"
    assert CliRunner().invoke(cli, ["registry", "create", str(path)]).exit_code == 0
    for kind, config in (
        ("projects", "test_efs/dsgrid_project/project.json5"),
        ("datasets", f"{COMSTOCK_DIR}/dataset.json5"),
    ):
        result = CliRunner().invoke(
            cli,
            [
                "--registry",
                str(path),
                "registry",
                kind,
                "register",
                str(test_data / config),
                "-l",
                "setup",
                "--data-root",
                str(test_data),
            ],
        )
        assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def unsubmitted(unsubmitted_template, tmp_path) -> Path:
    target = tmp_path / "unsubmitted"
    shutil.copytree(unsubmitted_template, target)
    return target


def _mappings(tmp_path: Path, test_data: Path, drop_hospital: bool) -> Path:
    folder = tmp_path / "mappings"
    shutil.copytree(test_data / COMSTOCK_DIR / "dimension_mappings", folder / "dimension_mappings")
    shutil.copy(test_data / COMSTOCK_DIR / "dimension_mappings.json5", folder)
    if drop_hospital:
        csv = folder / "dimension_mappings" / "lookup_comstock_subsectors_to_project_subsectors.csv"
        text = csv.read_text()
        assert "com__Hospital,1,Hospital" in text
        csv.write_text(text.replace("com__Hospital,1,Hospital", "com__Hospital,1,"))
    return folder / "dimension_mappings.json5"


def _project_version(dsgrid, registry: Path) -> str:
    return dsgrid(
        "registry", "projects", "show", "test_efs", registry=registry, as_json=True
    ).json()["version"]


def test_submission_with_the_original_mappings_passes(unsubmitted, tmp_path, test_data, dsgrid):
    result = dsgrid(
        "registry",
        "projects",
        "submit-dataset",
        "--project",
        "test_efs",
        "--dataset",
        "test_efs_comstock",
        "--mappings",
        _mappings(tmp_path, test_data, drop_hospital=False),
        registry=unsubmitted,
    )
    assert result.exit_code == 0, result
    assert _project_version(dsgrid, unsubmitted) == "1.1.0"


def test_submission_that_drops_a_required_subsector_fails_and_changes_nothing(
    unsubmitted, tmp_path, test_data, dsgrid, snapshot
):
    mappings = _mappings(tmp_path, test_data, drop_hospital=True)
    version = _project_version(dsgrid, unsubmitted)
    before = snapshot(unsubmitted)
    report_dir = tmp_path / "report"
    result = dsgrid(
        "registry",
        "projects",
        "submit-dataset",
        "--project",
        "test_efs",
        "--dataset",
        "test_efs_comstock",
        "--mappings",
        mappings,
        "--report-dir",
        report_dir,
        registry=unsubmitted,
    )
    assert result.exit_code == 2, result
    message = result.stderr
    assert "Traceback" not in result.stdout + message
    assert "submission of test_efs_comstock to test_efs" in message
    assert "subsector Hospital is missing" in message
    assert len(message.strip().splitlines()) <= MAX_MESSAGE_LINES
    assert snapshot(unsubmitted) == before
    assert _project_version(dsgrid, unsubmitted) == version == "1.0.0"

    # Hospital is required in every county, end use and model year of the project.
    base = test_data / PROJECT_DIMENSIONS
    required = (
        len(pd.read_csv(base / "comstock_counties.csv"))
        * len(pd.read_csv(base / "enduses.csv"))
        * len(pd.read_csv(base / "model_years.csv"))
    )
    report = pd.read_parquet(report_dir / "missing_required_combinations.parquet")
    assert _missing_count(message) == len(report) == required
    assert set(report["subsector"]) == {"Hospital"} and set(report["sector"]) == {"com"}
