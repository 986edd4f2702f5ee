"""Registries as the application opens, creates, checks, recovers and copies them. A registry
is opened with the areas of its home folder that the layers above the registry keep (the query
result cache, the jobs table), so that checking and recovering it covers their leftovers too
(dsgrid_core.registry.check.HomeArea)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from dsgrid_core.jobs.store import JobStore, has_jobs, jobs_db, process_alive
from dsgrid_core.query.cache import ResultCache
from dsgrid_core.registry import recovery
from dsgrid_core.registry.check import RECOVERABLE, Finding
from dsgrid_core.registry.check import recover as recover_registry
from dsgrid_core.registry.copy import copy_between as copy_registry
from dsgrid_core.registry.location import DB_FILE, is_url
from dsgrid_core.registry.registry import Registry

__all__ = [
    "HOME_AREAS",
    "can_write",
    "copy_registry",
    "create_registry",
    "is_url",
    "mark_interrupted_jobs",
    "open_registry",
    "recover_registry",
    "registry_folder_problem",
]


class UnfinishedResults:
    """Staging folders of query results whose process died before publishing them."""

    name = "query_results"

    def findings(self, home: Path) -> list[Finding]:
        return [
            Finding(
                "leftovers",
                f"a query result that was never finished; {RECOVERABLE}",
                str(folder.relative_to(home)),
            )
            for folder in ResultCache(home).unfinished()
        ]

    def recover(self, home: Path) -> int:
        folders = ResultCache(home).unfinished()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        return len(folders)


class InterruptedJobs:
    """Jobs marked queued or running whose process is gone (marked failed on recovery)."""

    name = "jobs"

    def findings(self, home: Path) -> list[Finding]:
        db = jobs_db(home)
        if not db.exists():
            return []
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT id, pid FROM jobs WHERE status IN ('queued', 'running')"
            ).fetchall()
        except sqlite3.OperationalError:  # no jobs table yet
            rows = []
        finally:
            con.close()
        return [
            Finding("jobs", f"marked running, but its process is gone; {RECOVERABLE}", f"job {id_}")
            for id_, pid in rows
            if pid is not None and not process_alive(pid)
        ]

    def recover(self, home: Path) -> int:
        if not has_jobs(home):
            return 0
        store = JobStore(home)
        try:
            return store.mark_interrupted()
        finally:
            store.close()


HOME_AREAS = (UnfinishedResults(), InterruptedJobs())


def open_registry(
    path: str | Path, *, read_only: bool = False, recover: bool | None = None
) -> Registry:
    """A registry (folder or URL) with its home areas: what every front door opens."""
    return Registry(path, read_only=read_only, recover=recover, home_areas=HOME_AREAS)


def create_registry(path: str | Path, *, data_root: str | None = None) -> Registry:
    """A new empty registry in ``path`` (a new or empty folder, or an arangodb:// URL), its
    data in ``data_root`` (default: the folder's own), opened for writing."""
    return Registry.create(path, data_root=data_root)


def mark_interrupted_jobs(path: str | Path) -> int:
    """Jobs a previous server or worker left queued or running, marked failed as interrupted;
    how many (a registry that never had a job: 0, and no jobs table is made)."""
    return InterruptedJobs().recover(Path(path))


def registry_folder_problem(path: str | Path) -> str | None:
    """Why the folder ``path`` holds no registry (it does not exist, or holds no registry
    database), in words that follow its path; None when it holds one (or is a URL)."""
    if is_url(str(path)):
        return None
    folder = Path(path)
    if not folder.exists():
        return "does not exist"
    if not (folder / DB_FILE).is_file():
        return f"holds no {DB_FILE}"
    return None


def can_write(registry) -> bool:
    """Whether this process may write to the registry and its data folder (recovery removes
    files there)."""
    return recovery.can_write(registry)
