"""Dataset tables on disk: ``data/<dataset_id>/<version>/table.parquet``.

Writes go to ``data/.staging/<random>/`` first; publishing is one ``rename`` into place, so a
reader never sees a half-written version. The registry commits its database row after the
rename, and removes the published folder again if that commit fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path

TABLE_FILE = "table.parquet"
STAGING = ".staging"


class DataStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def version_dir(self, dataset_id: str, version: str) -> Path:
        return self.root / dataset_id / version

    def table_path(self, dataset_id: str, version: str) -> Path:
        return self.version_dir(dataset_id, version) / TABLE_FILE

    def new_staging_dir(self) -> Path:
        path = self.root / STAGING / uuid.uuid4().hex
        path.mkdir(parents=True)
        return path

    def publish(self, staging_dir: Path, dataset_id: str, version: str) -> Path:
        target = self.version_dir(dataset_id, version)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        target.parent.mkdir(parents=True, exist_ok=True)
        _fsync_dir_tree(staging_dir)
        os.replace(staging_dir, target)
        return target

    def unpublish(self, dataset_id: str, version: str) -> None:
        shutil.rmtree(self.version_dir(dataset_id, version), ignore_errors=True)
        parent = self.root / dataset_id
        if parent.exists() and not any(parent.iterdir()):
            parent.rmdir()

    def remove_dataset(self, dataset_id: str) -> None:
        shutil.rmtree(self.root / dataset_id, ignore_errors=True)

    def discard(self, staging_dir: Path) -> None:
        shutil.rmtree(staging_dir, ignore_errors=True)

    def clean_staging(self) -> int:
        """Remove staged files of work that never finished; returns how many were removed."""
        staging = self.root / STAGING
        if not staging.exists():
            return 0
        count = 0
        for child in staging.iterdir():
            shutil.rmtree(child, ignore_errors=True)
            count += 1
        return count


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
