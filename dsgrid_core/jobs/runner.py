"""Running query jobs: in a thread or a `dsgrid worker` (web server: jobs.submit checks and
creates them, jobs.dispatch runs them), in a detached process (CLI --background), or in the
foreground (CLI). Cancel and time limits interrupt the engine mid-statement."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from dsgrid_core.engine.base import QueryInterrupted
from dsgrid_core.errors import ConflictError, DsgridError, NotFoundError
from dsgrid_core.jobs.store import JobStore
from dsgrid_core.registry.registry import Registry

_RUNNING: dict[str, Any] = {}  # job id -> engine, for jobs running in this process
_LOCK = threading.Lock()


class JobCancelled(Exception):
    pass


class _Progress:
    """Progress callback handed to the query runner: records stages, exposes the engine."""

    def __init__(self, store: JobStore, job_id: str):
        self.store, self.job_id = store, job_id
        self._engine = None
        self.stage = -1  # the stage begun last (run.STAGES); -1 before the first

    def __call__(self, done: int, total: int, message: str) -> None:
        self.stage = done
        self.store.progress(self.job_id, done, total, message)

    def writing(self, folder: Path) -> None:
        """A folder the run writes: removed by whoever finds this job's process gone."""
        self.store.note_writing(self.job_id, folder)

    @property
    def engine(self):
        return self._engine

    @engine.setter
    def engine(self, value) -> None:
        self._engine = value
        with _LOCK:
            _RUNNING[self.job_id] = value
        if self.store.cancel_requested(self.job_id):
            value.interrupt()


def _new_query_job(
    store: JobStore,
    query,
    *,
    engine: str,
    time_limit: float | None,
    output_dir: str | None,
    use_cache: bool,
    for_worker: bool = False,
    use_summaries: bool = True,
):
    """A queued query job; ``query`` a dict or a parsed model (stored as JSON)."""
    from dsgrid_core.query.run import STAGES  # late: pydantic

    params = query if isinstance(query, dict) else query.model_dump(mode="json")
    options = {"output_dir": output_dir, "use_cache": use_cache}
    if not use_summaries:  # kept only when off: older jobs have no such key
        options["use_summaries"] = False
    return store.create(
        "query",
        {"query": params, "engine": engine, **options},
        stages_total=len(STAGES),
        time_limit=time_limit,
        for_worker=for_worker,
    )


def create_query_job(
    registry_path: Path,
    query_dict: dict[str, Any],
    *,
    engine: str,
    time_limit: float | None = None,
    output_dir: str | None = None,
    use_cache: bool = True,
    for_worker: bool = False,
    use_summaries: bool = True,
) -> str:
    store = JobStore(registry_path)
    try:
        job = _new_query_job(
            store,
            query_dict,
            engine=engine,
            time_limit=time_limit,
            output_dir=output_dir,
            use_cache=use_cache,
            for_worker=for_worker,
            use_summaries=use_summaries,
        )
    finally:
        store.close()
    return job.id


def execute_job(registry_path: Path, job_id: str, *, refusals_raise: bool = False) -> str:
    """Run a queued job (created by another process, or by a server for a thread or a
    worker) to the end; returns its final status.

    With ``refusals_raise``, a query refused before it runs (bad input found while resolving
    or planning it: an unknown name, a filter that selects nothing) leaves no job behind: its
    record is deleted and the error raised, as for any other bad input. A failure once the
    engine has started is kept as a failed job."""
    from dsgrid_core.query.run import parse_query  # late: pydantic

    store = JobStore(registry_path)
    try:
        job = store.get(job_id)
        if job is None:
            raise NotFoundError(f"no job '{job_id}'.")
        store.start(job_id, os.getpid())

        @contextmanager
        def prepared():  # inside the run: a failure here is the job's failure
            query = parse_query(job.params["query"])
            with Registry(registry_path, read_only=True) as registry:
                yield registry, query

        return _run(store, job, prepared, refusals_raise=refusals_raise)
    finally:
        store.close()


def run_in_foreground(
    registry,
    query,
    *,
    engine: str,
    time_limit: float | None = None,
    output_dir: str,
    use_cache: bool = True,
    use_summaries: bool = True,
):
    """`dsgrid query run`: the query (a parsed model) run as a job of this process on the
    registry already open, with one job store; returns the finished Job. A query refused
    before it runs leaves no job and raises; Ctrl-C marks the job cancelled."""
    store = JobStore(registry.path)
    try:
        job = _new_query_job(
            store,
            query,
            engine=engine,
            time_limit=time_limit,
            output_dir=output_dir,
            use_cache=use_cache,
            use_summaries=use_summaries,
        )
        store.start(job.id, os.getpid())
        try:
            _run(store, job, lambda: nullcontext((registry, query)), refusals_raise=True)
        except KeyboardInterrupt:
            store.finish(job.id, "cancelled", error="interrupted from the keyboard")
            raise
        return store.get(job.id)
    finally:
        store.close()


