"""Each mapping type's fraction and duplicate rules."""

from __future__ import annotations

import pytest

from dsgrid_core.config.mapping import DatasetMapping
from dsgrid_core.data.records import check_mapping_ids, check_mapping_rules
from dsgrid_core.errors import InputError


def _config(mapping_type: str) -> DatasetMapping:
    return DatasetMapping(mapping_type=mapping_type, dimension_type="geography", records=[])


OK = {
    "one_to_one": [("a", "x", 1.0), ("b", "y", 1.0)],
    "many_to_one_aggregation": [("a", "x", 1.0), ("b", "x", 1.0)],
    "duplication": [("a", "x", 1.0), ("a", "y", 1.0)],
    "one_to_many_disaggregation": [("a", "x", 0.25), ("a", "y", 0.75)],
    "many_to_many_disaggregation": [("a", "x", 0.5), ("a", "y", 0.5), ("b", "x", 1.0)],
    "many_to_one_assignment": [("a", "x", 0.5), ("b", "x", 0.5), ("a", "y", 1.0)],
    "one_to_many_assignment": [("a", "x", 1.0), ("a", "y", 1.0)],
    "one_to_one_explicit_multipliers": [("a", "x", 0.9), ("b", "y", 1.3)],
    "many_to_many_explicit_multipliers": [("a", "x", 2.0), ("a", "y", 3.0), ("b", "x", 0.1)],
}

BAD = {
    "one_to_one": ([("a", "x", 1.0), ("b", "x", 1.0)], "maps to each to_id once"),
    "many_to_one_aggregation": ([("a", "x", 0.5), ("b", "x", 1.0)], "sum to 1 per from_id"),
    "duplication": ([("a", "x", 0.5), ("a", "y", 1.0)], "every from_fraction to be 1"),
    "one_to_many_disaggregation": ([("a", "x", 0.3), ("a", "y", 0.3)], r"a \(sum 0\.6\)"),
    "many_to_one_assignment": ([("a", "x", 0.4), ("b", "x", 0.4)], "per to_id"),
    "one_to_one_explicit_multipliers": (
        [("a", "x", 0.9), ("a", "y", 1.3)],
        "maps each from_id once",
    ),
}


@pytest.mark.parametrize("mapping_type", sorted(OK))
def test_valid_mappings_pass(mapping_type):
    check_mapping_rules(_config(mapping_type), OK[mapping_type], "m.csv")


@pytest.mark.parametrize("mapping_type", sorted(BAD))
def test_invalid_mappings_are_explained(mapping_type):
    records, message = BAD[mapping_type]
    with pytest.raises(InputError, match=message) as info:
        check_mapping_rules(_config(mapping_type), records, "m.csv")
    assert str(info.value).startswith("m.csv:")


def test_fraction_tolerance_is_one_in_a_million():
    config = _config("many_to_one_aggregation")
    check_mapping_rules(config, [("a", "x", 1 - 5e-7)], "m.csv")
    with pytest.raises(InputError):
        check_mapping_rules(config, [("a", "x", 1 - 5e-6)], "m.csv")


def test_repeated_pair_follows_the_archetype():
    # dsgrid checks repeats of from_id and of to_id per archetype, not of pairs: a pair may
    # repeat where both ids may (its rows add up in the join), and is refused otherwise.
    check_mapping_rules(
        _config("many_to_many_explicit_multipliers"), [("a", "x", 1.0), ("a", "x", 2.0)], "m.csv"
    )
    with pytest.raises(InputError, match="more than once"):
        check_mapping_rules(
            _config("many_to_one_explicit_multipliers"),
            [("a", "x", 1.0), ("a", "x", 2.0)],
            "m.csv",
        )


def test_ids_must_be_records_and_every_from_record_mapped():
    records = [("a", "x", 1.0), ("b", None, 1.0)]
    check_mapping_ids(records, {"a", "b"}, {"x"}, "m.csv", "From", "To")
    with pytest.raises(InputError, match="from_id\\(s\\) z are not records of dimension 'From'"):
        check_mapping_ids([*records, ("z", "x", 1.0)], {"a", "b"}, {"x"}, "m.csv", "From", "To")
    with pytest.raises(InputError, match="to_id\\(s\\) q are not records"):
        check_mapping_ids([("a", "q", 1.0), ("b", "x", 1.0)], {"a", "b"}, {"x"}, "m.csv", "F", "T")
    with pytest.raises(InputError, match="record\\(s\\) c of dimension 'From' are not mapped"):
        check_mapping_ids(records, {"a", "b", "c"}, {"x"}, "m.csv", "From", "To")
