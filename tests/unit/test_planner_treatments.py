"""How the planner composes a dataset's mappings for summed results (pure Python, no engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsgrid_core.query.context_types import DimensionInfo, SourceDataset, SupplementalInfo
from dsgrid_core.query.planner.treatments import compose, kept_dimension, summed_dimension


def _dataset(mappings=None, record_ids=None) -> SourceDataset:
    return SourceDataset(
        dataset_id="d",
        version="1.0.0",
        table_path=Path("unused.parquet"),
        mappings=mappings or {},
        time_shift_seconds=0,
        dimensions={},
        record_ids=record_ids or {},
    )


def _supplemental(rows) -> SupplementalInfo:
    return SupplementalInfo(DimensionInfo("geography", "s", "1.0.0", "S", []), "m", "1.0.0", rows)


def test_composition_multiplies_fractions_and_sums_parallel_paths():
    # dataset county c1 splits 60/40 over base counties b1, b2; both belong to area A, b2 is
    # also 50% in area B; an empty to_id drops the row.
    paths = [("c1", "b1", 0.6), ("c1", "b2", 0.4), ("c2", "b2", 1.0)]
    supp = _supplemental([("b1", "A", 1.0), ("b2", "A", 0.5), ("b2", "B", 0.5), ("b3", None, 1)])
    composed = compose(paths, supp)
    assert composed == pytest.approx(
        {("c1", "A"): 0.6 + 0.2, ("c1", "B"): 0.2, ("c2", "A"): 0.5, ("c2", "B"): 0.5}
    )


def test_a_kept_dimension_without_mapping_is_the_raw_column():
    ds = _dataset(record_ids={"sector": ["com", "res"]})
    assert kept_dimension(ds, "sector", None, None).kind == "keep"
    filtered = kept_dimension(ds, "sector", {"res"}, None)
    assert (filtered.kind, filtered.keep_ids) == ("keep", {"res"})
    assert kept_dimension(ds, "sector", {"ind"}, None).kind == "none"


def test_a_kept_dimension_with_a_renaming_mapping_is_joined():
    ds = _dataset({"metric": [("heat", "heating", 1.0)]}, {"metric": ["heat"]})
    treatment = kept_dimension(ds, "metric", None, None)
    assert treatment.kind == "map"
    assert treatment.rows == [("heat", "heating", 1.0)]


def test_a_summed_over_dimension_becomes_a_factor_per_dataset_id():
    # one stored model year multiplied out to three project years
    ds = _dataset(
        {"model_year": [("2025", "2025", 1.0), ("2025", "2035", 0.95), ("2025", "2045", 0.9)]},
        {"model_year": ["2025"]},
    )
    everything = summed_dimension(ds, "model_year", None)
    assert everything.kind == "scale"
    assert everything.constant == pytest.approx(2.85)
    assert everything.keep_ids is None
    only_2035 = summed_dimension(ds, "model_year", {"2035"})
    assert (only_2035.kind, only_2035.constant) == ("scale", pytest.approx(0.95))


def test_unequal_factors_need_a_join_and_filtered_ids_drop_out():
    ds = _dataset(
        {"metric": [("a", "x", 1.0), ("b", "x", 1000.0), ("c", "y", 1.0)]},
        {"metric": ["a", "b", "c"]},
    )
    treatment = summed_dimension(ds, "metric", {"x"})
    assert treatment.kind == "factor"
    assert treatment.factors == {"a": 1.0, "b": 1000.0}
    same = summed_dimension(ds, "metric", {"y"})
    assert (same.kind, same.keep_ids, same.constant) == ("scale", {"c"}, 1.0)
