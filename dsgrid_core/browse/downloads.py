"""Every row of a paged answer (a component list, a dimension's records, a mapping's rows) as a
download: CSV or newline-delimited JSON (one object per line, ``application/x-ndjson``),
written in chunks as the rows come.

Rows come either page after page from a paged question (``stream``: a viewer of another
server's API holds one page at a time) or at once from an in-process read (``encode``: the
records are in memory for any page anyway, and reading them page after page would sort them
once per page). Either way the first rows are read before anything is written, so a bad filter
or an unknown id is an error answer (400, 404), never a half-written file.

CSV cells that a spreadsheet would run as a formula (text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) get a leading apostrophe; numbers, and text that reads as a
number, are written as they are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from dsgrid_core.browse.paging import MAX_LIMIT, Page
from dsgrid_core.browse.records import record_columns
from dsgrid_core.errors import InputError
from dsgrid_core.numbers import finite_number

FORMATS = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if finite_number(value) is None:
            return "'" + value
    return value


def every_row(first: Page, fetch: Callable[..., Page]) -> Iterator[dict[str, Any]]:
    """The rows of ``first`` and of every page after it (``fetch(limit=, token=)``)."""
    page = first
    while True:
        yield from page.items
        if not page.next:
            return
        page = fetch(limit=MAX_LIMIT, token=page.next)


def _csv_chunks(rows: Iterable[dict[str, Any]], columns: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _ndjson_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    lines: list[str] = []
    for row in rows:
        lines.append(json.dumps(row, separators=(",", ":"), sort_keys=True, default=str) + "\n")
        if len(lines) >= MAX_LIMIT:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def _check(format: str) -> None:
    if format not in FORMATS:
        raise InputError(f"format '{format}' is not one of {', '.join(FORMATS)}.")


def encode(rows: Iterable[dict[str, Any]], format: str, columns: list[str]) -> Iterator[str]:
    """``rows`` as ``format`` text chunks (CSV with ``columns``, NDJSON with every key)."""
    _check(format)
    return _ndjson_chunks(rows) if format == "ndjson" else _csv_chunks(rows, columns)


def stream(
    fetch: Callable[..., Page], format: str, columns: list[str] | None = None
) -> Iterator[str]:
    """Every row ``fetch`` pages through (it takes ``limit`` and ``token``), as ``format``
    text chunks. The first page is read now: its errors raise here, before any byte is
    written. CSV columns: ``columns``, else the page's, else those of the first page's rows."""
    _check(format)
    first = fetch(limit=MAX_LIMIT, token=None)
    columns = columns or first.columns or record_columns(first.items)
    return encode(every_row(first, fetch), format, columns)
