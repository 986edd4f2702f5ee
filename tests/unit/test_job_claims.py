"""Jobs left for `dsgrid worker` processes: each is claimed by exactly one worker, a job
waiting in the queue is never taken for the job of a dead process, and a misspelt runner
setting stops the server at start."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from dsgrid_core.errors import InputError
from dsgrid_core.jobs.store import JobStore, jobs_db


def test_each_waiting_job_is_claimed_by_exactly_one_worker(empty_registry):
    store = JobStore(empty_registry)
    waiting = {store.create("query", {}, stages_total=1, for_worker=True).id for _ in range(40)}
    owned = store.create("query", {}, stages_total=1)  # run by its creator: not claimable
    store.close()
    claims: dict[int, list[str]] = {}

    def claim_all(pid: int) -> None:
        mine = claims.setdefault(pid, [])
        worker = JobStore(empty_registry)
        try:
            while (job := worker.claim(pid)) is not None:
                assert job.pid == pid and job.status == "queued"
                mine.append(job.id)
        finally:
            worker.close()

    threads = [threading.Thread(target=claim_all, args=(900000 + i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [job_id for ids in claims.values() for job_id in ids]
    assert sorted(claimed) == sorted(waiting)  # every one, none twice, not the owned job
    assert owned.id not in claimed
    store = JobStore(empty_registry)
    try:
        assert store.claim(1) is None
        rows = dict(store.con.execute("SELECT id, pid FROM jobs").fetchall())
    finally:
        store.close()
    assert {rows[j] for ids in claims.values() for j in ids} <= set(claims)


def test_a_job_waiting_for_a_worker_is_not_failed_as_interrupted(empty_registry):
    store = JobStore(empty_registry)
    try:
        waiting = store.create("query", {}, stages_total=1, for_worker=True)
        orphan = store.create("query", {}, stages_total=1)
        # both an hour old; the orphan's creator is a process that no longer exists
        con = sqlite3.connect(jobs_db(empty_registry))
        con.execute("UPDATE jobs SET created_at = '2026-01-01T00:00:00.000+00:00'")
        con.execute("UPDATE jobs SET pid = 2147483646 WHERE id = ?", (orphan.id,))
        con.commit()
        con.close()
        assert store.mark_interrupted() == 1
        assert store.get(waiting.id).status == "queued"
        assert store.get(orphan.id).status == "failed"
    finally:
        store.close()


def test_a_misspelt_job_runner_stops_the_server_at_start(monkeypatch):
    from app import create_app

    monkeypatch.setenv("DSGRID_JOB_RUNNER", "celery")
    with pytest.raises(InputError, match="DSGRID_JOB_RUNNER is 'celery'; set it to one of"):
        create_app(None)
