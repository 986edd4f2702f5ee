"""One comparison per corpus and engine per session: the reference runs every query of a corpus
once (one process per corpus, started first so that our side runs meanwhile), we run them once
per engine; the tests and scripts/compat_queries_report.py read the same rows."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from queries_compare import Row, compare_all
from queries_corpus import QueryFile, query_files
from queries_ours import Engine, run_all_ours
from queries_reference import ReferenceRun, dimension_types_by_name


@dataclass
class Comparison:
    corpus: str
    queries: dict[str, QueryFile]  # by key, "<corpus>/<stem>"
    reference: dict[str, dict]  # key -> the reference's verdict, with its DataFrames
    ours: dict[str, dict]  # key -> our verdict, with our DataFrames
    rows: dict[str, Row]


_REFERENCE: dict[tuple[str, str], ReferenceRun] = {}
_STARTING = threading.Lock()  # tests/conftest.py may start a run in a thread, ahead of its tests
_COMPARISONS: dict[tuple[str, str, str, str], Comparison] = {}


def start_reference(corpus: str, url: str, workdir: Path) -> ReferenceRun:
    """The reference's run of a corpus's queries, started once (in the background)."""
    with _STARTING:
        if (corpus, url) not in _REFERENCE:
            _REFERENCE[corpus, url] = ReferenceRun(
                query_files(corpus), url, workdir / "reference" / corpus
            )
    return _REFERENCE[corpus, url]


def comparison(
    corpus: str, url: str, our_registry: Path, engine: Engine, workdir: Path
) -> Comparison:
    """Every query of ``corpus`` compared on one of our engines; the reference's run is shared."""
    key = (corpus, url, str(our_registry), engine.label)
    if key not in _COMPARISONS:
        queries = query_files(corpus)
        run = start_reference(corpus, url, workdir)
        ours = run_all_ours(queries, our_registry, engine)
        reference = run.verdicts()
        rows = compare_all(queries, reference, ours, dimension_types_by_name(url))
        _COMPARISONS[key] = Comparison(
            corpus, {q.key: q for q in queries}, reference, ours, {r.key: r for r in rows}
        )
    return _COMPARISONS[key]
