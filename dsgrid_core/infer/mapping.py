"""A mapping's rows guessed from the records of its two dimensions."""

from __future__ import annotations

import difflib
from collections import Counter
from typing import Any

from dsgrid_core.infer.guess import Guess

# A column of the from records is used when it names a to record for more than this share of
# the from records (most of them): a column that names one by chance is not a relation.
COLUMN_SHARE = 0.5


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _column_targets(
    from_records: list[dict[str, Any]], to_records: list[dict[str, Any]]
) -> tuple[str, dict[str, str]] | None:
    """The column of the from records (other than id and name) whose values name a to record
    (its id, else its id or name in any case) for the most from records, with the to id each
    from id it names maps to; None when no column does so for most from records. Ties go to
    the column with fewer distinct values that name no to record."""
    ids = {_text(r["id"]) for r in to_records}
    by_folded: dict[str, str] = {}
    for record in to_records:  # ids before names: a value that is an id means that record
        by_folded.setdefault(_text(record.get("name")).lower(), _text(record["id"]))
    for record in to_records:
        by_folded[_text(record["id"]).lower()] = _text(record["id"])
    by_folded.pop("", None)
    columns = list(dict.fromkeys(k for r in from_records for k in r if k not in ("id", "name")))
    best: tuple[tuple[int, int, int], str, dict[str, str]] | None = None
    for position, column in enumerate(columns):
        targets: dict[str, str] = {}
        unknown: set[str] = set()
        for record in from_records:
            value = _text(record.get(column))
            if not value:
                continue
            target = value if value in ids else by_folded.get(value.lower())
            if target is None:
                unknown.add(value)
            else:
                targets[_text(record["id"])] = target
        if len(targets) <= COLUMN_SHARE * len(from_records):
            continue
        rank = (len(targets), -len(unknown), -position)
        if best is None or rank > best[0]:
            best = (rank, column, targets)
    return (best[1], best[2]) if best else None


def _own_match(
    fid: str, name: str, to_ids: set[str], by_name: dict[str, str]
) -> tuple[str, str, str]:
    """A from record matched on its own id or name: (to_id, match, kind of match)."""
    if fid in to_ids:
        return fid, "same id", "same id"
    if name in by_name:
        return by_name[name], "same name", "same name"
    # Similar names match words (com__Hospital ~ Hospital), never numbers: 2012 is not 2020.
    close = (
        []
        if any(ch.isdigit() for ch in name)
        else difflib.get_close_matches(name, list(by_name), n=1, cutoff=0.75)
    )
    if close:
        return by_name[close[0]], f"similar name ({close[0]})", "similar name"
    return "", "no match", "no match"


def guess_mapping_type(
    rows: list[dict[str, Any]], to_ids: list[str] | set[str] | None = None
) -> Guess:
    """The mapping type rows imply (rows as {from_id, to_id, from_fraction}; an empty to_id
    drops its from record). many_to_one_aggregation when each from id is mapped once with
    fraction 1 and several share a to id; one_to_one only for a bijection (every from id once,
    with fraction 1, each to a different to id, every to record reached when ``to_ids`` is
    given); else many_to_one_aggregation."""
    mapped = [r for r in rows if _text(r.get("to_id"))]
    dropped = sorted({_text(r.get("from_id")) for r in rows if not _text(r.get("to_id"))})
    from_count = Counter(_text(r.get("from_id")) for r in rows)
    targets = Counter(_text(r["to_id"]) for r in mapped)
    once = bool(rows) and max(from_count.values()) == 1
    ones = all(_fraction_is_one(r.get("from_fraction")) for r in rows)
    shared = [t for t, n in targets.items() if n > 1]
    if once and ones and shared:
        return Guess(
            "many_to_one_aggregation",
            f"several from records map to the same to record ({len(mapped):,} from records "
            f"to {len(targets):,} to records)",
            certain=False,
        )
    unreached = set(map(str, to_ids)) - set(targets) if to_ids is not None else set()
    if once and ones and mapped and not dropped and not shared and not unreached:
        return Guess("one_to_one", "each from record maps to a different to record", certain=False)
    if dropped:
        why = f"{len(dropped):,} from record(s) have no to_id (dropped), so it is not one_to_one"
    elif unreached:
        why = (
            f"{len(unreached):,} to record(s) are reached by no from record, so it is not "
            "one_to_one"
        )
    else:
        why = "several from records map to the same to record"
    return Guess("many_to_one_aggregation", why, certain=False)


def _fraction_is_one(value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    try:
        return abs(float(value) - 1) <= 1e-12
    except (TypeError, ValueError):
        return False


def mapping_skeleton(
    from_records: list[dict[str, Any]], to_records: list[dict[str, Any]]
) -> dict[str, Any]:
    """One row per from record: the to record a column of the from records names (e.g. a
    county's ``state``), when one column names a to record for most from records; else the to
    record with the same id, else the same or the closest name, else an empty to_id (dropped)
    for the user to fill; with the mapping type the rows imply.

    Returns {"rows", "mapping_type" (a Guess), "summary" (how many rows each kind of match
    gave), "column" (the column used, or None), "dropped" (from ids left with no to_id),
    "notes" (what the skeleton did, in words)}."""
    to_ids = {_text(r["id"]) for r in to_records}
    by_name = {_text(r.get("name") or r["id"]).lower(): _text(r["id"]) for r in to_records}
    found = _column_targets(from_records, to_records)
    column, by_column = found if found else (None, {})
    if column is not None:
        own = sum(
            1
            for r in from_records
            if _own_match(_text(r["id"]), _text(r.get("name") or r["id"]).lower(), to_ids, by_name)[
                2
            ]
            in ("same id", "same name")
        )
        if own >= len(by_column):  # the records' own ids or names match as many: keep those
            column, by_column = None, {}
    rows, how = [], Counter()
    for record in from_records:
        fid, name = _text(record["id"]), _text(record.get("name") or record["id"]).lower()
        if fid in by_column:
            to_id, match, kind = by_column[fid], f"column {column}", f"column {column}"
        else:
            to_id, match, kind = _own_match(fid, name, to_ids, by_name)
        rows.append({"from_id": fid, "to_id": to_id, "from_fraction": 1.0, "match": match})
        how[kind] += 1
    dropped = [r["from_id"] for r in rows if not r["to_id"]]
    notes = []
    if column is not None:
        notes.append(
            f"matched {len(by_column):,} of {len(from_records):,} from records by their column "
            f"'{column}', which names a to record"
        )
    if dropped:
        notes.append(f"{len(dropped):,} from record(s) matched nothing: their to_id is empty")
    guess = guess_mapping_type(rows, to_ids)
    if column is not None:
        guess = Guess(
            guess.value, f"{guess.reason}; matched by the column '{column}'", guess.certain
        )
    return {
        "rows": rows,
        "mapping_type": guess,
        "summary": dict(how),
        "column": column,
        "dropped": dropped,
        "notes": notes,
    }
