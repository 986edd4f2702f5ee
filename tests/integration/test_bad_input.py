"""Bad input gets one clear message naming the file (and the field, line or row) and the fix,
exit code 2, no traceback, and leaves the registry (database and data folder) exactly as it
was. Inputs are copies of dsgrid's test_efs files, edited, or small configs written here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

PROJECT_DIR = "test_efs/dsgrid_project"
UNPIVOTED_DIR = "test_efs/dsgrid_project/datasets/modeled/comstock_unpivoted"
UNPIVOTED_DATA = "datasets/test_efs_comstock_unpivoted"
COUNTIES = "US Counties 2010 - ComStock Only"
COUNTY_IDS = ("06073", "06075", "08031", "08059", "36001", "36119", "48141", "48201")
STATE_OF = {"06": "CA", "08": "CO", "36": "NY", "48": "TX"}


@pytest.fixture(autouse=True)
def _no_extra_data_roots(monkeypatch):
    """Only --data-root may widen the allowed folders in these tests."""
    monkeypatch.delenv("DSGRID_DATA_ROOTS", raising=False)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _dimension(
    folder: Path,
    records: str | None,
    *,
    file: str = "records.csv",
    type_: str = "geography",
    name: str = "Counties",
    cls: str = "County",
    extra: str = "",
) -> Path:
    """A one-dimension config (and its records CSV unless ``records`` is None)."""
    if records is not None:
        _write(folder / file, records)
    return _write(
        folder / "dimension.json5",
        f'{{type: "{type_}", name: "{name}", class: "{cls}", file: "{file}"{extra}}}\n',
    )


def _county_to_state(
    folder: Path,
    rows: list[str],
    mapping_type: str = "many_to_one_aggregation",
    *,
    reverse: bool = False,
) -> Path:
    """A standalone mapping between the registered counties and states of test_efs."""
    _write(folder / "mapping.csv", "from_id,to_id,from_fraction\n" + "\n".join(rows) + "\n")
    ends = [f'{{type: "geography", name: "{COUNTIES}"}}', '{type: "geography", name: "US States"}']
    if reverse:
        ends.reverse()
    return _write(
        folder / "mapping.json5",
        f'{{mapping_type: "{mapping_type}", file: "mapping.csv",\n'
        f" from_dimension: {ends[0]},\n to_dimension: {ends[1]}}}\n",
    )


def _dataset(
    tmp_path: Path,
    test_data: Path,
    data: pd.DataFrame | None = None,
    *,
    dataset_id: str = "edited_comstock",
    data_file: str = "load_data.parquet",
) -> Path:
    """A copy of the comstock_unpivoted dataset config, its dimension CSVs and its missing
    associations, with ``data`` (default: the real data) written next to it."""
    folder = tmp_path / dataset_id
    shutil.copytree(test_data / UNPIVOTED_DIR / "dimensions", folder / "dimensions")
    shutil.copytree(
        test_data / UNPIVOTED_DATA / "missing_associations", folder / "missing_associations"
    )
    if data is None:
        data = pd.read_parquet(test_data / UNPIVOTED_DATA / "load_data.parquet")
    target = folder / data_file
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".csv":
        data.to_csv(target, index=False)
    else:
        data.to_parquet(target, index=False)
    config = (test_data / UNPIVOTED_DIR / "dataset.json5").read_text()
    config = config.replace(
        'path: "../../../../../datasets/test_efs_comstock_unpivoted/load_data.parquet"',
        f'path: "{data_file}"',
    )
    config = config.replace(
        '"../../../../../datasets/test_efs_comstock_unpivoted/missing_associations"',
        '"missing_associations"',
    )
    config = config.replace('"test_efs_comstock_unpivoted"', f'"{dataset_id}"')
    assert data_file in config and "../" not in config
    return _write(folder / "dataset.json5", config)


# --- malformed JSON5 --------------------------------------------------------------------------

MISSING_COMMA = '{\n  type: "geography",\n  name: "Counties"\n  class: "County",\n}\n'


@pytest.mark.parametrize(
    "command",
    [
        ("registry", "dimensions", "register"),
        ("registry", "dimension-mappings", "register"),
        ("registry", "projects", "register"),
        ("registry", "datasets", "register"),
        ("registry", "bulk-register"),
    ],
)
def test_malformed_json5_names_line_and_column(efs_registry, tmp_path, refused, command):
    config = _write(tmp_path / "config.json5", MISSING_COMMA)
    extra = () if command[-1] == "bulk-register" else ("-l", "x")
    stderr = refused(
        efs_registry,
        *command,
        config,
        *extra,
        expect=(
            f"{config}, line 4, column 3",
            "malformed JSON5",
            "a missing comma, quote or bracket",
        ),
    )
    assert stderr.strip().count("\n") == 0  # one paragraph


def test_malformed_project_file_points_at_the_line_after_a_dropped_comma(
    efs_registry, tmp_path, test_data, refused
):
    lines = (test_data / PROJECT_DIR / "project.json5").read_text().splitlines()
    at = lines.index('  name: "test_efs",')
    lines[at] = lines[at].rstrip(",")
    config = _write(tmp_path / "project.json5", "\n".join(lines) + "\n")
    refused(
        efs_registry,
        "registry",
        "projects",
        "register",
        config,
        "-l",
        "x",
        expect=(f"{config}, line {at + 2}, column 3", "malformed JSON5"),
    )


def test_unterminated_string_is_reported_on_its_line_in_one_paragraph(
    efs_registry, tmp_path, refused
):
    config = _write(tmp_path / "dimension.json5", '{\n  type: "geography,\n  name: "x"}\n')
    stderr = refused(
        efs_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(f"{config}, line 2, column 20", 'Unexpected "\\n"'),
    )
    assert stderr.strip().count("\n") == 0


def test_missing_config_file_is_named(efs_registry, tmp_path, refused):
    refused(
        efs_registry,
        "registry",
        "projects",
        "register",
        tmp_path / "nope.json5",
        "-l",
        "x",
        expect=(f"{tmp_path / 'nope.json5'}: file not found", "Check the path"),
    )


# --- unknown keys -----------------------------------------------------------------------------


def test_unknown_project_key_suggests_the_close_match(efs_registry, tmp_path, test_data, refused):
    text = (test_data / PROJECT_DIR / "project.json5").read_text()
    config = _write(
        tmp_path / "project.json5",
        text.replace('  description: "test project', '  descripton: "test project'),
    )
    refused(
        efs_registry,
        "registry",
        "projects",
        "register",
        config,
        "-l",
        "x",
        expect=(str(config), "unknown key 'descripton'", "Did you mean 'description'?"),
    )


def test_unknown_key_in_a_project_dimension_names_its_place(
    efs_registry, tmp_path, test_data, refused
):
    text = (test_data / PROJECT_DIR / "project.json5").read_text()
    text = text.replace('description: "Building types', 'descripton: "Building types')
    config = _write(tmp_path / "project.json5", text)
    refused(
        efs_registry,
        "registry",
        "projects",
        "register",
        config,
        "-l",
        "x",
        expect=(
            "dimensions.base_dimensions[2].descripton: unknown key 'descripton'",
            "Did you mean 'description'?",
        ),
    )


def test_unknown_dataset_keys_suggest_close_matches(efs_registry, tmp_path, test_data, refused):
    config = _dataset(tmp_path, test_data)
    text = config.read_text().replace('  data_source: "comstock"', '  data_sourc: "comstock"')
    config.write_text(text.replace("table_format:", "table_fromat:"))
    refused(
        efs_registry,
        "registry",
        "datasets",
        "register",
        config,
        "-l",
        "x",
        expect=(
            str(config),
            "data_sourc: unknown key 'data_sourc'",
            "Did you mean 'data_source'?",
            "data_layout.table_fromat: unknown key 'table_fromat'",
            "Did you mean 'table_format'?",
        ),
    )


@pytest.mark.parametrize(
    ("config_text", "key", "suggestion"),
    [
        (
            '{type: "geography", name: "C", class: "County", file: "c.csv", descripton: "x"}',
            "descripton",
            "description",
        ),
        (
            '{type: "time", time_type: "datetime", name: "T", time_interval_type:'
            ' "period_beginning", time_zone_format: {format_type: "aligned_in_absolute_time",'
            ' time_zone: "UTC"}, ranges: [{start: "2012-01-01 00:00:00",'
            ' end: "2012-01-01 23:00:00", str_format: "%Y-%m-%d %H:%M:%S", frequncy: "01:00:00"}]}',
            "frequncy",
            "frequency",
        ),
    ],
)
def test_unknown_dimension_key_suggests_the_close_match(
    efs_registry, tmp_path, refused, config_text, key, suggestion
):
    config = _write(tmp_path / "dimension.json5", config_text)
    stderr = refused(
        efs_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(str(config), f"unknown key '{key}'", f"Did you mean '{suggestion}'?"),
    )
    assert ".dimension." not in stderr  # pydantic's union tag is not part of the location


def test_unknown_mapping_key_suggests_the_close_match(efs_registry, tmp_path, refused):
    config = _county_to_state(tmp_path, [f"{c},{STATE_OF[c[:2]]},1" for c in COUNTY_IDS])
    config.write_text(config.read_text().replace("mapping_type:", "mapping_typ:"))
    refused(
        efs_registry,
        "registry",
        "dimension-mappings",
        "register",
        config,
        "-l",
        "x",
        expect=(str(config), "unknown key 'mapping_typ'", "Did you mean 'mapping_type'?"),
    )


# --- missing files and paths outside the allowed folders ------------------------------------


def test_missing_records_file_names_the_field_and_path(efs_registry, tmp_path, refused):
    config = _dimension(tmp_path / "dim", None, file="nope.csv")
    refused(
        efs_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(
            str(config),
            ".file = 'nope.csv'",
            "file not found",
            str(tmp_path / "dim" / "nope.csv"),
            "Fix the path",
        ),
    )


def test_missing_records_file_of_a_project_dimension(efs_registry, tmp_path, test_data, refused):
    project = tmp_path / "project"
    shutil.copytree(
        test_data / PROJECT_DIR, project, ignore=shutil.ignore_patterns("datasets", "queries")
    )
    (project / "dimensions" / "sectors.csv").unlink()
    refused(
        efs_registry,
        "registry",
        "projects",
        "register",
        project / "project.json5",
        "-l",
        "x",
        expect=("dimensions.base_dimensions[1].file = 'dimensions/sectors.csv'", "file not found"),
    )


@pytest.mark.parametrize(
    "path", ["../../../../etc/passwd", "../" * 30 + "etc/passwd", "/etc/passwd"]
)
def test_records_path_outside_the_config_folder_is_refused(efs_registry, tmp_path, refused, path):
    config = _dimension(tmp_path / "dim", None, file=path)
    refused(
        efs_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(
            str(config),
            f".file = '{path}' points outside the allowed folders",
            "--data-root DIR",
        ),
    )


def test_data_root_allows_a_folder_outside_the_config_folder(
    efs_registry, tmp_path, refused, dsgrid
):
    outside = _write(tmp_path / "outside" / "counties.csv", "id,name,state\n01001,A,AL\n")
    config = _dimension(tmp_path / "dim", None, file=str(outside), name="Outside Counties")
    refused(
        efs_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(f".file = '{outside}' points outside the allowed folders",),
    )
    result = dsgrid(
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        "--data-root",
        tmp_path / "outside",
        registry=efs_registry,
        as_json=True,
    )
    assert result.exit_code == 0, result
    assert result.json()["items"][0]["name"] == "Outside Counties"


def test_dataset_data_outside_its_folder_needs_data_root(
    efs_registry, tmp_path, test_data, refused, dsgrid
):
    config = _dataset(tmp_path, test_data)
    data = config.parent / "load_data.parquet"
    shutil.move(data, tmp_path / "elsewhere.parquet")
    config.write_text(
        config.read_text().replace('path: "load_data.parquet"', 'path: "../elsewhere.parquet"')
    )
    refused(
        efs_registry,
        "registry",
        "datasets",
        "register",
        config,
        "-l",
        "x",
        expect=(
            str(config),
            "data_layout.data_file.path = '../elsewhere.parquet' points "
            "outside the allowed folders",
            "--data-root",
        ),
    )
    result = dsgrid(
        "registry",
        "datasets",
        "register",
        config,
        "-l",
        "x",
        "--data-root",
        tmp_path,
        registry=efs_registry,
    )
    assert result.exit_code == 0, result


# --- bad CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "type_", "records", "expected"),
    [
        (
            "County",
            "geography",
            "id,name,state\n01001,A,AL\n01003,B,AL\n01001,C,AL\n",
            ("line 4: duplicate id '01001' (first on line 2)", "must be unique"),
        ),
        (
            "County",
            "geography",
            "id,name\n01001,A\n",
            (
                "record class County needs column(s) state",
                "the file has id, name",
                "Add the missing column",
            ),
        ),
        (
            "State",
            "geography",
            "id,name,is_conus\nCA,California,True\nXX,Nowhere,maybe\n",
            ("line 3: column is_conus must be True or False, got 'maybe'",),
        ),
        (
            "EnergyEndUse",
            "metric",
            # units are free text as in dsgrid (refused only when a conversion is asked); a
            # column the record class does not have is refused, as in dsgrid
            "id,name,fuel_id,unit,colour\nfans,Fans,electricity,kWh,red\n",
            ("record class EnergyEndUse has no column(s) colour", "id, name, fuel_id, unit"),
        ),
        (
            "County",
            "geography",
            "id,name,state\n01001,A,AL\n01003,B\n",
            ("line 3: 2 values but the header has 3 columns",),
        ),
    ],
)
def test_bad_records_csv_names_file_and_line(
    efs_registry, tmp_path, refused, cls, type_, records, expected
):
    config = _dimension(tmp_path / "dim", records, cls=cls, type_=type_)
    csv = tmp_path / "dim" / "records.csv"
    refused(
        efs_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(str(csv), *expected),
    )


def test_non_numeric_value_in_dataset_file_is_named(efs_registry, tmp_path, test_data, refused):
    data = pd.read_parquet(test_data / UNPIVOTED_DATA / "load_data.parquet")
    data["value"] = data["value"].astype(str)
    data.loc[100, "value"] = "abc"
    config = _dataset(tmp_path, test_data, data, data_file="load_data.csv")
    refused(
        efs_registry,
        "registry",
        "datasets",
        "register",
        config,
        "-l",
        "x",
        expect=(
            str(config.parent / "load_data.csv"),
            "column 'value' should be double",
            "1 value(s)",
            "'abc'",
            "Fix those values",
        ),
    )


# --- mappings ---------------------------------------------------------------------------------


def test_aggregation_fractions_that_do_not_sum_name_from_id_and_sum(
    efs_registry, tmp_path, refused
):
    rows = [f"{c},{STATE_OF[c[:2]]},{0.5 if c == '06073' else 1}" for c in COUNTY_IDS]
    config = _county_to_state(tmp_path, rows)
    refused(
        efs_registry,
        "registry",
        "dimension-mappings",
        "register",
        config,
        "-l",
        "x",
        expect=(
            str(tmp_path / "mapping.csv"),
            "many_to_one_aggregation",
            "sum to 1 per from_id",
            "06073 (sum 0.5)",
            "Fix the fractions",
        ),
    )


def test_disaggregation_fractions_that_do_not_sum_name_from_id_and_sum(
    efs_registry, tmp_path, refused
):
    shares = {"06073": 0.5, "06075": 0.4}
    rows = [f"{STATE_OF[c[:2]]},{c},{shares.get(c, 0.5)}" for c in COUNTY_IDS]
    config = _county_to_state(tmp_path, rows, "one_to_many_disaggregation", reverse=True)
    refused(
        efs_registry,
        "registry",
        "dimension-mappings",
        "register",
        config,
        "-l",
        "x",
        expect=(str(tmp_path / "mapping.csv"), "one_to_many_disaggregation", "CA (sum 0.9)"),
    )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("06073,CA,1", "99999,CA,1"),
            ("from_id(s) 99999 are not records of dimension 'US Counties 2010 - ComStock Only'",),
        ),
        (("48201,TX,1", "48201,TXX,1"), ("to_id(s) TXX are not records of dimension 'US States'",)),
    ],
)
def test_mapping_with_unknown_ids_names_them(efs_registry, tmp_path, refused, edit, expected):
    rows = [f"{c},{STATE_OF[c[:2]]},1" for c in COUNTY_IDS]
    rows = [edit[1] if r == edit[0] else r for r in rows]
    config = _county_to_state(tmp_path, rows)
    refused(
        efs_registry,
        "registry",
        "dimension-mappings",
        "register",
        config,
        "-l",
        "x",
        expect=(str(tmp_path / "mapping.csv"), *expected, "Correct those ids"),
    )


# --- unknown record ids in data ---------------------------------------------------------------


def test_unknown_record_ids_in_data_name_column_id_and_rows(
    efs_registry, tmp_path, test_data, refused
):
    data = pd.read_parquet(test_data / UNPIVOTED_DATA / "load_data.parquet")
    bad = (data["geography"] == "06073") & (data["metric"] == "com_fans")
    data.loc[bad, "geography"] = "99999"
    config = _dataset(tmp_path, test_data, data)
    refused(
        efs_registry,
        "registry",
        "datasets",
        "register",
        config,
        "-l",
        "x",
        expect=(
            "dataset edited_comstock",
            "geography id(s) are not records",
            f"'99999' ({int(bad.sum()):,} rows)",
            "add these records to the dimension",
        ),
    )


# --- versions and ids -------------------------------------------------------------------------


def test_stale_version_on_update_is_refused(efs_registry, tmp_path, dsgrid, refused):
    config = _dimension(tmp_path / "dim", "id,name,state\n01001,A,AL\n", name="My Counties")
    first = dsgrid(
        "registry", "dimensions", "register", config, "-l", "x", registry=efs_registry, as_json=True
    )
    assert first.exit_code == 0, first
    dim_id = first.json()["items"][0]["id"]
    _write(tmp_path / "dim" / "records.csv", "id,name,state\n01001,A,AL\n01003,B,AL\n")
    update = (
        "registry",
        "dimensions",
        "update",
        dim_id,
        config,
        "--update-type",
        "minor",
        "--log-message",
        "add B",
    )
    ok = dsgrid(*update, "--version", "1.0.0", registry=efs_registry)
    assert ok.exit_code == 0, ok
    _write(tmp_path / "dim" / "records.csv", "id,name,state\n01001,A,AL\n01005,C,AL\n")
    refused(
        efs_registry,
        *update,
        "--version",
        "1.0.0",
        expect=(
            f"'{dim_id}' is at version 1.1.0, not 1.0.0",
            "--version 1.1.0",
            f"history {dim_id}",
        ),
    )


def test_project_registered_twice_is_refused(efs_registry, test_data, refused):
    refused(
        efs_registry,
        "registry",
        "projects",
        "register",
        test_data / PROJECT_DIR / "project.json5",
        "-l",
        "x",
        expect=(
            "project 'test_efs' is already registered",
            "dsgrid registry projects update test_efs",
            "--version 1.2.0",
        ),
    )


def test_dimension_registered_twice_is_refused(efs_registry, tmp_path, dsgrid, refused):
    config = _dimension(tmp_path / "dim", "id,name,state\n01001,A,AL\n", name="Twice")
    assert (
        dsgrid(
            "registry", "dimensions", "register", config, "-l", "x", registry=efs_registry
        ).exit_code
        == 0
    )
    refused(
        efs_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(
            "geography dimension 'Twice' is already registered with the same content "
            "as 'twice' version 1.0.0",
        ),
    )


def test_same_name_other_records_is_a_second_dimension_as_in_dsgrid(efs_registry, tmp_path, dsgrid):
    """dsgrid tells dimensions apart by id: a dataset bringing its own 'sector' registers a
    second dimension of that name. We do the same, say so, and refuse the name alone where it
    no longer picks one dimension."""
    from dsgrid_core.errors import InputError
    from dsgrid_core.registry.registry import Registry

    config = _dimension(tmp_path / "dim", "id,name,state\n01001,A,AL\n", name="Twice")
    first = dsgrid("registry", "dimensions", "register", config, "-l", "x", registry=efs_registry)
    assert first.exit_code == 0, first
    _write(tmp_path / "dim" / "records.csv", "id,name,state\n01003,B,AL\n")
    second = dsgrid("registry", "dimensions", "register", config, "-l", "x", registry=efs_registry)
    assert second.exit_code == 0, second
    assert "Note: geography dimension 'Twice' is registered as 'twice_geography'" in second.stderr
    assert "already used by 'twice'" in second.stderr
    with Registry(efs_registry, read_only=True) as registry:
        named = registry.store.list_components("dimension", "geography")
        assert sorted(c.id for c in named if c.name == "Twice") == ["twice", "twice_geography"]
        records = registry.store.dimension_records("twice_geography", "1.0.0")
        assert [r["id"] for r in records] == ["01003"]
        with pytest.raises(InputError, match="2 registered geography dimensions are named"):
            registry.find_dimension("geography", "Twice")
        assert registry.find_dimension("geography", dimension_id="twice").id == "twice"


def test_dataset_registered_twice_is_refused(efs_registry, test_data, refused):
    config = test_data / "test_efs/dsgrid_project/datasets/modeled/comstock/dataset.json5"
    refused(
        efs_registry,
        "registry",
        "datasets",
        "register",
        config,
        "-l",
        "x",
        "--data-root",
        test_data,
        expect=(
            "dataset 'test_efs_comstock' is already registered",
            "dsgrid registry datasets update test_efs_comstock",
        ),
    )


def test_mapping_registered_twice_is_refused(efs_registry, tmp_path, refused):
    config = _county_to_state(tmp_path, [f"{c},{STATE_OF[c[:2]]},1" for c in COUNTY_IDS])
    refused(
        efs_registry,
        "registry",
        "dimension-mappings",
        "register",
        config,
        "-l",
        "x",
        expect=("already registered as 'us_counties_2010_comstock_only__to__us_states'",),
    )


@pytest.mark.parametrize(
    ("group", "typo", "suggestion"),
    [
        ("projects", "test_ef", "Did you mean test_efs?"),
        ("datasets", "test_efs_comstok", "Did you mean test_efs_comstock"),
        ("dimensions", "us_counties_2010", "us_counties_2010_comstock_only"),
    ],
)
def test_unknown_id_in_show_suggests_close_matches(efs_registry, refused, group, typo, suggestion):
    refused(efs_registry, "registry", group, "show", typo, expect=(f"'{typo}'", suggestion))


def test_unknown_version_in_show_lists_the_versions(efs_registry, refused):
    refused(
        efs_registry,
        "registry",
        "projects",
        "show",
        "test_efs",
        "--version",
        "9.9.9",
        expect=("has no version 9.9.9", "1.0.0, 1.1.0, 1.2.0"),
    )


def test_submitting_a_dataset_the_project_does_not_list_is_refused(efs_registry, refused):
    refused(
        efs_registry,
        "registry",
        "projects",
        "submit-dataset",
        "--project",
        "test_efs",
        "--dataset",
        "test_efs_comstock_time_in_parts",
        expect=(
            "project 'test_efs' does not expect dataset 'test_efs_comstock_time_in_parts'",
            "it expects: test_efs_comstock, test_efs_comstock_unpivoted",
            "dsgrid registry projects update",
        ),
    )


def test_removing_a_dimension_in_use_names_its_users(efs_registry, refused):
    refused(
        efs_registry,
        "registry",
        "dimensions",
        "remove",
        "us_counties_2010_comstock_only",
        expect=(
            "cannot remove dimension 'us_counties_2010_comstock_only'",
            "project test_efs",
            "dataset test_efs_comstock",
            "Remove those first",
        ),
    )
