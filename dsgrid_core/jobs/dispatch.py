"""Where a job runs once created.

By default (DSGRID_JOB_RUNNER=thread) the web server runs a job in a thread of the worker that
created it. With DSGRID_JOB_RUNNER=workers it leaves the job queued without an owner, and a
`dsgrid worker` process claims it from the registry's jobs table: jobs then survive restarts
of web workers and do not share their CPU. Either way the job's record is the one place its
state is kept, so any process can report on it or cancel it."""

from __future__ import annotations

import threading
from pathlib import Path

from dsgrid_core.errors import InputError
from dsgrid_core.jobs.registration import execute_registration_job
from dsgrid_core.jobs.runner import execute_job
from dsgrid_core.jobs.store import load_job
from dsgrid_core.settings import get as setting

RUNNERS = ("thread", "workers")


def runs_in_workers() -> bool:
    """Whether jobs created by the web server are left to `dsgrid worker` processes."""
    runner = setting("DSGRID_JOB_RUNNER")
    if runner not in RUNNERS:
        raise InputError(
            f"DSGRID_JOB_RUNNER is '{runner}'; set it to one of: {', '.join(RUNNERS)}."
        )
    return runner == "workers"


def execute(registry_path: Path, job_id: str) -> str:
    """Run one job of any kind to the end in this process; returns its final status."""
    job = load_job(registry_path, job_id)
    run = {"query": execute_job, "register": execute_registration_job}[job.kind]
    return run(Path(registry_path), job_id)


def start(registry_path: Path, job_id: str) -> threading.Thread | None:
    """Run a job just created in a thread of this process, or, when it was created for a
    worker, leave it queued (returns None)."""
    job = load_job(registry_path, job_id)
    if job.status == "queued" and job.pid is None:
        return None
    thread = threading.Thread(
        target=execute,
        args=(Path(registry_path), job_id),
        daemon=True,
        name=f"dsgrid-{job.kind}-{job_id}",
    )
    thread.start()
    return thread
