"""Register a project: upload its project.json5 and the files it refers to (matched by name,
whatever folders the config names), or build a small project from registered dimensions."""

from __future__ import annotations

from typing import Any, get_args

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from app import ids, state
from app.components import wizard as wz
from app.components import wizard_register, wizard_uploads
from app.components.common import error_state
from dsgrid_core import forms
from dsgrid_core.config.dimension import DIMENSION_TYPES
from dsgrid_core.config.files import loads_json5
from dsgrid_core.config.load import validate_model
from dsgrid_core.config.project import ProjectConfig, ProjectDataset
from dsgrid_core.errors import DsgridError, InputError

dash.register_page(
    __name__, path="/register/project", title="Register a project", name="Register a project"
)

W = wz.Wizard(
    name="project",
    kind="project",
    title="A project config",
    fields={
        "config": (),
        "files": (),
        "project_id": ("fields.project_id",),
        "project_name": ("fields.name",),
        "project_description": ("fields.description",),
        "base": ("fields.dimensions", "fields.(top level)"),
        "datasets": ("fields.datasets",),
        "dataset_type": (),
    },
    uploads={"config": ("json5", "json"), "files": ("csv", "json")},
    multiple=("files",),
)
wizard_register.register_callbacks(W)
UPLOAD_TAB, FIELDS_TAB = "upload", "fields"
COLUMNS = ("role", "type", "name", "files")
# the dataset types a project accepts, from its model: modeled, historical, benchmark, unspecified
DATASET_TYPES: tuple[str, ...] = get_args(ProjectDataset.model_fields["dataset_type"].annotation)


def dimensions_by_type() -> dict[str, list[dict[str, str]]]:
    """The registered dimensions of each type, as options of the base dimension pickers."""
    out: dict[str, list[dict[str, str]]] = {t: [] for t in DIMENSION_TYPES}
    for c in state.viewer().catalog("dimension"):
        out.setdefault(c["type"], []).append(
            {"label": f"{c['name']} ({c['id']})", "value": c["id"], "version": c["version"]}
        )
    return out


def layout(cancelled: str | None = None, **_):
    f = W.name
    try:
        known = dimensions_by_type()
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
    upload_tab = dbc.Row(
        [
            dbc.Col(
                [
                    wz.upload_field(W, "config", "project.json5", "the project's config"),
                    wz.upload_field(
                        W,
                        "files",
                        "The files it refers to",
                        "dimension, mapping and subset CSVs; matched by file name",
                    ),
                ],
                md=6,
            ),
            dbc.Col(
                html.Div(
                    "Upload the config to see what it holds.",
                    id=ids.PROJECT_SUMMARY,
                    className="small",
                ),
                md=6,
            ),
        ],
        class_name="pt-3",
    )
    fields_tab = html.Div(
        [
            html.P(
                "A minimal project: one registered base dimension per type, and the ids of "
                "the datasets it expects with their types.",
                className="text-muted small",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            wz.field(
                                W,
                                "project_id",
                                "Project id (required)",
                                dbc.Input(
                                    id=ids.wizard_field(f, "project_id"), value="", debounce=True
                                ),
                                reason=False,
                            ),
                            wz.field(
                                W,
                                "project_name",
                                "Name (required)",
                                dbc.Input(
                                    id=ids.wizard_field(f, "project_name"), value="", debounce=True
                                ),
                                reason=False,
                            ),
                            wz.field(
                                W,
                                "project_description",
                                "Description",
                                dbc.Textarea(
                                    id=ids.wizard_field(f, "project_description"),
                                    value="",
                                    debounce=True,
                                ),
                                reason=False,
                            ),
                            wz.field(
                                W,
                                "datasets",
                                "Expected datasets",
                                dbc.Input(
                                    id=ids.wizard_field(f, "datasets"),
                                    value="",
                                    debounce=True,
                                    placeholder="dataset ids, separated by commas",
                                ),
                                help="id:type gives a dataset its own type, e.g. "
                                "comstock:modeled, eia:historical",
                                reason=False,
                            ),
                            wz.field(
                                W,
                                "dataset_type",
                                "Type of the datasets listed",
                                dcc.Dropdown(
                                    id=ids.wizard_field(f, "dataset_type"),
                                    options=[{"label": t, "value": t} for t in DATASET_TYPES],
                                    placeholder="modeled, historical, benchmark or unspecified",
                                ),
                                help="for each dataset listed without a type of its own",
                                reason=False,
                            ),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        [
                            html.Div(
                                [
                                    dbc.Label(t, class_name="mb-0 small fw-semibold"),
                                    dcc.Dropdown(
                                        id=ids.wizard_field(f, f"base-{t}"),
                                        options=[
                                            {"label": o["label"], "value": o["value"]}
                                            for o in known.get(t, [])
                                        ],
                                        placeholder=f"the project's {t} dimension",
                                    ),
                                ],
                                className="mb-2",
                            )
                            for t in DIMENSION_TYPES
                        ]
                        + [wz.problem_area(W, "base")],
                        md=7,
                    ),
                ]
            ),
        ],
        className="pt-3",
    )
    body = wz.step(
        1,
        "The project",
        dbc.Tabs(
            [
                dbc.Tab(upload_tab, label="Upload project.json5", tab_id=UPLOAD_TAB),
                dbc.Tab(fields_tab, label="Build from fields", tab_id=FIELDS_TAB),
            ],
            id=W.id("tabs"),
            active_tab=UPLOAD_TAB,
        ),
    )
    preview = wz.step(2, "Preview: project.json5", wz.json5_preview(W))
    return wz.page(
        W,
        "Register a project",
        "A project names its base dimensions (one per type), supplemental dimensions with their "
        "mappings, subsets, and the datasets it expects.",
        html.Div([body, preview]),
        cancelled=bool(cancelled),
    )


