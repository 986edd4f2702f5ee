"""Addresses and what the browser shows for them (issue 17, finding 9): an address no page has
is HTTP 404 with a page that says so and a way home; the language is declared; a component's
tab names the component."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from conftest import wait_until

from app import ids


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 (our own test server)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_an_unknown_address_is_a_404_page_with_a_way_home(dash_duo, viewer, efs_registry_template):
    dash_duo.start_server(viewer(efs_registry_template))
    base = dash_duo.server_url
    for known in ("/", "/datasets", "/query", "/register/mapping"):
        assert _status(base + known) == 200, known
    dataset = "test_efs_comstock"
    assert _status(f"{base}/datasets/{dataset}") == 200
    for unknown in ("/no-such-page", "/datasets/a/b"):
        assert _status(base + unknown) == 404, unknown

    dash_duo.wait_for_page(f"{base}/no-such-page")
    dash_duo.wait_for_text_to_equal("#not-found-title", "Page not found")
    assert dash_duo.driver.title == "Page not found · dsgrid-viewer"
    html = dash_duo.find_element("html")
    assert html.get_attribute("lang") == "en"
    dash_duo.find_element("#not-found-home").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.HOME_TITLE}", "dsgrid-viewer")
    assert dash_duo.driver.current_url.rstrip("/") == base.rstrip("/")
    # the one message: the browser's note of the 404 it was answered
    logs = dash_duo.get_logs()
    assert [entry["message"].split(" - ")[0] for entry in logs] == [f"{base}/no-such-page"]
    assert "404" in logs[0]["message"]


@pytest.mark.parametrize("path", ["/api/v1/nope", "/assets/no-such-file.css"])
def test_api_and_static_misses_keep_their_own_answers(path, viewer, efs_registry_template):
    client = viewer(efs_registry_template).server.test_client()
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype != "text/html" or path.startswith("/assets/")


def test_a_component_tab_names_the_component(dash_duo, viewer, efs_registry_template):
    dash_duo.start_server(viewer(efs_registry_template))
    for path, title in [
        ("/datasets/test_efs_comstock", "test_efs_comstock · Dataset · dsgrid-viewer"),
        ("/projects/test_efs", "test_efs · Project · dsgrid-viewer"),
        ("/datasets", "Datasets"),
    ]:
        dash_duo.wait_for_page(dash_duo.server_url + path)
        wait_until(lambda t=title: dash_duo.driver.title == t, 10, f"the tab title {title}")
