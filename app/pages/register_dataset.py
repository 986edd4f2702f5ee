"""Register a dataset: upload its data table (with a lookup table for the two-table layout and
the files of combinations it legitimately lacks); the form guesses the whole dataset.json5 -
layout, time range and frequency, each dimension (a registered one when it holds every value,
else new records) - and asks what it cannot guess: the id, the time zone, the one record of
each trivial dimension."""

from __future__ import annotations

from types import SimpleNamespace
from zoneinfo import available_timezones

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids, state
from app.components import wizard as wz
from app.components import wizard_register, wizard_uploads
from app.components.common import error_state
from dsgrid_core import forms
from dsgrid_core.config.base import slugify
from dsgrid_core.config.dataset import DatasetConfig
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.load import validate_model
from dsgrid_core.errors import DsgridError
from dsgrid_core.infer.dataset import infer_dataset

dash.register_page(
    __name__, path="/register/dataset", title="Register a dataset", name="Register a dataset"
)

TRIVIAL = {t: f"trivial-{t}" for t in NON_TIME_TYPES}  # dimension type -> field key
W = wz.Wizard(
    name="dataset",
    kind="dataset",
    title="A dataset config",
    fields={
        "dataset_id": ("dataset_id",),
        "description": ("description",),
        "dataset_type": ("dataset_type",),
        "time_zone": ("dimensions[0].time_zone_format",),
        "data": ("data_layout", "dimensions", "dimension_references", "trivial_dimensions"),
        "missing": ("data_layout.missing_associations",),
        **{key: (f"trivial.{t}",) for t, key in TRIVIAL.items()},
    },
    failure_field="data",
    uploads={
        "data": ("csv", "parquet", "json", "jsonl"),
        "lookup": ("csv", "parquet", "json", "jsonl"),
        "missing": ("csv", "parquet"),
    },
    multiple=("missing",),
)
wizard_register.register_callbacks(W)
COMMON_ZONES = [
    "UTC",
    "Etc/GMT+5",
    "Etc/GMT+6",
    "Etc/GMT+7",
    "Etc/GMT+8",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
]
ZONES = COMMON_ZONES + sorted(available_timezones() - set(COMMON_ZONES))
DATASET_TYPES = ["modeled", "historical", "benchmark", "unspecified"]


def _trivial_row(t: str) -> html.Div:
    key = TRIVIAL[t]
    return html.Div(
        [
            dbc.Label(
                f"The one {t} record",
                html_for=ids.wizard_field(W.name, f"{key}-id"),
                class_name="fw-semibold",
            ),
            dbc.Label(
                f"The one {t} record's name",
                html_for=ids.wizard_field(W.name, f"{key}-name"),
                class_name="visually-hidden",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Input(
                            id=ids.wizard_field(W.name, f"{key}-id"),
                            placeholder="id (required)",
                            value="",
                            debounce=True,
                        ),
                        md=5,
                    ),
                    dbc.Col(
                        dbc.Input(
                            id=ids.wizard_field(W.name, f"{key}-name"),
                            placeholder="name (default: the id)",
                            value="",
                            debounce=True,
                        ),
                        md=7,
                    ),
                ],
                class_name="g-2",
            ),
            wz.problem_area(W, key),
        ],
        id=W.id(f"row-{key}"),
        className="mb-3",
        style={"display": "none"},
    )


def layout(cancelled: str | None = None, **_):
    f = W.name
    try:
        state.viewer()  # NoRegistry when there is no registry to show
    except state.NoRegistry as exc:
        return error_state(str(exc))
    body = dbc.Row(
        [
            dcc.Store(id=W.id("guess")),
            dbc.Col(
                [
                    wz.step(
                        1,
                        "Files",
                        wz.upload_field(
                            W,
                            "data",
                            "Data table",
                            "dimension columns (geography, sector, ...), a timestamp and a value "
                            "column, or one value column per metric",
                        ),
                        wz.upload_field(
                            W,
                            "lookup",
                            "Lookup table (two-table layout only)",
                            "id plus one column per dimension",
                        ),
                        wz.upload_field(
                            W,
                            "missing",
                            "Missing associations (optional)",
                            "tables of dimension combinations the data legitimately lack",
                        ),
                    ),
                    wz.step(
                        2,
                        "Describe it",
                        wz.field(
                            W,
                            "dataset_id",
                            "Dataset id (required)",
                            dbc.Input(
                                id=ids.wizard_field(f, "dataset_id"), value="", debounce=True
                            ),
                            "Starts with a letter; letters, digits and _.",
                            reason=False,
                        ),
                        wz.description_field(W),
                        dbc.Row(
                            [
                                dbc.Col(
                                    wz.field(
                                        W,
                                        "dataset_type",
                                        "Dataset type",
                                        dcc.Dropdown(
                                            id=ids.wizard_field(f, "dataset_type"),
                                            options=DATASET_TYPES,
                                            value="modeled",
                                            clearable=False,
                                        ),
                                        reason=False,
                                    ),
                                    md=5,
                                ),
                                dbc.Col(
                                    wz.field(
                                        W,
                                        "time_zone",
                                        "Time zone of the timestamps",
                                        dcc.Dropdown(
                                            id=ids.wizard_field(f, "time_zone"),
                                            options=ZONES,
                                            value="UTC",
                                            clearable=False,
                                        ),
                                    ),
                                    md=7,
                                ),
                            ]
                        ),
                        *[_trivial_row(t) for t in NON_TIME_TYPES],
                    ),
                ],
                lg=5,
            ),
            dbc.Col(
                wz.step(
                    3,
                    "What the form found",
                    html.Div(
                        "Upload a data table to see its layout and dimensions.",
                        id=ids.DATASET_GUESS,
                        className="small",
                    ),
                    html.Div(id=ids.DATASET_QUESTIONS),
                    html.H2("dataset.json5", className="h6 mt-3"),
                    wz.json5_preview(W),
                ),
                lg=7,
            ),
        ]
    )
    return wz.page(
        W,
        "Register a dataset",
        "The form reads the table with the same reader registration uses, and registers "
        "nothing until the config is valid; the data checks run when you register.",
        body,
        cancelled=bool(cancelled),
    )


