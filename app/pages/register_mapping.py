"""Register a dimension mapping: choose two registered dimensions of one type, start from a
skeleton (records matched by id, then name) or upload a mapping CSV, edit the rows with the
mapping type's rules checked as you type, register."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from app import ids, state
from app.components import wizard as wz
from app.components import wizard_register, wizard_uploads
from app.components.common import error_state
from app.components.mapping_grid import mapping_grid, uploaded_rows
from dsgrid_core import forms, mapping_edit
from dsgrid_core.config.mapping import DimensionMappingConfig, MappingType
from dsgrid_core.errors import DsgridError
from dsgrid_core.infer.mapping import guess_mapping_type, mapping_skeleton

dash.register_page(
    __name__,
    path="/register/mapping",
    title="Register a dimension mapping",
    name="Register a dimension mapping",
)

W = wz.Wizard(
    name="mapping",
    kind="dimension_mapping",
    title="A dimension mapping config",
    fields={
        "from": ("from_dimension",),
        "to": ("to_dimension",),
        "mapping_type": ("mapping_type",),
        "description": ("description",),
        "rows": ("records",),
    },
    failure_field="rows",
    uploads={"file": ("csv",)},
)
wizard_register.register_callbacks(W)
MAPPING_TYPES = [t.value for t in MappingType]


def dimensions() -> list[dict[str, str]]:
    """Registered non-time dimensions, for the pickers."""
    return [
        {k: c[k] for k in ("id", "name", "type", "version")}
        for c in state.viewer().catalog("dimension")
        if c["type"] != "time"
    ]


def records(dimension_id: str) -> list[dict[str, str]]:
    """A dimension's records (its latest version), as the mapping checks take them: id and
    name as text, with their other columns (the skeleton matches on them, e.g. a county's
    state)."""
    return [
        {**r, "id": str(r["id"]), "name": str(r.get("name") or r["id"])}
        for r in state.viewer().records(dimension_id)
    ]


def _options(items: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"label": f"{d['name']} ({d['id']}) · {d['type']}", "value": d["id"]} for d in items]


def layout(cancelled: str | None = None, **_):
    f = W.name
    try:
        known = dimensions()
    except (DsgridError, state.NoRegistry) as exc:
        return error_state(str(exc))
    body = dbc.Row(
        [
            dbc.Col(
                [
                    wz.step(
                        1,
                        "Dimensions",
                        wz.field(
                            W,
                            "from",
                            "From dimension",
                            dcc.Dropdown(
                                id=ids.wizard_field(f, "from"),
                                options=_options(known),
                                placeholder="the dimension whose records are mapped",
                            ),
                        ),
                        wz.field(
                            W,
                            "to",
                            "To dimension (same type)",
                            dcc.Dropdown(
                                id=ids.wizard_field(f, "to"),
                                options=[],
                                placeholder="choose the from dimension first",
                            ),
                        ),
                    ),
                    wz.step(
                        3,
                        "Mapping type",
                        wz.field(
                            W,
                            "mapping_type",
                            "Mapping type",
                            dcc.Dropdown(
                                id=ids.wizard_field(f, "mapping_type"),
                                options=MAPPING_TYPES,
                                clearable=False,
                            ),
                            "The type decides the rules: e.g. one_to_one and many_to_one_* "
                            "need fractions summing to 1 per from_id; *_explicit_multipliers "
                            "check no sums.",
                        ),
                        wz.description_field(W),
                    ),
                ],
                lg=4,
            ),
            dbc.Col(
                [
                    wz.step(
                        2,
                        "Rows",
                        dbc.Row(
                            [
                                dbc.Col(
                                    [
                                        dbc.Button(
                                            "Start from a skeleton",
                                            id=W.id("skeleton"),
                                            color="primary",
                                            outline=True,
                                            class_name="me-2 mb-2",
                                        ),
                                        dbc.Button(
                                            "Add a row",
                                            id=W.id("add-row"),
                                            color="secondary",
                                            outline=True,
                                            class_name="mb-2",
                                        ),
                                        html.Div(
                                            "A skeleton has one row per from record, matched "
                                            "to the to record a column of the from records "
                                            "names (e.g. a county's state), else the one with "
                                            "the same id, else the same or a similar name. "
                                            "Click a cell to edit it; an empty to_id drops the "
                                            "record.",
                                            className="form-text",
                                        ),
                                    ],
                                    md=6,
                                ),
                                dbc.Col(
                                    wz.upload_field(
                                        W,
                                        "file",
                                        "…or upload a mapping CSV",
                                        "from_id, to_id[, from_fraction]",
                                    ),
                                    md=6,
                                ),
                            ]
                        ),
                        html.Div(id=W.id("grid-summary"), className="small text-muted mb-1"),
                        mapping_grid(ids.MAPPING_GRID),
                        wz.problem_area(W, "rows"),
                        # rows that drop records register only once the user says so
                        html.Div(
                            dbc.Checkbox(
                                id=W.id("drop-ok"),
                                label="I mean to drop these records",
                                value=False,
                            ),
                            id=W.id("drops"),
                            hidden=True,
                            className="mt-2",
                        ),
                        dcc.Store(id=W.id("dropped")),
                    ),
                    wz.step(4, "Preview", wz.json5_preview(W)),
                ],
                lg=8,
            ),
        ]
    )
    return wz.page(
        W,
        "Register a dimension mapping",
        "A mapping says how the records of one dimension become records of another: "
        "each row maps a from_id to a to_id with a fraction.",
        body,
        cancelled=bool(cancelled),
    )


@callback(
    Output(ids.wizard_field(W.name, "to"), "options"),
    Output(ids.wizard_reason(W.name, "from"), "children"),
    Input(ids.wizard_field(W.name, "from"), "value"),
)
def to_options(from_id):
    if not from_id:
        return [], None
    try:
        known = dimensions()
        source = next((d for d in known if d["id"] == from_id), None)
        if source is None:
            return [], None
        count = len(records(from_id))
    except DsgridError as exc:  # the registry did not answer (a remote one)
        return [], exc.message
    same = [d for d in known if d["type"] == source["type"] and d["id"] != from_id]
    return _options(same), f"{count:,} records of type {source['type']}."


@callback(
    Output(ids.MAPPING_GRID, "rowData"),
    Output(ids.wizard_field(W.name, "mapping_type"), "value"),
    Output(ids.wizard_reason(W.name, "mapping_type"), "children"),
    Output(W.id("grid-summary"), "children"),
    Output(W.id("check"), "data"),
    Output(W.id("preview-config"), "children"),
    Output(W.id("drop-ok"), "value"),
    Output(W.id("drop-ok"), "label"),
    Output(W.id("drops"), "hidden"),
    Output(W.id("dropped"), "data"),
    Input(W.id("skeleton"), "n_clicks"),
    Input(W.id("add-row"), "n_clicks"),
    Input(W.id("files"), "data"),
    Input(ids.MAPPING_GRID, "cellValueChanged"),
    Input(ids.wizard_field(W.name, "mapping_type"), "value"),
    Input(ids.wizard_field(W.name, "from"), "value"),
    Input(ids.wizard_field(W.name, "to"), "value"),
    Input(ids.wizard_field(W.name, "description"), "value"),
    Input(W.id("drop-ok"), "value"),
    State(ids.MAPPING_GRID, "rowData"),
    State(W.id("dropped"), "data"),
)
def rows_and_check(
    _skeleton,
    _add,
    files,
    _changed,
    mapping_type,
    from_id,
    to_id,
    description,
    drop_ok,
    rows,
    confirmed,
):
    try:
        return _rows_and_check(
            files, mapping_type, from_id, to_id, description, rows, drop_ok, confirmed
        )
    except DsgridError as exc:  # the registry did not answer (a remote one)
        check = {"problems": [{"field": "rows", "message": exc.message}], "plan": None}
        box = (no_update, no_update, no_update, no_update)
        return (no_update, no_update, no_update, None, check, wz.config_text(None), *box)


def _drops(rows, from_records, source, drop_ok, confirmed):
    """Rows that drop records register only once the user ticks the box for exactly these
    records (it unticks itself when they change): (the problem while they do not, and the
    outputs of the box: its value, its label, hidden, the dropped ids it was shown for)."""
    dropped = mapping_edit.dropped_records(rows, [r["id"] for r in from_records])["dropped"]
    if not dropped:
        return None, (False, no_update, True, [])
    same = dropped == (confirmed or [])
    accepted = bool(drop_ok) and same
    label = f"{mapping_edit.drop_choice(len(dropped))} (their data is left out)"
    box = (no_update if same else False, label, False, dropped)
    if accepted:
        return None, box
    return {
        "field": "rows",
        "message": mapping_edit.drop_problem(dropped, f"'{source['name']}'"),
    }, box


def _rows_and_check(files, mapping_type, from_id, to_id, description, rows, drop_ok, confirmed):
    trigger = ctx.triggered_id
    rows = [dict(r) for r in rows or []]
    type_out, reason_out = no_update, no_update
    problems = wizard_uploads.upload_problems(files)
    if trigger == W.id("skeleton"):
        if not from_id or not to_id:
            problems.append({"field": "rows", "message": "choose both dimensions first."})
        else:
            skeleton = mapping_skeleton(records(from_id), records(to_id))
            rows = mapping_edit.mapping_rows(skeleton["rows"])
            guess = skeleton["mapping_type"]
            type_out, reason_out = guess.value, wz.reason_view(guess.reason, guess.certain)
            mapping_type = guess.value
    elif trigger == W.id("files"):
        entries = wizard_uploads.uploaded(files, "file")
        if entries:
            loaded, problem = uploaded_rows(entries[0])
            if problem:
                problems.append({"field": "file", "message": problem})
            else:
                rows = loaded
                if not mapping_type:
                    targets = [r["id"] for r in records(to_id)] if to_id else None
                    guess = guess_mapping_type(rows, targets)
                    mapping_type = guess.value
                    type_out, reason_out = mapping_type, wz.reason_view(guess.reason, False)
    elif trigger == W.id("add-row"):
        rows.append(mapping_edit.added_row(rows))
    if not from_id or not to_id or not rows:
        for row in rows:
            row["problem"] = ""
        summary = "Choose the two dimensions, then start from a skeleton or upload a CSV."
        check = {"problems": problems, "plan": None}
        box = (False, no_update, True, [])
        return (rows, type_out, reason_out, summary, check, wz.config_text(None), *box)

    known = {d["id"]: d for d in dimensions()}
    source, target = known.get(from_id), known.get(to_id)
    if source is None or target is None:
        raise dash.exceptions.PreventUpdate
    from_records = records(from_id)
    to_records = records(to_id)
    shown, bad, summary, general = mapping_edit.checked_rows(
        rows, mapping_type, source, target, from_records, to_records
    )
    problems += [{"field": "rows", "message": m} for m in general]
    drop_problem, box = _drops(rows, from_records, source, drop_ok, confirmed)
    if drop_problem:
        problems.append(drop_problem)
    config = forms.mapping_config(
        from_dimension={k: source[k] for k in ("type", "name", "version")}
        | {"dimension_id": from_id},
        to_dimension={k: target[k] for k in ("type", "name", "version")} | {"dimension_id": to_id},
        mapping_type=mapping_type,
        description=description,
        rows=rows,
    )
    if not problems and not bad:
        problems += mapping_edit.registration_problems(
            DimensionMappingConfig,
            config,
            "mapping.json5",
            source,
            target,
            from_records,
            to_records,
        )
    plan = None
    if not problems and not bad:
        plan = {"config": config, "config_name": "mapping.json5", "title": W.title, "names": {}}
    preview = wz.config_text(plan or {"config": config, "title": W.title})
    check = {"problems": problems, "plan": plan}
    return (shown, type_out, reason_out, summary, check, preview, *box)
