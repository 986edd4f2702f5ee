"""What every data store shares (``DataStore`` in dsgrid_core.data.storage, a local folder;
``ObjectDataStore`` in dsgrid_core.data.object_store, an S3-compatible object store): the names
of the files of a version, ``BaseDataStore`` with its local staging folders, the owner locks
that tell work in progress from leftovers, and the rules for leftovers.

A folder being written holds an owner lock (``.owner.lock``, flock'ed by the writing process
until its database row is committed). A process killed at any point releases its lock, so the
next writer can tell unfinished work (unlocked, and not in the database) from work in progress
in another process (locked), and remove only the former.
"""

from __future__ import annotations

import fcntl
import os
import posixpath
import shutil
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TABLE_FILE = "table.parquet"
MISSING_FILE = "missing_associations.parquet"
STAGING = ".staging"
OWNER_LOCK = ".owner.lock"

# What a store is asked about leftovers: the (dataset, version) pairs the database knows. A
# callable, asked only after the store has listed what it holds: work that commits in between
# is then known, never taken for a leftover.
Known = Callable[[], set[tuple[str, str]]]


def held_by_someone(folder: Path) -> bool:
    """Whether a live process holds the folder's owner lock (this one included)."""
    lock = folder / OWNER_LOCK
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock taken here
    return False


class OwnerLocks:
    """The owner locks this process holds: folder -> open file descriptor of its lock."""

    def __init__(self):
        self._fds: dict[Path, int] = {}

    def take(self, folder: Path) -> None:
        fd = os.open(folder / OWNER_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._fds[folder] = fd

    def moved(self, old: Path, new: Path) -> None:
        """The folder was renamed (its lock file went with it)."""
        if old in self._fds:
            self._fds[new] = self._fds.pop(old)

    def drop(self, folder: Path) -> None:
        fd = self._fds.pop(folder, None)
        if fd is not None:
            (folder / OWNER_LOCK).unlink(missing_ok=True)
            os.close(fd)


@dataclass
class Leftover:
    """Work that never finished, as `registry check` reports it and recovery removes it."""

    location: Path | str  # a local folder, or the s3:// URL of a key prefix
    staged: bool  # staged files (True), or a published version no database row knows
    keys: list[str] = field(default_factory=list)  # the object keys to delete (object stores)


class BaseDataStore(ABC):
    """What every data store shares. Subclasses say where published versions live.

    ``staging_root`` holds ``.staging/``: the local folders in which a registration writes its
    Parquet files and checks them before anything is published."""

    root: Path | str  # the data root, as shown to users

    def __init__(self, staging_root: Path):
        self.staging_root = Path(staging_root)
        self.locks = OwnerLocks()

    # --- staging (always local) -------------------------------------------------------------

    @property
    def staging_dir(self) -> Path:
        return self.staging_root / STAGING

    def new_staging_dir(self) -> Path:
        path = self.staging_dir / uuid.uuid4().hex
        path.mkdir(parents=True)
        self.locks.take(path)
        return path

    def prepare_publish(self, staging_dir: Path, dataset_id: str, version: str) -> None:
        """Work before the database transaction that publishes (an object store uploads here,
        so the transaction is not held open during the upload). Nothing for a folder."""
        return None

    def discard(self, staging_dir: Path) -> None:
        self.locks.drop(staging_dir)
        shutil.rmtree(staging_dir, ignore_errors=True)
        tidy(staging_dir.parent, keep=self._tidy_keep())

    # --- where published files are ----------------------------------------------------------

    @staticmethod
    def sibling(data_path: str, name: str) -> str:
        """The data path of another file of the same version (``<dataset>/<version>/name``)."""
        return posixpath.join(posixpath.dirname(data_path), name)

    @staticmethod
    def version_path(dataset_id: str, version: str, name: str = TABLE_FILE) -> str:
        return f"{dataset_id}/{version}/{name}"

    @abstractmethod
    def locate(self, data_path: str) -> Path | str:
        """Where a recorded data path (``<dataset>/<version>/table.parquet``) is: a local
        path, or an s3:// URL."""

    @abstractmethod
    def file_size(self, data_path: str) -> int | None:
        """Bytes of a stored file; None when it is missing."""

    def exists(self, data_path: str) -> bool:
        return self.file_size(data_path) is not None

    @abstractmethod
    def digest(self, data_path: str) -> tuple[int, str]:
        """Size and SHA-256 of a stored file."""

    @abstractmethod
    def download(self, data_path: str, target: Path) -> None:
        """Copy a stored file to a local path."""

    @abstractmethod
    def size_of(self) -> int:
        """Bytes of data held (for the registry summary)."""

    @abstractmethod
    def is_empty(self) -> bool:
        """Whether the store holds nothing at all (a registry copy needs an empty target)."""

    # --- publishing -------------------------------------------------------------------------

    @abstractmethod
    def publish(self, staging_dir: Path, dataset_id: str, version: str) -> Path | str:
        """Put a staged version in place; raises FileExistsError when it is already there.
        A failure leaves nothing published."""

    @abstractmethod
    def release(self, dataset_id: str, version: str) -> None:
        """The version's database row is committed: it is no longer work in progress."""

    @abstractmethod
    def unpublish(self, dataset_id: str, version: str) -> None:
        """Remove a version published by this process whose row was not committed."""

    @abstractmethod
    def remove_dataset(self, dataset_id: str) -> None: ...

    # --- leftovers --------------------------------------------------------------------------

    def unfinished(self, known: Known) -> list[Leftover]:
        """Work that never finished: staging folders no live process holds, and published
        versions that no database row knows and no live registration is committing."""
        if not callable(known):
            rows = set(known)
            known = lambda: rows  # noqa: E731 - a fixed set, asked like the database
        staged = [
            Leftover(c, staged=True)
            for c in (self.staging_dir.iterdir() if self.staging_dir.is_dir() else [])
            if c.is_dir() and not held_by_someone(c)
        ]
        return staged + self._published_leftovers(known)

    def clean_unfinished(self, known: Known) -> list[Leftover]:
        """Remove the leftovers of work that never finished; returns what was removed."""
        removed = self.unfinished(known)
        for item in removed:
            if item.keys:
                self._remove_keys(item)
            else:
                folder = Path(item.location)
                shutil.rmtree(folder, ignore_errors=True)
                tidy(folder.parent, keep=self._tidy_keep())
        return removed

    def _tidy_keep(self) -> set[Path]:
        return {self.staging_root, self.staging_dir}

    @abstractmethod
    def _published_leftovers(self, known: Known) -> list[Leftover]: ...

    def _remove_keys(self, item: Leftover) -> None:
        raise NotImplementedError


def tidy(folder: Path, *, keep: set[Path]) -> None:
    """Remove an emptied staging or dataset folder, so a refused registration leaves the data
    folder exactly as it was."""
    if folder in keep or not any(k in folder.parents for k in keep):
        return
    try:
        folder.rmdir()
    except OSError:  # not empty (other work in it) or already gone
        pass
