"""Dimension and mapping records: read from CSV or inline lists, checked row by row."""

from __future__ import annotations

import csv
import io
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from dsgrid_core.config.dimension import FUNCTIONAL_FORMS, RECORD_CLASSES
from dsgrid_core.config.files import read_input_text
from dsgrid_core.config.mapping import MappingBase
from dsgrid_core.config.time_zones import LegacyTimeZoneWarning, to_iana_time_zone
from dsgrid_core.errors import InputError

MAX_LISTED = 5


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Rows of a small CSV as dicts (header required, whitespace around values removed)."""
    try:
        # refuses a directory, FIFO, symlink loop, NUL or over-long path, naming the path
        text = read_input_text(path, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file; save it as UTF-8 CSV.") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path}: the file is empty; it needs a header row.") from None
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc}).") from None
    for h in header:
        _refuse_nul(h, path, 1, "the header")
    if len(set(header)) != len(header):
        dupes = sorted(h for h, n in Counter(header).items() if n > 1)
        raise InputError(f"{path}: header repeats column(s) {', '.join(dupes)}.")
    rows = []
    try:
        for line_no, values in enumerate(reader, start=2):
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise InputError(
                    f"{path}, line {line_no}: {len(values)} values but the header has "
                    f"{len(header)} columns ({', '.join(header)})."
                )
            row = {h: v.strip() for h, v in zip(header, values, strict=True)}
            for h, v in row.items():
                _refuse_nul(v, path, line_no, f"column '{h}'")
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc}).") from None
    return header, rows


def _refuse_nul(value: Any, source: str | Path, line: int, where: str) -> None:
    """A NUL byte in an id or a name would be stored and then cut or mangled by every tool that
    reads it back (C strings end at NUL): refuse it, naming file, line and column."""
    if isinstance(value, str) and "\x00" in value:
        shown = value.replace("\x00", "\\x00")[:60]
        raise InputError(
            f"{source}, line {line}, {where}: contains a NUL character (\\x00) in "
            f"'{shown}'. Remove it; ids and names cannot hold NUL bytes."
        )


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


BOOL_TEXT = {
    "true": True, "t": True, "yes": True, "y": True, "on": True, "1": True,
    "false": False, "f": False, "no": False, "n": False, "off": False, "0": False,
}  # fmt: skip
"""The spellings dsgrid (pydantic) reads as a boolean."""


def _typed(value: Any, kind: str) -> Any:
    """``value`` read as the column type ``kind``; ValueError when it cannot be."""
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError("must be text (write it in quotes)")
        return value.strip()
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, str | int) else None
        if text not in BOOL_TEXT:
            raise ValueError("must be True or False")
        return BOOL_TEXT[text]
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError("must be a whole number")
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError("must be a number")
        try:
            return float(str(value).strip())
        except ValueError:
            raise ValueError("must be a number") from None
    if kind == "form":
        if value not in FUNCTIONAL_FORMS:
            raise ValueError(f"must be one of {', '.join(FUNCTIONAL_FORMS)}")
        return value
    raise AssertionError(kind)


def check_dimension_records(
    rows: list[dict[str, Any]], record_class: str, source: str
) -> list[dict[str, Any]]:
    """Check the records against their class (dsgrid.dimension.standard): the columns it
    requires, no column it does not know, each value of its type, unique ids. Returns the
    records with typed values (absent optional columns stay absent: ``RecordClass.defaults``
    has their values)."""
    rc = RECORD_CLASSES[record_class]
    if not rows:
        raise InputError(f"{source}: no records; a dimension needs at least one record.")
    columns = set().union(*(r.keys() for r in rows))
    missing = [c for c in rc.required if c not in columns]
    if missing:
        raise InputError(
            f"{source}: record class {record_class} needs column(s) {', '.join(missing)}; "
            f"the file has {', '.join(sorted(columns))}. Add the missing column(s)."
        )
    unknown = sorted(str(c) for c in columns if c not in rc.types)
    if unknown:
        raise InputError(
            f"{source}: record class {record_class} has no column(s) {', '.join(unknown)}; "
            f"its columns are {', '.join(rc.columns)}. Remove or rename them, or choose the "
            "record class that has them."
        )
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        line = i + 2
        for col, value in row.items():
            _refuse_nul(col, source, line, "a column name")
            _refuse_nul(value, source, line, f"column '{col}'")
        absent = [c for c in rc.required if c not in row]
        if absent:
            raise InputError(f"{source}, record {i + 1}: no value for {', '.join(absent)}.")
        rec: dict[str, Any] = {}
        for col, value in row.items():
            if value is None and col not in rc.required and rc.defaults.get(col, "") is None:
                rec[col] = None  # an optional column left empty in inline records
                continue
            try:
                rec[col] = _typed(value, rc.types[col])
            except ValueError as exc:
                raise InputError(
                    f"{source}, line {line}: column {col} {exc}, got '{value}' (record class "
                    f"{record_class})."
                ) from None
        rid = rec["id"]
        if not rid:
            raise InputError(f"{source}, line {line}: empty id. Every record needs an id.")
        if rid in seen:
            raise InputError(
                f"{source}, line {line}: duplicate id '{rid}' (first on line {seen[rid]}). "
                "Record ids must be unique within a dimension."
            )
        seen[rid] = line
        out.append(rec)
    if "time_zone" in columns:
        _iana_time_zones(out, source)
    return out


def _iana_time_zones(records: list[dict[str, Any]], source: str) -> None:
    """Read each record's time_zone as IANA; dsgrid's legacy names (``EasternPrevailing``,
    ``USArizona``...) are converted, with one notice per name."""
    legacy: dict[str, str] = {}
    for i, rec in enumerate(records):
        value = rec.get("time_zone")
        if not value:
            continue
        try:
            iana = to_iana_time_zone(value, notify=False)
        except ValueError as exc:
            raise InputError(f"{source}, record {i + 1} ({rec['id']}): time_zone: {exc}.") from None
        if iana != value:
            legacy[value] = iana
            rec["time_zone"] = iana
    for old, new in legacy.items():
        warnings.warn(
            f"{source}: legacy dsgrid time zone '{old}' read as IANA '{new}'; write '{new}'",
            LegacyTimeZoneWarning,
            stacklevel=3,
        )


def record_time_zones(records: list[dict[str, Any]]) -> tuple[str, ...]:
    """The distinct IANA time zones of geography records (legacy names converted)."""
    zones = {to_iana_time_zone(r["time_zone"], notify=False) for r in records if r.get("time_zone")}
    return tuple(sorted(zones))


def load_dimension_records(
    file: Path | None, inline: list[dict] | None, record_class: str, source: str
) -> list[dict[str, Any]]:
    if file is not None:
        _, rows = read_csv_rows(file)
        return check_dimension_records(rows, record_class, str(file))
    return check_dimension_records(list(inline or []), record_class, source)


MappingRecord = tuple[str, str | None, float]


def load_mapping_records(
    config: MappingBase, file: Path | None, source: str
) -> list[MappingRecord]:
    """Read from_id,to_id[,from_fraction]; empty to_id means the record is dropped."""
    if file is not None:
        header, rows = read_csv_rows(file)
        source = str(file)
    else:
        rows = [
            {k: "" if v is None else str(v) for k, v in r.items()} for r in config.records or []
        ]
        header = sorted(set().union(*(r.keys() for r in rows))) if rows else []
    missing = [c for c in ("from_id", "to_id") if c not in header]
    if missing:
        raise InputError(
            f"{source}: a mapping needs columns from_id and to_id "
            f"(missing {', '.join(missing)}); found {', '.join(header)}."
        )
    extra = [c for c in header if c not in ("from_id", "to_id", "from_fraction")]
    if extra:
        raise InputError(
            f"{source}: unexpected column(s) {', '.join(extra)}; a mapping has "
            "from_id, to_id and optionally from_fraction."
        )
    rules = config.rules
    if rules.fractions_required and "from_fraction" not in header:
        raise InputError(
            f"{source}: mapping_type {config.mapping_type.value} needs a from_fraction column."
        )
    records: list[MappingRecord] = []
    for i, row in enumerate(rows, start=2):
        from_id = row["from_id"]
        if not from_id:
            raise InputError(f"{source}, line {i}: empty from_id.")
        to_id = row["to_id"] or None
        raw = row.get("from_fraction", "")
        try:
            fraction = float(raw) if raw != "" else 1.0
        except ValueError:
            raise InputError(
                f"{source}, line {i}: from_fraction '{raw}' is not a number."
            ) from None
        records.append((from_id, to_id, fraction))
    check_mapping_rules(config, records, source)
    return records


def check_mapping_rules(config: MappingBase, records: list[MappingRecord], source: str) -> None:
    rules, kind = config.rules, config.mapping_type.value
    pairs = Counter((f, t) for f, t, _ in records)
    dupes = [f"{f} -> {t}" for (f, t), n in pairs.items() if n > 1]
    if dupes and not rules.pairs_may_repeat:
        raise InputError(f"{source}: the pair(s) {_listing(dupes)} appear more than once.")
    if rules.unique_from:
        dupes = [f for f, n in Counter(f for f, _, _ in records).items() if n > 1]
        if dupes:
            raise InputError(
                f"{source}: mapping_type {kind} maps each from_id once, but "
                f"{_listing(dupes)} appear(s) more than once."
            )
    if rules.unique_to:
        dupes = [t for t, n in Counter(t for _, t, _ in records if t).items() if n > 1]
        if dupes:
            raise InputError(
                f"{source}: mapping_type {kind} maps to each to_id once, but "
                f"{_listing(dupes)} appear(s) more than once."
            )
    if rules.all_ones:
        bad = [f"{f} -> {t} ({x:g})" for f, t, x in records if abs(x - 1) > 1e-12]
        if bad:
            raise InputError(
                f"{source}: mapping_type {kind} needs every from_fraction to be 1; "
                f"not so for {_listing(bad)}."
            )
    if rules.sum_by:
        tolerance = (
            config.from_fraction_tolerance
            if rules.sum_by == "from_id"
            else config.to_fraction_tolerance
        )
        sums: dict[str, float] = defaultdict(float)
        for f, t, x in records:
            key = f if rules.sum_by == "from_id" else t
            if key is not None:
                sums[key] += x
        bad = [f"{k} (sum {v:.6g})" for k, v in sums.items() if abs(v - 1) > tolerance]
        if bad:
            raise InputError(
                f"{source}: mapping_type {kind} needs from_fraction to sum to 1 per "
                f"{rules.sum_by} (tolerance {tolerance:g}); it does not for {_listing(bad)}. "
                "Fix the fractions, or choose an *_explicit_multipliers mapping_type if the "
                "values are multipliers."
            )


def check_mapping_ids(
    records: list[MappingRecord],
    from_ids: set[str],
    to_ids: set[str],
    source: str,
    from_name: str,
    to_name: str,
) -> None:
    """Every from_id and to_id must be a record of its dimension; every from record mapped."""
    unknown_from = sorted({f for f, _, _ in records if f not in from_ids})
    if unknown_from:
        raise InputError(
            f"{source}: from_id(s) {_listing(unknown_from)} are not records of "
            f"dimension '{from_name}'. Correct those ids, or remove their rows."
        )
    unknown_to = sorted({t for _, t, _ in records if t is not None and t not in to_ids})
    if unknown_to:
        raise InputError(
            f"{source}: to_id(s) {_listing(unknown_to)} are not records of "
            f"dimension '{to_name}'. Correct those ids (leave to_id empty to drop "
            "a record)."
        )
    unmapped = sorted(from_ids - {f for f, _, _ in records})
    if unmapped:
        raise InputError(
            f"{source}: record(s) {_listing(unmapped)} of dimension '{from_name}' "
            "are not mapped; add a row for each (leave to_id empty to drop one)."
        )
