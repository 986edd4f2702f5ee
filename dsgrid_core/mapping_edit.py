"""A mapping being edited row by row in a form: the grid's rows from mapping records, an
uploaded CSV or a skeleton; the rules of the mapping type checked row by row while the user
edits (the same rules registration applies: dsgrid_core.data.records), with each row's problems
beside it; and, once the rows follow the rules, the whole check registration makes.

A grid row is {"row" (its id while edited, as text), "from_id", "to_id", "from_fraction",
"match" (where it came from), "problem"}."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from dsgrid_core.config.load import validate_model
from dsgrid_core.config.mapping import FRACTION_TOLERANCE, MAPPING_RULES, MappingType
from dsgrid_core.data.records import check_mapping_ids, load_mapping_records, read_csv_rows
from dsgrid_core.errors import DsgridError, InputError
from dsgrid_core.numbers import finite_number


def fraction(value: Any) -> float | None:
    """A from_fraction cell as a number (empty = 1), or None when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    return finite_number(value)


def mapping_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for the editable grid from mapping records (a CSV's rows, a skeleton's rows), each
    with a row number (as text: the grid's row id) that identifies it while it is edited."""
    rows = []
    for i, record in enumerate(records):
        value = record.get("from_fraction")
        number = fraction(value)
        rows.append(
            {
                "row": str(i),
                "from_id": str(record.get("from_id") or "").strip(),
                "to_id": str(record.get("to_id") or "").strip(),
                "from_fraction": number if number is not None else str(value),
                "match": record.get("match", ""),
            }
        )
    return rows


def added_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A new, empty row for the grid, numbered after the others."""
    number = max((int(r.get("row") or 0) for r in rows), default=-1) + 1
    return {"row": str(number), "from_id": "", "to_id": "", "from_fraction": 1.0, "match": "added"}


def mapping_records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records a mapping config holds, from the grid's rows (an empty to_id drops the
    from record)."""
    out = []
    for row in rows:
        number = fraction(row.get("from_fraction"))
        out.append(
            {
                "from_id": str(row.get("from_id") or "").strip(),
                "to_id": str(row.get("to_id") or "").strip(),
                "from_fraction": number if number is not None else row.get("from_fraction"),
            }
        )
    return out


def check_mapping_rows(
    rows: list[dict[str, Any]],
    mapping_type: str | None,
    from_ids: list[str] | set[str],
    to_ids: list[str] | set[str],
    *,
    from_name: str = "the from dimension",
    to_name: str = "the to dimension",
) -> dict[str, Any]:
    """The rules of the mapping type, checked row by row while the user edits (the same rules
    registration applies: dsgrid_core.data.records). Returns {"rows": one list of problems per
    row, "general": problems of no single row}."""
    per_row: list[list[str]] = [[] for _ in rows]
    general: list[str] = []
    known_from, known_to = set(map(str, from_ids)), set(map(str, to_ids))
    cleaned = []
    for i, row in enumerate(rows):
        f = str(row.get("from_id") or "").strip()
        t = str(row.get("to_id") or "").strip()
        x = fraction(row.get("from_fraction"))
        if not f:
            per_row[i].append("from_id is empty.")
        elif f not in known_from:
            per_row[i].append(f"'{f}' is not a record of {from_name}.")
        if t and t not in known_to:
            per_row[i].append(f"'{t}' is not a record of {to_name}.")
        if x is None:
            per_row[i].append(f"from_fraction '{row.get('from_fraction')}' is not a number.")
        cleaned.append((f, t, x))
    try:
        kind = MappingType(mapping_type) if mapping_type else None
    except ValueError:
        kind = None
        general.append(f"unknown mapping type '{mapping_type}'.")
    if kind is None:
        if not mapping_type:
            general.append("choose a mapping type.")
        return {"rows": per_row, "general": general}
    rules = MAPPING_RULES[kind]
    pairs = Counter((f, t) for f, t, _ in cleaned if f)
    from_count = Counter(f for f, _, _ in cleaned if f)
    to_count = Counter(t for _, t, _ in cleaned if t)
    sums: dict[str, float] = defaultdict(float)
    key_index = 0 if rules.sum_by == "from_id" else 1
    for record in cleaned:
        key, x = record[key_index], record[2]
        if key and x is not None:
            sums[key] += x
    for i, (f, t, x) in enumerate(cleaned):
        if f and pairs[(f, t)] > 1:
            per_row[i].append(f"the pair {f} -> {t or '(dropped)'} appears more than once.")
        if rules.unique_from and f and from_count[f] > 1:
            per_row[i].append(
                f"{kind.value} maps each from_id once; '{f}' is on {from_count[f]} rows."
            )
        if rules.unique_to and t and to_count[t] > 1:
            per_row[i].append(
                f"{kind.value} maps to each to_id once; '{t}' is on {to_count[t]} rows."
            )
        if rules.all_ones and x is not None and abs(x - 1) > 1e-12:
            per_row[i].append(f"{kind.value} needs every from_fraction to be 1.")
        key = (f, t)[key_index] if rules.sum_by else None
        if key and key in sums and abs(sums[key] - 1) > FRACTION_TOLERANCE:
            per_row[i].append(
                f"the fractions of {rules.sum_by} '{key}' sum to {sums[key]:.6g}; "
                f"{kind.value} needs 1 (or choose an *_explicit_multipliers type)."
            )
    unmapped = [i for i in known_from if i not in from_count]
    if unmapped:
        shown = ", ".join(sorted(unmapped)[:5]) + (
            f" and {len(unmapped) - 5} more" if len(unmapped) > 5 else ""
        )
        general.append(
            f"record(s) {shown} of {from_name} have no row: add one for each (an empty to_id "
            "drops a record)."
        )
    if not rows:
        general.append("the mapping has no rows.")
    return {"rows": per_row, "general": general}


def listing(ids: list[str], shown: int = 5) -> str:
    """The first few of ``ids``, and how many more there are."""
    head = ", ".join(ids[:shown])
    return head + (f" and {len(ids) - shown:,} more" if len(ids) > shown else "")


def dropped_records(rows: list[dict[str, Any]], from_ids: list[str] | set[str]) -> dict:
    """The from records a mapping's rows would lose: {"dropped": the from ids on rows with an
    empty to_id and on no row with a to_id, "missing": the from records on no row}, each in
    the order of the rows (of ``from_ids``)."""
    mapped = {
        str(r.get("from_id") or "").strip() for r in rows if str(r.get("to_id") or "").strip()
    }
    dropped = []
    for row in rows:
        f = str(row.get("from_id") or "").strip()
        if f and f not in mapped and f not in dropped and not str(row.get("to_id") or "").strip():
            dropped.append(f)
    on_rows = {str(r.get("from_id") or "").strip() for r in rows}
    missing = [str(i) for i in from_ids if str(i) not in on_rows]
    return {"dropped": dropped, "missing": missing}


def drop_choice(n: int) -> str:
    """The words of the box a user ticks to register rows that drop ``n`` records."""
    return "I mean to drop this 1 record" if n == 1 else f"I mean to drop these {n:,} records"


def drop_problem(dropped: list[str], from_name: str) -> str:
    """What the form says of rows that drop records until the user says they mean it."""
    n = len(dropped)
    return (
        f"{n:,} record(s) of {from_name} would be dropped (empty to_id): {listing(dropped)}. "
        f"Fill in their to_id, or tick '{drop_choice(n)}'."
    )


def rows_with_problems(rows: list[dict[str, Any]], check: dict[str, Any]) -> list[dict[str, Any]]:
    """The grid's rows with each row's problems in its ``problem`` column."""
    return [
        {**row, "problem": " ".join(problems)}
        for row, problems in zip(rows, check["rows"], strict=True)
    ]


def rows_from_csv(path: Path, name: str) -> tuple[list[dict[str, Any]], str | None]:
    """The grid's rows from an uploaded mapping CSV (from_id, to_id[, from_fraction]) stored at
    ``path`` and called ``name`` by the user; or no rows and the reason, in the user's names."""
    try:
        header, rows = read_csv_rows(path)
    except InputError as exc:
        return [], exc.message.replace(str(path), name)
    missing = [c for c in ("from_id", "to_id") if c not in header]
    if missing:
        return [], (
            f"{name}: a mapping CSV needs the columns from_id and to_id (missing "
            f"{', '.join(missing)}); it has {', '.join(header)}."
        )
    for row in rows:
        row["match"] = "uploaded"
    return mapping_rows(rows), None


def checked_rows(
    rows: list[dict[str, Any]],
    mapping_type: str | None,
    source: dict[str, Any],
    target: dict[str, Any],
    source_records: list[dict[str, Any]],
    target_records: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], int, str, list[str]]:
    """The rules of the mapping type over the rows mapping dimension ``source`` to ``target``
    (each with a name): (the rows with their problems, how many rows have any, a one-line
    summary, the problems of no single row)."""
    check = check_mapping_rows(
        rows,
        mapping_type,
        [r["id"] for r in source_records],
        [r["id"] for r in target_records],
        from_name=f"'{source['name']}'",
        to_name=f"'{target['name']}'",
    )
    shown = rows_with_problems(rows, check)
    bad = sum(1 for r in shown if r["problem"])
    lost = dropped_records(rows, [r["id"] for r in source_records])
    said = [f"{bad:,} with problems (tinted red)"] if bad else []
    if lost["dropped"]:
        said.append(
            f"{len(lost['dropped']):,} drop their record (empty to_id): {listing(lost['dropped'])}"
        )
    if lost["missing"]:
        said.append(
            f"{len(lost['missing']):,} record(s) of '{source['name']}' have no row: "
            f"{listing(lost['missing'])}"
        )
    if not said:
        summary = f"{len(rows):,} rows; every row follows the rules."
    else:
        summary = f"{len(rows):,} rows; " + "; ".join(said) + "."
    return shown, bad, summary, check["general"]


def registration_problems(
    model,
    config: dict[str, Any],
    config_name: str,
    source: dict[str, Any],
    target: dict[str, Any],
    source_records: list[dict[str, Any]],
    target_records: list[dict[str, Any]],
) -> list[dict[str, str]]:
    """What registration would say of a mapping config (``model``: a standalone mapping, or a
    submission's file of mappings, whose first mapping is checked): the model, then the record
    rules. Problems as {field, message}; field "rows" when the error names none."""
    try:
        checked, _ = validate_model(model, config, config_name)
        mapping = checked.mappings[0] if hasattr(checked, "mappings") else checked
        check_mapping_ids(
            load_mapping_records(mapping, None, "the rows"),
            {r["id"] for r in source_records},
            {r["id"] for r in target_records},
            "the rows",
            source["name"],
            target["name"],
        )
    except DsgridError as exc:
        return exc.problems or [{"field": "rows", "message": exc.message}]
    return []
