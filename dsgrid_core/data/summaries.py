"""Summaries kept with a dataset version: smaller tables that answer some queries exactly.

``summary_total.parquet`` holds the stored rows summed over time: one row per combination of
the seven non-time dimension ids, ``value`` their sum (null where every summed value is null, as
SQL's SUM is). It answers any sum whose result keeps no time column and filters no time, for a
dataset whose stored time is the project's instants (a datetime time dimension: no time map
between them). Hourly data shrinks by the number of hours (8,760 for a year).

Summaries are written at registration, into the staging folder beside the table, so they are
published with the version or not at all (`data.summary_writer`); the version record lists
them (``extra["summaries"]``: file, rows, size, SHA-256), which is how a query knows they exist
without asking the store. Versions registered before summaries existed have none and are read
in full. This module is what a query needs (light: a repeated query loads no SQL library).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

TOTAL = "total"
FILES = {TOTAL: "summary_total.parquet"}


def recorded(extra: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The summaries a dataset version record lists (none for older versions)."""
    found = (extra or {}).get("summaries")
    return found if isinstance(found, dict) else {}


def summary_location(data_store, record, kind: str = TOTAL) -> Path | str | None:
    """Where the version's summary ``kind`` is (a path or an s3:// URL), or None."""
    entry = recorded(record.extra).get(kind)
    if entry is None or not record.data_path:
        return None
    return data_store.locate(data_store.sibling(record.data_path, entry["file"]))