def _file(reference, uploads: set[str]) -> str:
    if not reference:
        return "-"
    name = forms.base_name(reference)
    return f"{name} ✓" if name in uploads else f"{name}: not uploaded"


def _summary(config: dict, uploads: set[str]) -> html.Div:
    dims = config.get("dimensions") or {}
    rows = []
    for d in dims.get("base_dimensions") or []:
        rows.append(("base", d.get("type"), d.get("name"), _file(d.get("file"), uploads)))
    for d in dims.get("base_dimension_references") or []:
        rows.append(("base", d.get("type"), d.get("name") or d.get("dimension_id"), "registered"))
    for d in dims.get("supplemental_dimensions") or []:
        mapping = (d.get("mapping") or {}).get("file")
        files = f"{_file(d.get('file'), uploads)}; mapping {_file(mapping, uploads)}"
        rows.append(("supplemental", d.get("type"), d.get("name"), files))
    for d in dims.get("subset_dimensions") or []:
        reference = d.get("filename") or d.get("file")
        rows.append(("subset", d.get("type"), d.get("name"), _file(reference, uploads)))
    datasets = [d.get("dataset_id") for d in config.get("datasets") or [] if isinstance(d, dict)]
    return html.Div(
        [
            html.P(
                [
                    html.Strong(str(config.get("project_id") or "(no project_id)")),
                    " · ",
                    str(config.get("name") or ""),
                ]
            ),
            html.Div(
                dbc.Table(
                    [
                        html.Thead(
                            html.Tr([html.Th(c) for c in ("role", "type", "name", "files")])
                        ),
                        html.Tbody(
                            [
                                html.Tr(
                                    [
                                        html.Td(role, className="text-nowrap"),
                                        html.Td(type_, className="text-nowrap"),
                                        html.Td(name),
                                        html.Td(files, style={"overflowWrap": "anywhere"}),
                                    ]
                                )
                                for role, type_, name, files in rows
                            ]
                        ),
                    ],
                    size="sm",
                ),
                style={"overflowX": "auto"},
            ),
            html.P(
                f"Expects {len(datasets)} dataset(s): {', '.join(map(str, datasets)) or 'none'}."
            ),
        ]
    )


def _from_upload(files) -> tuple[dict | None, list[dict], object]:
    problems = wizard_uploads.upload_problems(files)
    entries = wizard_uploads.uploaded(files, "config")
    if not entries:
        return None, problems, "Upload the config to see what it holds."
    entry = entries[0]
    try:
        text = wizard_uploads.stored_path(entry).read_text(encoding="utf-8")
        raw = loads_json5(text, entry["name"])
    except (InputError, OSError, UnicodeDecodeError) as exc:
        problems.append({"field": "config", "message": getattr(exc, "message", str(exc))})
        return None, problems, None
    uploads = {f["name"]: f["stored"] for f in wizard_uploads.uploaded(files, "files")}
    config, missing = forms.point_at_uploads(raw, uploads, entry["name"])
    problems += [{"field": "files", "message": f"{p['field']}: {p['message']}"} for p in missing]
    return config, problems, _summary(raw, set(uploads))


