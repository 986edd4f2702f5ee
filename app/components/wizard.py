"""What the registration wizards share: the upload fields (checked and stored by
dsgrid_core.uploads.UploadStore), a field with its guess and its problems under it, the
permission panel (with a token field when a token would help), the register section (log
message, Register, Cancel, the JSON5 and `dsgrid` command downloads, the job's progress bar and
its result), and the editable mapping grid of the mapping and submission wizards.

Each wizard page describes itself with a `Wizard` and calls `register_callbacks(wizard)` once;
its own callbacks fill the ``check`` store: {"problems": [{field, message}], "plan": ...}.
A plan is what Register starts a job with: {"config" (naming stored files), "config_name",
"title", "names" (stored name -> original name), "params" (a submission's project and
dataset)}. Nothing is registered without a plan; the plan comes back from the browser, so its
config is validated again before the job starts, and nothing else of it decides where the job
reads files.

Each upload field has its own upload session (and its own store, so that two uploads at once
cannot overwrite each other's state), made on its first upload and removed when the
registration succeeds, or at once by Cancel; the job works on a copy (hard links) that it
removes itself, so a failed registration leaves the form's files in place to fix and retry.
Sessions of closed tabs are swept when a wizard starts."""

from __future__ import annotations

import base64
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids, security, state
from app.components.common import KIND_LABELS, component_href, human_bytes
from dsgrid_core import forms
from dsgrid_core.errors import DsgridError, InputError
from dsgrid_core.uploads import KINDS, UploadStore, upload_limit_bytes

DEFAULT_LOG = "registered from the web form"
# A request body above the server's MAX_CONTENT_LENGTH is refused (413) before any of it is
# read; the browser says so itself instead (base64 takes 4/3 of a file, plus the form).
BODY_ROOM = 32 * 1024

# registration kind -> the name of the config a wizard writes (and offers for download)
CONFIG_NAMES = {
    "dimension": "dimension.json5",
    "dimension_mapping": "mapping.json5",
    "dataset": "dataset.json5",
    "project": "project.json5",
    "submission": "dimension_mappings.json5",
}
PATHS = {
    "dimension": "/register/dimension",
    "mapping": "/register/mapping",
    "dataset": "/register/dataset",
    "project": "/register/project",
    "submission": "/register/submission",
}


@dataclass(frozen=True)
class Wizard:
    name: str  # dimension, mapping, dataset, project, submission
    kind: str  # the registration job's kind
    title: str  # what the generated config is, e.g. "A dimension config"
    # field key -> the config paths whose problems are shown under it
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # where the message of a failed registration goes when it names no field
    failure_field: str | None = None
    # upload field key -> the file kinds it takes (csv, parquet, json, jsonl, json5)
    uploads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    multiple: tuple[str, ...] = ()  # upload fields that take several files

    @property
    def path(self) -> str:
        return PATHS[self.name]

    def id(self, part: str) -> str:
        return ids.wizard_id(self.name, part)


# --- layout pieces ---------------------------------------------------------------------------


def token_helps() -> bool:
    config = flask.current_app.config
    return bool(
        config.get("DSGRID_API_TOKEN")
        and config.get("DSGRID_TOKEN_REQUIRED")
        and not config.get("DSGRID_READ_ONLY")
    )


def permission_panel(name: str) -> html.Div:
    """Whether this browser may register, and why not; a token field when a token helps."""
    allowed, why = security.write_permission()
    if allowed:
        alert = dbc.Alert(
            "This server lets this browser register components.",
            color="success",
            id=ids.wizard_id(name, "permission"),
            class_name="py-2",
        )
    else:
        alert = dbc.Alert(
            [html.Strong("Nothing can be registered from this browser: "), why],
            color="warning",
            id=ids.wizard_id(name, "permission"),
            class_name="py-2",
        )
    token = html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=ids.wizard_id(name, "token"),
                        type="password",
                        placeholder="the server's access token (DSGRID_API_TOKEN)",
                        autoComplete="off",
                    ),
                    dbc.Button("Sign in", id=ids.wizard_id(name, "sign-in"), color="primary"),
                ],
                class_name="mb-1",
                style={"maxWidth": "36rem"},
            ),
        ],
        id=ids.wizard_id(name, "token-group"),
        style={} if not allowed and token_helps() else {"display": "none"},
        className="mb-3",
    )
    result = html.Div(id=ids.wizard_id(name, "sign-in-result"), className="small mb-2")
    return html.Div([alert, token, result])