def _source(files) -> list[str | None]:
    data, lookup = wizard_uploads.uploaded(files, "data"), wizard_uploads.uploaded(files, "lookup")
    return [data[0]["stored"] if data else None, lookup[0]["stored"] if lookup else None]


@callback(
    Output(W.id("guess"), "data"),
    Output(ids.wizard_field(W.name, "time_zone"), "value"),
    Output(ids.wizard_reason(W.name, "time_zone"), "children"),
    Output(ids.wizard_field(W.name, "dataset_id"), "value"),
    Input(W.id("files"), "data"),
    Input(ids.wizard_field(W.name, "time_zone"), "value"),
    State(W.id("guess"), "data"),
    State(ids.wizard_field(W.name, "dataset_id"), "value"),
    prevent_initial_call=True,
)
def guess(files, time_zone, previous, dataset_id):
    """Guess the config again when the data or lookup table changed, or the time zone."""
    source = _source(files)
    if source[0] is None:
        raise PreventUpdate
    previous = previous or {}
    zone_changed = ctx.triggered_id == ids.wizard_field(W.name, "time_zone")
    if previous.get("source") == source and not zone_changed:
        raise PreventUpdate
    if zone_changed and previous.get("zone") == time_zone:
        raise PreventUpdate
    data = wizard_uploads.uploaded(files, "data")[0]
    lookup = (wizard_uploads.uploaded(files, "lookup") or [None])[0]
    names = wizard_uploads.names_of(files)
    new_id = dataset_id or slugify(data["name"].rsplit(".", 1)[0])
    try:
        found = infer_dataset(
            wizard_uploads.stored_path(data),
            lookup=wizard_uploads.stored_path(lookup) if lookup else None,
            registry=_Registered(),
            dataset_id=new_id,
            time_zone=time_zone or "UTC",
        )
    except (DsgridError, OSError) as exc:  # the table, or the registry's answers
        message = forms.readable(getattr(exc, "message", str(exc)), names)
        return {"source": source, "error": message, "zone": time_zone}, no_update, None, new_id
    config = found.config
    zone = config["dimensions"][0]["time_zone_format"]["time_zone"]
    why = found.reasons.get("dimensions.time.time_zone_format")
    stored = {
        "source": source,
        "config": config,
        "reasons": {k: forms.readable(v, names) for k, v in found.reasons.items()},
        "questions": [forms.readable(q, names) for q in found.questions],
        "zone": zone,
        "guessed_id": new_id,
    }
    return stored, zone, wz.reason_view(why) if why else None, new_id


