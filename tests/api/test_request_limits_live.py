"""Request shapes only a real HTTP server sees: a body declared far over the API's cap is
refused before it arrives, a chunked body (no Content-Length) is cut at the cap, and raw
paths climbing out of Dash's component folders are 404s, never a 500 or a file."""

from __future__ import annotations

import http.client
import json
import socket
import time
from urllib.parse import urlsplit

import pytest
from live_server import serving

CAP_KB = 64


@pytest.fixture
def server(empty_registry, tmp_path, monkeypatch):
    monkeypatch.setenv("DSGRID_MAX_JSON_BODY_KB", str(CAP_KB))
    with serving(empty_registry, cache_dir=str(tmp_path / "cache")) as url:
        yield urlsplit(url)


def _connection(server) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(server.hostname, server.port, timeout=20)


def test_a_declared_105_mb_body_is_refused_before_it_is_sent(server):
    started = time.monotonic()
    with socket.create_connection((server.hostname, server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/queries HTTP/1.1\r\n"
            + f"Host: {server.netloc}\r\n".encode()
            + b"Content-Type: application/json\r\n"
            + f"Content-Length: {105 * 2**20}\r\n\r\n".encode()
            + b'{"query": '  # and nothing more: the server must not wait for the rest
        )
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = json.loads(response.read())
    assert time.monotonic() - started < 5
    assert response.status == 413, body
    assert body["ok"] is False and body["error"]["type"] == "RequestEntityTooLarge"


def test_a_chunked_body_over_the_cap_is_refused(server):
    connection = _connection(server)
    chunk = b" " * 16384
    body = [b'{"query": {}, "pad": "', *[chunk] * (4 * CAP_KB // 16), b'"}']
    connection.request(
        "POST",
        "/api/v1/queries",
        body=iter(body),
        headers={"Content-Type": "application/json"},
        encode_chunked=True,
    )
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["type"] == "RequestEntityTooLarge"


def test_a_chunked_body_under_the_cap_is_read_as_usual(server):
    connection = _connection(server)
    connection.request(
        "POST",
        "/api/v1/queries",
        body=iter([b'{"query": ', b"{}}"]),
        headers={"Content-Type": "application/json"},
        encode_chunked=True,
    )
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status == 400, answer  # read and parsed: refused for its content only
    assert answer["error"]["type"] != "RequestEntityTooLarge"


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/../../etc/passwd",
        "/_dash-component-suites/..%2f..%2fetc/passwd",
        "/_dash-component-suites/dash/..%2f..%2f..%2f..%2fetc/passwd",
        "/_dash-component-suites/dash/../../../../etc/passwd",
        "/_dash-component-suites/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_dash_paths_out_of_the_component_folders_are_404(server, path):
    connection = _connection(server)
    connection.request("GET", path)
    response = connection.getresponse()
    content = response.read()
    assert response.status == 404, (response.status, content[:300])
    assert b"root:" not in content
