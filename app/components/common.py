"""Links to components, the error and empty states, and the header of a component page."""

from __future__ import annotations

import string
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc

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
