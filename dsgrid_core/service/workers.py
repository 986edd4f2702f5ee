"""Job workers (`dsgrid worker`): processes that run the jobs a server queued
(DSGRID_JOB_RUNNER=workers), stop after the current job when asked, and cancel it when its job
is cancelled; and whether this server leaves its jobs to them (`runs_in_workers`)."""

from dsgrid_core.jobs.dispatch import runs_in_workers
from dsgrid_core.jobs.worker import interrupt_on_cancel, serve, stop_after_current_job

__all__ = ["interrupt_on_cancel", "runs_in_workers", "serve", "stop_after_current_job"]
