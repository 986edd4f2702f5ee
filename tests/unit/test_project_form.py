"""The project form's "Build from fields" tab: each expected dataset gets the type dsgrid
requires (the dropdown's for a plain id, its own for ``id:type``), and an item the form cannot
read is named, under its field, with the allowed types."""

from __future__ import annotations

import importlib

import pytest

from dsgrid_core import forms
from dsgrid_core.config.load import validate_model
from dsgrid_core.config.project import ProjectConfig

# dsgrid's dataset types, as its documentation lists them
ALLOWED = "modeled, historical, benchmark, unspecified"
REFERENCES = [
    {"type": t, "dimension_id": f"{t}-id", "version": "1.0.0"}
    for t in (
        "geography",
        "sector",
        "subsector",
        "metric",
        "model_year",
        "weather_year",
        "scenario",
        "time",
    )
]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page module; Dash imports pages only for an app (register_page needs one)."""
    from app import create_app

    create_app(None, cache_dir=str(tmp_path_factory.mktemp("cache")))
    return importlib.import_module("app.pages.register_project")


def test_the_form_offers_every_dataset_type_dsgrid_takes(page):
    assert ", ".join(page.DATASET_TYPES) == ALLOWED


def test_each_dataset_takes_the_chosen_type_or_its_own(page):
    config, problems = page.project_config_from_fields(
        " mini ",
        "A minimal project",
        None,
        "comstock, eia:historical , tempo : Benchmark,, ",
        "modeled",
        REFERENCES,
    )
    assert problems == []
    assert config == {
        "project_id": "mini",
        "name": "A minimal project",
        "description": "",
        "datasets": [
            {"dataset_id": "comstock", "dataset_type": "modeled"},
            {"dataset_id": "eia", "dataset_type": "historical"},
            {"dataset_id": "tempo", "dataset_type": "benchmark"},
        ],
        "dimensions": {"base_dimension_references": REFERENCES},
    }
    model, notices = validate_model(ProjectConfig, config, "project.json5")
    assert notices == []
    assert [(d.dataset_id, d.dataset_type) for d in model.datasets] == [
        ("comstock", "modeled"),
        ("eia", "historical"),
        ("tempo", "benchmark"),
    ]


def test_an_unknown_type_is_named_with_its_item_under_the_datasets_field(page):
    config, problems = page.project_config_from_fields(
        "mini", "Mini", "", "comstock:modelled, eia, tempo:", "historical", REFERENCES
    )
    assert config["datasets"] == [{"dataset_id": "eia", "dataset_type": "historical"}]
    routed = forms.route_problems(problems, page.W.fields)
    assert routed["datasets"] == [
        f"'comstock:modelled': unknown dataset type 'modelled'; use one of {ALLOWED}.",
        f"'tempo:': no type after ':'; use one of {ALLOWED}.",
    ]
    assert routed["dataset_type"] == [] and routed[forms.GENERAL] == []


def test_a_dataset_without_a_type_asks_for_one_rather_than_a_default(page):
    config, problems = page.project_config_from_fields(
        "mini", "Mini", "", "comstock, eia:historical, :modeled, tempo", None, REFERENCES
    )
    assert config["datasets"] == [{"dataset_id": "eia", "dataset_type": "historical"}]
    routed = forms.route_problems(problems, page.W.fields)
    assert routed["dataset_type"] == [
        f"choose the type of comstock, tempo here, or give it as id:type in the list ({ALLOWED})."
    ]
    assert routed["datasets"] == ["':modeled': no dataset id."]


def test_no_datasets_need_no_type(page):
    config, problems = page.project_config_from_fields("mini", "Mini", "", " , ", None, REFERENCES)
    assert (config["datasets"], problems) == ([], [])
