"""A registry's data on an S3-compatible object store: ``s3://bucket/prefix/<dataset>/<version>/``.

Registration writes and checks its Parquet files in a local staging folder, exactly as for a
folder (BaseDataStore). Publishing then has to do without a rename (S3 has none):

1. before the database transaction, ``prepare_publish`` writes an owner marker
   ``.staging/<token>/owner.json`` (who is publishing which version) and uploads the files
   next to it;
2. inside the transaction, ``publish`` copies them to ``<dataset>/<version>/`` (a server-side
   copy) and deletes the staged data keys; the database row commits after that, and a failure
   removes what was published (``unpublish``);
3. ``release``, after the commit, deletes the owner marker.

The marker plays the part of a folder's owner lock. Leftovers of unfinished work on the bucket
are staging prefixes whose publisher is gone (a process of this machine that no longer runs)
or that are older than an hour (STALE_AFTER: a publisher on another machine is given that
long), and version prefixes that no database row knows and no live publication targets.
`registry check` reports them; the next writable open removes them.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dsgrid_core.data import s3
from dsgrid_core.data.base_store import (
    OWNER_LOCK,
    STAGING,
    BaseDataStore,
    Known,
    Leftover,
)
from dsgrid_core.errors import InputError

OWNER_FILE = "owner.json"
STALE_AFTER = 3600.0  # seconds after which a staging prefix of another machine is a leftover
DELETE_BATCH = 1000  # S3's DeleteObjects limit


class ObjectDataStore(BaseDataStore):
    def __init__(self, root: str, *, staging_root: Path):
        super().__init__(staging_root)
        self.url = s3.S3Url.parse(root)
        self.root = str(self.url)
        self._uploaded: dict[Path, str] = {}  # local staging folder -> its staging prefix
        self._markers: dict[tuple[str, str], str] = {}  # published version -> marker key

    def __repr__(self) -> str:
        return f"ObjectDataStore({self.root})"

    @property
    def _client(self):
        return s3.client()

    # --- reading ----------------------------------------------------------------------------

    def locate(self, data_path: str) -> str:
        return self.url.url(data_path)

    def file_size(self, data_path: str) -> int | None:
        with s3.s3_errors(f"look at {self.locate(data_path)}"):
            try:
                head = self._client.head_object(Bucket=self.url.bucket, Key=self.url.key(data_path))
            except Exception as exc:
                if _not_found(exc):
                    return None
                raise
        return int(head["ContentLength"])

    def digest(self, data_path: str) -> tuple[int, str]:
        sha = hashlib.sha256()
        size = 0
        with s3.s3_errors(f"read {self.locate(data_path)}"):
            body = self._client.get_object(Bucket=self.url.bucket, Key=self.url.key(data_path))
            for chunk in body["Body"].iter_chunks(1 << 20):
                sha.update(chunk)
                size += len(chunk)
        return size, sha.hexdigest()

    def download(self, data_path: str, target: Path) -> None:
        with s3.s3_errors(f"download {self.locate(data_path)}"):
            self._client.download_file(self.url.bucket, self.url.key(data_path), str(target))

    def size_of(self) -> int:
        return sum(o["Size"] for o in self._list(""))

    def is_empty(self) -> bool:
        with s3.s3_errors(f"list {self.root}"):
            page = self._client.list_objects_v2(
                Bucket=self.url.bucket, Prefix=self.url.key(), MaxKeys=1
            )
        return not page.get("KeyCount", len(page.get("Contents", [])))

    def check_new_root(self) -> None:
        """A new registry's data root: the bucket is reachable and the prefix holds nothing."""
        if not self.is_empty():
            raise InputError(f"{self.root} is not empty; choose a new or empty prefix.")

    # --- publishing -------------------------------------------------------------------------

    def prepare_publish(self, staging_dir: Path, dataset_id: str, version: str) -> None:
        stage = f"{STAGING}/{staging_dir.name}"
        self._uploaded[staging_dir] = stage  # before the first key: discard() finds them all
        marker = {
            "target": f"{dataset_id}/{version}",
            "owner": owner_identity(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with s3.s3_errors(f"write {self.url.url(stage)}"):
            self._client.put_object(
                Bucket=self.url.bucket,
                Key=self.url.key(f"{stage}/{OWNER_FILE}"),
                Body=json.dumps(marker).encode(),
                ContentType="application/json",
            )
            for file in sorted(staging_dir.iterdir()):
                if file.is_file() and file.name != OWNER_LOCK:
                    self._client.upload_file(
                        str(file), self.url.bucket, self.url.key(f"{stage}/{file.name}")
                    )

    def publish(self, staging_dir: Path, dataset_id: str, version: str) -> str:
        if staging_dir not in self._uploaded:
            self.prepare_publish(staging_dir, dataset_id, version)
        stage = self._uploaded[staging_dir]
        target = f"{dataset_id}/{version}"
        if self._list(f"{target}/"):
            raise FileExistsError(f"{self.url.url(target)} already exists")
        staged = [o["Key"] for o in self._list(f"{stage}/") if not _is_marker(o["Key"])]
        copied: list[str] = []
        try:
            with s3.s3_errors(f"publish {self.url.url(target)}"):
                for key in staged:
                    name = key.rsplit("/", 1)[1]
                    destination = self.url.key(f"{target}/{name}")
                    self._client.copy(
                        {"Bucket": self.url.bucket, "Key": key}, self.url.bucket, destination
                    )
                    copied.append(destination)
                self._delete(staged)
        except BaseException:
            self._delete(copied, quiet=True)
            raise
        self._markers[(dataset_id, version)] = self.url.key(f"{stage}/{OWNER_FILE}")
        del self._uploaded[staging_dir]
        super().discard(staging_dir)  # the local copy: the files are on the bucket now
        return self.url.url(target)

    def release(self, dataset_id: str, version: str) -> None:
        marker = self._markers.pop((dataset_id, version), None)
        if marker:
            # Best effort: the row is committed; a marker left behind is a leftover later.
            self._delete([marker], quiet=True)

    def unpublish(self, dataset_id: str, version: str) -> None:
        keys = [o["Key"] for o in self._list(f"{dataset_id}/{version}/")]
        marker = self._markers.pop((dataset_id, version), None)
        self._delete(keys + ([marker] if marker else []), quiet=True)

    def remove_dataset(self, dataset_id: str) -> None:
        self._delete([o["Key"] for o in self._list(f"{dataset_id}/")])

    def discard(self, staging_dir: Path) -> None:
        stage = self._uploaded.pop(staging_dir, None)
        if stage is not None:
            self._delete([o["Key"] for o in self._list(f"{stage}/")], quiet=True)
        super().discard(staging_dir)

    # --- leftovers --------------------------------------------------------------------------

    def _published_leftovers(self, known: Known) -> list[Leftover]:
        base = self.url.key()
        stages: dict[str, list[dict[str, Any]]] = {}
        versions: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for obj in self._list(""):
            parts = obj["Key"][len(base) :].split("/")
            if len(parts) < 3:
                continue  # not a key this store writes
            if parts[0] == STAGING:
                stages.setdefault(parts[1], []).append(obj)
            else:
                versions.setdefault((parts[0], parts[1]), []).append(obj)
        now = datetime.now(UTC)
        found: list[Leftover] = []
        live_targets: set[str] = set()
        for token, objects in sorted(stages.items()):
            marker_key = next((o["Key"] for o in objects if _is_marker(o["Key"])), None)
            marker = self._read_marker(marker_key) if marker_key else {}
            if marker is None:
                continue  # released (committed) since the listing
            state = owner_state(marker.get("owner"))
            newest = max(o["LastModified"] for o in objects)
            young = (now - newest).total_seconds() < STALE_AFTER
            if state == "alive" or (state == "unknown" and young):
                live_targets.add(str(marker.get("target")))
                continue
            keys = [o["Key"] for o in objects]
            found.append(Leftover(self.url.url(f"{STAGING}/{token}") + "/", True, keys))
        candidates = {
            pair: objects
            for pair, objects in versions.items()
            if f"{pair[0]}/{pair[1]}" not in live_targets
        }
        if candidates:
            rows = known()
            for (dataset, version), objects in sorted(candidates.items()):
                if (dataset, version) not in rows:
                    keys = [o["Key"] for o in objects]
                    found.append(Leftover(self.url.url(f"{dataset}/{version}") + "/", False, keys))
        return found

    def _remove_keys(self, item: Leftover) -> None:
        self._delete(item.keys)

    def _read_marker(self, key: str) -> dict[str, Any] | None:
        """The marker's content; None when it is gone; {} when it cannot be read."""
        with s3.s3_errors(f"read {self.url.bucket}/{key}"):
            try:
                body = self._client.get_object(Bucket=self.url.bucket, Key=key)["Body"].read()
            except Exception as exc:
                if _not_found(exc):
                    return None
                raise
        try:
            data = json.loads(body)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    # --- plumbing ---------------------------------------------------------------------------

    def _list(self, relative: str) -> list[dict[str, Any]]:
        """Every object under a prefix relative to the data root ('' for all)."""
        prefix = self.url.key(relative.rstrip("/")) + ("/" if relative.endswith("/") else "")
        if not relative:
            prefix = self.url.key()
        out: list[dict[str, Any]] = []
        with s3.s3_errors(f"list {self.url.url(relative)}"):
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.url.bucket, Prefix=prefix
            )
            for page in pages:
                out += page.get("Contents", [])
        return out

    def _delete(self, keys: list[str], *, quiet: bool = False) -> None:
        """Delete keys in batches; ``quiet``: on a clean-up path, where the original error
        matters more than this one."""
        try:
            with s3.s3_errors(f"delete objects under {self.root}"):
                for start in range(0, len(keys), DELETE_BATCH):
                    batch = keys[start : start + DELETE_BATCH]
                    answer = self._client.delete_objects(
                        Bucket=self.url.bucket,
                        Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                    )
                    errors = answer.get("Errors") or []
                    if errors:
                        first = errors[0]
                        raise InputError(
                            f"S3: cannot delete {len(errors)} object(s) under {self.root}, "
                            f"e.g. {first.get('Key')}: {first.get('Code')}."
                        )
        except Exception:
            if not quiet:
                raise


def _is_marker(key: str) -> bool:
    return key.rsplit("/", 1)[-1] == OWNER_FILE


def _not_found(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


# --- who is publishing -------------------------------------------------------------------------


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _start_time(pid: int) -> int | None:
    """When a process started (clock ticks since boot): tells a reused pid from its owner."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    try:
        return int(text.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return None


def owner_identity() -> dict[str, Any]:
    pid = os.getpid()
    return {"host": socket.gethostname(), "boot": _boot_id(), "pid": pid, "start": _start_time(pid)}


def owner_state(owner: Any) -> str:
    """'alive' or 'dead' for a publisher of this machine; 'unknown' for another machine's."""
    if not isinstance(owner, dict):
        return "unknown"
    if owner.get("host") != socket.gethostname() or owner.get("boot") != _boot_id():
        return "unknown"
    pid = owner.get("pid")
    if not isinstance(pid, int):
        return "unknown"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "dead"
    except PermissionError:
        pass
    start = owner.get("start")
    if start is not None and _start_time(pid) not in (None, start):
        return "dead"  # the pid now belongs to another process
    return "alive"
