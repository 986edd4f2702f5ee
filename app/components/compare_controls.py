"""The comparison page's controls: the project, the dimension compared (for versions, the
dataset) and its two records,
the geography of the map and peaks, the alternatives held at one record each, the unit and the
end uses; and the records and options they are filled from (asked of the viewer)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app import ids, state
from app.components import compare_query as cq


def project_options() -> list[dict]:
    return [
        {"label": p.get("name") or p["id"], "value": p["id"]}
        for p in state.viewer().catalog("project")
    ]


def query_facts(project_id: str | None) -> dict | None:
    return state.viewer().query_choices(project_id) if project_id else None


def versioned_datasets(facts: dict) -> list[str]:
    """The project's datasets with two versions or more (those whose versions compare)."""
    return [d for d in facts["datasets"] if len(state.viewer().versions("dataset", d)) > 1]


def choice_records(project_id: str, dimension_type: str, facts: dict, dataset: str = "") -> list:
    """Records of the project's base dimension of a type, its datasets, or the versions of
    ``dataset`` (dimension_type dataset_version), each named by its log message."""
    if dimension_type == "dataset":
        return [{"id": d, "name": d} for d in facts["datasets"]]
    if dimension_type == "dataset_version":
        if not dataset:
            return []
        return [
            {"id": v["version"], "name": v.get("log_message") or v["version"]}
            for v in state.viewer().versions("dataset", dataset)
        ]
    name = facts["dimensions"][dimension_type][0]
    return state.viewer().query_records(project_id, dimension_type, name)


def record_options(records: list[dict]) -> list[dict]:
    return [
        {
            "label": r["id"] if r.get("name") in (None, r["id"]) else f"{r['name']} ({r['id']})",
            "value": r["id"],
        }
        for r in records
    ]


def _labelled(label: str, control, hint: str = "") -> html.Div:
    return html.Div(
        [
            dbc.Label(label, html_for=control.id),
            control,
            html.Small(hint, className="text-muted") if hint else None,
        ],
        className="mb-3",
    )


def _dropdown(id_: str, options, value, label: str, **extra) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=id_,
        options=options,
        value=value,
        clearable=False,
        **extra,
        # an accessible name for the combobox (the visible label names it too)
        placeholder=f"Choose {label.lower()}",
    )


def control_card(projects: list[dict], s: cq.CompareState, facts: dict | None) -> dbc.Card:
    geographies = facts["dimensions"]["geography"] if facts else []
    held = held_choices(s.project_id, facts, s) if facts else {}
    pairs = (
        choice_records(s.project_id, s.dimension, facts, s.dataset) if facts and s.dimension else []
    )
    versioned = versioned_datasets(facts) if facts else []
    return dbc.Card(
        dbc.CardBody(
            [
                _labelled(
                    "Project",
                    _dropdown(ids.COMPARE_PROJECT, projects, s.project_id or None, "Project"),
                ),
                _labelled(
                    "Compare",
                    _dropdown(
                        ids.COMPARE_DIMENSION,
                        [{"label": v, "value": k} for k, v in cq.DIMENSIONS.items()],
                        s.dimension,
                        "dimension",
                    ),
                    "Alternatives: each side is computed on its own, never added to the other.",
                ),
                html.Div(
                    _labelled(
                        "Dataset",
                        _dropdown(
                            ids.COMPARE_DATASET,
                            [{"label": d, "value": d} for d in versioned],
                            s.dataset or None,
                            "dataset",
                        ),
                        "Datasets with two versions or more; the project's other datasets "
                        "are read at the versions it lists.",
                    ),
                    id=ids.COMPARE_DATASET_BOX,
                    style=dataset_box_style(s.dimension),
                ),
                _labelled(
                    "Base",
                    _dropdown(ids.COMPARE_BASE, record_options(pairs), s.base or None, "Base"),
                ),
                _labelled(
                    "Other",
                    _dropdown(ids.COMPARE_OTHER, record_options(pairs), s.other or None, "Other"),
                ),
                _labelled(
                    "Geography (map and peaks)",
                    _dropdown(
                        ids.COMPARE_GEOGRAPHY,
                        [{"label": g, "value": g} for g in geographies],
                        s.geography or (geographies[1] if len(geographies) > 1 else None),
                        "geography",
                    ),
                ),
                *[
                    _labelled(
                        f"Hold {cq.DIMENSIONS[t].lower()} at",
                        _dropdown(
                            ids.compare_hold(t),
                            held.get(t, {}).get("options", []),
                            held.get(t, {}).get("value"),
                            cq.DIMENSIONS[t],
                            disabled=t == s.dimension,
                        ),
                        "compared" if t == s.dimension else "one record: never summed",
                    )
                    for t in cq.HELD
                ],
                _labelled(
                    "Unit",
                    _dropdown(
                        ids.COMPARE_UNIT,
                        [{"label": u, "value": u} for u in cq.UNITS],
                        s.unit,
                        "unit",
                    ),
                    "Every end use converted to this unit (energy with energy; another kind "
                    "is refused).",
                ),
                _labelled(
                    "Only these end uses",
                    dcc.Dropdown(
                        id=ids.COMPARE_END_USES,
                        options=metric_options(s.project_id, facts),
                        value=s.end_uses,
                        multi=True,
                        placeholder="All end uses",
                    ),
                    "Optional: leave empty for all.",
                ),
                dbc.Button("Compare", id=ids.COMPARE_RUN, color="primary"),
            ]
        )
    )


def metric_options(project_id: str, facts: dict | None) -> list[dict]:
    if not facts:
        return []
    records = choice_records(project_id, "metric", facts)
    return [
        {
            "label": f"{r.get('name') or r['id']} ({r['id']}"
            + (f", {r['unit']})" if r.get("unit") else ")"),
            "value": r["id"],
        }
        for r in records
    ]


def held_choices(project_id: str, facts: dict, s: cq.CompareState) -> dict:
    out = {}
    for t in cq.HELD:
        records = choice_records(project_id, t, facts)
        chosen = s.held.get(t)
        known = [r["id"] for r in records]
        out[t] = {
            "options": record_options(records),
            "value": chosen if chosen in known else (known[0] if known else None),
        }
    return out


def dataset_box_style(dimension: str | None) -> dict:
    return {} if dimension == "dataset_version" else {"display": "none"}


def nothing_to_compare(dimension: str, pairs: list, facts: dict) -> str:
    """Why there is nothing to compare ("" when there is)."""
    if len(pairs) > 1:
        return ""
    if dimension == "dataset_version":
        if not versioned_datasets(facts):
            return (
                "No dataset of the project has two versions: nothing to compare. A new "
                "version comes from `dsgrid registry datasets update`."
            )
        return "Choose a dataset whose versions to compare."
    return f"The project has one {cq.DIMENSIONS[dimension].lower()}: nothing to compare."
