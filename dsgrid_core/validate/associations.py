"""Which dimension-record combinations a table must contain, and which it lacks.

Expected combinations are the cross product of the dimensions' records, narrowed by expected
association files and excused by missing association files (CSV or Parquet files, or folders of
them, whose columns are dimension types: one row names a partial combination).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.data.records import read_csv_rows
from dsgrid_core.errors import InputError
from dsgrid_core.sql import ident, idents, lit


@dataclass
class AssociationRules:
    """Temp tables of expected and missing partial combinations, by their columns."""

    expected: list[tuple[str, list[str]]] = field(default_factory=list)
    missing: list[tuple[str, list[str]]] = field(default_factory=list)


_log = logging.getLogger(__name__)


def association_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in (".csv", ".parquet") and p.is_file()
            )
        else:
            files.append(path)
    return files


def load_association_tables(
    con, paths: list[Path], records: dict[str, list[str]], prefix: str
) -> list[tuple[str, list[str]]]:
    """Load each file into a temp table after checking its columns and record ids."""
    tables = []
    for i, file in enumerate(association_files(paths)):
        if file.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq  # late: pyarrow

            table = pq.read_table(file)
            header = table.column_names
            rows = [
                {k: (None if v is None else str(v)) for k, v in r.items()}
                for r in table.to_pylist()
            ]
        else:
            header, rows = read_csv_rows(file)
        unknown = [c for c in header if c not in NON_TIME_TYPES]
        if unknown or not header:
            raise InputError(
                f"{file}: column(s) {', '.join(unknown) or '(none)'} are not "
                f"dimension types; use columns among {', '.join(NON_TIME_TYPES)}."
            )
        kept = []
        for line, row in enumerate(rows, start=2):
            unknown_id = next((c for c in header if row[c] not in records[c]), None)
            if unknown_id is None:
                kept.append(row)
            elif prefix.startswith("missing"):
                # As in dsgrid: a missing combination naming an id the dataset does not have
                # excuses nothing, and is left out (it cannot hide a real gap).
                _log.warning(
                    "%s, line %s: '%s' is not a record of the dataset's %s dimension; the "
                    "row excuses nothing and is ignored.",
                    file,
                    line,
                    row[unknown_id],
                    unknown_id,
                )
            else:
                raise InputError(
                    f"{file}, line {line}: '{row[unknown_id]}' is not a record of the "
                    f"dataset's {unknown_id} dimension."
                )
        rows = kept
        name = f"{prefix}_{i}"
        cols = ", ".join(f"{ident(c)} VARCHAR" for c in header)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(name)} ({cols})")
        if rows:
            con.executemany(
                f"INSERT INTO {ident(name)} VALUES ({', '.join('?' for _ in header)})",  # noqa: S608
                [[r[c] for c in header] for r in rows],
            )
        tables.append((name, header))
    return tables


def create_record_tables(con, records: dict[str, list[str]], prefix: str = "rec") -> None:
    for dim, ids in records.items():
        name = f"{prefix}_{dim}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(name)} ({ident(dim)} VARCHAR)")
        con.executemany(f"INSERT INTO {ident(name)} VALUES (?)", [[i] for i in ids])  # noqa: S608


def expected_combinations_sql(
    dims: list[str], rules: AssociationRules, record_prefix: str = "rec"
) -> str:
    """SELECT of every expected combination of ``dims``."""
    sql = "SELECT * FROM " + " CROSS JOIN ".join(ident(f"{record_prefix}_{d}") for d in dims)
    for table, cols in rules.expected:
        sql = f"SELECT * FROM ({sql}) e SEMI JOIN {ident(table)} x USING ({idents(cols)})"
    for table, cols in rules.missing:
        sql = f"SELECT * FROM ({sql}) e ANTI JOIN {ident(table)} x USING ({idents(cols)})"
    return sql


def excused_combinations_sql(
    dims: list[str], rules: AssociationRules, record_prefix: str = "rec"
) -> str | None:
    """SELECT of the combinations the rules leave out (None when every one is expected)."""
    if not rules.expected and not rules.missing:
        return None
    every = expected_combinations_sql(dims, AssociationRules(), record_prefix)
    expected = expected_combinations_sql(dims, rules, record_prefix)
    return f"SELECT * FROM ({every}) a ANTI JOIN ({expected}) e USING ({idents(dims)})"  # noqa: S608


def missing_combinations_sql(
    dims: list[str], present_table: str, rules: AssociationRules, record_prefix: str = "rec"
) -> str:
    expected = expected_combinations_sql(dims, rules, record_prefix)
    return (
        f"SELECT {idents(dims)} FROM ({expected}) e "
        f"ANTI JOIN {ident(present_table)} p USING ({idents(dims)})"
    )


def literal_list(values) -> str:
    return ", ".join(lit(v) for v in values)