def register_sign_in(name: str) -> None:
    @callback(
        Output(ids.wizard_id(name, "sign-in-result"), "children"),
        Output(ids.wizard_id(name, "permission"), "children"),
        Output(ids.wizard_id(name, "permission"), "color"),
        Output(ids.wizard_id(name, "token-group"), "style"),
        Input(ids.wizard_id(name, "sign-in"), "n_clicks"),
        State(ids.wizard_id(name, "token"), "value"),
        prevent_initial_call=True,
    )
    def sign_in(_clicks, token):
        if not token or not security.sign_in(token):
            return (
                html.Span("That is not the server's access token.", className="text-danger"),
                no_update,
                no_update,
                no_update,
            )
        return (
            html.Span("Signed in.", className="text-success"),
            "Signed in: this server lets this browser register components.",
            "success",
            {"display": "none"},
        )


def field(
    w: Wizard, key: str, label: str, control, help: str | None = None, reason: bool = True
) -> html.Div:
    """A labelled control with its help, the reason for its guessed value, and its problems."""
    return html.Div(
        [
            dbc.Label(label, html_for=ids.wizard_field(w.name, key), class_name="fw-semibold"),
            control,
            html.Div(help, className="form-text") if help else None,
            html.Div(id=ids.wizard_reason(w.name, key), className="form-text text-info-emphasis")
            if reason
            else None,
            problem_area(w, key),
        ],
        className="mb-3",
    )


def description_field(w: Wizard) -> html.Div:
    """The free-text description every config has."""
    textarea = dbc.Textarea(id=ids.wizard_field(w.name, "description"), value="", debounce=True)
    return field(w, "description", "Description", textarea, reason=False)


def problem_area(w: Wizard, key: str) -> html.Div:
    return html.Div(id=ids.wizard_problem(w.name, key), className="text-danger small")


def upload_field(w: Wizard, key: str, label: str, help: str | None = None) -> html.Div:
    multiple = key in w.multiple
    kinds = ", ".join(
        sorted(ext for ext, kind in KINDS.items() if kind in w.uploads[key] and ext != ".ndjson")
    )
    prompt = "Drop files here or " if multiple else "Drop a file here or "
    return html.Div(
        [
            dbc.Label(label, class_name="fw-semibold"),
            dcc.Upload(
                id=ids.wizard_field(w.name, key),
                children=html.Div([prompt, html.A("choose " + ("them" if multiple else "one"))]),
                multiple=multiple,
                className="border border-2 rounded text-center py-3 bg-light",
                style={"borderStyle": "dashed", "cursor": "pointer"},
            ),
            dcc.Store(id=w.id(f"pending-{key}")),
            html.Div(
                [
                    f"{kinds} · up to {upload_limit_bytes() / 2**20:,.0f} MiB",
                    f" · {help}" if help else "",
                ],
                className="form-text",
            ),
            html.Ul(id=ids.wizard_files(w.name, key), className="small mb-1 list-unstyled"),
            html.Div(id=ids.wizard_reason(w.name, key), className="form-text text-info-emphasis"),
            problem_area(w, key),
        ],
        className="mb-3",
    )


def step(number: int, title: str, *children, **kwargs) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(f"{number}. {title}", class_name="fw-semibold"),
            dbc.CardBody(list(children)),
        ],
        class_name="mb-3",
        **kwargs,
    )


def json5_preview(w: Wizard) -> html.Pre:
    return html.Pre(
        "The config appears here once the form has what it needs.",
        id=w.id("preview-config"),
        className="bg-light border rounded p-2 small",
        style={"maxHeight": "420px", "overflow": "auto", "whiteSpace": "pre-wrap"},
    )


def config_text(plan: dict[str, Any] | None) -> str:
    """The config as the user will download it (files named as they were uploaded)."""
    if not plan:
        return "The config appears here once the form has what it needs."
    config = forms.rename_references(plan["config"], plan.get("names", {}))
    return forms.json5_text(config, plan["title"])


