"""Job messages as their users may see them: without the server's paths.

A registration started from a web form or the API runs on files the server stored under
generated names in an upload session (``dsgrid_core.uploads``); its errors name those files by
their absolute paths (``/tmp/dsgrid-uploads/<session>/<random>.csv``). Anyone who can list
jobs would learn the server's folders, and the user would not recognise their own file. So a
registration job's messages are stored with the session folder left out and each stored name
replaced by the name the file was uploaded under (the session's manifest, which is removed with
the session when the job ends: hence at storing time); any other absolute path is cut to its
last part. ``public_error`` applies the same rules when a job's error is served, for records
stored before these rules and for query jobs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from dsgrid_core.config import files
from dsgrid_core.errors import DsgridError
from dsgrid_core.uploads import UploadStore

# An absolute path: a slash that does not continue a word, a URL or another path, then at
# least two segments. Units (kWh/MWh), fractions and URLs (https://host/...) do not match.
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~\\-])/[^\s/'\"()\[\]{},;<>|]+(?:/[^\s/'\"()\[\]{},;<>|]*)+")
# A path a message shortened (dsgrid_core.config.files.shown_path): its first 60 characters,
# "...", its last 20, and its length.
SHORTENED = re.compile(r"(?<![\w.:/~\\-])/[^\n]{59}\.\.\.([^\n]{20}) \([\d,]+ characters\)")


def _last_part(match: re.Match) -> str:
    path = match.group(0)
    return path.rstrip("/").rsplit("/", 1)[-1] or "(a folder of the server)"


def scrub(text: str, folders: list[str] = (), names: dict[str, str] | None = None) -> str:
    """``text`` with paths under ``folders`` made relative to them, stored file names replaced
    by the user's (``names``: stored -> original) and any other absolute path cut to its last
    part."""
    if not text:
        return text
    for stored in sorted(names or {}, key=len, reverse=True):  # shortened paths first
        text = text.replace(stored, names[stored])
    for folder in sorted({str(f).rstrip("/") for f in folders if f}, key=len, reverse=True):
        text = text.replace(folder + "/", "").replace(folder, "(the uploaded files)")
    text = SHORTENED.sub(lambda m: m.group(1).rsplit("/", 1)[-1], text)
    return ABSOLUTE_PATH.sub(_last_part, text)


def upload_context(params: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The folders a registration job's messages leave out (its data roots and upload session,
    as given and as resolved) and its files' names (stored -> uploaded), read from the upload
    session while it exists."""
    # how messages shorten a long path (none: the paths are shown in full)
    shown_path = getattr(files, "shown_path", str)
    folders = [str(r) for r in params.get("data_roots") or []]
    names: dict[str, str] = {}
    session, root = params.get("upload_session"), params.get("upload_root")
    if session:
        if root:
            folders.append(str(Path(root) / str(session)))
        try:
            store = UploadStore(Path(root) if root else None)
            folders.append(str(store.root / str(session)))
            folder = store.folder(session)
            names = {info["stored"]: name for name, info in store.files(session).items()}
            for path in list(folder.iterdir()):  # a long path is shortened in messages
                for full in {str(path), os.path.realpath(path)}:
                    names[shown_path(full)] = names.get(path.name, path.name)
        except (DsgridError, OSError, ValueError):
            pass  # the session is gone: its folder is still left out
    folders += [os.path.realpath(f) for f in folders]
    return folders, names


def scrub_failure(
    error: str, metadata: dict[str, Any], folders: list[str], names: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    """A failed registration's error and metadata (message, details, problems) scrubbed."""
    clean = dict(metadata)
    if clean.get("message"):
        clean["message"] = scrub(clean["message"], folders, names)
    clean["details"] = [scrub(str(d), folders, names) for d in clean.get("details") or []]
    clean["problems"] = [
        {k: scrub(str(v), folders, names) for k, v in p.items()}
        for p in clean.get("problems") or []
    ]
    return scrub(error, folders, names), clean


def public_error(job) -> str | None:
    """A job's error as an API may serve it: no absolute path of the server in it."""
    if not job.error:
        return job.error
    folders: list[str] = []
    if job.kind == "register":
        folders = [str(r) for r in job.params.get("data_roots") or []]
        session, root = job.params.get("upload_session"), job.params.get("upload_root")
        if session and root:
            folders.append(str(Path(root) / str(session)))
    return scrub(job.error, folders)
