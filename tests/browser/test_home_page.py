"""The home page names the open registry and counts its components per kind."""

from __future__ import annotations

import pytest

from app import create_app, ids

pytestmark = pytest.mark.browser


def test_home_shows_title_and_counts_per_kind(dash_duo, make_components_registry):
    registry = make_components_registry(
        [
            ("project", "test_efs"),
            ("dataset", "efs_comstock"),
            ("dataset", "efs_resstock"),
            ("dimension", "county"),
            ("dimension", "sector"),
            ("dimension", "subsector"),
        ]
    )
    app = create_app(str(registry))

    dash_duo.start_server(app)

    dash_duo.wait_for_text_to_equal(f"#{ids.HOME_TITLE}", "dsgrid-viewer")
    dash_duo.wait_for_text_to_equal(f"#{ids.home_count_row('dataset')}", "dataset 2")
    assert dash_duo.find_element(f"#{ids.home_count_row('dimension')}").text == "dimension 3"
    assert dash_duo.find_element(f"#{ids.home_count_row('project')}").text == "project 1"
    assert str(registry) in dash_duo.find_element(f"#{ids.HOME_REGISTRY_PATH}").text
    assert dash_duo.driver.title == "dsgrid-viewer"
    assert dash_duo.get_logs() == []


def test_home_explains_a_folder_without_registry(dash_duo, tmp_path):
    app = create_app(str(tmp_path))

    dash_duo.start_server(app)

    dash_duo.wait_for_contains_text(f"#{ids.HOME_EMPTY}", "dsgrid registry create")
    assert dash_duo.get_logs() == []


def test_bootstrap_css_is_served_locally(dash_duo, make_components_registry):
    app = create_app(str(make_components_registry([])))

    dash_duo.start_server(app)

    dash_duo.wait_for_element(f"#{ids.HOME_EMPTY}")
    hrefs = [
        link.get_attribute("href") for link in dash_duo.find_elements("link[rel='stylesheet']")
    ]
    assert any(
        href.startswith(dash_duo.server_url) and "bootstrap.min.css" in href for href in hrefs
    )
    # Bootstrap's navbar rule applied: the CSS really loaded, not just linked.
    navbar = dash_duo.find_element(f"#{ids.NAVBAR}")
    assert navbar.value_of_css_property("display") == "flex"
    assert dash_duo.get_logs() == []