def _run(store: JobStore, job, prepared, *, refusals_raise: bool) -> str:
    """The job's query run and written, its outcome recorded; returns its final status.
    ``prepared()``: a context giving (the open registry, the query model)."""
    from dsgrid_core.query.run import STAGES, run_query, write_result  # late: pydantic

    job_id = job.id
    progress = _Progress(store, job_id)
    timer = None
    timed_out = threading.Event()
    if job.time_limit:

        def expire():
            timed_out.set()
            engine = _RUNNING.get(job_id)
            if engine is not None:
                engine.interrupt()

        timer = threading.Timer(job.time_limit, expire)
        timer.daemon = True
        timer.start()

    def cancel_check():
        if store.cancel_requested(job_id):
            raise JobCancelled()
        if timed_out.is_set():
            raise TimeoutError()

    status = "failed"
    ran = False
    try:
        params = job.params
        with prepared() as (registry, query):
            result = run_query(
                registry,
                query,
                engine=params["engine"],
                use_cache=params.get("use_cache", True),
                use_summaries=params.get("use_summaries", True),
                progress=progress,
                cancel_check=cancel_check,
                scratch=progress.writing,
            )
            jobs_dir = Path(registry.path) / "jobs" / job_id
        ran = True
        cancel_check()
        if params.get("output_dir"):
            # A job run for the CLI writes where it was asked to, and only there.
            target = write_result(
                result,
                query,
                Path(params["output_dir"]),
                overwrite=True,
                scratch=progress.writing,
            )
        else:
            progress.writing(jobs_dir)  # all of it is this job's
            target = write_result(
                result, query.model_copy(update={"name": "result"}), jobs_dir, overwrite=True
            )
        store.finish(job_id, "succeeded", result_path=str(target), metadata=result.metadata)
        status = "succeeded"
    except JobCancelled:
        store.finish(job_id, "cancelled", error="cancelled on request")
        status = "cancelled"
    except TimeoutError:
        store.finish(job_id, "failed", error=f"over its time limit of {job.time_limit:g} s")
    except DsgridError as exc:
        if refusals_raise and not ran and progress.stage < STAGES.index("execute"):
            store.delete(job_id)
            raise
        if timed_out.is_set():
            store.finish(job_id, "failed", error=f"over its time limit of {job.time_limit:g} s")
        elif store.cancel_requested(job_id):
            store.finish(job_id, "cancelled", error="cancelled on request")
            status = "cancelled"
        else:
            store.finish(job_id, "failed", error=str(exc))
    except Exception as exc:  # noqa: BLE001 - recorded for the user, never lost
        if isinstance(exc, QueryInterrupted) and timed_out.is_set():
            store.finish(job_id, "failed", error=f"over its time limit of {job.time_limit:g} s")
        elif isinstance(exc, QueryInterrupted) or store.cancel_requested(job_id):
            store.finish(job_id, "cancelled", error="cancelled on request")
            status = "cancelled"
        else:
            store.finish(job_id, "failed", error=f"{type(exc).__name__}: {exc}")
    finally:
        if timer is not None:
            timer.cancel()
        with _LOCK:
            _RUNNING.pop(job_id, None)
    return status


def start_in_process(registry_path: Path, job_id: str) -> int:
    """A detached worker process that outlives the CLI command that started it."""
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "dsgrid_core.jobs.worker", str(registry_path), job_id],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )
    return process.pid


def cancel_job(registry_path: Path, job_id: str) -> str:
    store = JobStore(registry_path)
    try:
        job = store.get(job_id)
        if job is None:
            raise NotFoundError(f"no job '{job_id}'.")
        if job.status not in ("queued", "running"):
            raise ConflictError(f"job {job_id} is already {job.status}.")
        store.request_cancel(job_id)
        with _LOCK:
            engine = _RUNNING.get(job_id)
        if engine is not None:
            engine.interrupt()
        elif job.pid and job.pid != os.getpid():
            try:
                os.kill(job.pid, signal.SIGUSR1)
            except ProcessLookupError:
                store.finish(job_id, "cancelled", error="cancelled on request")
        if job.status == "queued" and job.pid is None:
            store.finish(job_id, "cancelled", error="cancelled before it started")
        return "cancel requested"
    finally:
        store.close()
