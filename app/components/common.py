"""Links to components, the error and empty states, and the header of a component page."""

from __future__ import annotations

import string
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from app import ids

# kind -> the path of its list page (and of its component pages below it)
KIND_PATHS = {
    "project": "/projects",
    "dataset": "/datasets",
    "dimension": "/dimensions",
    "dimension_mapping": "/mappings",
}
KIND_LABELS = {
    "project": "Project",
    "dataset": "Dataset",
    "dimension": "Dimension",
    "dimension_mapping": "Dimension mapping",
}


def component_href(kind: str, id: str, version: str | None = None, **query) -> str:
    """The stable URL of a component (at a version, when given)."""
    params = {"version": version, **query} if version else dict(query)
    params = {k: v for k, v in params.items() if v not in (None, "")}
    tail = f"?{urlencode(params)}" if params else ""
    return f"{KIND_PATHS[kind]}/{id}{tail}"


def component_link(kind: str, id: str, version: str | None = None, label: str | None = None):
    return dcc.Link(label or id, href=component_href(kind, id, version))


def markdown_link(kind: str, id: str, version: str | None = None, label: str | None = None) -> str:
    """A link for a grid cell rendered as markdown: every ASCII punctuation character of the
    label is backslash-escaped (CommonMark), so a label is text, never markup."""
    text = "".join(f"\\{c}" if c in string.punctuation else c for c in label or id)
    return f"[{text}]({component_href(kind, id, version)})"


def error_state(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="danger", id=ids.PAGE_ERROR)


def empty_state(message) -> dbc.Alert:
    return dbc.Alert(message, color="secondary", id=ids.PAGE_EMPTY)


def human_bytes(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{size} B"


def value_text(value) -> str:
    """A registry value as text: lists and mappings joined, blanks as a dash."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) if value else "-"
    return "-" if value in (None, "") else str(value)


def value_cell(value):
    """Registry values as text; a web address (http or https only) as a link."""
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return html.A(value, href=value, target="_blank", rel="noopener noreferrer")
    return value_text(value)


def facts_table(table_id: str, rows: list[tuple[str, object]], cell_ids=None) -> dbc.Table:
    """A two-column table of (label, value) rows; ``cell_ids`` gives some value cells an id."""
    cell_ids = cell_ids or {}
    return dbc.Table(
        html.Tbody(
            [
                html.Tr(
                    [
                        html.Th(label.replace("_", " "), className="text-nowrap"),
                        html.Td(value, id=cell_ids[label]) if label in cell_ids else html.Td(value),
                    ]
                )
                for label, value in rows
            ]
        ),
        id=table_id,
        size="sm",
        class_name="w-auto",
        style={"wordBreak": "break-word"},
    )


def component_title(label: str, variable: str):
    """A page title naming the component it shows ("comstock · Dataset · dsgrid-viewer"),
    for dash.register_page (Dash calls it with the path's variables)."""

    def title(**path_variables) -> str:
        shown = path_variables.get(variable)
        return f"{shown} · {label} · dsgrid-viewer" if shown else f"{label} · dsgrid-viewer"

    return title
