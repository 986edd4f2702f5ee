"""The registration forms' pure helpers: an uploaded config's file references pointed at the
stored uploads and back, configs from fields that the models accept (or whose problems name
the field), the live mapping check agreeing with registration's own rules, problems placed
under their fields, and the downloaded command running as it is."""

from __future__ import annotations

import shlex

import pytest

from dsgrid_core import forms, mapping_edit
from dsgrid_core.config.files import load_json5
from dsgrid_core.config.load import validate_dimension, validate_model
from dsgrid_core.config.mapping import MAPPING_RULES, DimensionMappingConfig, MappingType
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.data.records import load_mapping_records
from dsgrid_core.errors import ConfigError, InputError

PROJECT = "test_efs/dsgrid_project/project.json5"


def test_a_project_config_is_pointed_at_its_uploads_by_base_name(test_data):
    raw = load_json5(test_data / PROJECT)
    referenced = [holder[key] for _, holder, key in forms.file_references(raw)]
    assert "dimensions/subset/subsectors_by_sector.csv" in referenced
    assert "dimension_mappings/base_to_supplemental/lookup_county_to_state.csv" in referenced
    uploads = {forms.base_name(r): f"stored{i}.csv" for i, r in enumerate(referenced)}
    pointed, problems = forms.point_at_uploads(raw, uploads, "project.json5")
    assert problems == []
    assert sorted(forms.referenced_files(pointed)) == sorted(uploads.values())
    validate_model(ProjectConfig, pointed, "project.json5")
    back = forms.rename_references(pointed, {v: k for k, v in uploads.items()})
    assert sorted(forms.referenced_files(back)) == sorted(uploads)  # flat: beside the config
    assert raw["dimensions"]["base_dimensions"][0]["file"].startswith("dimensions/")  # untouched

    del uploads["lookup_county_to_state.csv"]
    _, problems = forms.point_at_uploads(raw, uploads, "project.json5")
    assert problems == [
        {
            "field": "dimensions.supplemental_dimensions[0].mapping.file",
            "message": "project.json5 refers to "
            "'dimension_mappings/base_to_supplemental/lookup_county_to_state.csv': upload "
            "lookup_county_to_state.csv too (files are matched by name).",
        }
    ]


def test_dataset_file_references_include_layout_files_and_associations():
    config = {
        "dimensions": [{"type": "metric", "records": [{"id": "file", "file": "x.csv"}]}],
        "data_layout": {
            "data_file": {"path": "load_data.parquet"},
            "lookup_data_file": {"path": "sub/lookup.csv"},
            "missing_associations": ["a.csv", "b.csv"],
        },
    }
    found = {where: holder[key] for where, holder, key in forms.file_references(config)}
    assert found == {
        "data_layout.data_file.path": "load_data.parquet",
        "data_layout.lookup_data_file.path": "sub/lookup.csv",
        "data_layout.missing_associations[0]": "a.csv",
        "data_layout.missing_associations[1]": "b.csv",
    }  # inline records are data, not file references


def test_a_dimension_from_fields_names_each_missing_or_wrong_field():
    config = forms.dimension_config(
        name="  US states ", description=None, type_="geography", class_="State", file="x.csv"
    )
    assert config == {
        "type": "geography",
        "name": "US states",
        "description": "",
        "class": "State",
        "file": "x.csv",
    }
    validate_dimension(config, "dimension.json5")
    with pytest.raises(ConfigError) as missing:
        validate_dimension(
            forms.dimension_config(
                name="", description="", type_="geography", class_=None, file="x"
            ),
            "dimension.json5",
        )
    assert missing.value.problems == [{"field": "name", "message": "required field is missing."}]
    with pytest.raises(ConfigError) as wrong:
        validate_dimension({**config, "class": "EnergyEndUse"}, "dimension.json5")
    routed = forms.route_problems(
        wrong.value.problems, {"name": ("name",), "class": ("class", "(top level)")}
    )
    assert "for metric dimensions, not geography" in routed["class"][0]
    assert routed[forms.GENERAL] == []


def test_a_dataset_config_takes_the_id_trivial_records_and_association_files():
    guess = {
        "dataset_id": "guess",
        "dataset_type": "modeled",
        "trivial_dimensions": ["scenario", "model_year"],
        "dimensions": [
            {"type": "time", "name": "guess time"},
            {"type": "scenario", "name": "guess scenario", "records": [{"id": "s", "name": "s"}]},
            {"type": "model_year", "name": "guess model_year", "records": [{"id": "m"}]},
            {"type": "metric", "name": "Given by the user"},
        ],
        "data_layout": {"table_format": "one_table"},
    }
    config, problems = forms.dataset_config(
        guess,
        dataset_id="my_data",
        description=" d ",
        dataset_type="historical",
        trivial={"scenario": {"id": "reference", "name": ""}, "model_year": {"id": " "}},
        missing_associations=["m1.csv"],
        guessed_id="guess",
    )
    assert config["dataset_id"] == "my_data" and config["description"] == "d"
    assert config["dataset_type"] == "historical"
    names = [d["name"] for d in config["dimensions"]]
    assert names == ["my_data time", "my_data scenario", "my_data model_year", "Given by the user"]
    assert config["dimensions"][1]["records"] == [{"id": "reference", "name": "reference"}]
    assert config["data_layout"]["missing_associations"] == ["m1.csv"]
    assert problems == [
        {"field": "trivial.model_year", "message": "give the id of the one model_year record."}
    ]
    assert guess["dataset_id"] == "guess"  # the guess itself is left alone


