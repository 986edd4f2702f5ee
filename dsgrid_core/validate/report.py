"""Turn missing combinations into a failure a person can read (and a file with everything)."""

from __future__ import annotations

from pathlib import Path

from dsgrid_core.errors import CheckFailed
from dsgrid_core.sql import ident

MAX_LINES = 20


def explain_missing(con, missing_table: str, universe: dict[str, int], *, headline: str,
                    hint: str, report_dir: Path | None, report_name: str,
                    labels: dict[str, str] | None = None) -> CheckFailed:
    """Build the CheckFailed for a non-empty table of missing combinations."""
    from dsgrid_core.validate.patterns import find_minimal_patterns

    raw = getattr(con, "raw", con)
    summary = find_minimal_patterns(raw, f"SELECT * FROM {ident(missing_table)}", universe)
    details = summary.lines(max_lines=MAX_LINES, labels=labels)
    report_path = None
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        report_path = report_dir / f"{report_name}.parquet"
        con.execute(f"COPY {ident(missing_table)} TO '{_path_literal(report_path)}' "
                    "(FORMAT parquet)")
        summary.to_parquet(report_dir / f"{report_name}_patterns.parquet")
        details.append(f"full list of {summary.total_missing:,} missing combinations: "
                       f"{report_path}")
    else:
        details.append("run again with --report-dir DIR to write the full list to Parquet")
    message = (f"{headline}: {summary.total_missing:,} combinations are missing, in "
               f"{len(summary.patterns):,} pattern(s). {hint}")
    return CheckFailed(message, details=details, report_path=report_path)


def _path_literal(path: Path) -> str:
    return str(path).replace("'", "''")
