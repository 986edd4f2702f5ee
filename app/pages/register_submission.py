"""Submit a dataset to a project: choose the project, then one of the datasets it expects that
is registered and not yet submitted; for each dimension of the dataset that differs from the
project's base dimension of its type, a mapping to edit (a skeleton matched by id and name, or
an uploaded CSV) with the mapping type's rules checked row by row; submit."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids, state
from app.components import wizard as wz
from app.components import wizard_register, wizard_uploads
from app.components.common import error_state
from app.components.mapping_grid import mapping_grid, uploaded_rows
from dsgrid_core import forms, mapping_edit
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.mapping import DatasetMappingsFile, MappingType
from dsgrid_core.errors import DsgridError
from dsgrid_core.infer.mapping import mapping_skeleton

dash.register_page(
    __name__,
    path="/register/submission",
    title="Submit a dataset to a project",
    name="Submit a dataset",
)

W = wz.Wizard(
    name="submission",
    kind="submission",
    title="A submission's dimension mappings",
    fields={
        "project": ("project_id",),
        "dataset": ("dataset_id",),
        **{f"rows-{t}": () for t in NON_TIME_TYPES},
    },
    uploads={f"file-{t}": ("csv",) for t in NON_TIME_TYPES},
)
wizard_register.register_callbacks(W)
MAPPING_TYPES = [t.value for t in MappingType]


def projects() -> list[dict[str, str]]:
    return [
        {"label": f"{c['name']} ({c['id']})", "value": c["id"]}
        for c in state.viewer().catalog("project")
    ]


def waiting(project_id: str) -> dict:
    """The project's expected datasets: which can be submitted now, and why the others not."""
    viewer = state.viewer()
    overview = viewer.project_overview(project_id)
    registered = {c["id"] for c in viewer.catalog("dataset")}
    ready, other = [], []
    for d in overview["datasets"]:
        if d["status"] == "Registered":
            other.append(f"{d['dataset_id']} (submitted)")
        elif d["dataset_id"] not in registered:
            other.append(f"{d['dataset_id']} (not registered yet)")
        else:
            ready.append(d["dataset_id"])
    return {"ready": ready, "other": other}


def pairs(project_id: str, dataset_id: str) -> dict:
    """For each dimension type where the dataset's dimension is not the project's base one:
    the two dimensions, with their records."""
    viewer = state.viewer()
    base = viewer.component("project", project_id)["extra"]["base_dimensions"]
    own = viewer.component("dataset", dataset_id)["extra"]["dimensions"]
    out = {}
    for t in NON_TIME_TYPES:
        src, dst = own.get(t), base.get(t)
        if not src or not dst or (src["id"], src["version"]) == (dst["id"], dst["version"]):
            continue
        out[t] = {
            "from": {**src, "records": _records(src)},
            "to": {**dst, "records": _records(dst)},
        }
    return out


def _records(dim: dict) -> list[dict[str, str]]:
    return [
        {"id": str(r["id"]), "name": str(r.get("name") or r["id"])}
        for r in state.viewer().records(dim["id"], dim["version"])
    ]


def _section(t: str) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(id=W.id(f"title-{t}"), class_name="fw-semibold"),
            dbc.CardBody(
                [
                    dcc.Store(id=W.id(f"status-{t}")),
                    dcc.Store(id=W.id(f"loaded-{t}")),
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    wz.field(
                                        W,
                                        f"type-{t}",
                                        "Mapping type",
                                        dcc.Dropdown(
                                            id=ids.wizard_field(W.name, f"type-{t}"),
                                            options=MAPPING_TYPES,
                                            clearable=False,
                                        ),
                                    ),
                                    dbc.Button(
                                        "Add a row",
                                        id=W.id(f"add-row-{t}"),
                                        color="secondary",
                                        outline=True,
                                        size="sm",
                                    ),
                                ],
                                md=6,
                            ),
                            dbc.Col(
                                wz.upload_field(
                                    W,
                                    f"file-{t}",
                                    "…or upload a mapping CSV",
                                    "from_id, to_id[, from_fraction]",
                                ),
                                md=6,
                            ),
                        ]
                    ),
                    html.Div(id=W.id(f"summary-{t}"), className="small text-muted mb-1"),
                    mapping_grid(W.id(f"grid-{t}"), height=300),
                    wz.problem_area(W, f"rows-{t}"),
                ]
            ),
        ],
        id=W.id(f"section-{t}"),
        class_name="mb-3",
        style={"display": "none"},
    )


