"""Filtering, sorting and keyset paging of record lists, for the web grids and the HTTP API.

Lists here are small enough to hold in memory (components, dimension and mapping records:
thousands, not millions), so a page is cut in Python: filter, sort by the requested columns
and then by the key, and continue after the last key of the previous page. The ``next`` token
carries that last key, so a page stays correct when rows are added in front of it.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dsgrid_core.errors import InputError
from dsgrid_core.numbers import finite_number

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000  # the most rows one answer carries (API and grids alike)

OPERATORS = (
    "exact",
    "not",
    "contains",
    "notcontains",
    "startswith",
    "endswith",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "blank",
    "notblank",
)


@dataclass(frozen=True)
class Filter:
    """``column operator value``; comparisons are numeric when both sides are numbers."""

    column: str
    operator: str = "exact"
    value: Any = None

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise InputError(
                f"filter on '{self.column}': operator '{self.operator}' is not one of "
                f"{', '.join(OPERATORS)}."
            )

    def matches(self, row: dict[str, Any]) -> bool:
        cell = row.get(self.column)
        op = self.operator
        if op == "blank":
            return cell in (None, "")
        if op == "notblank":
            return cell not in (None, "")
        if op == "in":
            values = self.value if isinstance(self.value, list | tuple) else [self.value]
            return _text(cell) in {_text(v) for v in values}
        if op in ("gt", "gte", "lt", "lte"):
            left, right = finite_number(cell), finite_number(self.value)
            if left is None or right is None:
                left, right = _text(cell), _text(self.value)
            return {
                "gt": left > right,
                "gte": left >= right,
                "lt": left < right,
                "lte": left <= right,
            }[op]
        text, value = _text(cell).lower(), _text(self.value).lower()
        return {
            "exact": text == value,
            "not": text != value,
            "contains": value in text,
            "notcontains": value not in text,
            "startswith": text.startswith(value),
            "endswith": text.endswith(value),
        }[op]


@dataclass(frozen=True)
class AnyOf:
    """Matches when any of its filters does (AG Grid's OR between two conditions)."""

    filters: tuple[Filter, ...]

    def matches(self, row: dict[str, Any]) -> bool:
        return any(f.matches(row) for f in self.filters)


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int  # rows matching the filters, over all pages
    limit: int
    next: str | None = None  # token for the next page; None on the last one
    columns: list[str] = field(default_factory=list)
    offset: int = 0  # where the page starts among the matching rows (row pages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "total": self.total,
            "limit": self.limit,
            "next": self.next,
            "columns": self.columns,
        }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def sort_key(value: Any) -> tuple:
    """Numbers before text, numbers by value, text case-insensitively; blanks last."""
    number = finite_number(value)
    if number is not None:
        return (0, number, "")
    if value in (None, ""):
        return (2, 0.0, "")
    return (1, 0.0, str(value).lower())


def parse_sort(text: str | None, columns: Iterable[str]) -> list[tuple[str, bool]]:
    """``"name,-version"`` -> [("name", False), ("version", True)] (True: descending)."""
    if not text:
        return []
    known = list(columns)
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("-")
        if known and name not in known:
            raise InputError(f"cannot sort by '{name}'; sortable columns: {', '.join(known)}.")
        out.append((name, descending))
    return out


