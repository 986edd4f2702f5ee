"""Job worker processes.

``python -m dsgrid_core.jobs.worker REGISTRY JOB_ID`` runs one job (the detached process of
`dsgrid query run --background`); `dsgrid worker` (``serve``) claims and runs, one at a time,
the jobs a web server left queued for workers (DSGRID_JOB_RUNNER=workers).

A job runs in a thread while the main thread waits, so that signals are handled at once:
SIGUSR1 (sent by `dsgrid query cancel` or the API's cancel) interrupts the running statement
of a job whose cancel was asked for; in `dsgrid worker`, SIGTERM and SIGINT let the current
job finish and then stop the worker."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from dsgrid_core.jobs import runner
from dsgrid_core.jobs.dispatch import execute
from dsgrid_core.jobs.store import JobStore


def _interrupt_cancelled(registry: Path) -> None:
    store = JobStore(registry)
    try:
        with runner._LOCK:
            running = list(runner._RUNNING.items())
        for job_id, engine in running:
            if store.cancel_requested(job_id):
                engine.interrupt()
    finally:
        store.close()


def run_watched(registry: Path, job_id: str) -> str:
    """Run one job in a thread, the main thread left free for signals; its final status."""
    outcome: dict[str, str] = {}

    def target() -> None:
        outcome["status"] = execute(registry, job_id)

    thread = threading.Thread(target=target, name=f"dsgrid-job-{job_id}", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.2)
    return outcome.get("status", "failed")


def serve(
    registry: Path,
    *,
    poll: float = 1.0,
    once: bool = False,
    stop: threading.Event | None = None,
    report: Callable[[str, str, str], None] | None = None,
) -> int:
    """Claim and run waiting jobs until ``stop`` is set (or, with ``once``, until none
    waits); returns how many ran. Jobs of workers of this host that died are marked failed."""
    stop = stop or threading.Event()
    ran = 0
    while not stop.is_set():
        store = JobStore(registry)
        try:
            store.mark_interrupted()
            job = store.claim(os.getpid())
        finally:
            store.close()
        if job is None:
            if once:
                break
            stop.wait(poll)
            continue
        status = run_watched(registry, job.id)
        ran += 1
        if report is not None:
            report(job.id, job.kind, status)
    return ran


def interrupt_on_cancel(registry: Path) -> None:
    """SIGUSR1 interrupts the running statement of a job whose cancel was asked for."""
    signal.signal(signal.SIGUSR1, lambda signum, frame: _interrupt_cancelled(registry))


def stop_after_current_job(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set ``stop``: the worker ends once its current job has."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, frame: stop.set())


def main(argv: list[str]) -> int:
    registry, job_id = Path(argv[0]), argv[1]
    interrupt_on_cancel(registry)  # SIGTERM keeps its default: it ends this one-job process
    return 0 if run_watched(registry, job_id) == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