def layout(cancelled: str | None = None, project: str | None = None, **_):
    f = W.name
    try:
        choices = projects()
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
    body = html.Div(
        [
            dcc.Store(id=W.id("pairs")),
            wz.step(
                1,
                "Project and dataset",
                dbc.Row(
                    [
                        dbc.Col(
                            wz.field(
                                W,
                                "project",
                                "Project",
                                dcc.Dropdown(
                                    id=ids.wizard_field(f, "project"),
                                    options=choices,
                                    value=project
                                    if project in {c["value"] for c in choices}
                                    else None,
                                ),
                            ),
                            md=6,
                        ),
                        dbc.Col(
                            wz.field(
                                W,
                                "dataset",
                                "Dataset (expected by the project, registered, not yet submitted)",
                                dcc.Dropdown(id=ids.wizard_field(f, "dataset"), options=[]),
                            ),
                            md=6,
                        ),
                    ]
                ),
            ),
            wz.step(
                2,
                "Map the dataset's dimensions to the project's",
                html.Div(
                    "Choose a project and a dataset.",
                    id=W.id("same"),
                    className="small text-muted mb-2",
                ),
                html.Div([_section(t) for t in NON_TIME_TYPES], id=ids.SUBMISSION_SECTIONS),
            ),
            wz.step(3, "Preview: dimension_mappings.json5", wz.json5_preview(W)),
        ]
    )
    return wz.page(
        W,
        "Submit a dataset to a project",
        "Submitting checks that the dataset, mapped to the project's base dimensions, has every "
        "record combination the project requires (except those it declares missing), then "
        "records it in a new project version.",
        body,
        cancelled=bool(cancelled),
    )


@callback(
    Output(ids.wizard_field(W.name, "dataset"), "options"),
    Output(ids.wizard_reason(W.name, "dataset"), "children"),
    Input(ids.wizard_field(W.name, "project"), "value"),
)
def dataset_options(project_id):
    if not project_id:
        return [], None
    try:
        found = waiting(project_id)
    except DsgridError as exc:
        return [], str(exc)
    said = []
    if not found["ready"]:
        said.append("No expected dataset is waiting to be submitted.")
    if found["other"]:
        said.append("Not offered: " + ", ".join(found["other"]) + ".")
    return found["ready"], " ".join(said) or None


@callback(
    Output(W.id("pairs"), "data"),
    Output(W.id("same"), "children"),
    Input(ids.wizard_field(W.name, "project"), "value"),
    Input(ids.wizard_field(W.name, "dataset"), "value"),
)
def choose(project_id, dataset_id):
    if not project_id or not dataset_id:
        return None, "Choose a project and a dataset."
    try:
        if dataset_id not in waiting(project_id)["ready"]:
            return None, "Choose a dataset the project is waiting for."
        found = pairs(project_id, dataset_id)
    except DsgridError as exc:
        return None, str(exc)
    same = [t for t in NON_TIME_TYPES if t not in found]
    text = (
        f"The dataset uses the project's own {', '.join(same)} dimension(s): nothing to map there."
        if same
        else ""
    )
    if not found:
        text += " No mapping is needed."
    return {"project_id": project_id, "dataset_id": dataset_id, "types": found}, text