def page(
    w: Wizard, title: str, intro: str, body, *, cancelled: bool = False, ready: bool = True
) -> html.Div:
    """The whole wizard page: stores, title, permission, the wizard's own body, and the
    register section."""
    try:
        UploadStore().sweep()
    except OSError:
        pass
    limit = upload_limit_bytes()
    request_cap = int(flask.current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    browser_cap = int((request_cap - BODY_ROOM) * 3 / 4) if request_cap else -1
    return html.Div(
        [
            *[dcc.Store(id=w.id(f"uploaded-{key}")) for key in w.uploads],
            dcc.Store(id=w.id("files"), data={}),
            dcc.Store(id=w.id("check"), data={"problems": [], "plan": None}),
            dcc.Store(id=w.id("job")),
            dcc.Store(id=w.id("outcome")),
            dcc.Store(
                id=w.id("upload-limit"),
                data={"cap": browser_cap, "limit_mib": limit / 2**20},
            ),
            dcc.Location(id=w.id("reload"), refresh=True),
            html.Div(dcc.Link("← all registration forms", href="/register"), className="small"),
            html.H2(title),
            html.P(intro, className="text-muted"),
            dbc.Alert(
                "Cancelled: the uploaded files were removed.",
                color="secondary",
                id=w.id("cancelled"),
                class_name="py-2",
            )
            if cancelled
            else None,
            permission_panel(w.name),
            body if ready else None,
            register_section(w) if ready else None,
        ]
    )


def register_section(w: Wizard) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader("Register", class_name="fw-semibold"),
            dbc.CardBody(
                [
                    html.Div(id=w.id("general-problems"), className="text-danger small mb-2"),
                    dbc.Row(
                        [
                            dbc.Col(
                                dbc.Input(
                                    id=w.id("log-message"),
                                    placeholder=f"Log message (default: {DEFAULT_LOG})",
                                    value="",
                                ),
                                lg=5,
                            ),
                            dbc.Col(
                                [
                                    dbc.Button(
                                        "Register",
                                        id=w.id("register"),
                                        color="primary",
                                        disabled=True,
                                        class_name="me-2",
                                    ),
                                    dbc.Button(
                                        "Cancel",
                                        id=w.id("cancel"),
                                        color="secondary",
                                        outline=True,
                                        class_name="me-3",
                                    ),
                                    dbc.Button(
                                        "Download JSON5",
                                        id=w.id("download-config"),
                                        color="link",
                                        disabled=True,
                                    ),
                                    dbc.Button(
                                        "Download dsgrid command",
                                        id=w.id("download-command"),
                                        color="link",
                                        disabled=True,
                                    ),
                                ],
                                lg=7,
                            ),
                        ],
                        class_name="g-2 align-items-center",
                    ),
                    dcc.Download(id=w.id("config-download")),
                    dcc.Download(id=w.id("command-download")),
                    dbc.Progress(
                        id=w.id("progress"),
                        value=0,
                        label="",
                        class_name="mt-3",
                        style={"display": "none", "height": "1.5rem"},
                    ),
                    dcc.Interval(id=w.id("interval"), interval=400, disabled=True),
                    html.Div(id=w.id("result"), className="mt-3"),
                ]
            ),
        ],
        class_name="mb-4",
    )


def problems_view(messages: list[str]):
    if not messages:
        return None
    if len(messages) == 1:
        return html.Div(
            messages[0], style={"whiteSpace": "pre-line", "maxHeight": "16rem", "overflowY": "auto"}
        )
    return html.Ul(
        [html.Li(m, style={"whiteSpace": "pre-line"}) for m in messages],
        className="mb-0",
        style={"maxHeight": "16rem", "overflowY": "auto"},
    )


def reason_view(reason: str | None, certain: bool = True):
    if not reason:
        return None
    return ("Guessed: " if certain else "Guessed (check it): ") + reason


# --- the mapping grid ------------------------------------------------------------------------


