"""One comparison per session: the reference runs every query once (one process, started
first so that our side runs meanwhile), we run them once per engine; the tests and
scripts/compat_queries_report.py read the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from queries_compare import Row, compare_all
from queries_corpus import QueryFile, query_files
from queries_ours import ENGINES, run_all_ours
from queries_reference import ReferenceRun, dimension_types_by_name


@dataclass
class Comparison:
    queries: dict[str, QueryFile]
    reference: dict[str, dict]  # key -> the reference's verdict, with its DataFrames
    ours: dict[str, dict]  # key -> our verdict, with our DataFrames
    rows: dict[str, Row]


_REFERENCE: dict[str, ReferenceRun] = {}
_COMPARISONS: dict[tuple[str, str, str], Comparison] = {}


def comparison(url: str, our_registry: Path, engine: str, workdir: Path) -> Comparison:
    """Every query compared on one of our engines; the reference's run is shared."""
    key = (url, str(our_registry), engine)
    if key not in _COMPARISONS:
        queries = query_files()
        if url not in _REFERENCE:
            _REFERENCE[url] = ReferenceRun(queries, url, workdir / "reference")
        ours = run_all_ours(queries, our_registry, ENGINES[engine])
        reference = _REFERENCE[url].verdicts()
        rows = compare_all(queries, reference, ours, dimension_types_by_name(url))
        _COMPARISONS[key] = Comparison(
            {q.key: q for q in queries}, reference, ours, {r.key: r for r in rows}
        )
    return _COMPARISONS[key]
