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

CACHE_DIR = "cache"


def cache_key(query_dict: dict[str, Any], versions: dict[str, Any]) -> str:
    canonical = {k: v for k, v in query_dict.items() if k not in ("name", "version")}
    payload = json.dumps({"query": canonical, "versions": versions}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class ResultCache:
    def __init__(self, registry_path: Path):
        self.root = Path(registry_path) / CACHE_DIR

    def get(self, key: str):
        """(table, reports, metadata) or None."""
        folder = self.root / key
        meta = folder / "meta.json"
        if not meta.exists():
            return None
        import pyarrow.parquet as pq

        try:
            metadata = json.loads(meta.read_text())
            table = pq.read_table(folder / "table.parquet")
            reports = {p.stem: pq.read_table(p) for p in (folder / "reports").glob("*.parquet")}
        except (OSError, ValueError):
            return None
        return table, reports, metadata

    def put(self, key: str, table, reports: dict, metadata: dict[str, Any]) -> None:
        import pyarrow.parquet as pq

        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".tmp-{uuid.uuid4().hex}"
        (staging / "reports").mkdir(parents=True)
        try:
            pq.write_table(table, staging / "table.parquet")
            for name, report in reports.items():
                pq.write_table(report, staging / "reports" / f"{name}.parquet")
            (staging / "meta.json").write_text(json.dumps(metadata, default=str))
            target = self.root / key
            if target.exists():
                shutil.rmtree(staging)
                return
            os.replace(staging, target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)

    def clear(self) -> int:
        if not self.root.exists():
            return 0
        count = sum(1 for _ in self.root.iterdir())
        shutil.rmtree(self.root)
        return count
