"""Turn missing combinations into a failure a person can read (and a file with everything)."""

from __future__ import annotations

from pathlib import Path

from dsgrid_core.errors import CheckFailed
from dsgrid_core.sql import ident, idents
from dsgrid_core.validate.patterns import Pattern, PatternSummary, find_minimal_patterns

MAX_LINES = 20


def explain_missing(
    con,
    missing_table: str,
    universe: dict[str, int],
    *,
    headline: str,
    hint: str,
    report_dir: Path | None,
    report_name: str,
    labels: dict[str, str] | None = None,
    excused_sql: str | None = None,
) -> CheckFailed:
    """Build the CheckFailed for a non-empty table of missing combinations.

    ``excused_sql`` selects the combinations nobody expects (declared missing associations).
    Patterns may cover those too, so that a county lacking all its expected data reads
    "geography 06073 is missing entirely", not one line per subsector it was expected to have.
    """
    raw = getattr(con, "raw", con)
    if excused_sql is None:
        whole = f"SELECT * FROM {ident(missing_table)}"  # noqa: S608
        summary = find_minimal_patterns(raw, whole, universe)
    else:
        scope = (
            f"SELECT * FROM {ident(missing_table)} "  # noqa: S608
            f"UNION BY NAME SELECT * FROM ({excused_sql})"
        )
        summary = _only_missing(con, find_minimal_patterns(raw, scope, universe), missing_table)
    details = summary.lines(max_lines=MAX_LINES, labels=labels)
    report_path = None
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        report_path = report_dir / f"{report_name}.parquet"
        con.execute(
            f"COPY {ident(missing_table)} TO '{_path_literal(report_path)}' (FORMAT parquet)"
        )
        summary.to_parquet(report_dir / f"{report_name}_patterns.parquet")
        details.append(
            f"full list of {summary.total_missing:,} missing combinations: {report_path}"
        )
    else:
        details.append("run again with --report-dir DIR to write the full list to Parquet")
    message = (
        f"{headline}: {summary.total_missing:,} combinations are missing, in "
        f"{len(summary.patterns):,} pattern(s). {hint}"
    )
    return CheckFailed(message, details=details, report_path=report_path)


def _path_literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _only_missing(con, summary, missing_table: str):
    """Keep the patterns that cover a missing (not merely excused) combination; count only
    those."""
    table = ident(missing_table)
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    counts: dict[tuple[str, ...], dict[tuple, int]] = {}
    patterns = []
    for p in summary.patterns:
        keys = tuple(p.fixed)
        if keys and keys not in counts:
            rows = con.execute(
                f"SELECT {idents(list(keys))}, count(*) FROM {table} "  # noqa: S608
                "GROUP BY ALL"
            ).fetchall()
            counts[keys] = {tuple(r[:-1]): r[-1] for r in rows}
        n = counts[keys].get(tuple(p.fixed.values()), 0) if keys else total
        if n:
            patterns.append(Pattern(fixed=p.fixed, free=p.free, count=n))
    patterns.sort(key=lambda p: -p.count)
    return PatternSummary(
        total_missing=total, patterns=patterns, universe_sizes=summary.universe_sizes
    )