def expected_datasets(
    text: str | None, dataset_type: str | None
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The project's dataset entries from the form's comma-separated list, and the problems
    of its items. dsgrid needs each dataset's type: ``id`` takes the type chosen in the
    dropdown, ``id:type`` its own; an unknown type is named with its item and the allowed
    values, and a dataset left without a type asks for one (never a silent default)."""
    datasets: list[dict[str, str]] = []
    problems: list[dict[str, str]] = []
    untyped: list[str] = []
    allowed = ", ".join(DATASET_TYPES)
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        dataset_id, colon, given = (part.strip() for part in item.partition(":"))
        if not dataset_id:
            problems.append({"field": "datasets", "message": f"'{item}': no dataset id."})
            continue
        if not colon:
            if dataset_type:
                datasets.append({"dataset_id": dataset_id, "dataset_type": dataset_type})
            else:
                untyped.append(dataset_id)
            continue
        if given.lower() not in DATASET_TYPES:
            what = f"unknown dataset type '{given}'" if given else "no type after ':'"
            problems.append(
                {"field": "datasets", "message": f"'{item}': {what}; use one of {allowed}."}
            )
            continue
        datasets.append({"dataset_id": dataset_id, "dataset_type": given.lower()})
    if untyped:
        problems.append(
            {
                "field": "dataset_type",
                "message": f"choose the type of {', '.join(untyped)} here, or give it as "
                f"id:type in the list ({allowed}).",
            }
        )
    return datasets, problems


def project_config_from_fields(
    project_id: str | None,
    name: str | None,
    description: str | None,
    datasets: str | None,
    dataset_type: str | None,
    references: list[dict[str, str]],
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The config of a minimal project from the form's fields (``references``: the chosen
    base dimensions), and the problems of the dataset list; the model's own checks run on
    the config afterwards, as on an uploaded one."""
    entries, problems = expected_datasets(datasets, dataset_type)
    config: dict[str, Any] = {
        "project_id": (project_id or "").strip(),
        "name": (name or "").strip(),
        "description": (description or "").strip(),
        "datasets": entries,
        "dimensions": {"base_dimension_references": references},
    }
    for key in ("project_id", "name"):
        if not config[key]:
            config.pop(key)
    return config, problems


def _from_fields(
    project_id, name, description, datasets, dataset_type, bases
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    unanswered = []
    try:
        known = dimensions_by_type()
    except DsgridError as exc:  # the registry did not answer (a remote one)
        known, unanswered = {}, [{"field": "", "message": exc.message}]
    references = []
    for t, chosen in zip(DIMENSION_TYPES, bases, strict=True):
        match = next((o for o in known.get(t, []) if o["value"] == chosen), None)
        if match:
            references.append({"type": t, "dimension_id": chosen, "version": match["version"]})
    config, problems = project_config_from_fields(
        project_id, name, description, datasets, dataset_type, references
    )
    return config, unanswered + problems


@callback(
    Output(W.id("check"), "data"),
    Output(W.id("preview-config"), "children"),
    Output(ids.PROJECT_SUMMARY, "children"),
    Input(W.id("tabs"), "active_tab"),
    Input(W.id("files"), "data"),
    Input(ids.wizard_field(W.name, "project_id"), "value"),
    Input(ids.wizard_field(W.name, "project_name"), "value"),
    Input(ids.wizard_field(W.name, "project_description"), "value"),
    Input(ids.wizard_field(W.name, "datasets"), "value"),
    Input(ids.wizard_field(W.name, "dataset_type"), "value"),
    *[Input(ids.wizard_field(W.name, f"base-{t}"), "value") for t in DIMENSION_TYPES],
)
def check(tab, files, project_id, name, description, datasets, dataset_type, *bases):
    summary = dash.no_update
    if tab == FIELDS_TAB:
        config, problems = _from_fields(
            project_id, name, description, datasets, dataset_type, bases
        )
        prefix = "fields."
        names = {}
    else:
        config, problems, summary = _from_upload(files)
        prefix = ""
        names = wizard_uploads.names_of(files)
        if config is None:
            return {"problems": problems, "plan": None}, wz.config_text(None), summary
    try:
        validate_model(ProjectConfig, config, "project.json5")
    except DsgridError as exc:
        for p in exc.problems or [{"field": "(top level)", "message": exc.message}]:
            if tab == FIELDS_TAB:
                problems.append({"field": prefix + p["field"], "message": p["message"]})
            else:  # under the uploaded config, saying where in it
                where = "" if p["field"] == "(top level)" else f"{p['field']}: "
                problems.append({"field": "config", "message": where + p["message"]})
    taken = wz.taken_id_problem("project", config.get("project_id"), f"{prefix}project_id")
    problems += [taken] if taken else []
    plan = None
    if not problems:
        plan = {"config": config, "config_name": "project.json5", "title": W.title, "names": names}
    preview = wz.config_text(plan or {"config": config, "title": W.title, "names": names})
    return {"problems": problems, "plan": plan}, preview, summary
