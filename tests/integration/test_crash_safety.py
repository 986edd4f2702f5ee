"""Crash trials: a bulk registration or a query killed with SIGKILL at a random moment leaves a
registry that `registry check` finds whole once it is next opened for writing: every component
it holds is complete (data files with their recorded size and hash, the row counts of a full
registration), leftovers are gone, interrupted jobs are marked failed, and nothing half-written
reaches the output folder."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dsgrid_core.jobs.store import JobStore
from dsgrid_core.registry.registry import Registry

FAST_TRIALS = 10
SLOW_TRIALS = 30


def _dsgrid(*args) -> list[str]:
    return [sys.executable, "-m", "dsgrid_core.cli.main", *map(str, args)]


def _kill_after(command: list[str], delay: float) -> int | None:
    """Run ``command``; SIGKILL it after ``delay`` seconds unless it ended; its exit code or
    None when it was killed."""
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        return process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None


def _kill_while_running(command: list[str], registry: Path, grace: float = 0.3) -> int | None:
    """Run ``command`` (a foreground query); SIGKILL it ``grace`` seconds after its job shows as
    running. Its exit code if it ended first, else None."""
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return process.returncode
        store = JobStore(registry)
        try:
            jobs = store.list(1)
        finally:
            store.close()
        if jobs and jobs[0].status == "running":
            time.sleep(grace)
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return None


@pytest.fixture(scope="module")
def complete(efs_registry_template):
    """What a finished bulk registration holds: dataset id -> row count; project versions."""
    with Registry(efs_registry_template, read_only=True) as registry:
        rows = {d.id: registry.show("dataset", d.id).row_count for d in registry.list("dataset")}
        versions = [r.version for r in registry.history("project", "test_efs")]
    return rows, versions


def _trial(seed: int, tmp_path, test_data, complete) -> str:
    rng = random.Random(seed)  # noqa: S311 - timing of a trial, not a secret
    registry = tmp_path / f"trial-{seed}"
    subprocess.run(_dsgrid("registry", "create", registry), check=True, capture_output=True)  # noqa: S603
    delay = rng.uniform(0.3, 1.8)
    code = _kill_after(
        _dsgrid("--registry", registry, "registry", "bulk-register",
                test_data / "test_efs_registration.json5"),
        delay,
    )  # fmt: skip
    with Registry(registry) as reg:  # opened for writing: recovery runs
        report = reg.check()
        assert report.ok, [f.line() for f in report.findings]
        rows, versions = complete
        held = {d.id: reg.show("dataset", d.id).row_count for d in reg.list("dataset")}
        for dataset_id, count in held.items():
            assert count == rows[dataset_id], dataset_id  # complete, never partial
        if reg.list("project"):
            history = [r.version for r in reg.history("project", "test_efs")]
            assert history == versions[: len(history)]
        assert not list((registry / "data" / ".staging").glob("*"))
    return "finished" if code == 0 else f"killed after {delay:.2f} s ({len(held)} datasets)"


@pytest.mark.parametrize("seed", range(FAST_TRIALS))
def test_a_killed_bulk_registration_leaves_a_whole_registry(seed, tmp_path, test_data, complete):
    _trial(seed, tmp_path, test_data, complete)


@pytest.mark.slow
def test_thirty_killed_bulk_registrations(tmp_path, test_data, complete, capsys):
    outcomes = [_trial(1000 + i, tmp_path, test_data, complete) for i in range(SLOW_TRIALS)]
    killed = [o for o in outcomes if o != "finished"]
    with capsys.disabled():
        print(f"\n{SLOW_TRIALS} crash trials: {len(killed)} killed mid-way, "
              f"{SLOW_TRIALS - len(killed)} finished first; all left a whole registry")  # fmt: skip
    assert len(killed) >= SLOW_TRIALS // 2  # the trials really interrupted the work


def test_a_killed_query_leaves_no_output_and_its_job_is_marked_failed(demo_registry, tmp_path):
    registry, _ = demo_registry
    copy = tmp_path / "registry"
    import shutil

    shutil.copytree(registry, copy)
    query = tmp_path / "q.json5"
    query.write_text(
        '{name: "slow", project: {project_id: "demo_us_buildings", dataset: {dataset_id: "slow",'
        ' source_datasets: [{dataset_id: "demo_comstock_like"}, {dataset_id:'
        ' "demo_resstock_like"}]}}, result: {aggregations: [{aggregation_function: "mean",'
        ' dimensions: {geography: ["geography"], metric: ["metric"], subsector: ["subsector"],'
        ' time: ["time"]}}]}}'
    )
    out = tmp_path / "out"
    # killed while its job runs (a fixed delay killed it before the job existed on a busy machine)
    code = _kill_while_running(
        _dsgrid("--registry", copy, "query", "run", query, "-o", out, "--overwrite"), copy
    )
    assert code is None, "the query finished before it could be killed"
    assert not (out / "slow").exists() or (out / "slow" / "metadata.json").exists()
    assert not [p for p in out.glob(".*")] if out.exists() else True  # no staging left
    with Registry(copy) as reg:  # recovery marks the job and removes the cache leftovers
        assert reg.check().ok
    store = JobStore(copy)
    try:
        last = store.list(1)[0]
    finally:
        store.close()
    assert last.status == "failed" and "interrupted" in last.error
    time.sleep(0)  # keep the kill and the check in one test for the job's pid to be gone
