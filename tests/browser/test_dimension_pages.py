"""Dimensions: list -> filter -> open -> records grid -> back, on the test_efs registry."""

from __future__ import annotations

import pytest
from conftest import choose, grid_cells, scroll_to, wait_for_cells

from app import ids

pytestmark = pytest.mark.browser


def test_list_filter_open_and_back(dash_duo, viewer, efs_registry_template):
    dash_duo.start_server(viewer(efs_registry_template))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/dimensions")
    grid = ids.list_grid("dimensions")
    # test_efs's 18 dimension files, and the 7 that dsgrid makes at project registration (as
    # dsgrid-toolkit 0.4 does): all_test_efs_<type>s for the 6 non-metric, non-time types and one
    # per subset group
    dash_duo.wait_for_text_to_equal(f"#{ids.list_count('dimensions')}", "25 dimensions")

    choose(dash_duo, ids.list_filter("dimensions", "type"), "geography")
    dash_duo.wait_for_text_to_equal(f"#{ids.list_count('dimensions')}", "5 dimensions")
    assert "type=geography" in dash_duo.driver.current_url
    dash_duo.wait_for_contains_text(f"#{grid}", "us_counties_2010_comstock_only")
    assert sorted(grid_cells(dash_duo, grid, "id")) == [
        "all_test_efs_geographies",
        "us_census_divisions",
        "us_census_regions",
        "us_counties_2010_comstock_only",
        "us_states",
    ]

    # the fourth row: below the fold of the test's small window since "all" joined the list
    link = dash_duo.find_element(f"#{grid} a[href='/dimensions/us_counties_2010_comstock_only']")
    scroll_to(dash_duo, link)
    link.click()
    dash_duo.wait_for_text_to_equal(f"#{ids.COMPONENT_TITLE}", "US Counties 2010 - ComStock Only")
    dash_duo.wait_for_contains_text(f"#{ids.DIMENSION_RECORDS}", "San Diego County")
    counties = wait_for_cells(dash_duo, ids.DIMENSION_RECORDS, "id", 8)
    assert counties[0] == "06073"
    assert "records" in dash_duo.find_element(f"#{ids.DIMENSION_FACTS}").text
    dash_duo.wait_for_contains_text(f"#{ids.WHERE_USED}", "test_efs")

    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal(f"#{ids.list_count('dimensions')}", "5 dimensions")
    assert dash_duo.get_logs() == []
