"""Recovery at open: the leftovers of killed work are removed when a registry is opened.

A killed registration or query leaves staging folders without a live owner, published data no
database row knows, half-written results and jobs marked running whose process is gone. None
of it is visible to readers, and all of it is removed by ``check.recover`` (what a write-open
has always run). Like SQLite rolling back a hot journal on the next open, a registry opened
with ``recover=True`` runs that recovery first whenever this process can write to it, also
when it is opened read-only: so `dsgrid registry check` right after a crash finds the registry
whole. Who cannot write cannot recover; then the leftovers stay and `registry check` names
them as recoverable (removed by the next write or `dsgrid registry recover`), not as damage.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from dsgrid_core.registry.check import recover
from dsgrid_core.registry.location import DB_FILE

log = logging.getLogger(__name__)


def can_write(registry) -> bool:
    """Whether this process may remove the leftovers: it can write the registry's home folder
    (result cache, jobs, and for a folder registry its database) and the local data and
    staging folders. (Read-only file systems answer no, even to root.)"""
    paths = [Path(registry.path), Path(registry.path) / DB_FILE, registry.data.staging_dir]
    root = getattr(registry.data, "root", None)
    if isinstance(root, Path):
        paths.append(root)
    return all(os.access(p, os.W_OK) for p in paths if p.exists())


def recover_at_open(registry, *, required: bool) -> dict[str, int]:
    """Run the recovery; returns what was done (empty when it could not run).

    ``required``: the registry is opened for writing, so recovery must succeed before anything
    new starts (its errors propagate). Otherwise it is best effort: a process that cannot
    write, or whose recovery fails part-way on the file system (another user's files, a
    locked jobs table), goes on and lets `registry check` report what is left. A store that
    cannot be reached at all raises its own message, as any read would."""
    if required:
        return recover(registry)
    if not can_write(registry):
        return {}
    try:
        return recover(registry)
    except (OSError, sqlite3.Error) as exc:  # what is left is reported by `registry check`
        log.info("recovery at open did not finish: %s", exc)
        return {}
