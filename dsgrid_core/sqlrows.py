"""SQLite rows into dataclasses: the columns named like the fields, JSON columns decoded."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from typing import Any, TypeVar

T = TypeVar("T")


def from_row(
    cls: type[T],
    row: sqlite3.Row,
    *,
    json_columns: dict[str, Any] | None = None,
    renamed: dict[str, str] | None = None,
) -> T:
    """``cls(**row)`` for the dataclass ``cls``: ``json_columns`` maps a JSON column to the
    value it takes when NULL; ``renamed`` maps a field to the column holding it."""
    json_columns = json_columns or {}
    renamed = renamed or {}
    values = {}
    for f in dataclasses.fields(cls):
        value = row[renamed.get(f.name, f.name)]
        if f.name in json_columns:
            value = json.loads(value) if value else json_columns[f.name]
        values[f.name] = value
    return cls(**values)