FROM, TO = ["a", "b", "c"], ["x", "y"]


def _rows(*triples):
    return mapping_edit.mapping_rows(
        [{"from_id": f, "to_id": t, "from_fraction": x} for f, t, x in triples]
    )


def test_the_live_mapping_check_points_at_the_rows_that_break_a_rule():
    rows = _rows(("a", "x", 1), ("b", "x", 0.5), ("c", "zz", "n/a"))
    check = mapping_edit.check_mapping_rows(
        rows, "many_to_one_aggregation", FROM, TO, from_name="'F'", to_name="'T'"
    )
    assert check["rows"][0] == []
    assert check["rows"][1] == [
        "the fractions of from_id 'b' sum to 0.5; many_to_one_aggregation needs 1 (or choose an "
        "*_explicit_multipliers type)."
    ]
    assert check["rows"][2] == [
        "'zz' is not a record of 'T'.",
        "from_fraction 'n/a' is not a number.",
    ]
    assert check["general"] == []
    shown = mapping_edit.rows_with_problems(rows, check)
    assert [bool(r["problem"]) for r in shown] == [False, True, True]

    unique = mapping_edit.check_mapping_rows(
        _rows(("a", "x", 1), ("b", "x", 1)), "one_to_one", FROM, TO
    )
    assert all("maps to each to_id once" in p[0] for p in unique["rows"])
    assert unique["general"][0].startswith("record(s) c of the from dimension have no row")
    assert mapping_edit.check_mapping_rows(rows, None, FROM, TO)["general"] == [
        "choose a mapping type."
    ]
    added = mapping_edit.added_row(rows)
    assert added["row"] == "3" and added["from_id"] == "" and added["from_fraction"] == 1.0
    empty = mapping_edit.check_mapping_rows([added], "one_to_one", FROM, TO)
    assert "from_id is empty." in empty["rows"][0]


@pytest.mark.parametrize("mapping_type", [t.value for t in MappingType])
def test_the_live_check_agrees_with_registration_for_every_mapping_type(mapping_type):
    """Every rule registration applies (dsgrid_core.data.records) is caught row by row, and a
    mapping the live check passes registers."""
    cases = [
        _rows(("a", "x", 1), ("b", "y", 1), ("c", "", 1)),
        _rows(("a", "x", 0.5), ("a", "y", 0.5), ("b", "x", 1), ("c", "y", 1)),
        _rows(("a", "x", 0.4), ("b", "x", 0.6), ("c", "y", 1)),
        _rows(("a", "x", 2), ("b", "y", 1), ("c", "y", 1)),
    ]
    config = {
        "mapping_type": mapping_type,
        "from_dimension": {"type": "metric", "name": "F"},
        "to_dimension": {"type": "metric", "name": "T"},
    }
    for rows in cases:
        live = mapping_edit.check_mapping_rows(rows, mapping_type, FROM, TO)
        flagged = any(live["rows"]) or live["general"]
        model, _ = validate_model(
            DimensionMappingConfig, {**config, "records": mapping_edit.mapping_records(rows)}, "m"
        )
        try:
            load_mapping_records(model, None, "m")
        except InputError:
            assert flagged, (mapping_type, rows, MAPPING_RULES[MappingType(mapping_type)])
        else:
            assert not flagged, (mapping_type, rows, live)


def test_an_uploaded_mapping_csv_is_read_in_the_users_names(tmp_path):
    stored = tmp_path / "u-3f2a.csv"  # the generated name an upload is stored under
    stored.write_text("from_id,to_id,from_fraction\na,x,1\nb,y,0.5\n")
    rows, problem = mapping_edit.rows_from_csv(stored, "my map.csv")
    assert problem is None
    assert [(r["from_id"], r["to_id"], r["from_fraction"], r["match"]) for r in rows] == [
        ("a", "x", 1.0, "uploaded"),
        ("b", "y", 0.5, "uploaded"),
    ]
    stored.write_text("from,to\na,x\n")
    assert mapping_edit.rows_from_csv(stored, "my map.csv") == (
        [],
        "my map.csv: a mapping CSV needs the columns from_id and to_id (missing from_id, "
        "to_id); it has from, to.",
    )
    stored.write_text("")
    rows, problem = mapping_edit.rows_from_csv(stored, "my map.csv")
    assert rows == [] and problem.startswith("my map.csv: the file is empty")
    assert str(tmp_path) not in problem  # no server path in what the form shows


