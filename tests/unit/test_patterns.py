"""Missing combinations are explained as a few minimal patterns, on real DuckDB."""

from __future__ import annotations

import itertools

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsgrid_core.validate.patterns import Pattern, PatternSummary, find_minimal_patterns

GEOGRAPHIES = ["06073", "06075", "06077", "06079"]
SUBSECTORS = [
    "com__Hospital",
    "com__Office",
    "com__School",
    "res__MultiFamily",
    "res__SingleFamily",
]
HOURS = [f"2012-01-01 {h:02d}:00" for h in range(24)]
SIZES = {"geography": 4, "subsector": 5, "time": 24}


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _user_objects(con: duckdb.DuckDBPyConnection) -> list[str]:
    tables = con.sql("SELECT table_name FROM duckdb_tables()").fetchall()
    views = con.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    return sorted(name for (name,) in tables + views)


def _example_rows() -> list[tuple[str, str, str]]:
    """One geography entirely missing, one (geography, subsector) pair at all hours, two cells."""
    rows = {(g, s, h) for g in ["06075"] for s in SUBSECTORS for h in HOURS}
    rows |= {("06073", "com__Hospital", h) for h in HOURS}
    rows |= {("06077", "com__School", HOURS[5]), ("06079", "res__MultiFamily", HOURS[17])}
    return sorted(rows)


def _example_summary(con: duckdb.DuckDBPyConnection) -> PatternSummary:
    rows = _example_rows()
    con.execute("CREATE TABLE missing (geography VARCHAR, subsector VARCHAR, time VARCHAR)")
    con.executemany("INSERT INTO missing VALUES (?, ?, ?)", rows)
    return find_minimal_patterns(con, "SELECT * FROM missing", SIZES)


def test_three_dimensions_give_the_exact_pattern_set(con):
    summary = _example_summary(con)

    assert summary.total_missing == 5 * 24 + 24 + 2
    assert summary.patterns == [
        Pattern({"geography": "06075"}, {"subsector": 5, "time": 24}, 120),
        Pattern({"geography": "06073", "subsector": "com__Hospital"}, {"time": 24}, 24),
        Pattern({"geography": "06077", "subsector": "com__School", "time": HOURS[5]}, {}, 1),
        Pattern({"geography": "06079", "subsector": "res__MultiFamily", "time": HOURS[17]}, {}, 1),
    ]
    assert _user_objects(con) == ["missing"]  # temporary tables are gone


def test_lines_read_as_sentences_and_say_what_was_left_out(con):
    summary = _example_summary(con)

    assert summary.lines() == [
        "geography 06075 is missing entirely (all 5 subsectors x 24 hours)",
        "subsector com__Hospital is missing for geography 06073 at all 24 hours",
        f"time {HOURS[5]} is missing for geography 06077 and subsector com__School",
        f"time {HOURS[17]} is missing for geography 06079 and subsector res__MultiFamily",
    ]
    assert summary.lines(max_lines=3) == [
        "geography 06075 is missing entirely (all 5 subsectors x 24 hours)",
        "subsector com__Hospital is missing for geography 06073 at all 24 hours",
        "... and 2 more patterns covering 2 combinations",
    ]
    assert summary.lines(max_lines=1) == ["... and 4 more patterns covering 146 combinations"]
    labelled = summary.lines(labels={"subsector": "building types", "time": "time steps"})
    assert (
        labelled[0] == "geography 06075 is missing entirely (all 5 building types x 24 time steps)"
    )


def test_lines_name_free_dimensions_in_plain_plurals():
    sizes = {"geography": 3, "metric": 2, "model_year": 3, "time": 168}
    whole = Pattern({"geography": "06075"}, {"metric": 2, "model_year": 3, "time": 168}, 1008)
    pair = Pattern({"geography": "06073", "metric": "heating"}, {"model_year": 3, "time": 168}, 504)
    summary = PatternSummary(1512, [whole, pair], sizes)

    assert summary.lines() == [
        "geography 06075 is missing entirely (all 2 metrics x 3 model years x 168 hours)",
        "metric heating is missing for geography 06073 across all 3 model years x 168 hours",
    ]


