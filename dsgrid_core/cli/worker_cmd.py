"""`dsgrid worker`: run the jobs a web server leaves to workers (DSGRID_JOB_RUNNER=workers)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click

from dsgrid_core.cli.main import open_registry


@click.command("worker")
@click.option(
    "--poll",
    type=click.FloatRange(0.05, 60),
    default=1.0,
    show_default=True,
    help="Seconds between looks at the queue when it is empty.",
)
@click.option("--once", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.pass_context
def worker(ctx: click.Context, poll: float, once: bool) -> None:
    """Claim and run, one at a time, the query and registration jobs a web server started
    with DSGRID_JOB_RUNNER=workers left queued in the registry's jobs table.

    Run one or more on the web server's machine (registration jobs read the uploads in
    DSGRID_UPLOAD_DIR). SIGTERM or Ctrl-C stops the worker after its current job; a worker
    that dies leaves its job failed as interrupted, never half-registered."""
    from dsgrid_core.service.workers import (  # late: keeps dsgrid --help fast
        interrupt_on_cancel,
        serve,
        stop_after_current_job,
    )

    with open_registry(ctx, read_only=True) as registry:
        registry_path = Path(registry.path)
    stop = threading.Event()
    interrupt_on_cancel(registry_path)
    stop_after_current_job(stop)
    as_json = ctx.obj.get("json")

    def report(job_id: str, kind: str, status: str) -> None:
        if as_json:  # one JSON object per line, as each job ends
            click.echo(json.dumps({"job": job_id, "kind": kind, "status": status}))
        else:
            click.echo(f"job {job_id} ({kind}): {status}")

    if not once and not as_json:
        click.echo(f"dsgrid worker on {registry_path}: waiting for jobs (Ctrl-C stops)")
    ran = serve(registry_path, poll=poll, once=once, stop=stop, report=report)
    if not as_json:
        click.echo(f"{ran} job(s) run")
