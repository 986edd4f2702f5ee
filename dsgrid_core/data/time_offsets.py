"""UTC offsets given per row (``offset_column`` of time in parts): hours as a number (-5,
5.5) or text ``±HH:MM`` / ``±HH``; read as whole minutes, every value checked."""

from __future__ import annotations

from pathlib import Path

from dsgrid_core.errors import InputError
from dsgrid_core.sql import ident


def offset_minutes_sql(con, table: str, column: str, source: Path | str) -> str:
    """A SQL expression giving the row's UTC offset in minutes; refuses unreadable values."""
    text = f"trim({ident(column)}::VARCHAR)"
    hhmm = (
        f"CASE WHEN regexp_matches({text}, '^[+-]?[0-9]{{1,2}}:[0-9]{{2}}$') THEN "
        f"(CASE WHEN starts_with({text}, '-') THEN -1 ELSE 1 END) * ("
        f"abs(TRY_CAST(split_part({text}, ':', 1) AS INTEGER)) * 60 + "
        f"TRY_CAST(split_part({text}, ':', 2) AS INTEGER)) "
        f"ELSE CAST(round(TRY_CAST({text} AS DOUBLE) * 60) AS INTEGER) END"
    )
    bad = con.execute(
        f"SELECT {ident(column)}::VARCHAR FROM {table} "  # noqa: S608
        f"WHERE {ident(column)} IS NULL OR ({hhmm}) IS NULL OR abs({hhmm}) > 18 * 60 LIMIT 1"
    ).fetchone()
    if bad:
        raise InputError(
            f"{source}: column '{column}' (offset_column) has a value that is not a UTC "
            f"offset: '{bad[0]}'. Write hours (-5) or ±HH:MM (-05:00)."
        )
    return f"({hhmm})"
