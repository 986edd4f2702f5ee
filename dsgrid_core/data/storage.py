"""Where dataset tables are kept: ``<data root>/<dataset_id>/<version>/table.parquet`` (and
``missing_associations.parquet`` beside it), in a local folder (``DataStore`` here: a plain
path, which may be on Lustre or NFS) or on an S3-compatible object store (``ObjectDataStore`` in
dsgrid_core.data.object_store); ``open_data_store`` opens the one a registry names. Both share
``BaseDataStore`` (dsgrid_core.data.base_store): the local staging folders in which a
registration writes and checks its files, the owner locks, and the rules for leftovers.

Writes go to ``.staging/<random>/`` first; publishing puts them in place (one ``rename`` for a
folder), so a reader never sees a half-written version. The registry commits its database row
after publishing, and removes what was published again if that commit fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from dsgrid_core.data.base_store import (
    STAGING,
    TABLE_FILE,
    BaseDataStore,
    Known,
    Leftover,
    held_by_someone,
    tidy,
)
from dsgrid_core.data.object_store import ObjectDataStore
from dsgrid_core.data.s3 import is_s3_url


class DataStore(BaseDataStore):
    """A registry's data in a local folder (any mounted file system: Lustre and NFS too).
    Staging folders are inside it, so publishing is one rename."""

    def __init__(self, root: Path):
        self.root = Path(root)
        super().__init__(self.root)

    def locate(self, data_path: str) -> Path:
        return self.root / data_path

    def file_size(self, data_path: str) -> int | None:
        path = self.locate(data_path)
        return path.stat().st_size if path.is_file() else None

    def digest(self, data_path: str) -> tuple[int, str]:
        return file_digest(self.locate(data_path))

    def download(self, data_path: str, target: Path) -> None:
        shutil.copyfile(self.locate(data_path), target)

    def size_of(self) -> int:
        return folder_size(self.root)

    def is_empty(self) -> bool:
        # Staging folders are work in progress or leftovers (removed at a writable open).
        return not self.root.is_dir() or all(p.name == STAGING for p in self.root.iterdir())

    def version_dir(self, dataset_id: str, version: str) -> Path:
        return self.root / dataset_id / version

    def table_path(self, dataset_id: str, version: str) -> Path:
        return self.version_dir(dataset_id, version) / TABLE_FILE

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
        self.locks.drop(self.version_dir(dataset_id, version))

    def unpublish(self, dataset_id: str, version: str) -> None:
        self.locks.drop(self.version_dir(dataset_id, version))
        shutil.rmtree(self.version_dir(dataset_id, version), ignore_errors=True)
        tidy(self.root / dataset_id, keep=self._tidy_keep())

    def remove_dataset(self, dataset_id: str) -> None:
        shutil.rmtree(self.root / dataset_id, ignore_errors=True)

    def _tidy_keep(self) -> set[Path]:
        return {self.root, self.staging_dir}

    def _published_leftovers(self, known: Known) -> list[Leftover]:
        candidates: list[Path] = []
        if self.root.is_dir():
            for dataset in self.root.iterdir():
                if dataset.name == STAGING or not dataset.is_dir():
                    continue
                candidates += [
                    v for v in dataset.iterdir() if v.is_dir() and not held_by_someone(v)
                ]
        if not candidates:
            return []
        rows = known()
        return [
            Leftover(v, staged=False) for v in candidates if (v.parent.name, v.name) not in rows
        ]


def open_data_store(data_root: Path | str, home: Path) -> BaseDataStore:
    """The data store of a registry: a local folder, or an s3:// URL (whose local staging
    folders go in the registry's home folder)."""
    if is_s3_url(data_root):
        return ObjectDataStore(str(data_root), staging_root=Path(home))
    return DataStore(Path(data_root))


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
