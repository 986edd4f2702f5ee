"""Job records in the registry's SQLite database (table ``jobs``); for a registry that is not
SQLite (ArangoDB), in ``jobs.db`` of its local home folder."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dsgrid_core.errors import DsgridError, NotFoundError
from dsgrid_core.registry.location import DB_FILE, HOME_MARKER
from dsgrid_core.sqlrows import from_row
from dsgrid_core.uploads import UploadStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL,
    stages_done INTEGER NOT NULL DEFAULT 0, stages_total INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '', params TEXT NOT NULL, result_path TEXT, error TEXT,
    pid INTEGER, host TEXT, created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0, time_limit REAL, metadata TEXT
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
"""

ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled")
INTERRUPTED = (
    "interrupted: its process is gone (killed, or its server or machine restarted); run it again"
)
# A queued job younger than this is left alone even when its creating process is gone: the
# process that will run it may be starting (`dsgrid query run --background`).
QUEUED_GRACE_SECONDS = 30.0


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Job:
    id: str
    kind: str
    status: str
    stages_done: int
    stages_total: int
    message: str
    params: dict[str, Any]
    result_path: str | None
    error: str | None
    pid: int | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    cancel_requested: bool
    time_limit: float | None
    metadata: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


JOBS_DB = "jobs.db"
# metadata key of a running job: the folders it is writing (see JobStore.note_writing)
WRITING = "writing"


def jobs_db(registry_path: Path) -> Path:
    """``registry.db`` of a folder registry; ``jobs.db`` in the home folder of any other."""
    folder = Path(registry_path)
    if not (folder / DB_FILE).exists() and (folder / HOME_MARKER).is_file():
        return folder / JOBS_DB
    return folder / DB_FILE