def encode_token(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise InputError(
            "the 'next' token is not one this server gave out; start again without it."
        ) from None
    if not isinstance(state, dict):
        raise InputError("the 'next' token is not one this server gave out.")
    return state


def _scope_part(value: Any) -> Any:
    """Filters as text, whatever type their value came in (``0`` from Python, ``"0"`` from a
    URL: they match the same rows, so their pages have the same scope)."""
    if isinstance(value, Filter):
        values = value.value if isinstance(value.value, list | tuple) else [value.value]
        return [value.column, value.operator, [_text(v) for v in values]]
    if isinstance(value, AnyOf):
        return ["any", list(value.filters)]
    return repr(value)


def page_scope(*parts: Any) -> str:
    """A short fingerprint of what a row page reads (its table, filters and sort), carried in
    its ``next`` token so that a token is never followed into another table or order. No
    filter or sort (None) and empty ones are the same scope."""
    parts = tuple([] if p is None else p for p in parts)
    text = json.dumps(parts, default=_scope_part, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def start_offset(offset: int | None, token: str | None, scope: str) -> int:
    """The first row of a row page: ``offset``, or where the ``next`` token of the previous
    page points. Row pages (stored tables, query results) read immutable files, so an offset
    is a stable position and the token needs nothing more; ``scope`` ties it to one table,
    filter and sort."""
    if offset is not None and offset < 0:
        raise InputError(f"offset must not be negative (got {offset}).")
    if not token:
        return offset or 0
    if offset:
        raise InputError("give either offset or next, not both.")
    state = decode_token(token)
    start = state.get("offset")
    if state.get("scope") != scope or not isinstance(start, int) or start < 0:
        raise InputError(
            "the 'next' token belongs to another table, filter or sort; start again without it."
        )
    return start


def next_offset_token(offset: int, count: int, total: int, scope: str) -> str | None:
    """The ``next`` token of a row page holding ``count`` rows from ``offset`` out of
    ``total``; None on the last page."""
    end = offset + count
    return encode_token({"offset": end, "scope": scope}) if count and end < total else None


def check_limit(limit: int | None, default: int = DEFAULT_LIMIT) -> int:
    if limit is None:
        return default
    if limit < 1:
        raise InputError(f"limit must be at least 1 (got {limit}).")
    return min(limit, MAX_LIMIT)


def page_rows(
    rows: list[dict[str, Any]],
    *,
    key: str | tuple[str, ...] = "id",
    filters: Iterable[Filter | AnyOf] = (),
    sort: list[tuple[str, bool]] | None = None,
    limit: int | None = None,
    token: str | None = None,
    offset: int | None = None,
    columns: list[str] | None = None,
) -> Page:
    """Filter, sort (then by the ``key`` columns) and cut one page, after ``token`` or at
    ``offset``."""
    limit = check_limit(limit)
    order = _order(key, sort)
    full_key = _full_key(order)
    matched = matching_rows(rows, key=key, filters=filters, sort=sort, columns=columns)
    start = 0
    if token:
        state = decode_token(token)
        after = state.get("after")
        if state.get("order") != [list(o) for o in order] or not isinstance(after, list):
            raise InputError(
                "the 'next' token belongs to another sort order or list; start again without it."
            )
        target = full_key(dict(zip([name for name, _ in order], after, strict=False)))
        start = bisect.bisect_right(matched, target, key=full_key)
    elif offset:
        if offset < 0:
            raise InputError(f"offset must not be negative (got {offset}).")
        start = offset
    items = matched[start : start + limit]
    next_token = None
    if start + limit < len(matched) and items:
        last = items[-1]
        next_token = encode_token(
            {"order": [list(o) for o in order], "after": [last.get(n) for n, _ in order]}
        )
    return Page(
        items=items, total=len(matched), limit=limit, next=next_token, columns=columns or []
    )


def _order(key: str | tuple[str, ...], sort: list[tuple[str, bool]] | None) -> list:
    keys = (key,) if isinstance(key, str) else tuple(key)
    return [*(sort or []), *((k, False) for k in keys)]


def _full_key(order: list[tuple[str, bool]]):
    def full_key(row):
        parts = []
        for name, descending in order:
            k = sort_key(row.get(name))
            parts.append(_Reversed(k) if descending else k)
        return tuple(parts)

    return full_key


def matching_rows(
    rows: list[dict[str, Any]],
    *,
    key: str | tuple[str, ...] = "id",
    filters: Iterable[Filter | AnyOf] = (),
    sort: list[tuple[str, bool]] | None = None,
    columns: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Every row matching ``filters``, sorted by ``sort`` and then by the ``key`` columns: the
    rows ``page_rows`` cuts its pages from (a download reads them all at once)."""
    filters = list(filters)
    if columns is not None:
        for f in filters:
            for single in f.filters if isinstance(f, AnyOf) else (f,):
                if single.column not in columns:
                    raise InputError(
                        f"cannot filter on '{single.column}'; columns: {', '.join(columns)}."
                    )
    full_key = _full_key(_order(key, sort))
    return sorted((r for r in rows if all(f.matches(r) for f in filters)), key=full_key)


class _Reversed:
    """Wraps a sort key so that it sorts descending inside an ascending tuple sort."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __lt__(self, other: _Reversed) -> bool:
        return self.key > other.key

    def __gt__(self, other: _Reversed) -> bool:
        return self.key < other.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)
