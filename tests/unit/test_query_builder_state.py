"""The query builder's state: to a dsgrid query and back, to a URL and back, and its exports
(the JSON5 runs with `dsgrid query run`; the Python snippet runs as it is)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsgrid_core.errors import InputError
from dsgrid_core.query.builder import (
    BuilderState,
    RecordFilter,
    cli_command,
    from_query,
    from_search,
    python_snippet,
    query_json5,
    to_query,
    to_search,
)

TIME = "Time-2012-EST-hourly-periodBeginning-noDST-noLeapDayAdjustment-total"


def _state(**changes) -> BuilderState:
    base = {
        "project_id": "test_efs",
        "datasets": ["test_efs_comstock"],
        "group_by": {"geography": "US States", "metric": "EFS Detailed End Uses - ComStock Only"},
        "time": "day",
        "time_zone": "America/New_York",
        "filters": {"geography": RecordFilter(dimension_name="US States", ids=["CA", "TX"])},
        "subsets": {"subsector": ["commercial_subsectors2"]},
        "unit": "MWh",
    }
    return BuilderState(**{**base, **changes})


names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
)


@settings(max_examples=60, deadline=None)
@given(
    datasets=st.lists(names, min_size=1, max_size=3),
    group=st.dictionaries(st.sampled_from(["geography", "metric", "sector"]), names, max_size=3),
    time=st.sampled_from(["none", "hour", "day", "month"]),
    ids=st.lists(names, min_size=1, max_size=4),
    chart=st.none() | st.sampled_from(["line", "bar", "map"]),
)
def test_the_url_holds_the_whole_state(datasets, group, time, ids, chart):
    state = _state(
        datasets=datasets,
        group_by=group,
        time=time,
        filters={"scenario": RecordFilter(dimension_name="a & b=c", ids=ids)},
        chart=chart,
    )
    assert from_search(to_search(state)) == state


def test_queries_go_both_ways():
    state = _state()
    assert from_query(to_query(state, TIME)) == state
    assert from_search("?x=1") is None
    with pytest.raises(InputError, match="dataset"):
        to_query(_state(datasets=[]), TIME)
    with pytest.raises(InputError, match="dimension type"):
        to_query(_state(group_by={"colour": "x"}), TIME)
    raw = to_query(state, TIME)
    raw["result"]["dimension_filters"].append(
        {"filter_type": "expression_raw", "dimension_type": "sector", "dimension_name": "x",
         "value": "id = 'com'"}
    )  # fmt: skip
    with pytest.raises(InputError, match="expression_raw"):
        from_query(raw)


@pytest.mark.parametrize("time", ["none", "hour", "day", "month"])
def test_the_checked_query_a_job_keeps_reads_back(time):
    """A job keeps the query as parsed (every default written out, nulls included); the page
    reads its builder state back from that form too."""
    from dsgrid_core.query.run import parse_query

    state = _state(time=time, time_zone=None if time == "none" else "America/New_York")
    kept = parse_query(to_query(state, TIME), "the builder").model_dump(mode="json")
    assert from_query(kept) == state


def test_a_negated_id_filter_is_not_shown_as_a_plain_one():
    raw = to_query(_state(), TIME)
    raw["result"]["dimension_filters"][0]["negate"] = True
    with pytest.raises(InputError, match="negated column_operator"):
        from_query(raw)


def test_exports_run_unchanged(efs_registry, tmp_path):
    state = _state()
    query = to_query(state, TIME)
    file = tmp_path / "query.json5"
    file.write_text(query_json5(query))
    command = cli_command(str(file), str(efs_registry), str(tmp_path / "out"))
    done = subprocess.run(  # noqa: S603 - our own command, arguments quoted by shlex
        [sys.executable, "-m", "dsgrid_core.cli.main", *command.split()[1:]],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    from_cli = pd.read_parquet(tmp_path / "out" / "query" / "table.parquet")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        python_snippet(query, str(efs_registry)).replace(
            "print(frame.head())", f"frame.to_parquet({str(tmp_path / 'py.parquet')!r})"
        )
    )
    done = subprocess.run([sys.executable, str(snippet)], capture_output=True, text=True)  # noqa: S603
    assert done.returncode == 0, done.stderr
    from_python = pd.read_parquet(tmp_path / "py.parquet")
    pd.testing.assert_frame_equal(from_cli, from_python)
    assert set(from_cli["geography"]) == {"CA", "TX"} and len(from_cli) > 0
