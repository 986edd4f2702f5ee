"""Writing a dataset version's summaries (`data.summaries`) at registration, from its stored
rows on a DuckDB connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.data.storage import file_digest
from dsgrid_core.data.summaries import FILES, TOTAL
from dsgrid_core.sql import ident, lit


def summarizable(time_config) -> bool:
    """Whether a dataset with this time dimension gets a total summary."""
    return isinstance(time_config, DatetimeTimeConfig)


def write_summaries(con, table: str, folder: Path, time_config) -> dict[str, dict[str, Any]]:
    """Write the summaries of the stored rows (view or table ``table`` on DuckDB connection
    ``con``) into ``folder``; what the version record keeps of them."""
    if not summarizable(time_config):
        return {}
    target = folder / FILES[TOTAL]
    keys = ", ".join(ident(c) for c in NON_TIME_TYPES)
    con.execute(
        f"COPY (SELECT {keys}, CAST(SUM({ident('value')}) AS DOUBLE) AS {ident('value')} "  # noqa: S608 - identifiers and a literal path
        f"FROM {ident(table)} GROUP BY {keys}) TO {lit(str(target))} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    rows = con.execute(f"SELECT count(*) FROM read_parquet({lit(str(target))})").fetchone()[0]  # noqa: S608
    size, digest = file_digest(target)
    return {TOTAL: {"file": FILES[TOTAL], "rows": rows, "size_bytes": size, "sha256": digest}}
