"""A registration wizard's description (`Wizard`) and the layout pieces every wizard page is
built from: a field with its guess and its problems under it, upload fields, numbered steps,
the JSON5 preview, and the whole page with its permission panel and register section (log
message, Register, Cancel, the JSON5 and `dsgrid` command downloads, the job's progress bar and
its result).

Each wizard page describes itself with a `Wizard` and calls
`app.components.wizard_register.register_callbacks(wizard)` once; its own callbacks fill the
``check`` store: {"problems": [{field, message}], "plan": ...}. A plan is what Register starts
a job with: {"config" (naming stored files), "config_name", "title", "names" (stored name ->
original name), "params" (a submission's project and dataset)}. What happens to uploads is in
`app.components.wizard_uploads`; starting and following the job in
`app.components.wizard_register`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from app import ids, state
from app.components.permission_panel import permission_panel
from dsgrid_core import forms
from dsgrid_core.errors import DsgridError
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
            # names the upload; assets/a11y.js gives its text to the file input inside
            dbc.Label(label, html_for=ids.wizard_field(w.name, key), class_name="fw-semibold"),
            dcc.Upload(
                id=ids.wizard_field(w.name, key),
                children=html.Div([prompt, html.A("choose " + ("them" if multiple else "one"))]),
                multiple=multiple,
                className="border border-2 rounded text-center py-3 bg-body-tertiary",
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
        className="bg-body-tertiary border rounded p-2 small",
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
            html.H1(title),
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
                                [
                                    dbc.Label(
                                        "Log message",
                                        html_for=w.id("log-message"),
                                        class_name="visually-hidden",
                                    ),
                                    dbc.Input(
                                        id=w.id("log-message"),
                                        placeholder=f"Log message (default: {DEFAULT_LOG})",
                                        value="",
                                    ),
                                ],
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


def taken_id_problem(kind: str, component_id: str | None, field: str) -> dict[str, str] | None:
    """The problem for ``field`` when a ``kind`` (dataset, project) with this id is registered
    already, or when the registry cannot say (a remote one that did not answer); else None."""
    if not component_id:
        return None
    try:
        taken = any(c["id"] == component_id for c in state.viewer().catalog(kind))
    except DsgridError as exc:
        return {"field": "", "message": exc.message}
    if not taken:
        return None
    return {
        "field": field,
        "message": f"a {kind} '{component_id}' is already registered; choose another id.",
    }