def mapping_grid(grid_id, height: int = 380) -> dag.AgGrid:
    """Editable mapping rows (client side): to_id and from_fraction (and from_id for added
    rows); each row's problems in its last column, the row tinted while it has any."""
    return dag.AgGrid(
        id=grid_id,
        rowData=[],
        columnDefs=[
            {"field": "from_id", "headerName": "from_id", "editable": True, "minWidth": 190},
            {"field": "to_id", "headerName": "to_id", "editable": True, "minWidth": 170},
            {
                "field": "from_fraction",
                "headerName": "from_fraction",
                "editable": True,
                "cellEditor": "agNumberCellEditor",
                "maxWidth": 130,
            },
            {"field": "match", "headerName": "guessed from", "maxWidth": 150},
            {
                "field": "problem",
                "headerName": "problem",
                "flex": 2,
                "wrapText": True,
                "autoHeight": True,
                "cellStyle": {"color": "#b02a37", "lineHeight": "1.3"},
            },
        ],
        defaultColDef={"resizable": True, "sortable": True, "flex": 1, "cellDataType": False},
        getRowId="params.data.row",
        getRowStyle={
            "styleConditions": [
                {"condition": "params.data.problem", "style": {"backgroundColor": "#f8d7da"}}
            ]
        },
        dashGridOptions={"singleClickEdit": True, "stopEditingWhenCellsLoseFocus": True},
        style={"height": f"{height}px", "width": "100%"},
    )


# --- uploads ---------------------------------------------------------------------------------


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


# --- starting and following the job ---------------------------------------------------------


def validate(kind: str, config: dict[str, Any], source: str) -> None:
    """The pydantic check of a config, as registration does it (raises ConfigError)."""
    from dsgrid_core.config.load import validate_dimension, validate_model

    if kind == "dimension":
        validate_dimension(config, source)
        return
    if kind == "dimension_mapping":
        from dsgrid_core.config.mapping import DimensionMappingConfig as model
    elif kind == "dataset":
        from dsgrid_core.config.dataset import DatasetConfig as model
    elif kind == "project":
        from dsgrid_core.config.project import ProjectConfig as model
    else:
        from dsgrid_core.config.mapping import DatasetMappingsFile as model
    validate_model(model, config, source)


def _clone(store: UploadStore, session: str, target: Path) -> None:
    """The form's files for the job: hard links (a copy across file systems)."""
    for info in store.files(session).values():
        destination = target / info["stored"]
        try:
            os.link(info["path"], destination)
        except OSError:
            shutil.copy2(info["path"], destination)


def start_job(w: Wizard, plan: dict[str, Any], files: dict | None, log_message: str) -> str:
    """Check the plan's config again and start its registration job on a copy of the form's
    files. The plan comes back from the browser: only its config (validated here, its file
    references confined to the job's folder by the registry) and, for a submission, the
    project and dataset ids are taken from it."""
    from dsgrid_core.jobs import dispatch
    from dsgrid_core.jobs.registration import create_registration_job

    config_name = CONFIG_NAMES[w.kind]
    validate(w.kind, plan["config"], config_name)
    registry = state.registry()  # NoRegistry when there is none
    store = UploadStore()
    job_session = store.new_session()
    try:
        folder = store.folder(job_session)
        for session in sessions_of(files):
            _clone(store, session, folder)
        config_file = store.write_config(
            job_session, config_name, forms.json5_text(plan["config"], w.title)
        )
        params = {
            "log_message": log_message,
            "data_roots": [str(folder)],
            "upload_session": job_session,
            "upload_root": str(store.root),
        }
        if w.kind == "submission":
            given = plan.get("params") or {}
            params["project_id"] = str(given.get("project_id"))
            params["dataset_id"] = str(given.get("dataset_id"))
            params["mappings_file"] = str(config_file)
        else:
            params["config_file"] = str(config_file)
        job_id = create_registration_job(
            registry.path, w.kind, params, for_worker=dispatch.runs_in_workers()
        )
    except BaseException:
        store.remove(job_session)
        raise
    dispatch.start(registry.path, job_id)
    return job_id


def _job(job_id: str):
    from dsgrid_core.jobs.store import JobStore

    jobs = JobStore(Path(state.registry_path()))
    try:
        return jobs.get(job_id)
    finally:
        jobs.close()


