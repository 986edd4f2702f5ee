"""Each query file of every corpus (queries_corpus.CORPORA: queries/ over test_efs,
queries_standard_scenarios/ over the small copy of StandardScenarios) run by the reference
(dsgrid-toolkit 0.4.0, DuckDB backend) and by us: the same answer (tables equal within 1e-9, or
both refusing), or a known difference (query_gaps.py: strict xfails), or a reference bug proved
independently (query_bugs.py)."""

from __future__ import annotations

import pytest
from queries_compare import COMPATIBLE
from queries_corpus import CORPORA, engines_for, query_files
from query_bugs import bug_outcomes
from query_gaps import ENGINE_GAPS, FIXED_WHEN, GAPS, INTENDED


def _all_queries():
    return [q for corpus in CORPORA for q in query_files(corpus)]


def _params():
    for query in _all_queries():
        marks = []
        if query.key in GAPS:
            marks.append(pytest.mark.xfail(strict=True, reason=GAPS[query.key]))
        for engine in engines_for(query.corpus):
            yield pytest.param(engine, query.key, id=f"{engine}-{query.key}", marks=marks)


@pytest.mark.parametrize(("query_engine", "key"), list(_params()), indirect=["query_engine"])
def test_same_answer_as_the_reference(request, query_engine, comparison_of, key):
    if (query_engine.label, key) in ENGINE_GAPS:
        reason = ENGINE_GAPS[query_engine.label, key]
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    row = comparison_of(key.split("/", 1)[0]).rows[key]
    bugs = bug_outcomes()
    if key in bugs:
        # the reference is wrong here (test_compat_queries_reference_wrong.py proves it)
        assert row.outcome == bugs[key], f"{row.outcome}: {row.detail}"
        return
    if key in INTENDED:
        outcome, reason = INTENDED[key]
        assert row.outcome == outcome, f"intended difference changed ({reason}): {row.detail}"
        return
    if key in FIXED_WHEN:
        assert row.outcome == FIXED_WHEN[key], f"{row.outcome}: {row.detail}"
        return
    assert row.outcome in COMPATIBLE, f"{row.outcome}: {row.detail}"


def test_known_differences_name_real_queries():
    """A stale entry (a query renamed or gone) would hide nothing and mean nothing."""
    keys = {q.key for q in _all_queries()}
    bugs = set(bug_outcomes())
    assert set(GAPS) - keys == set()
    assert {key for _, key in ENGINE_GAPS} - keys == set()
    assert {engine for engine, _ in ENGINE_GAPS} <= {
        "duckdb",
        "spark",
        "spark_connect",
        "spark_cluster",
    }
    assert set(INTENDED) - keys == set()
    assert bugs - keys == set()
    assert set(FIXED_WHEN) - set(GAPS) == set()
    assert set(GAPS) & set(INTENDED) == set()
    assert bugs & (set(GAPS) | set(INTENDED)) == set()


@pytest.mark.parametrize(("corpus", "at_least"), [("test_efs", 60), ("standard_scenarios", 15)])
def test_query_files_are_small_questions(corpus, at_least):
    """Enough files; each says what it asks on its first line and is named for it."""
    queries = query_files(corpus)
    assert len(queries) >= at_least
    for query in queries:
        assert query.question, f"{query.key}: first line should be a // comment"
        assert query.data["name"] == query.stem
