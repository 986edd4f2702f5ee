"""What every API route module shares: the route table (each module's ``@route`` declarations
add to it; `app.api` serves it and `openapi.py` documents it), filter parsing, and file answers
(CSV, NDJSON) with names that say what they hold."""

from __future__ import annotations

import re
from typing import Any

import flask

from app import state
from app.api import models as m
from app.api.routing import ApiError, Route
from dsgrid_core.browse.paging import OPERATORS, AnyOf, Filter

ROUTES: list[Route] = []


def route(method: str, path: str, *, tag: str, summary: str, **options):
    def register(handler):
        ROUTES.append(Route(method, path, summary, handler, tag, **options))
        return handler

    return register


def parse_filters(values: list[str], any_of: list[str] = ()) -> list[Filter | AnyOf]:
    """``column:operator:value`` strings as Filters (``in`` takes a comma-separated list), and
    the ``group:column:operator:value`` strings of ``any_of`` as one AnyOf per group."""
    groups: dict[str, list[str]] = {}
    for text in any_of:
        group, _, rest = text.partition(":")
        groups.setdefault(group, []).append(rest)
    out: list[Filter | AnyOf] = [AnyOf(tuple(parse_filters(g))) for g in groups.values()]
    for text in values:
        parts = text.split(":", 2)
        if len(parts) < 2 or parts[1] not in OPERATORS:
            raise ApiError(
                400,
                f"filter '{text}' is not COLUMN:OPERATOR:VALUE with an operator among "
                f"{', '.join(OPERATORS)}.",
                type="InputError",
            )
        column, operator = parts[0], parts[1]
        value = parts[2] if len(parts) > 2 else None
        if operator == "in":
            value = [v for v in (value or "").split(",") if v]
        out.append(Filter(column, operator, value))
    return out


DOWNLOAD_FILES = {
    "text/csv": "format=csv: every matching item (all pages), in the sort asked.",
    "application/x-ndjson": "format=ndjson: every matching item, one JSON object per line.",
}
MEDIA_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
SEARCH_FILES = {
    "text/csv": "format=csv: every hit of the answer, components then records, with why.",
    "application/x-ndjson": "format=ndjson: the same hits, one JSON object per line.",
}


def download(question: str, *args: Any, format: str, name: str, **options: Any) -> flask.Response:
    """A streamed file answer of every row of a paged viewer question (its name, with its
    arguments but no paging), under a file name that says what it holds. The viewer reads the
    first rows now, so a bad filter or an unknown id answers 400 or 404, never half a file."""
    chunks = state.viewer().download(question, *args, format=format, **options)
    response = flask.Response(chunks, mimetype=MEDIA_TYPES[format])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def file_name(*parts: str | None, extension: str) -> str:
    """A download's file name from what it holds (``dimension``, an id, ``records``), safe in a
    Content-Disposition header."""
    words = [re.sub(r"[^A-Za-z0-9._-]+", "_", p) for p in parts if p]
    return "_".join(words).strip("._") + "." + extension


def records_name(kind: str, id: str, params: m.RecordsParams) -> str:
    filtered = "filtered" if params.filter or params.any else None
    return file_name(kind, id, params.version, "records", filtered, extension=params.format)


def kind_name(kind: str) -> str:
    """The registry kind of an API path's kind (``dimension-mappings``), or 404."""
    try:
        return m.KIND_OF[kind]
    except KeyError:
        raise ApiError(
            404,
            f"unknown kind '{kind}'; use one of {', '.join(m.KIND_OF)}.",
            type="NotFoundError",
        ) from None