def _section_callback(t: str) -> None:
    key = f"file-{t}"

    @callback(
        Output(W.id(f"section-{t}"), "style"),
        Output(W.id(f"title-{t}"), "children"),
        Output(W.id(f"grid-{t}"), "rowData"),
        Output(ids.wizard_field(W.name, f"type-{t}"), "value"),
        Output(ids.wizard_reason(W.name, f"type-{t}"), "children"),
        Output(W.id(f"summary-{t}"), "children"),
        Output(W.id(f"status-{t}"), "data"),
        Output(W.id(f"loaded-{t}"), "data"),
        Input(W.id("pairs"), "data"),
        Input(W.id("files"), "data"),
        Input(W.id(f"grid-{t}"), "cellValueChanged"),
        Input(ids.wizard_field(W.name, f"type-{t}"), "value"),
        Input(W.id(f"add-row-{t}"), "n_clicks"),
        State(W.id(f"grid-{t}"), "rowData"),
        State(W.id(f"loaded-{t}"), "data"),
    )
    def section(chosen, files, _changed, mapping_type, _add, rows, loaded):
        pair = ((chosen or {}).get("types") or {}).get(t)
        if not pair:
            return {"display": "none"}, None, [], None, None, None, None, None
        trigger = ctx.triggered_id
        rows = [dict(r) for r in rows or []]
        type_out, reason_out, loaded_out = no_update, no_update, no_update
        problems = []
        entries = wizard_uploads.uploaded(files, key)
        if trigger == W.id("pairs") or trigger is None:
            skeleton = mapping_skeleton(pair["from"]["records"], pair["to"]["records"])
            rows = mapping_edit.mapping_rows(skeleton["rows"])
            guess = skeleton["mapping_type"]
            mapping_type = guess.value
            type_out, reason_out = guess.value, wz.reason_view(guess.reason, guess.certain)
            loaded_out = None
        elif trigger == W.id("files"):
            if not entries or (loaded and entries[0]["stored"] == loaded):
                raise PreventUpdate
            loaded_out = entries[0]["stored"]
            loaded_rows, problem = uploaded_rows(entries[0])
            if problem:
                problems.append(problem)
            else:
                rows = loaded_rows
                reason_out = f"Rows from {entries[0]['name']}."
        elif trigger == W.id(f"add-row-{t}"):
            rows.append(mapping_edit.added_row(rows))
        source, target = pair["from"], pair["to"]
        shown, bad, summary, general = mapping_edit.checked_rows(
            rows, mapping_type, source, target, source["records"], target["records"]
        )
        problems += general
        mapping = {
            "dimension_type": t,
            "mapping_type": mapping_type,
            "description": f"Maps {source['name']} to {target['name']}",
            "rows": rows,
        }
        if not problems and not bad:
            said = mapping_edit.registration_problems(
                DatasetMappingsFile,
                forms.dataset_mappings([mapping]),
                "dimension_mappings.json5",
                source,
                target,
                source["records"],
                target["records"],
            )
            problems += [p["message"] for p in said]
        title = [
            html.Span(t, className="badge bg-info text-dark me-2"),
            f"{source['name']} → {target['name']}",
        ]
        status = {"ok": not problems and not bad, "problems": problems, "mapping": mapping}
        return {}, title, shown, type_out, reason_out, summary, status, loaded_out


for _type in NON_TIME_TYPES:
    _section_callback(_type)


@callback(
    Output(W.id("check"), "data"),
    Output(W.id("preview-config"), "children"),
    Input(W.id("pairs"), "data"),
    Input(W.id("files"), "data"),
    *[Input(W.id(f"status-{t}"), "data") for t in NON_TIME_TYPES],
)
def check(chosen, files, *statuses):
    problems = wizard_uploads.upload_problems(files)
    if not chosen:
        return {"problems": problems, "plan": None}, wz.config_text(None)
    sections = []
    for t, status in zip(NON_TIME_TYPES, statuses, strict=True):
        if t not in chosen["types"]:
            continue
        if not status:
            return {"problems": problems, "plan": None}, wz.config_text(None)
        problems += [{"field": f"rows-{t}", "message": m} for m in status["problems"]]
        if not status["ok"] and not status["problems"]:
            problems.append({"field": f"rows-{t}", "message": "fix the rows tinted red."})
        sections.append(status["mapping"])
    config = forms.dataset_mappings(sections)
    params = {"project_id": chosen["project_id"], "dataset_id": chosen["dataset_id"]}
    plan = None
    if not problems:
        plan = {
            "config": config,
            "config_name": "dimension_mappings.json5",
            "title": W.title,
            "names": {},
            "params": params,
        }
    return {"problems": problems, "plan": plan}, wz.config_text(
        plan or {"config": config, "title": W.title}
    )