def test_parquet_round_trip_keeps_patterns_and_what_all_means(con, tmp_path):
    summary = _example_summary(con)
    path = tmp_path / "missing_patterns.parquet"

    summary.to_parquet(path)
    table = pq.read_table(path)

    assert table.equals(summary.to_arrow(), check_metadata=True)
    assert table.schema.names == ["geography", "subsector", "time", "count"]
    assert table.schema.field("time").type == pa.string()
    assert table.to_pylist()[:2] == [
        {"geography": "06075", "subsector": None, "time": None, "count": 120},
        {"geography": "06073", "subsector": "com__Hospital", "time": None, "count": 24},
    ]
    assert table.schema.metadata[b"dsgrid.universe_sizes"] == (
        b'{"geography": 4, "subsector": 5, "time": 24}'
    )


def test_nothing_missing_gives_no_patterns_and_an_empty_table(con):
    empty = con.sql("SELECT 'x' AS geography, 'y' AS subsector, 'z' AS time WHERE false")

    summary = find_minimal_patterns(con, empty, SIZES)

    assert summary.total_missing == 0
    assert summary.patterns == []
    assert summary.lines() == []
    assert summary.to_arrow().num_rows == 0
    assert summary.to_arrow().schema.names == ["geography", "subsector", "time", "count"]


def test_everything_missing_is_one_pattern_with_nothing_fixed(con):
    everything = con.sql(
        "SELECT g AS a, s AS b FROM (VALUES ('1'), ('2')) t(g), (VALUES ('x'), ('y'), ('z')) u(s)"
    )

    summary = find_minimal_patterns(con, everything, {"a": 2, "b": 3})

    assert summary.patterns == [Pattern({}, {"a": 2, "b": 3}, 6)]
    assert summary.lines() == ["every combination is missing (all 2 as x 3 bs)"]


def test_duplicate_rows_are_counted_once(con):
    rows = con.sql("SELECT * FROM (VALUES ('1', 'x'), ('1', 'x'), ('1', 'y')) t(a, b)")

    summary = find_minimal_patterns(con, rows, {"a": 2, "b": 2})

    assert summary.total_missing == 2
    assert summary.patterns == [Pattern({"a": "1"}, {"b": 2}, 2)]


def test_dimension_names_are_quoted_not_pasted(con):
    name = 'geo"; DROP TABLE victim; --'
    con.execute("CREATE TABLE victim (x INTEGER)")
    rows = con.from_arrow(pa.table({name: ["1", "1"], "b": ["a", "b"]}))

    summary = find_minimal_patterns(con, rows, {name: 2, "b": 2})

    assert summary.patterns == [Pattern({name: "1"}, {"b": 2}, 2)]
    assert _user_objects(con) == ["victim"]


