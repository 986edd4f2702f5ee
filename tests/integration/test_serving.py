"""Serving for real: `dsgrid serve`, gunicorn with `app:server`, and the read cache in Redis
(a redis-server the test starts). Everything binds to 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
        return response.status, response.read()


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            return _get(url)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.parametrize("server", ["dsgrid serve", "gunicorn"])
def test_the_viewer_serves_pages_and_api(server, efs_registry, tmp_path):
    port = _free_port()
    env = {**os.environ, "DSGRID_REGISTRY": str(efs_registry), "DSGRID_CACHE_DIR": str(tmp_path)}
    if server == "gunicorn":
        command = [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--timeout", "60", "app:server",
        ]  # fmt: skip
    else:
        command = [sys.executable, "-m", "dsgrid_core.cli.main", "serve", "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - our own server
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        status, body = _wait_for(f"http://127.0.0.1:{port}/api/v1/health", process)
        assert status == 200 and json.loads(body)["data"]["registry"] == str(efs_registry)
        # several requests, which gunicorn spreads over its workers
        for _ in range(6):
            status, body = _get(f"http://127.0.0.1:{port}/api/v1/summary")
            counts = json.loads(body)["data"]["counts"]
            # with the 7 dimensions and 7 mappings dsgrid makes at project registration
            assert counts == {"project": 1, "dataset": 3, "dimension": 25, "dimension_mapping": 15}
        status, page = _get(f"http://127.0.0.1:{port}/datasets")
        assert status == 200 and b"dsgrid-viewer" in page
    finally:
        _stop(process)


@pytest.fixture
def redis_url(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed (apt-get install redis-server; scripts/test.sh does)")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - Debian's redis-server on loopback
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0", client
    _stop(process)


def test_reads_are_cached_in_redis_and_dropped_when_the_registry_changes(
    redis_url, efs_registry, dsgrid
):
    from app import create_app

    url, redis_client = redis_url
    app = create_app(str(efs_registry), cache_redis_url=url)
    client = app.server.test_client()
    first = client.get("/api/v1/datasets?limit=10").get_json()
    keys = set(redis_client.keys("dsgrid:*"))
    assert len(keys) >= 2  # the registry state and the cached list
    assert client.get("/api/v1/datasets?limit=10").get_json() == first
    assert set(redis_client.keys("dsgrid:*")) == keys  # answered from the cache

    result = dsgrid("registry", "datasets", "remove", "test_efs_comstock_time_in_parts",
                    registry=efs_registry)  # fmt: skip
    assert result.exit_code == 0, result
    after = client.get("/api/v1/datasets?limit=10").get_json()
    assert {d["id"] for d in after["data"]} == {d["id"] for d in first["data"]} - {
        "test_efs_comstock_time_in_parts"
    }
    assert not keys & set(redis_client.keys("dsgrid:*")) - {b"dsgrid:dsgrid:registry-state"}
