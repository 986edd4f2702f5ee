"""Two answers to one query compared: tables matched by column name, rows sorted by every
non-value column, values equal within a relative tolerance of 1e-9 (absolute 1e-6 near zero,
where two equal sums subtracted leave float noise). One outcome per query:

- same: both answer, the same table (and the same reports);
- refused by both: same verdict, nothing to compare;
- different columns: the same rows once the reference's columns, named after dimensions, are
  renamed to the dimension types we use, or on the columns both tables have (one side has a
  column more): only the columns differ;
- different order: the same rows, in another order where the query asks for sort_columns;
- different numbers: other rows, other values, or other columns altogether;
- reference only / ours only: one tool answers, the other refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from queries_corpus import REPO_ROOT, QueryFile

RTOL = 1e-9
ATOL = 1e-6
COMPATIBLE = ("same", "refused by both")
# worst first: the outcome of a query is its worst table's (the result and each report)
SEVERITY = ("different numbers", "different columns", "different order", "same")


@dataclass
class Row:
    key: str
    question: str
    reference: dict  # accepted, message, tables {name: rows}
    ours: dict
    outcome: str = ""
    detail: str = ""  # what differs, for the note of the page and the reason of a gap
    sort_columns: list = field(default_factory=list)

    @property
    def corpus(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def stem(self) -> str:
        return self.key.split("/", 1)[1]


def _clean(message: str) -> str:
    """A message without machine-specific paths, ids made up at run time, or set order."""
    message = message.replace(str(REPO_ROOT) + "/", "")
    message = re.sub(r"(/[\w.+-]+)*/(pytest-of-\w+|tmp)[\w./+-]*", "<scratch>", message)
    message = re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", message
    )
    message = re.sub(r"\b[0-9a-f]{32}\b", "<hex>", message)
    # DuckDB names a Parquet scan after a hash of its path
    message = re.sub(r"\bparquet_[0-9a-f]{16}\b", "parquet_<hash>", message)
    message = re.sub(r"\btmp[a-z0-9_]{6,}", "<tmp>", message)
    # the reference prints sets in hash order, and a table's columns in the order its
    # DuckDB plan gave them: sort them
    message = re.sub(
        r"\{('[^'{}]*'(?:, '[^'{}]*')+)\}",
        lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}",
        message,
    )
    message = re.sub(
        r"\[('[^'\[\]]*'(?:, '[^'\[\]]*')+)\]",
        lambda m: "[" + ", ".join(sorted(m.group(1).split(", "))) + "]",
        message,
    )
    return message[:600]


def _is_value(frame: pd.DataFrame, column: str) -> bool:
    return column == "value" or pd.api.types.is_float_dtype(frame[column])


def _key_strings(series: pd.Series) -> pd.Series:
    """A key column as comparable text: instants in UTC, clock times as they are."""
    if pd.api.types.is_datetime64_any_dtype(series):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return series.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("<null>")
    return series.map(lambda v: "<null>" if pd.isna(v) else str(v))


def _prepared(frame: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({k: _key_strings(frame[k]) for k in keys}, index=frame.index)
    for v in values:
        out[v] = pd.to_numeric(frame[v], errors="coerce").astype(float)
    return out


def _sorted(frame: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    return frame.sort_values([*keys, *values], kind="stable").reset_index(drop=True)


def _compare_rows(ref: pd.DataFrame, ours: pd.DataFrame) -> str | None:
    """None when equal (columns already matched), else what differs."""
    values = [c for c in ref.columns if _is_value(ref, c) or _is_value(ours, c)]
    keys = [c for c in ref.columns if c not in values]
    if len(ref) != len(ours):
        return f"rows: reference {len(ref)}, ours {len(ours)}"
    left = _sorted(_prepared(ref, keys, values), keys, values)
    right = _sorted(_prepared(ours[list(ref.columns)], keys, values), keys, values)
    for key in keys:
        unequal = left[key] != right[key]
        if unequal.any():
            i = int(np.argmax(unequal.to_numpy()))
            return (
                f"column {key!r}: reference {left[key][i]!r}, ours {right[key][i]!r} "
                f"(first of {int(unequal.sum())} differing rows)"
            )
    for value in values:
        a, b = left[value].to_numpy(), right[value].to_numpy()
        close = np.isclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
        if not close.all():
            i = int(np.argmin(close))
            where = ", ".join(f"{k}={left[k][i]}" for k in keys[:4])
            return (
                f"{value}: {int((~close).sum())} of {len(a)} values differ, e.g. "
                f"reference {a[i]:.8g}, ours {b[i]:.8g} at {where}"
            )
    return None


def renamed_by_type(ref: pd.DataFrame, name_types: dict[str, str]) -> pd.DataFrame | None:
    """The reference's table with each column named after a dimension renamed to that
    dimension's type (the time dimension's to 'timestamp'), or None when that makes two
    columns one."""
    names = {
        c: ("timestamp" if name_types[c] == "time" else name_types[c])
        for c in ref.columns
        if c in name_types
    }
    renamed = ref.rename(columns=names)
    return renamed if renamed.columns.is_unique else None


def _order_differs(ref: pd.DataFrame, ours: pd.DataFrame, columns: list[str]) -> str | None:
    present = [c for c in columns if c in ref.columns and c in ours.columns]
    if not present or len(ref) != len(ours):
        return None
    left = _prepared(ref, present, []).reset_index(drop=True)
    right = _prepared(ours, present, []).reset_index(drop=True)
    if left.equals(right):
        return None
    return f"row order by {present} differs"


def compare_tables(
    ref: pd.DataFrame, ours: pd.DataFrame, name_types: dict[str, str], sort_columns: list[str]
) -> tuple[str, str]:
    if set(ref.columns) == set(ours.columns):
        differs = _compare_rows(ref, ours)
        if differs:
            return "different numbers", differs
        order = _order_differs(ref, ours, sort_columns)
        return ("different order", order) if order else ("same", "")
    columns = f"columns: reference {sorted(ref.columns)}, ours {sorted(ours.columns)}"
    # the same rows under other column names, or with a column more on one side?
    renamed = renamed_by_type(ref, name_types)
    how = "once renamed by dimension type"
    if renamed is None or not any(c in name_types for c in ref.columns):
        renamed, how = ref, "as named"
    common = [c for c in renamed.columns if c in ours.columns]
    if not any(_is_value(renamed, c) for c in common):
        return "different numbers", columns
    if set(common) != set(renamed.columns) or set(common) != set(ours.columns):
        how += f", on the columns both have ({', '.join(sorted(common))})"
    differs = _compare_rows(renamed[common], ours[common])
    if differs:
        return "different numbers", f"{columns}; {how}: {differs}"
    return "different columns", f"{columns}; same rows {how}"


def _side(verdict: dict) -> dict:
    side = {"accepted": verdict["accepted"], "message": _clean(verdict.get("message", ""))}
    if verdict["accepted"]:
        side["tables"] = {name: len(f) for name, f in verdict["frames"].items()}
    return side


def compare_query(query: QueryFile, ref: dict, ours: dict, name_types: dict[str, str]) -> Row:
    sort_columns = list((query.data.get("result") or {}).get("sort_columns") or [])
    row = Row(query.key, query.question, _side(ref), _side(ours), sort_columns=sort_columns)
    if not ref["accepted"] or not ours["accepted"]:
        if ref["accepted"] == ours["accepted"]:
            row.outcome = "refused by both"
        elif ref["accepted"]:
            row.outcome, row.detail = "reference only", row.ours["message"]
        else:
            row.outcome, row.detail = "ours only", row.reference["message"]
        return row
    outcomes = []
    for name in sorted(set(ref["frames"]) | set(ours["frames"])):
        if name not in ref["frames"] or name not in ours["frames"]:
            who = "the reference" if name in ref["frames"] else "we"
            outcomes.append(("different numbers", f"{name}: only {who} made it"))
            continue
        outcome, detail = compare_tables(
            ref["frames"][name], ours["frames"][name], name_types, sort_columns
        )
        outcomes.append((outcome, f"{name}: {detail}" if detail else ""))
    worst = min(SEVERITY.index(o) for o, _ in outcomes)
    row.outcome = SEVERITY[worst]
    row.detail = "; ".join(d for o, d in outcomes if d and o != "same")
    return row


def compare_all(
    queries: list[QueryFile], reference: dict, ours: dict, name_types: dict[str, str]
) -> list[Row]:
    return [compare_query(q, reference[q.key], ours[q.key], name_types) for q in queries]