@pytest.mark.parametrize(
    ("sql", "sizes", "message"),
    [
        ("SELECT '1' AS a", {"a": 2, "b": 2}, "exactly one column per dimension (a, b); it has a"),
        ("SELECT '1' AS a, NULL AS b", {"a": 2, "b": 2}, "1 missing combinations have no b"),
        ("SELECT * FROM (VALUES ('1'), ('2'), ('3')) t(a)", {"a": 2}, "3 distinct a records"),
        ("SELECT '1' AS count", {"count": 2}, "cannot be named 'count'"),
        ("SELECT '1' AS a", {"a": 0}, "positive number of records"),
    ],
)
def test_inputs_the_counting_cannot_handle_are_refused(con, sql, sizes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        find_minimal_patterns(con, sql, sizes)
    assert _user_objects(con) == []


# --- properties, checked against a brute-force model written independently in Python ---------

NAMES = ["geography", "subsector", "metric", "time", 'we"ird', "two words"]


def _records(dim_index: int, size: int) -> list[str]:
    return [f"r{dim_index}_{i}" for i in range(size)]


def _rows_of(fixed: dict[str, str], dims: list[str], universe: dict[str, list[str]]) -> set:
    choices = [[fixed[d]] if d in fixed else universe[d] for d in dims]
    return set(itertools.product(*choices))


def _is_valid(fixed, dims, universe, missing) -> bool:
    return _rows_of(fixed, dims, universe) <= missing


@st.composite
def missing_sets(draw):
    """Small universes; missing sets built from a few random boxes plus scattered cells, so
    that structured patterns show up often, not only single cells."""
    k = draw(st.integers(2, 4))
    dims = draw(st.permutations(NAMES))[:k]
    sizes = {d: draw(st.integers(1, 4)) for d in dims}
    universe = {d: _records(i, sizes[d]) for i, d in enumerate(dims)}
    missing: set[tuple[str, ...]] = set()
    for _ in range(draw(st.integers(0, 3))):
        fixed = {d: draw(st.sampled_from(universe[d])) for d in dims if draw(st.booleans())}
        missing |= _rows_of(fixed, dims, universe)
    all_rows = sorted(itertools.product(*(universe[d] for d in dims)))
    missing |= set(draw(st.lists(st.sampled_from(all_rows), max_size=8)))
    return dims, sizes, universe, missing


@settings(
    max_examples=100,
    deadline=None,
    database=None,  # no example files written into the repository
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=missing_sets())
def test_patterns_cover_exactly_validly_and_minimally(case):
    dims, sizes, universe, missing = case
    con = duckdb.connect()
    columns = {
        d: pa.array([row[i] for row in sorted(missing)], pa.string()) for i, d in enumerate(dims)
    }
    summary = find_minimal_patterns(con, con.from_arrow(pa.table(columns)), sizes)
    patterns = summary.patterns

    assert summary.total_missing == len(missing)
    covered = [_rows_of(p.fixed, dims, universe) for p in patterns]
    # exact cover
    assert set().union(*covered) == missing
    for pattern, rows in zip(patterns, covered, strict=True):
        # valid, and it says how much it covers and over what
        assert rows <= missing
        assert pattern.count == len(rows)
        assert pattern.free == {d: sizes[d] for d in dims if d not in pattern.fixed}
        # maximal: freeing any fixed dimension breaks it; single-record dimensions stay free
        for d in pattern.fixed:
            assert sizes[d] > 1
            looser = {k: v for k, v in pattern.fixed.items() if k != d}
            assert not _is_valid(looser, dims, universe, missing)
        # not redundant given the patterns with fewer fixed dimensions
        coarser = [
            r for p, r in zip(patterns, covered, strict=True) if len(p.fixed) < len(pattern.fixed)
        ]
        assert rows - set().union(*coarser)
    # most significant first, and the same answer twice
    assert [p.count for p in patterns] == sorted((p.count for p in patterns), reverse=True)
    assert find_minimal_patterns(con, con.from_arrow(pa.table(columns)), sizes) == summary
    con.close()


# --- scale -----------------------------------------------------------------------------------


def test_two_million_missing_rows_come_back_as_a_few_hundred_patterns(con):
    """1,000 geographies x 4 subsectors x 4,000 hours; the missing set is built inside DuckDB."""
    con.execute(
        """
        CREATE TABLE missing AS
        WITH g AS (SELECT i AS gi, 'g' || lpad(i::VARCHAR, 4, '0') AS geography
                   FROM range(1000) t(i)),
             s AS (SELECT i AS si, 's' || i AS subsector FROM range(4) t(i)),
             h AS (SELECT i AS hi, 't' || lpad(i::VARCHAR, 4, '0') AS time FROM range(4000) t(i))
        SELECT geography, subsector, time FROM g, s, h
        WHERE gi < 100                                  -- 100 geographies entirely
           OR (gi BETWEEN 100 AND 199 AND si = 1)       -- one subsector in 100 more, all hours
           OR (si = 2 AND hi = 17)                      -- one subsector-hour everywhere
           OR (gi BETWEEN 500 AND 599 AND si = 3 AND hi = (gi - 500) * 7)  -- 100 single cells
        """
    )

    summary = find_minimal_patterns(
        con, "SELECT * FROM missing", {"geography": 1000, "subsector": 4, "time": 4000}
    )

    assert summary.total_missing == 1_600_000 + 400_000 + 900 + 100
    assert len(summary.patterns) == 100 + 100 + 1 + 100
    assert summary.patterns[0] == Pattern(
        {"geography": "g0000"}, {"subsector": 4, "time": 4000}, 16_000
    )
    assert (
        Pattern({"geography": "g0150", "subsector": "s1"}, {"time": 4000}, 4000) in summary.patterns
    )
    assert (
        Pattern({"subsector": "s2", "time": "t0017"}, {"geography": 1000}, 1000) in summary.patterns
    )
    assert summary.patterns[-1] == Pattern(
        {"geography": "g0599", "subsector": "s3", "time": "t0693"}, {}, 1
    )
    lines = summary.lines()
    assert len(lines) == 20
    assert lines[0] == "geography g0000 is missing entirely (all 4 subsectors x 4,000 hours)"
    assert lines[-1] == "... and 282 more patterns covering 1,697,100 combinations"
    assert _user_objects(con) == ["missing"]