def _guess_view(found: dict):
    config, reasons = found["config"], found["reasons"]
    layout = config["data_layout"]
    time = config["dimensions"][0]
    first_range = time["ranges"][0]
    first, last = first_range["start"], first_range["end"]
    rows = [
        (
            "layout",
            f"{layout['table_format']}, {layout['value_format']}",
            reasons.get("data_layout.value_format", ""),
        ),
        (
            "time",
            f"{first} to {last} ({time['time_zone_format']['time_zone']}), every "
            f"{first_range['frequency']}",
            reasons.get("dimensions.time.ranges", reasons.get("dimensions.time", "")),
        ),
    ]
    referenced = {r["type"]: r for r in config.get("dimension_references", [])}
    inline = {d["type"]: d for d in config.get("dimensions", []) if d["type"] != "time"}
    for t in NON_TIME_TYPES:
        if t in referenced:
            ref = referenced[t]
            what = f"registered: {ref['name']} ({ref['version']})"
            why = reasons.get(f"dimension_references.{t}", "")
        elif t in config.get("trivial_dimensions", []):
            what, why = (
                "trivial: one record (give it in step 2)",
                reasons.get(f"dimensions.{t}", ""),
            )
        else:
            what = f"new: {len(inline.get(t, {}).get('records', [])):,} records"
            why = reasons.get(f"dimensions.{t}", "")
        rows.append((t, what, why))
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th("part"), html.Th("what"), html.Th("why")])),
            html.Tbody(
                [
                    html.Tr(
                        [html.Td(a), html.Td(b), html.Td(c, className="text-muted")],
                        id=W.id(f"guess-{a}"),
                    )
                    for a, b, c in rows
                ]
            ),
        ],
        size="sm",
        class_name="mb-2",
    )


@callback(
    Output(ids.DATASET_GUESS, "children"),
    Output(ids.DATASET_QUESTIONS, "children"),
    Output(ids.wizard_reason(W.name, "data"), "children"),
    *[Output(W.id(f"row-{TRIVIAL[t]}"), "style") for t in NON_TIME_TYPES],
    Input(W.id("guess"), "data"),
)
def show_guess(found):
    hidden = [{"display": "none"}] * len(NON_TIME_TYPES)
    if not found or not found.get("config"):
        return "Upload a data table to see its layout and dimensions.", None, None, *hidden
    trivial = found["config"].get("trivial_dimensions", [])
    styles = [{} if t in trivial else {"display": "none"} for t in NON_TIME_TYPES]
    questions = found.get("questions") or []
    asked = (
        dbc.Alert(
            [html.Strong("To decide:"), html.Ul([html.Li(q) for q in questions], className="mb-0")],
            color="info",
            class_name="small py-2",
        )
        if questions
        else None
    )
    layout = found["config"]["data_layout"]
    said = f"Read as {layout['table_format']} with {layout['value_format']} values."
    return _guess_view(found), asked, said, *styles


@callback(
    Output(W.id("check"), "data"),
    Output(W.id("preview-config"), "children"),
    Input(W.id("guess"), "data"),
    Input(W.id("files"), "data"),
    Input(ids.wizard_field(W.name, "dataset_id"), "value"),
    Input(ids.wizard_field(W.name, "description"), "value"),
    Input(ids.wizard_field(W.name, "dataset_type"), "value"),
    *[Input(ids.wizard_field(W.name, f"{TRIVIAL[t]}-id"), "value") for t in NON_TIME_TYPES],
    *[Input(ids.wizard_field(W.name, f"{TRIVIAL[t]}-name"), "value") for t in NON_TIME_TYPES],
)
def check(found, files, dataset_id, description, dataset_type, *trivial_values):
    n = len(NON_TIME_TYPES)
    trivial = {
        t: {"id": trivial_values[i], "name": trivial_values[n + i]}
        for i, t in enumerate(NON_TIME_TYPES)
    }
    problems = wizard_uploads.upload_problems(files)
    current = _source(files)
    if found and found.get("error") and found.get("source") == current:
        problems.append({"field": "data", "message": found["error"]})
    if not found or not found.get("config") or found.get("source") != current:
        return {"problems": problems, "plan": None}, wz.config_text(None)
    missing = [f["stored"] for f in wizard_uploads.uploaded(files, "missing")]
    config, more = forms.dataset_config(
        found["config"],
        dataset_id=dataset_id,
        description=description,
        dataset_type=dataset_type,
        trivial=trivial,
        missing_associations=missing,
        guessed_id=found.get("guessed_id"),
    )
    problems += more
    try:
        validate_model(DatasetConfig, config, "dataset.json5")
    except DsgridError as exc:
        problems += exc.problems or [{"field": "", "message": exc.message}]
    taken = wz.taken_id_problem("dataset", config.get("dataset_id"), "dataset_id")
    problems += [taken] if taken else []
    names = wizard_uploads.names_of(files)
    plan = None
    if not problems:
        plan = {"config": config, "config_name": "dataset.json5", "title": W.title, "names": names}
    preview = wz.config_text(plan or {"config": config, "title": W.title, "names": names})
    return {"problems": problems, "plan": plan}, preview


class _Registered:
    """The registered dimensions `infer_dataset` looks through for one holding every value of
    a column (each type's dimensions and their records), read through the viewer: this
    server's registry or, in remote mode, another server's."""

    def list(self, kind: str, type: str | None = None) -> list[SimpleNamespace]:
        return [SimpleNamespace(**c) for c in state.viewer().catalog(kind, type=type)]

    def records(self, dimension_id: str, version: str | None = None) -> list[dict]:
        return state.viewer().records(dimension_id, version)
