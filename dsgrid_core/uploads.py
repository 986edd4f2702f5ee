"""Files uploaded through the web forms: checked, stored outside the web root under generated
names, and removed when the form is done or abandoned.

One folder per form session (a random hex name) under the upload root (env
DSGRID_UPLOAD_DIR, default: ``uploads`` in this user's private folder, ~/.cache/dsgrid-viewer).
The root must be private (`dsgrid_core.private_dirs`): a folder other users could write, like a
fixed name in the temporary directory that anyone can create first, would let them read the
uploads or change them before they are registered. A file keeps its original name only in
the session's manifest; on disk it is ``<random>.<ext>``, so no uploaded name can reach
outside the folder. Configs written by a form refer to the stored names, and the registry's
path rules allow only the session folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from dsgrid_core.config.files import loads_json5
from dsgrid_core.errors import InputError
from dsgrid_core.private_dirs import PrivateFolderError, ensure_private_dir, private_subdir
from dsgrid_core.settings import get as setting

KINDS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json5": "json5",
}
MANIFEST = "manifest.json"
SESSION = re.compile(r"^[0-9a-f]{32}$")
ABANDONED_AFTER_HOURS = 24


class UploadTooLarge(InputError):
    http_status = 413


def upload_limit_bytes() -> int:
    """The largest upload accepted (env DSGRID_UPLOAD_LIMIT_MB, default 512)."""
    return int(float(setting("DSGRID_UPLOAD_LIMIT_MB")) * 1024 * 1024)


def upload_root() -> Path:
    """The upload root, made private on first use; PrivateFolderError (an InputError) when
    another user could write it."""
    configured = setting("DSGRID_UPLOAD_DIR")
    if configured:
        return ensure_private_dir(configured, setting="DSGRID_UPLOAD_DIR")
    return private_subdir("uploads", setting="DSGRID_UPLOAD_DIR")


def _check_content(kind: str, data: bytes, name: str) -> None:
    if kind == "parquet":
        if len(data) < 12 or data[:4] != b"PAR1" or data[-4:] != b"PAR1":
            raise InputError(f"{name}: not a Parquet file (it lacks Parquet's PAR1 markers).")
        return
    head = data[: 1 << 16]
    if b"\x00" in head:
        raise InputError(f"{name}: binary content in a {kind} file; upload the text file.")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            raise InputError(
                f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8."
            ) from None
        text = head[: exc.start].decode("utf-8")
    if kind == "json5":
        try:
            loads_json5(data.decode("utf-8"), name)
        except (UnicodeDecodeError, InputError) as exc:
            raise InputError(f"{name}: not a JSON5 document: {exc}") from None
    if kind == "csv" and not text.strip():
        raise InputError(f"{name}: the CSV file is empty.")


class UploadStore:
    def __init__(self, root: str | os.PathLike[str] | None = None):
        self._given = Path(root) if root else None
        self._root: Path | None = None

    @property
    def root(self) -> Path:
        """The upload root (``root`` if given, else `upload_root`), checked to be private on
        first use: PrivateFolderError otherwise."""
        if self._root is None:
            if self._given is None:
                self._root = upload_root()
            else:
                self._root = ensure_private_dir(self._given, setting="DSGRID_UPLOAD_DIR")
        return self._root

    def new_session(self) -> str:
        session = uuid.uuid4().hex
        (self.root / session).mkdir(mode=0o700)
        self._write_manifest(session, {})
        return session

    def folder(self, session: str) -> Path:
        if not isinstance(session, str) or not SESSION.match(session):
            raise InputError("this form session is not valid; reload the page to start again.")
        path = self.root / session
        if not path.is_dir():
            raise InputError("this form session has ended (its files were removed); start again.")
        return path

    def _manifest(self, session: str) -> dict[str, Any]:
        return json.loads((self.folder(session) / MANIFEST).read_text())

    def _write_manifest(self, session: str, manifest: dict[str, Any]) -> None:
        path = self.root / session / MANIFEST
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest))
        os.replace(tmp, path)

    def add(self, session: str, filename: str, data: bytes) -> dict[str, Any]:
        """Check and store one file; a file of the same name replaces the earlier one."""
        folder = self.folder(session)
        name = Path(str(filename).replace("\\", "/")).name.strip() or "upload"
        ext = Path(name).suffix.lower()
        kind = KINDS.get(ext)
        if kind is None:
            raise InputError(
                f"{name}: files of type '{ext or 'none'}' are not accepted; upload "
                f"{', '.join(sorted(KINDS))} files."
            )
        limit = upload_limit_bytes()
        if len(data) > limit:
            raise UploadTooLarge(
                f"{name}: {len(data) / 2**20:,.1f} MiB is above the upload limit of "
                f"{limit / 2**20:,.0f} MiB (DSGRID_UPLOAD_LIMIT_MB); register large datasets "
                "with the dsgrid command instead."
            )
        _check_content(kind, data, name)
        manifest = self._manifest(session)
        old = manifest.get(name)
        stored = f"{uuid.uuid4().hex}{ext}"
        (folder / stored).write_bytes(data)
        if old:
            (folder / old["stored"]).unlink(missing_ok=True)
        manifest[name] = {"stored": stored, "kind": kind, "size": len(data), "at": time.time()}
        self._write_manifest(session, manifest)
        return {"name": name, "path": folder / stored, **manifest[name]}

    def files(self, session: str) -> dict[str, dict[str, Any]]:
        """Original name -> {stored, kind, size, path}."""
        folder = self.folder(session)
        return {
            name: {**info, "path": folder / info["stored"]}
            for name, info in self._manifest(session).items()
        }

    def path(self, session: str, name: str) -> Path:
        files = self.files(session)
        if name not in files:
            raise InputError(
                f"no uploaded file named '{name}' in this form; uploaded: "
                f"{', '.join(sorted(files)) or 'none'}."
            )
        return files[name]["path"]

    def remove(self, session: str) -> None:
        shutil.rmtree(self.folder(session), ignore_errors=True)

    def sweep(self, older_than_hours: float = ABANDONED_AFTER_HOURS) -> int:
        """Remove sessions nobody touched for a while (abandoned forms); returns how many.
        Nothing is removed from a root that is not private (adding a file then says why)."""
        try:
            root = self.root
        except PrivateFolderError:
            return 0
        cutoff = time.time() - older_than_hours * 3600
        removed = 0
        for child in root.iterdir():
            if not SESSION.match(child.name):
                continue
            try:
                if child.is_dir() and _last_touched(child) < cutoff:
                    shutil.rmtree(child, ignore_errors=True)
                    removed += 1
            except FileNotFoundError:
                continue  # its form or job ended and removed it while we looked
        return removed


def _last_touched(folder: Path) -> float:
    newest = max((p.stat().st_mtime for p in folder.iterdir()), default=0)
    return max(newest, folder.stat().st_mtime)
