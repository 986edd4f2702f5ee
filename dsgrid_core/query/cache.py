"""Result cache: key = the canonical query + the versions of everything it reads.

A hit is read from Parquet without creating an engine; a new version of any input changes the
key, so stale results are never served.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from dsgrid_core.data.base_store import OwnerLocks, held_by_someone

CACHE_DIR = "cache"


def cache_key(query_dict: dict[str, Any], versions: dict[str, Any]) -> str:
    canonical = {k: v for k, v in query_dict.items() if k not in ("name", "version")}
    payload = json.dumps({"query": canonical, "versions": versions}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class ResultCache:
    """Results kept as folders ``cache/<key>/`` holding table.parquet, reports/ and meta.json."""

    def __init__(self, registry_path: Path):
        self.root = Path(registry_path) / CACHE_DIR
        self.locks = OwnerLocks()

    def get(self, key: str) -> tuple[Path, dict[str, Any]] | None:
        folder = self.root / key
        try:
            metadata = json.loads((folder / "meta.json").read_text())
        except (OSError, ValueError):
            return None
        if not (folder / "table.parquet").exists():
            return None
        return folder, metadata

    def new_staging(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f".tmp-{uuid.uuid4().hex}"
        path.mkdir()
        self.locks.take(path)
        return path

    def publish(self, staging: Path, key: str, metadata: dict[str, Any]) -> Path:
        """Move a finished result into place (a concurrent twin may have won: keep it)."""
        (staging / "meta.json").write_text(json.dumps(metadata, default=str))
        target = self.root / key
        try:
            os.replace(staging, target)
            self.locks.moved(staging, target)
            self.locks.drop(target)
        except OSError:
            self.locks.drop(staging)
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def discard(self, staging: Path) -> None:
        self.locks.drop(staging)
        shutil.rmtree(staging, ignore_errors=True)

    def unfinished(self) -> list[Path]:
        """Staging folders of queries that died before publishing their result."""
        if not self.root.is_dir():
            return []
        return [
            p
            for p in self.root.iterdir()
            if p.name.startswith(".tmp-") and p.is_dir() and not held_by_someone(p)
        ]

    def clear(self) -> int:
        if not self.root.exists():
            return 0
        count = sum(1 for p in self.root.iterdir() if not p.name.startswith("."))
        shutil.rmtree(self.root)
        return count