def test_a_mapping_and_a_submission_get_the_registration_problems_registration_gives():
    from dsgrid_core.config.mapping import DatasetMappingsFile

    source, target = {"name": "F"}, {"name": "T"}
    from_records, to_records = [{"id": i} for i in FROM], [{"id": i} for i in TO]

    def problems(rows):
        standalone = forms.mapping_config(
            from_dimension={"type": "metric", "name": "F"},
            to_dimension={"type": "metric", "name": "T"},
            mapping_type="many_to_one_aggregation",
            description="",
            rows=rows,
        )
        submission = forms.dataset_mappings(
            [{"dimension_type": "metric", "mapping_type": "many_to_one_aggregation", "rows": rows}]
        )
        args = (source, target, from_records, to_records)
        return (
            mapping_edit.registration_problems(
                DimensionMappingConfig, standalone, "mapping.json5", *args
            ),
            mapping_edit.registration_problems(
                DatasetMappingsFile, submission, "dimension_mappings.json5", *args
            ),
        )

    one, two = problems(_rows(("a", "x", 0.5), ("b", "y", 1), ("c", "y", 1)))
    model, _ = validate_model(
        DimensionMappingConfig,
        {
            "mapping_type": "many_to_one_aggregation",
            "from_dimension": {"type": "metric", "name": "F"},
            "to_dimension": {"type": "metric", "name": "T"},
            "records": [
                {"from_id": "a", "to_id": "x", "from_fraction": 0.5},
                {"from_id": "b", "to_id": "y", "from_fraction": 1},
                {"from_id": "c", "to_id": "y", "from_fraction": 1},
            ],
        },
        "m",
    )
    with pytest.raises(InputError) as registration:
        load_mapping_records(model, None, "the rows")
    expected = [p["message"] for p in registration.value.problems] or [registration.value.message]
    assert [p["message"] for p in one] == [p["message"] for p in two] == expected
    assert problems(_rows(("a", "x", 1), ("b", "y", 1), ("c", "y", 1))) == ([], [])


def test_problems_go_under_the_field_they_concern():
    fields = {
        "config": ("project_id", "dimensions", "(top level)"),
        "files": (),
        "time_zone": ("dimensions[0].time_zone_format",),
    }
    routed = forms.route_problems(
        [
            {"field": "dimensions[0].time_zone_format.time_zone", "message": "unknown zone"},
            {"field": "dimensions.base_dimensions[2].type", "message": "bad type"},
            {"field": "project_id", "message": "required field is missing."},
            {"field": "files", "message": "upload x.csv"},
            {"field": "(top level)", "message": "no time dimension"},
            {"field": "other.thing", "message": "elsewhere"},
            {"field": "", "message": "in general"},
        ],
        fields,
    )
    assert routed == {
        "config": [
            "dimensions.base_dimensions[2].type: bad type",
            "project_id: required field is missing.",
            "no time dimension",
        ],
        "files": ["upload x.csv"],
        "time_zone": ["dimensions[0].time_zone_format.time_zone: unknown zone"],
        forms.GENERAL: ["other.thing: elsewhere", "in general"],
    }


def test_messages_name_the_files_as_the_user_uploaded_them():
    message = (
        "/srv/uploads/0123abcd/5f3e.csv: column 'value' should be double but has 1 value(s) that "
        "are not"
    )
    assert forms.readable(message, {"5f3e.csv": "load_data.csv"}, ["/srv/uploads/0123abcd"]) == (
        "load_data.csv: column 'value' should be double but has 1 value(s) that are not"
    )


def test_the_downloaded_command_runs_as_it_is(tmp_path, dsgrid, empty_registry, monkeypatch):
    (tmp_path / "states.csv").write_text("id,name\nCO,Colorado\nNY,New York\n")
    config = forms.dimension_config(
        name="Two states", description="", type_="geography", class_="State", file="states.csv"
    )
    (tmp_path / "dimension.json5").write_text(forms.json5_text(config, "A dimension config"))
    text = forms.cli_command(
        "dimension",
        "dimension.json5",
        registry=str(empty_registry),
        log_message="two states, from a form",
        files=["states.csv"],
    )
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert comments[-1] == "# Put these files beside dimension.json5: states.csv"
    argv = shlex.split(text.splitlines()[-1])
    assert argv[0] == "dsgrid"
    monkeypatch.chdir(tmp_path)
    result = dsgrid(*argv[1:])
    assert result.exit_code == 0, result
    assert "Registered dimension two_states" in result.stdout

    submit = forms.cli_command(
        "submission",
        "dimension_mappings.json5",
        registry=None,
        log_message="m",
        project_id="p",
        dataset_id="d",
    )
    assert shlex.split(submit.splitlines()[-1]) == [
        "dsgrid",
        "registry",
        "projects",
        "submit-dataset",
        "--project",
        "p",
        "--dataset",
        "d",
        "--mappings",
        "dimension_mappings.json5",
        "--log-message",
        "m",
    ]
