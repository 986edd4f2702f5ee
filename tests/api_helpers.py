"""Checks of the API's JSON envelope, shared by the API tests."""

from __future__ import annotations


def ok(response, status: int = 200):
    """The data of an ok answer, after checking the envelope."""
    body = response.get_json()
    assert response.status_code == status, body
    assert body["ok"] is True and body["status"] == status
    return body


def failed(response, status: int) -> dict:
    """The error of a failed answer, after checking the envelope."""
    body = response.get_json()
    assert response.status_code == status, body
    assert body["ok"] is False and body["status"] == status
    assert body["error"]["message"]
    return body["error"]


def scenario_dimension(name: str, description: str, ids: dict[str, str]) -> dict:
    """A self-contained scenario dimension config (records inline), for registrations over
    the API: ``ids`` maps each record id to its name."""
    return {
        "type": "scenario",
        "class": "Scenario",
        "name": name,
        "description": description,
        "records": [{"id": i, "name": n} for i, n in ids.items()],
    }
