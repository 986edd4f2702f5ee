"""The comparison page's pure parts (no browser, no engine): the link that keeps a comparison,
the query it becomes, and the peak table and map read from a comparison result, each checked
against a small frame computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from app.components import compare_charts as charts
from app.components import compare_query as cq
from dsgrid_core.errors import InputError
from dsgrid_core.query.run import parse_query

FACTS = {
    "datasets": ["a", "b"],
    "dimensions": {"geography": ["Counties", "States"]},
    "time_name": "Hourly",
}


def _frame() -> pd.DataFrame:
    """Two states, three hours; DE's base is 0 at every hour (a side with no data)."""
    hours = pd.to_datetime(["2018-01-01 05:00", "2018-01-01 06:00", "2018-01-01 07:00"], utc=True)
    rows = []
    for hour, (co_base, co_other, de_other) in zip(
        hours, [(1.0, 2.0, 5.0), (4.0, 3.0, 1.0), (4.0, 6.0, 5.0)], strict=True
    ):
        rows.append(("CO", hour, co_base, co_other))
        rows.append(("DE", hour, 0.0, de_other))
    frame = pd.DataFrame(rows, columns=["geography", "timestamp", "base", "other"])
    frame["difference"] = frame["other"] - frame["base"]
    return frame


def test_a_link_keeps_every_choice_and_unknown_ones_are_refused():
    s = cq.CompareState(
        project_id="p",
        dimension="model_year",
        base="2025",
        other="2045",
        geography="States",
        unit="GWh",
        held={"scenario": "reference"},
        end_uses=["heating", "cooling"],
    )
    search = cq.to_search(s)
    assert "hold_scenario=reference" in search and "end_uses=heating%2Ccooling" in search
    assert cq.from_search(search) == s
    with pytest.raises(InputError, match="unknown parameter 'colour'"):
        cq.from_search("?colour=red")
    with pytest.raises(InputError, match="'geography' cannot be compared"):
        cq.from_search("?dimension=geography")
    with pytest.raises(InputError, match="unit: 'kW' is not one of"):
        cq.from_search("?unit=kW")


def test_the_query_holds_alternatives_and_reads_only_the_compared_datasets():
    years = cq.CompareState("p", "model_year", "2025", "2045", held={"scenario": "ref"})
    query = cq.to_query(years, FACTS)
    assert query["comparison"] == {"dimension": "model_year", "base": "2025", "other": "2045"}
    assert [f["value"] for f in query["result"]["dimension_filters"]] == ["ref"]
    assert query["result"]["aggregations"][0]["dimensions"] == {
        "geography": ["Counties"],
        "time": ["Hourly"],
    }
    datasets = cq.CompareState("p", "dataset", "b", "a", end_uses=["x"])
    query = cq.to_query(datasets, FACTS)
    sources = query["project"]["dataset"]["source_datasets"]
    assert [s["dataset_id"] for s in sources] == ["b", "a"]
    assert query["result"]["dimension_filters"][0]["value"] == ["x"]
    parse_query(query)  # a valid project query


def test_peaks_per_state_and_together_with_their_hours():
    rows = charts.peak_rows(_frame(), "Etc/GMT+5")
    assert [r["geography"] for r in rows] == [charts.ALL, "CO", "DE"]
    together, co, de = rows
    # all states: base 1, 4, 4 (the first of the tie, 06:00 UTC = 01:00 UTC-5); other 7, 4, 11
    assert (together["base_peak"], together["base_hour"]) == (4.0, "2018-01-01 01:00 UTC-5")
    assert (together["other_peak"], together["other_hour"]) == (11.0, "2018-01-01 02:00 UTC-5")
    assert together["difference"] == 7.0 and together["relative_difference"] == 7.0 / 4.0
    assert (co["other_peak"], co["other_hour"]) == (6.0, "2018-01-01 02:00 UTC-5")
    # DE's base is 0: no relative difference, and the page says why
    assert de["base_peak"] == 0.0 and de["relative_difference"] is None
    assert charts.shown("relative_difference", None) == "— (base is 0)"
    assert charts.shown("relative_difference", 0.75) == "75 %"


def test_the_map_is_of_each_state_total_difference_on_a_scale_centred_on_zero():
    frame = _frame()
    frame.loc[frame["geography"] == "CO", "other"] = 0.0  # CO's other is below its base
    frame["difference"] = frame["other"] - frame["base"]
    figure = charts.map_of_difference(
        frame, [{"id": "CO"}, {"id": "DE"}], "MWh", {"base": "A", "other": "B"}
    )
    trace = figure.data[0]
    totals = dict(zip(trace.locations, trace.z, strict=True))
    assert totals == {"CO": -9.0, "DE": 11.0}
    assert (trace.zmin, trace.zmid, trace.zmax) == (-11.0, 0, 11.0)
    by_state = charts.totals_by_geography(frame).set_index("geography")
    assert pd.isna(by_state.loc["DE", "relative_difference"])  # base 0
    assert by_state.loc["CO", "relative_difference"] == -1.0
