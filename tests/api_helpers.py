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
