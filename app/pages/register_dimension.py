"""Register a dimension: upload its records CSV, check the guessed type and record class, name
it, look at the records, register."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html, no_update

from app import ids, state
from app.components import wizard as wz
from app.components import wizard_register, wizard_uploads
from app.components.common import error_state
from dsgrid_core import forms
from dsgrid_core.config.dimension import DEFAULT_CLASS, NON_TIME_TYPES, RECORD_CLASSES
from dsgrid_core.config.load import validate_dimension
from dsgrid_core.data.records import check_dimension_records, read_csv_rows
from dsgrid_core.errors import DsgridError, InputError
from dsgrid_core.infer.dimension import infer_dimension

dash.register_page(
    __name__, path="/register/dimension", title="Register a dimension", name="Register a dimension"
)

W = wz.Wizard(
    name="dimension",
    kind="dimension",
    title="A dimension config",
    fields={
        "name": ("name",),
        "description": ("description",),
        "type": ("type",),
        "class": ("class", "(top level)"),
    },
    failure_field="file",
    uploads={"file": ("csv",)},
)
PREVIEW_ROWS = 1000
PREVIEW_COLUMNS = [{"field": "id"}, {"field": "name"}]  # before a file: the columns every one has
wizard_register.register_callbacks(W)


def _classes(dimension_type: str | None) -> list[dict[str, str]]:
    names = [
        n
        for n, rc in RECORD_CLASSES.items()
        if (dimension_type is None or rc.dimension_type in (dimension_type, None)) and n != "Time"
    ]
    names.sort(key=lambda n: ("BaseModel" in n, n))
    return [{"label": n, "value": n} for n in names]


def layout(cancelled: str | None = None, **_):
    f = W.name
    body = dbc.Row(
        [
            dbc.Col(
                [
                    wz.step(
                        1,
                        "Records",
                        wz.upload_field(
                            W,
                            "file",
                            "Records file",
                            "a CSV with id, name and the columns of its record class",
                        ),
                    ),
                    wz.step(
                        2,
                        "Describe it",
                        wz.field(
                            W,
                            "name",
                            "Name (required)",
                            dbc.Input(id=ids.wizard_field(f, "name"), value="", debounce=True),
                            "Letters, digits, spaces, - and _; queries use this name.",
                            reason=False,
                        ),
                        wz.description_field(W),
                        dbc.Row(
                            [
                                dbc.Col(
                                    wz.field(
                                        W,
                                        "type",
                                        "Type",
                                        dcc.Dropdown(
                                            id=ids.wizard_field(f, "type"),
                                            options=list(NON_TIME_TYPES),
                                            clearable=False,
                                        ),
                                    ),
                                    md=6,
                                ),
                                dbc.Col(
                                    wz.field(
                                        W,
                                        "class",
                                        "Record class",
                                        dcc.Dropdown(
                                            id=ids.wizard_field(f, "class"),
                                            options=_classes(None),
                                            clearable=False,
                                        ),
                                    ),
                                    md=6,
                                ),
                            ]
                        ),
                    ),
                ],
                lg=5,
            ),
            dbc.Col(
                wz.step(
                    3,
                    "Preview",
                    html.Div(id=W.id("preview-count"), className="small text-muted mb-1"),
                    dag.AgGrid(
                        id=ids.DIMENSION_PREVIEW,
                        rowData=[],
                        # every records file has these two; an empty header row has no cells
                        # for assistive technology to read (axe: aria-required-children)
                        columnDefs=PREVIEW_COLUMNS,
                        defaultColDef={"resizable": True, "sortable": True, "flex": 1},
                        style={"height": "300px", "width": "100%"},
                    ),
                    html.H2("dimension.json5", className="h6 mt-3"),
                    wz.json5_preview(W),
                ),
                lg=7,
            ),
        ]
    )
    try:
        state.viewer()  # NoRegistry when there is no registry to show
    except state.NoRegistry as exc:
        return error_state(str(exc))
    return wz.page(
        W,
        "Register a dimension",
        "A dimension is a typed list of records. Upload its records; the form guesses the rest "
        "and says why.",
        body,
        cancelled=bool(cancelled),
    )


def _read(files: dict) -> tuple[dict | None, list, list, str | None]:
    """The uploaded records file: (entry, columns, rows, problem)."""
    entries = wizard_uploads.uploaded(files, "file")
    if not entries:
        return None, [], [], None
    entry = entries[0]
    try:
        columns, rows = read_csv_rows(wizard_uploads.stored_path(entry))
    except InputError as exc:
        return entry, [], [], forms.readable(exc.message, {entry["stored"]: entry["name"]}, [])
    return entry, columns, rows, None


@callback(
    Output(ids.wizard_field(W.name, "type"), "value"),
    Output(ids.wizard_field(W.name, "class"), "value"),
    Output(ids.wizard_reason(W.name, "type"), "children"),
    Output(ids.wizard_reason(W.name, "class"), "children"),
    Output(ids.wizard_reason(W.name, "file"), "children"),
    Input(W.id("files"), "data"),
    prevent_initial_call=True,
)
def guess(files):
    entry, columns, rows, problem = _read(files)
    if entry is None or problem:
        return no_update, no_update, None, None, None
    summary = f"{len(rows):,} records; columns {', '.join(columns)}."
    try:
        guessed = infer_dimension(columns, rows)
    except InputError:
        return no_update, no_update, None, None, summary
    t, c = guessed["type"], guessed["class"]
    return (
        t.value if t.value else no_update,
        c.value if c.value else no_update,
        wz.reason_view(t.reason, t.certain),
        wz.reason_view(c.reason, c.certain),
        summary,
    )


@callback(
    Output(ids.wizard_field(W.name, "class"), "options"),
    Input(ids.wizard_field(W.name, "type"), "value"),
)
def class_options(dimension_type):
    return _classes(dimension_type)


def _taken(dimension_type: str) -> dict[str, str]:
    """The registered dimensions of a type: name -> id."""
    return {c["name"]: c["id"] for c in state.viewer().catalog("dimension", type=dimension_type)}


@callback(
    Output(W.id("check"), "data"),
    Output(ids.DIMENSION_PREVIEW, "rowData"),
    Output(ids.DIMENSION_PREVIEW, "columnDefs"),
    Output(W.id("preview-count"), "children"),
    Output(W.id("preview-config"), "children"),
    Input(W.id("files"), "data"),
    Input(ids.wizard_field(W.name, "name"), "value"),
    Input(ids.wizard_field(W.name, "description"), "value"),
    Input(ids.wizard_field(W.name, "type"), "value"),
    Input(ids.wizard_field(W.name, "class"), "value"),
)
def check(files, name, description, dimension_type, record_class):
    problems = wizard_uploads.upload_problems(files)
    entry, columns, rows, problem = _read(files)
    if entry is None:
        empty = {"problems": problems, "plan": None}
        return (
            empty,
            [],
            PREVIEW_COLUMNS,
            "Upload a records file to see its records.",
            wz.config_text(None),
        )
    if problem:
        problems.append({"field": "file", "message": problem})
    names = {entry["stored"]: entry["name"]}
    config = forms.dimension_config(
        name=name,
        description=description,
        type_=dimension_type,
        class_=record_class,
        file=entry["stored"],
    )
    valid = True
    try:
        validate_dimension(config, "dimension.json5")
    except DsgridError as exc:
        problems += exc.problems or [{"field": "", "message": exc.message}]
        valid = False
    if valid and rows:
        try:
            record_class = config.get("class") or DEFAULT_CLASS[config["type"]]
            check_dimension_records(rows, record_class, entry["name"])
        except InputError as exc:
            problems.append({"field": "file", "message": exc.message})
        try:
            taken = _taken(config["type"])
        except DsgridError as exc:  # the registry did not answer (a remote one)
            problems.append({"field": "", "message": exc.message})
            taken = {}
        if config["name"] in taken:
            problems.append(
                {
                    "field": "name",
                    "message": f"a {config['type']} dimension named '{config['name']}' is "
                    f"already registered as '{taken[config['name']]}'; choose another name.",
                }
            )
    plan = None
    if not problems:
        plan = {
            "config": config,
            "config_name": "dimension.json5",
            "title": W.title,
            "names": names,
        }
    shown = rows[:PREVIEW_ROWS]
    count = f"{len(rows):,} records" + (
        f" (the first {PREVIEW_ROWS:,} shown)" if len(rows) > PREVIEW_ROWS else ""
    )
    preview_plan = plan or {"config": config, "title": W.title, "names": names}
    return (
        {"problems": problems, "plan": plan},
        shown,
        [{"field": c, "headerName": c} for c in columns],
        count,
        wz.config_text(preview_plan),
    )
