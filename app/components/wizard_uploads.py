"""A wizard's upload fields at work: each field's files go to its own upload session
(dsgrid_core.uploads.UploadStore; its own store, so that two uploads at once cannot overwrite
each other's state), made on its first upload and removed when the registration succeeds, or
at once by Cancel. The browser refuses a file above the upload limit before sending it.
Sessions of closed tabs are swept when a wizard page opens."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, html
from dash.exceptions import PreventUpdate

from app import ids, security
from app.components.common import human_bytes
from app.components.wizard import Wizard
from dsgrid_core.errors import InputError
from dsgrid_core.uploads import KINDS, UploadStore

GUARD_JS = """
function(contents, names, limits) {
    if (!contents) { return window.dash_clientside.no_update; }
    const list = Array.isArray(contents) ? contents : [contents];
    const labels = Array.isArray(names) ? names : [names];
    let total = 0;
    for (const c of list) { total += (c.length - c.indexOf(',') - 1) * 3 / 4; }
    if (limits && limits.cap > 0 && total > limits.cap) {
        const mib = (total / 1048576).toFixed(1);
        return {error: `${labels.join(', ')}: ${mib} MiB is above the upload limit of ` +
            `${Math.round(limits.limit_mib)} MiB (DSGRID_UPLOAD_LIMIT_MB); register large ` +
            `datasets with the dsgrid command instead.`, at: Date.now()};
    }
    return {contents: list, names: labels, at: Date.now()};
}
"""


def receive(w: Wizard, key: str, pending: dict[str, Any], current: dict | None) -> dict:
    """Store one upload field's files in the field's own session; returns the field's state
    {"session", "files": [{name, stored, kind, size, session}], "errors": [...]}. A field
    taking one file starts a new session for each file (the old one is removed)."""
    current = dict(current or {"session": None, "files": [], "errors": []})
    names = pending.get("names") or []
    if pending.get("error"):
        return {**current, "errors": [pending["error"]]}
    allowed, why = security.write_permission()
    if not allowed:  # no files from those who cannot register them
        return {**current, "errors": [f"{', '.join(names)}: not stored: {why}"]}
    store = UploadStore()
    old = current.get("session")
    session = old if key in w.multiple and _alive(store, old) else None
    errors = []
    accepted = w.uploads[key]
    for name, content in zip(names, pending.get("contents") or [], strict=False):
        ext = Path(str(name)).suffix.lower()
        if KINDS.get(ext) and KINDS[ext] not in accepted:
            errors.append(
                f"{name}: this field takes {', '.join(accepted)} files, not {KINDS[ext]}."
            )
            continue
        try:
            data = base64.b64decode(str(content).split(",", 1)[1])
        except (IndexError, ValueError):
            errors.append(f"{name}: the upload arrived damaged; try again.")
            continue
        fresh = session is None
        if fresh:
            session = store.new_session()
        try:
            store.add(session, name, data)
        except InputError as exc:
            errors.append(exc.message)
            if fresh:
                store.remove(session)
                session = None
    if session is None:  # nothing new was stored: the field keeps what it had
        return {**current, "errors": errors}
    if old and old != session and _alive(store, old):
        store.remove(old)
    files = [
        {"name": n, "stored": i["stored"], "kind": i["kind"], "size": i["size"], "session": session}
        for n, i in store.files(session).items()
    ]
    return {"session": session, "files": files, "errors": errors}


def _alive(store: UploadStore, session: str | None) -> bool:
    if not session:
        return False
    try:
        store.folder(session)
    except InputError:
        return False
    return True


def sessions_of(files: dict[str, Any] | None) -> list[str]:
    """The upload sessions of every field of a wizard."""
    return [f["session"] for f in (files or {}).values() if f and f.get("session")]


def remove_sessions(files: dict[str, Any] | None) -> None:
    store = UploadStore()
    for session in sessions_of(files):
        if _alive(store, session):
            store.remove(session)


def uploaded(files: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    return list(((files or {}).get(key) or {}).get("files") or [])


def upload_problems(files: dict[str, Any] | None) -> list[dict[str, str]]:
    return [
        {"field": key, "message": message}
        for key, state_ in (files or {}).items()
        for message in state_.get("errors") or []
    ]


def stored_path(entry: dict[str, Any]) -> Path:
    """Where an uploaded file is stored, as its session's manifest says (the browser's copy of
    the name is not trusted); InputError when the session has ended or holds no such file."""
    for info in UploadStore().files(str(entry.get("session"))).values():
        if info["stored"] == entry.get("stored"):
            return info["path"]
    raise InputError(f"{entry.get('name')}: this upload is gone; upload the file again.")


def names_of(files: dict[str, Any] | None) -> dict[str, str]:
    """stored name -> original name, for every uploaded file."""
    return {
        f["stored"]: f["name"]
        for state_ in (files or {}).values()
        for f in state_.get("files") or []
    }


def _file_list(entries: list[dict[str, Any]]):
    return [html.Li(["✓ ", html.Code(e["name"]), f" ({human_bytes(e['size'])})"]) for e in entries]


def _register_upload(w: Wizard, key: str) -> None:
    @callback(
        Output(w.id(f"uploaded-{key}"), "data"),
        Output(ids.wizard_files(w.name, key), "children"),
        Input(w.id(f"pending-{key}"), "data"),
        State(w.id(f"uploaded-{key}"), "data"),
        prevent_initial_call=True,
    )
    def receive_upload(pending, current):
        if not pending:
            raise PreventUpdate
        state_ = receive(w, key, pending, current)
        return state_, _file_list(state_["files"])


def register_callbacks(w: Wizard) -> None:
    """Each upload field: the browser's size guard, storing what arrives, and the wizard's
    ``files`` store gathering every field's state."""
    for key in w.uploads:
        clientside_callback(
            GUARD_JS,
            Output(w.id(f"pending-{key}"), "data"),
            Input(ids.wizard_field(w.name, key), "contents"),
            State(ids.wizard_field(w.name, key), "filename"),
            State(w.id("upload-limit"), "data"),
            prevent_initial_call=True,
        )
        _register_upload(w, key)
    if w.uploads:
        keys = list(w.uploads)
        clientside_callback(
            "function(...stores) { const keys = " + json.dumps(keys) + "; const out = {};"
            " keys.forEach((k, i) => { if (stores[i]) { out[k] = stores[i]; } });"
            " return out; }",
            Output(w.id("files"), "data"),
            *[Input(w.id(f"uploaded-{k}"), "data") for k in keys],
            prevent_initial_call=True,
        )
