"""A dimension's type and record class guessed from its records table, and records from the
distinct values of a data column."""

from __future__ import annotations

import re
from typing import Any

from dsgrid_core.config.dimension import DEFAULT_CLASS, RECORD_CLASSES
from dsgrid_core.errors import InputError
from dsgrid_core.infer.guess import Guess

SPECIFIC_CLASSES = [
    name
    for name, rc in RECORD_CLASSES.items()
    if rc.dimension_type and not name.endswith("DimensionBaseModel") and name != "Time"
]


def _looks_like(ids: list[str]) -> tuple[str | None, str]:
    sample = [str(i) for i in ids if str(i)]
    if not sample:
        return None, "no ids to look at"
    if all(re.fullmatch(r"\d{5}", i) for i in sample):
        return "geography", "every id is a 5-digit FIPS code"
    if all(re.fullmatch(r"(19|20|21)\d{2}", i) for i in sample):
        return "model_year", "every id is a year (weather years look the same: check)"
    if all(re.fullmatch(r"[A-Z]{2}", i) for i in sample):
        return "geography", "every id is a 2-letter state code"
    lowered = {i.lower() for i in sample}
    if lowered <= {"com", "res", "ind", "trans", "agr", "commercial", "residential", "industrial"}:
        return "sector", "the ids are sector codes"
    if any(k in i for i in lowered for k in ("heating", "cooling", "lighting", "fans")):
        return "metric", "the ids name end uses"
    if any(k in i for i in lowered for k in ("reference", "baseline", "scenario", "high", "low")):
        return "scenario", "the ids look like scenario names"
    return None, "nothing in the ids tells the type"


def infer_dimension(columns: list[str], rows: list[dict[str, Any]]) -> dict[str, Guess]:
    """Type and record class of a dimension from its records table."""
    cols = set(columns)
    if not {"id", "name"} <= cols:
        missing = ", ".join(sorted({"id", "name"} - cols))
        raise InputError(f"a records table needs the columns id and name; missing: {missing}.")
    best, best_score = None, 0
    for name in SPECIFIC_CLASSES:
        rc = RECORD_CLASSES[name]
        extra = set(rc.required) - {"id", "name"}
        if not set(rc.required) <= cols or not extra and not (set(rc.optional) & cols):
            continue
        score = 2 * len(extra) + len(set(rc.optional) & cols)
        if score > best_score:
            best, best_score = name, score
    ids = [r.get("id") for r in rows]
    if best is not None:
        rc = RECORD_CLASSES[best]
        matched = sorted((set(rc.required) | set(rc.optional)) & cols - {"id", "name"})
        reason = f"the columns {', '.join(matched)} are those of a {best} record"
        return {
            "type": Guess(rc.dimension_type, reason),
            "class": Guess(best, reason),
        }
    type_, reason = _looks_like(ids)
    if type_ is None:
        return {
            "type": Guess(None, f"only id and name columns, and {reason}: choose it", False),
            "class": Guess(None, "follows the type", False),
        }
    return {
        "type": Guess(type_, reason, certain=False),
        "class": Guess(DEFAULT_CLASS[type_], f"the usual class of a {type_} dimension", False),
    }


def records_from_values(values: list[Any]) -> list[dict[str, str]]:
    """Records (id and name alike) from the distinct values of a data column, in first-seen
    order."""
    seen = dict.fromkeys(str(v) for v in values if v is not None and str(v) != "")
    return [{"id": v, "name": v} for v in seen]
