"""What a dimension filter resolves to, and the record machinery every filter type shares.

Every filter names a dimension (base or supplemental) and selects some of its records; the
selection is computed over the records (a few thousand rows at most) and handed to the
planner as a literal id list (``IdCondition``), so no filter text ever reaches the data query.
A filter on time becomes a range of instants (``TimeCondition``).

The filter types themselves (their SQL condition over the records and their wording) are the
classes of ``query.filter_types``, which build on the helpers here: a record column and a
value as syntax-tree nodes, a column checked against the records, the records a condition
selects (evaluated by DuckDB), and a timestamp of a time filter.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlglot import exp

from dsgrid_core.data.duck import connect
from dsgrid_core.errors import InputError


@dataclass
class IdCondition:
    column: str  # dimension type (a base column of the plan)
    ids: list[str]


@dataclass
class TimeCondition:
    lower: datetime | None  # aware UTC instants
    upper: datetime | None
    negate: bool = False
    lower_strict: bool = False
    upper_strict: bool = False


def record_column(name: str) -> exp.Column:
    """A column of the records, as a quoted identifier."""
    return exp.column(name, quoted=True)


def literal(value) -> exp.Expression:
    """A filter value as a string literal (records hold strings), or NULL."""
    if isinstance(value, list | tuple):
        raise InputError(f"expected a single value, got a list {value!r}")
    return exp.Literal.string(str(value)) if value is not None else exp.Null()


def check_column(column: str, columns: list[str], where: str) -> None:
    if column not in columns:
        close = difflib.get_close_matches(column, columns, n=2)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise InputError(
            f"{where}: unknown column '{column}'; the records have {', '.join(columns)}.{hint}"
        )


def record_columns(records: list[dict]) -> list[str]:
    """The columns of a dimension's records, in the order they first appear."""
    return list(dict.fromkeys(k for r in records for k in r))


def select_records(records: list[dict], condition: exp.Expression, where: str) -> list[str]:
    """Ids of the records matching ``condition`` (evaluated by DuckDB over the records)."""
    import pyarrow as pa  # late: pyarrow

    columns = record_columns(records)
    table = pa.table(
        {
            c: pa.array([None if r.get(c) is None else str(r.get(c)) for r in records], pa.string())
            for c in columns
        }
    )
    for node in condition.find_all(exp.Column):
        check_column(node.name, columns, where)
    con = connect()
    try:
        con.raw.register("records", table)
        sql = exp.select(record_column("id")).from_("records").where(condition).sql("duckdb")
        try:
            rows = con.execute(sql).fetchall()
        except Exception as exc:  # noqa: BLE001 - a type error in user values
            raise InputError(
                f"{where}: the filter cannot be evaluated: {str(exc).splitlines()[0]}"
            ) from None
    finally:
        con.close()
    return [r[0] for r in rows]


def some(values: list, shown: int = 5) -> str:
    """``a, b, c`` or ``a, b, c, ... (12 in all)``: a few examples of a long list."""
    head = ", ".join(str(v) for v in values[:shown])
    return head if len(values) <= shown else f"{head}, ... ({len(values)} in all)"


def record_examples(records: list[dict], condition: exp.Expression) -> str:
    """What the records hold in the column a filter looks at, so that a user can see why
    nothing matched (a typo, ids with leading zeros, another column meant)."""
    columns = [c.name for c in condition.find_all(exp.Column)] or ["id"]
    column = columns[0]
    values = list(dict.fromkeys(str(r[column]) for r in records if r.get(column) is not None))
    if not values:
        return f"its {len(records)} records have no {column} value"
    more = ", ..." if len(values) > 5 else ""
    shown = ", ".join(values[:5])
    return f"its {len(records)} records have {column} values like {shown}{more}"


def parse_time(value, time_zone: str, where: str) -> datetime:
    """A bound of a time filter as an aware UTC instant (naive: in ``time_zone``)."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise InputError(
                f"{where}: '{value}' is not a timestamp; write it like 2012-01-01 00:00:00."
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(time_zone))
    return parsed.astimezone(UTC)