def _outcome(job, names: dict[str, str]) -> dict[str, Any]:
    metadata = job.metadata or {}
    if job.status == "succeeded":
        return {"status": "succeeded", "components": metadata.get("components", [])}
    folder = str(
        Path(str(job.params.get("upload_root") or "")) / str(job.params.get("upload_session") or "")
    )
    readable = lambda text: forms.readable(str(text), names, [folder])  # noqa: E731
    return {
        "status": job.status,
        "message": readable(metadata.get("message") or job.error or "the registration failed."),
        # the command line's hint on the full report means nothing here
        "details": [readable(d) for d in metadata.get("details") or [] if "--report-dir" not in d],
        "problems": [
            {"field": readable(p.get("field", "")), "message": readable(p.get("message", ""))}
            for p in metadata.get("problems") or []
        ],
    }


def _result(w: Wizard, job: dict | None, outcome: dict | None):
    if outcome is None:
        if job:
            return html.Div("Registering…", id=w.id("running"), className="text-muted")
        return None
    status = outcome["status"]
    if status == "refused":
        return dbc.Alert(
            [html.Strong("Nothing was registered: "), outcome["message"]],
            color="danger",
            id=w.id("result-alert"),
        )
    if status == "succeeded":
        made = (outcome.get("components") or [{}])[0]
        link = dcc.Link(
            made.get("id", ""),
            href=component_href(made.get("kind", "project"), made.get("id", "")),
            id=w.id("result-link"),
        )
        if w.kind == "submission":
            said = ["Submitted. Project ", link, f" is now at version {made.get('version')}."]
        else:
            label = KIND_LABELS.get(made.get("kind"), "Component")
            said = [f"Registered {label.lower()} ", link, f" version {made.get('version')}."]
        return dbc.Alert(
            [*said, html.A("Start another", href=w.path, className="ms-3")],
            color="success",
            id=w.id("result-alert"),
        )
    where = ""
    if not outcome.get("problems") and w.failure_field:
        where = " The problem is shown next to the field it concerns."
    return dbc.Alert(
        [
            html.Strong("Nothing was registered. "),
            outcome["message"].splitlines()[0] if outcome.get("message") else "",
            where,
        ],
        color="danger",
        id=w.id("result-alert"),
    )