class JobStore:
    def __init__(self, registry_path: Path):
        self.path = jobs_db(registry_path)
        self.con = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self.con.row_factory = sqlite3.Row
        if self.path.name == JOBS_DB:  # its own file: WAL, as registry.db has
            self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, fast commits
        self.con.executescript(SCHEMA)

    def close(self) -> None:
        self.con.close()

    def _row(self, row) -> Job:
        job = from_row(Job, row, json_columns={"params": {}, "metadata": None})
        job.cancel_requested = bool(job.cancel_requested)
        return job

    def create(
        self,
        kind: str,
        params: dict[str, Any],
        *,
        stages_total: int,
        time_limit: float | None = None,
        for_worker: bool = False,
    ) -> Job:
        """A queued job. The creating process owns it until the process that runs it takes
        it (start), so a job never lacks a live owner that others could take for a dead one;
        a job ``for_worker`` has no owner until a `dsgrid worker` claims it."""
        job_id = uuid.uuid4().hex[:12]
        self.con.execute(
            "INSERT INTO jobs (id, kind, status, stages_total, params, created_at, time_limit, "
            "host, pid) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
            (
                job_id,
                kind,
                stages_total,
                json.dumps(params, default=str),
                now(),
                time_limit,
                None if for_worker else os.uname().nodename,
                None if for_worker else os.getpid(),
            ),
        )
        return self.get(job_id)

    def claim(self, pid: int) -> Job | None:
        """The oldest job waiting for a worker, now owned by process ``pid`` of this host;
        None when none waits. One statement, so two workers never claim the same job."""
        row = self.con.execute(
            "UPDATE jobs SET pid = ?, host = ? WHERE id = (SELECT id FROM jobs "
            "WHERE status = 'queued' AND pid IS NULL ORDER BY created_at, id LIMIT 1) "
            "AND status = 'queued' AND pid IS NULL RETURNING id",
            (pid, os.uname().nodename),
        ).fetchone()
        return self.get(row[0]) if row else None

    def get(self, job_id: str) -> Job | None:
        """A job's record; a job whose process is gone is reported (and recovered) as failed."""
        row = self.con.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return self._settled(row) if row else None

    def list(self, limit: int = 50) -> list[Job]:
        rows = self.con.execute(
            "SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,)
        ).fetchall()
        return [self._settled(r) for r in rows]

    def _settled(self, row) -> Job:
        """The job of ``row`` as it really stands. A job left queued or running by a process
        that no longer exists (killed with SIGKILL, a crash, a restart) never finishes: it is
        recovered here, so that every reader (`dsgrid query list`/`status`, the API) sees it
        failed rather than running forever; when the database cannot be written (read-only,
        busy), it is still reported failed and recovered by the next reader that can write."""
        job = self._row(row)
        if not _owner_gone(job, row["host"], datetime.now(UTC).timestamp()):
            return job
        try:
            self._recover(job)
        except sqlite3.OperationalError:
            return replace(job, status="failed", error=INTERRUPTED)
        fresh = self.con.execute("SELECT * FROM jobs WHERE id = ?", (job.id,)).fetchone()
        return self._row(fresh)

    def _recover(self, job: Job) -> bool:
        """Mark an interrupted job failed and remove what it left half-written (the folders it
        noted with ``note_writing``; a registration's upload session). Only the process whose
        update wins removes anything."""
        done = self.con.execute(
            "UPDATE jobs SET status = 'failed', finished_at = ?, error = ?, metadata = NULL "
            "WHERE id = ? AND status IN ('queued', 'running')",
            (now(), INTERRUPTED, job.id),
        ).rowcount
        if not done:
            return False
        for folder in (job.metadata or {}).get(WRITING, []):
            shutil.rmtree(folder, ignore_errors=True)
        session, root = job.params.get("upload_session"), job.params.get("upload_root")
        if job.kind == "register" and session:
            try:
                UploadStore(Path(root) if root else None).remove(session)
            except DsgridError:
                pass  # already gone
        return True

    def note_writing(self, job_id: str, folder: Path | str) -> None:
        """Record a folder the running job is writing and has not finished: removed if the
        job's process dies before the job ends (``finish`` forgets it)."""
        row = self.con.execute(
            "SELECT metadata FROM jobs WHERE id = ? AND status = 'running'", (job_id,)
        ).fetchone()
        if row is None:
            return
        metadata = json.loads(row[0]) if row[0] else {}
        metadata[WRITING] = [*metadata.get(WRITING, []), os.path.abspath(folder)]
        self.con.execute(
            "UPDATE jobs SET metadata = ? WHERE id = ? AND status = 'running'",
            (json.dumps(metadata), job_id),
        )

    def delete(self, job_id: str) -> None:
        """Forget a job (a foreground query refused before it ran: nothing happened)."""
        self.con.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def start(self, job_id: str, pid: int) -> None:
        self.con.execute(
            "UPDATE jobs SET status = 'running', pid = ?, started_at = ? "
            "WHERE id = ? AND status = 'queued'",
            (pid, now(), job_id),
        )

    def progress(self, job_id: str, done: int, total: int, message: str) -> None:
        """Record progress, best effort: while the registry's own write transaction holds the
        database, a step is skipped (shown with the next one) rather than waited for."""
        self.con.execute("PRAGMA busy_timeout = 200")
        try:
            self.con.execute(
                "UPDATE jobs SET stages_done = ?, stages_total = ?, message = ? WHERE id = ?",
                (done, total, message, job_id),
            )
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        finally:
            self.con.execute("PRAGMA busy_timeout = 30000")

    def finish(
        self,
        job_id: str,
        status: str,
        *,
        result_path: str | None = None,
        error: str | None = None,
        metadata: dict | None = None,
    ) -> None:
        self.con.execute(
            "UPDATE jobs SET status = ?, finished_at = ?, result_path = ?, error = ?, "
            "metadata = ?, stages_done = CASE WHEN ? = 'succeeded' THEN stages_total "
            "ELSE stages_done END WHERE id = ? AND status IN ('queued', 'running')",
            (
                status,
                now(),
                result_path,
                error,
                json.dumps(metadata, default=str) if metadata else None,
                status,
                job_id,
            ),
        )

    def request_cancel(self, job_id: str) -> None:
        self.con.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))

    def cancel_requested(self, job_id: str) -> bool:
        row = self.con.execute(
            "SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        return bool(row and row[0])

    def mark_interrupted(self, grace_seconds: float = QUEUED_GRACE_SECONDS) -> int:
        """Recover every job left 'running' or 'queued' by a process of this host that no
        longer exists (see ``_settled``); returns how many."""
        moment = datetime.now(UTC).timestamp()
        rows = self.con.execute(
            "SELECT * FROM jobs WHERE status IN ('queued', 'running')"
        ).fetchall()
        count = 0
        for row in rows:
            job = self._row(row)
            if _owner_gone(job, row["host"], moment, grace_seconds) and self._recover(job):
                count += 1
        return count


def _owner_gone(
    job: Job, host: str | None, moment: float, grace_seconds: float = QUEUED_GRACE_SECONDS
) -> bool:
    """Whether an active job's owning process is gone for good. A job waiting for a `dsgrid
    worker` has no owner yet; a job of another machine is left to that machine; a queued job
    younger than ``grace_seconds`` may be about to be taken by the process starting for it."""
    if job.status not in ACTIVE or job.pid is None:
        return False
    if host not in (None, os.uname().nodename) or process_alive(job.pid):
        return False
    return not (
        job.status == "queued"
        and datetime.fromisoformat(job.created_at).timestamp() > moment - grace_seconds
    )


def load_job(registry_path: Path, job_id: str, where_to_look: str = "") -> Job:
    """One job's record; NotFoundError (with ``where_to_look`` appended) when there is none."""
    store = JobStore(registry_path)
    try:
        job = store.get(job_id)
    finally:
        store.close()
    if job is None:
        raise NotFoundError(f"no job '{job_id}'{'; ' + where_to_look if where_to_look else ''}.")
    return job


def has_jobs(registry_path: Path) -> bool:
    """Whether the registry has ever had a job (without creating the jobs table)."""
    db = jobs_db(registry_path)
    if not db.exists():
        return False
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT 1 FROM sqlite_master WHERE name = 'jobs'").fetchone() is not None
    finally:
        con.close()


def process_alive(pid: int) -> bool:
    """Whether a process of this host with this id exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
