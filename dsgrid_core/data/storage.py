"""Dataset tables on disk: ``data/<dataset_id>/<version>/table.parquet``.

Writes go to ``data/.staging/<random>/`` first; publishing is one ``rename`` into place, so a
reader never sees a half-written version. The registry commits its database row after the
rename, and removes the published folder again if that commit fails.

A folder being written holds an owner lock (``.owner.lock``, flock'ed by the writing process
until its database row is committed). A process killed at any point releases its lock, so the
next writer can tell unfinished work (unlocked, and not in the database) from work in progress
in another process (locked), and remove only the former.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import uuid
from pathlib import Path

TABLE_FILE = "table.parquet"
STAGING = ".staging"
OWNER_LOCK = ".owner.lock"


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


class DataStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.locks = OwnerLocks()

    def locate(self, data_path: str) -> Path:
        """Where a version's recorded data path (``<dataset>/<version>/table.parquet``) is."""
        return self.root / data_path

    def size_of(self) -> int:
        """Bytes of data held (for the registry summary)."""
        return folder_size(self.root)

    def version_dir(self, dataset_id: str, version: str) -> Path:
        return self.root / dataset_id / version

    def table_path(self, dataset_id: str, version: str) -> Path:
        return self.version_dir(dataset_id, version) / TABLE_FILE

    def new_staging_dir(self) -> Path:
        path = self.root / STAGING / uuid.uuid4().hex
        path.mkdir(parents=True)
        self.locks.take(path)
        return path

    def publish(self, staging_dir: Path, dataset_id: str, version: str) -> Path:
        target = self.version_dir(dataset_id, version)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        target.parent.mkdir(parents=True, exist_ok=True)
        _fsync_dir_tree(staging_dir)
        os.replace(staging_dir, target)
        self.locks.moved(staging_dir, target)
        return target

    def release(self, dataset_id: str, version: str) -> None:
        """The version's database row is committed: the folder is no longer work in progress."""
        self.locks.drop(self.version_dir(dataset_id, version))

    def unpublish(self, dataset_id: str, version: str) -> None:
        self.locks.drop(self.version_dir(dataset_id, version))
        shutil.rmtree(self.version_dir(dataset_id, version), ignore_errors=True)
        self._tidy(self.root / dataset_id)

    def remove_dataset(self, dataset_id: str) -> None:
        shutil.rmtree(self.root / dataset_id, ignore_errors=True)

    def discard(self, staging_dir: Path) -> None:
        self.locks.drop(staging_dir)
        shutil.rmtree(staging_dir, ignore_errors=True)
        self._tidy(staging_dir.parent)

    def _tidy(self, folder: Path) -> None:
        """Remove an emptied staging or dataset folder, so a refused registration leaves the
        data folder exactly as it was."""
        if folder != self.root and folder != self.root / STAGING and self.root in folder.parents:
            try:
                folder.rmdir()
            except OSError:  # not empty (other work in it) or already gone
                pass

    def unfinished(self, known: set[tuple[str, str]]) -> list[Path]:
        """Folders of work that never finished: staging folders and version folders that no
        database row knows, excluding those a live process is still writing."""
        found: list[Path] = []
        staging = self.root / STAGING
        if staging.is_dir():
            found += [c for c in staging.iterdir() if c.is_dir() and not held_by_someone(c)]
        if self.root.is_dir():
            for dataset in self.root.iterdir():
                if dataset.name == STAGING or not dataset.is_dir():
                    continue
                for version in dataset.iterdir():
                    if (
                        version.is_dir()
                        and (dataset.name, version.name) not in known
                        and not held_by_someone(version)
                    ):
                        found.append(version)
        return found

    def clean_unfinished(self, known: set[tuple[str, str]]) -> list[Path]:
        """Remove the folders of work that never finished; returns what was removed."""
        removed = self.unfinished(known)
        for folder in removed:
            shutil.rmtree(folder, ignore_errors=True)
            self._tidy(folder.parent)
        return removed


def folder_size(path: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(folder, name))
            except OSError:
                continue
    return total


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file (recorded so `registry check` can verify the data)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _fsync_dir_tree(path: Path) -> None:
    for file in path.rglob("*"):
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
