"""Registrations beyond one component's config file: as the web server starts them (the
wizards and POST /api/v1/registrations: a config given as data, never written to a file
first, registered by a job on its own upload session, a folder holding copies (hard links) of
the files the config names; the job reads nothing else and removes the folder itself; a job
that cannot be created leaves none), and a project's changes (datasets added, dimensions and
mappings added or replaced; a dataset registered and submitted in one step)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dsgrid_core.errors import InputError, NotFoundError
from dsgrid_core.jobs import dispatch
from dsgrid_core.jobs.registration import config_params, create_registration_job
from dsgrid_core.jobs.store import JobStore
from dsgrid_core.registry.project_additions import change_project, register_and_submit
from dsgrid_core.uploads import MANIFEST, UploadStore

__all__ = [
    "change_project",
    "register_and_submit",
    "registration_job",
    "add_upload",
    "end_upload",
    "given_files",
    "new_upload",
    "start_registration",
    "uploaded_files",
]


def start_registration(
    registry_path: str | Path,
    kind: str,
    config: dict[str, Any],
    *,
    config_name: str,
    log_message: str,
    files: Mapping[str, Path] | None = None,
    params: dict[str, str] | None = None,
) -> str:
    """Start the job registering ``config`` (a ``kind`` config, shown as ``config_name`` in its
    messages) on a new upload session holding copies of ``files`` (the name the config refers
    to a file by -> where it is); returns the job's id. ``params``: what else the job takes (a
    submission's project and dataset)."""
    store = UploadStore()
    session = store.new_session()
    try:
        folder = store.folder(session)
        for name, path in (files or {}).items():
            _link(Path(path), folder / _plain_name(name))
        job_params = {
            **config_params(config, config_name, folder),
            "log_message": log_message,
            "data_roots": [str(folder)],
            "upload_session": session,
            "upload_root": str(store.root),
            **(params or {}),
        }
        job_id = create_registration_job(
            Path(registry_path), kind, job_params, for_worker=dispatch.runs_in_workers()
        )
    except BaseException:
        store.remove(session)
        raise
    dispatch.start(Path(registry_path), job_id)
    return job_id


def uploaded_files(sessions: Iterable[str]) -> dict[str, Path]:
    """The files of the web forms' upload ``sessions`` by their stored names (which the forms'
    configs name); InputError for a session that has ended."""
    store = UploadStore()
    return {
        info["stored"]: info["path"]
        for session in sessions
        for info in store.files(session).values()
    }


def new_upload() -> str:
    """A new upload session for a client of the API; returns its id."""
    store = UploadStore()
    store.sweep()  # sessions that clients left behind
    return store.new_session()


def add_upload(session: str, name: str, data: bytes) -> dict[str, Any]:
    """Store one file of an API client's upload ``session`` under the name its config will
    give it (checked as the web forms' files are); returns its name, kind and size."""
    _plain_name(name)
    info = _uploads(session).add(session, name, data)
    return {"name": info["name"], "kind": info["kind"], "size": info["size"]}


def given_files(session: str) -> dict[str, Path]:
    """An API client's upload ``session``: the names it gave its files -> where they are."""
    return {name: info["path"] for name, info in _uploads(session).files(session).items()}


def end_upload(session: str) -> None:
    """Remove an upload session and its files."""
    _uploads(session).remove(session)


def _uploads(session: str) -> UploadStore:
    """The upload store, once ``session`` is known to be one of its live sessions
    (NotFoundError otherwise)."""
    store = UploadStore()
    try:
        store.folder(session)
    except InputError:
        raise NotFoundError(
            f"no upload session '{session}': it has ended (a registration started from it, or "
            "it was left for a day) or never began; start one with POST /api/v1/uploads."
        ) from None
    return store


def _plain_name(name: str) -> str:
    """``name`` if it can name a file in a job's folder: no folder part, not hidden, not the
    session's own manifest."""
    if not name or name != Path(name).name or name.startswith(".") or name == MANIFEST:
        raise InputError(
            f"'{name}' cannot name an uploaded file: give a plain file name (no folder, not "
            f"starting with '.', not {MANIFEST})."
        )
    return name


def _link(source: Path, destination: Path) -> None:
    """A hard link (a copy across file systems)."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def registration_job(registry_path: str | Path, job_id: str):
    """A registration job as its page follows it (its parameters and metadata), or None."""
    store = JobStore(Path(registry_path))
    try:
        return store.get(job_id)
    finally:
        store.close()