def _failure_problems(w: Wizard, outcome: dict | None) -> list[dict[str, str]]:
    if not outcome or outcome["status"] not in ("failed", "cancelled"):
        return []
    said = "The last registration failed: "
    if outcome.get("problems"):
        return [{**p, "message": said + p["message"]} for p in outcome["problems"]]
    text = said + (outcome.get("message") or "")
    if outcome.get("details"):
        text += "\n" + "\n".join(outcome["details"])
    return [{"field": w.failure_field or "", "message": text}]


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
    """The callbacks every wizard has: uploads, sign-in, Register, progress, problems under
    their fields, Cancel and the downloads."""
    register_sign_in(w.name)

    for key in w.uploads:
        clientside_callback(
            GUARD_JS,
            Output(w.id(f"pending-{key}"), "data"),
            Input(ids.wizard_field(w.name, key), "contents"),
            State(ids.wizard_field(w.name, key), "filename"),
            State(w.id("upload-limit"), "data"),
            prevent_initial_call=True,
        )

    for key in w.uploads:
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

    @callback(
        Output(w.id("job"), "data"),
        Output(w.id("outcome"), "data", allow_duplicate=True),
        Output(w.id("interval"), "disabled", allow_duplicate=True),
        Input(w.id("register"), "n_clicks"),
        State(w.id("check"), "data"),
        State(w.id("files"), "data"),
        State(w.id("log-message"), "value"),
        prevent_initial_call=True,
    )
    def start(clicks, check, files, log_message):
        plan = (check or {}).get("plan")
        if not clicks or not plan:
            raise PreventUpdate
        allowed, why = security.write_permission()
        if not allowed:
            return None, {"status": "refused", "message": why}, True
        try:
            job_id = start_job(w, plan, files, (log_message or "").strip() or DEFAULT_LOG)
        except DsgridError as exc:
            return (
                None,
                {
                    "status": "failed",
                    "message": exc.message,
                    "details": exc.details,
                    "problems": exc.problems,
                },
                True,
            )
        except (state.NoRegistry, OSError) as exc:  # no registry, or the disk refused
            return None, {"status": "refused", "message": str(exc)}, True
        name = CONFIG_NAMES[w.kind]
        names = {**plan.get("names", {}), f"generated-{name}": name}
        return {"id": job_id, "names": names}, None, False

    @callback(
        Output(w.id("progress"), "value"),
        Output(w.id("progress"), "label"),
        Output(w.id("progress"), "style"),
        Output(w.id("progress"), "color"),
        Output(w.id("progress"), "animated"),
        Output(w.id("progress"), "striped"),
        Output(w.id("outcome"), "data"),
        Output(w.id("interval"), "disabled"),
        Input(w.id("interval"), "n_intervals"),
        State(w.id("job"), "data"),
        State(w.id("files"), "data"),
        prevent_initial_call=True,
    )
    def follow(_ticks, job, files):
        if not job:
            raise PreventUpdate
        record = _job(job["id"])
        if record is None:
            raise PreventUpdate
        total = max(record.stages_total, 1)
        value = round(100 * min(record.stages_done, total) / total)
        shown = {"display": "flex", "height": "1.5rem"}
        if record.status in ("queued", "running"):
            label = record.message or record.status
            return value, label, shown, "primary", True, True, no_update, False
        outcome = _outcome(record, job.get("names") or {})
        if record.status == "succeeded":
            remove_sessions(files)  # the form is done with its files
            return 100, "done", shown, "success", False, False, outcome, True
        return value, record.status, shown, "danger", False, False, outcome, True

    problem_keys = list(dict.fromkeys([*w.fields, *w.uploads]))
    routes = {k: w.fields.get(k, ()) for k in problem_keys}

    @callback(
        Output(w.id("result"), "children"),
        Output(w.id("register"), "disabled"),
        Output(w.id("cancel"), "disabled"),
        Output(w.id("download-config"), "disabled"),
        Output(w.id("download-command"), "disabled"),
        Output(w.id("general-problems"), "children"),
        *[Output(ids.wizard_problem(w.name, k), "children") for k in problem_keys],
        Input(w.id("check"), "data"),
        Input(w.id("job"), "data"),
        Input(w.id("outcome"), "data"),
    )
    def show(check, job, outcome):
        check = check or {}
        plan = check.get("plan")
        running = bool(job) and outcome is None
        succeeded = bool(outcome) and outcome.get("status") == "succeeded"
        problems = list(check.get("problems") or []) + _failure_problems(w, outcome)
        routed = forms.route_problems(problems, routes)
        return (
            _result(w, job, outcome),
            not plan or running or succeeded,
            running,
            not plan,
            not plan,
            problems_view(routed[forms.GENERAL]),
            *[problems_view(routed[k]) for k in problem_keys],
        )

    @callback(
        Output(w.id("reload"), "href"),
        Input(w.id("cancel"), "n_clicks"),
        State(w.id("files"), "data"),
        prevent_initial_call=True,
    )
    def cancel(clicks, files):
        if not clicks:
            raise PreventUpdate
        remove_sessions(files)
        return f"{w.path}?cancelled=1"

    @callback(
        Output(w.id("config-download"), "data"),
        Input(w.id("download-config"), "n_clicks"),
        State(w.id("check"), "data"),
        prevent_initial_call=True,
    )
    def download_config(clicks, check):
        plan = (check or {}).get("plan")
        if not clicks or not plan:
            raise PreventUpdate
        return {"content": config_text(plan), "filename": CONFIG_NAMES[w.kind]}

    @callback(
        Output(w.id("command-download"), "data"),
        Input(w.id("download-command"), "n_clicks"),
        State(w.id("check"), "data"),
        State(w.id("log-message"), "value"),
        prevent_initial_call=True,
    )
    def download_command(clicks, check, log_message):
        plan = (check or {}).get("plan")
        if not clicks or not plan:
            raise PreventUpdate
        names = plan.get("names", {})
        config = forms.rename_references(plan["config"], names)
        params = plan.get("params", {})
        text = forms.cli_command(
            w.kind,
            CONFIG_NAMES[w.kind],
            registry=state.registry_path(),
            log_message=(log_message or "").strip() or DEFAULT_LOG,
            files=forms.referenced_files(config),
            project_id=params.get("project_id"),
            dataset_id=params.get("dataset_id"),
        )
        return {"content": text, "filename": f"register-{w.name}.sh"}
