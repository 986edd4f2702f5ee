"""The mapping skeleton's rows and guessed type: a column of the from records that names a to
record (a county's state) makes a many-to-one mapping; the records' own ids and names as
before; and what a form says of rows that drop records."""

from __future__ import annotations

import csv

from dsgrid_core import mapping_edit
from dsgrid_core.infer.mapping import guess_mapping_type, mapping_skeleton
from dsgrid_core.service import open_registry

STATES = [
    {"id": "CO", "name": "Colorado"},
    {"id": "NY", "name": "New York"},
    {"id": "TX", "name": "Texas"},
]
COUNTIES = [  # fips, name, state, census_region (which names no state)
    ("08001", "Adams", "CO", "West"),
    ("08005", "Arapahoe", "CO", "West"),
    ("36001", "Albany", "NY", "Northeast"),
    ("36005", "Bronx", "NY", "Northeast"),
    ("36047", "Kings", "NY", "Northeast"),
    ("48001", "Anderson", "TX", "South"),
]


def _counties():
    return [
        {"id": f, "name": n, "state": s, "census_region": r, "time_zone": "Mountain"}
        for f, n, s, r in COUNTIES
    ]


def _pairs(skeleton):
    return {r["from_id"]: r["to_id"] for r in skeleton["rows"]}


def test_a_column_naming_the_to_records_maps_each_county_to_its_state():
    counties = _counties()
    skeleton = mapping_skeleton(counties, STATES)
    expected = {c["id"]: c["state"] for c in counties}
    assert _pairs(skeleton) == expected
    assert {r["match"] for r in skeleton["rows"]} == {"column state"}
    assert all(r["from_fraction"] == 1.0 for r in skeleton["rows"])
    assert skeleton["column"] == "state"
    assert skeleton["summary"] == {"column state": len(counties)}
    assert skeleton["dropped"] == []
    assert any("'state'" in note for note in skeleton["notes"])
    guess = skeleton["mapping_type"]
    assert guess.value == "many_to_one_aggregation"
    assert "state" in guess.reason and guess.certain is False


def test_a_column_may_give_the_to_records_names_in_any_case():
    names = {s["id"]: s["name"] for s in STATES}
    counties = [{**c, "state": names[c["state"]].upper()} for c in _counties()]
    skeleton = mapping_skeleton(counties, STATES)
    assert _pairs(skeleton) == {f: s for f, _, s, _ in COUNTIES}
    assert skeleton["mapping_type"].value == "many_to_one_aggregation"


def test_the_column_covering_most_records_wins_and_ties_go_to_fewer_unknown_values():
    # 'home' (the first column) names a state for 4 counties, 'state' for all 6: 'state' wins
    homes = ["CO", "CO", "TX", "TX", "x", "y"]
    counties = [{"home": h, **c} for h, c in zip(homes, _counties(), strict=True)]
    assert next(k for k in counties[0] if k not in ("id", "name")) == "home"
    assert mapping_skeleton(counties, STATES)["column"] == "state"
    # equal coverage (3 of 5): the column with fewer distinct values naming no state wins,
    # though it comes second
    equal = [
        {"id": "a", "name": "A", "one": "CO", "two": "CO"},
        {"id": "b", "name": "B", "one": "NY", "two": "NY"},
        {"id": "c", "name": "C", "one": "TX", "two": "TX"},
        {"id": "d", "name": "D", "one": "p", "two": "p"},
        {"id": "e", "name": "E", "one": "q", "two": "p"},
    ]
    assert mapping_skeleton(equal, STATES)["column"] == "two"


def test_a_column_that_names_a_to_record_for_only_a_few_records_is_not_used():
    counties = _counties()
    for c in counties:
        c.pop("state")
    counties[0]["note"] = "TX"  # names a state for 1 of 6 records: chance, not a relation
    skeleton = mapping_skeleton(counties, STATES)
    assert skeleton["column"] is None
    assert skeleton["summary"] == {"no match": len(counties)}
    assert skeleton["dropped"] == [c["id"] for c in counties]
    assert all(r["to_id"] == "" for r in skeleton["rows"])
    # half is not most either
    half = _counties()
    for c in half[3:]:
        c["state"] = "elsewhere"
    assert mapping_skeleton(half, STATES)["column"] is None


def test_ids_and_names_match_as_before_and_a_bijection_stays_one_to_one():
    from_records = [
        {"id": "CO", "name": "Colo"},  # same id
        {"id": "ny_state", "name": "new york"},  # same name, any case
        {"id": "tx_state", "name": "Texas!"},  # a similar name
    ]
    skeleton = mapping_skeleton(from_records, STATES)
    assert _pairs(skeleton) == {"CO": "CO", "ny_state": "NY", "tx_state": "TX"}
    assert [r["match"] for r in skeleton["rows"]] == [
        "same id",
        "same name",
        "similar name (texas)",
    ]
    assert skeleton["summary"] == {"same id": 1, "same name": 1, "similar name": 1}
    assert skeleton["column"] is None
    assert skeleton["mapping_type"].value == "one_to_one"
    # a column repeating the records' own ids gives nothing the ids do not
    same = [{"id": s["id"], "name": s["name"], "code": s["id"]} for s in STATES]
    again = mapping_skeleton(same, STATES)
    assert {r["match"] for r in again["rows"]} == {"same id"}
    assert again["mapping_type"].value == "one_to_one"
    # a bijection made by a column is one_to_one too
    by_fips = [{"id": f"c{i}", "name": f"N{i}", "fips": s["id"]} for i, s in enumerate(STATES)]
    bijection = mapping_skeleton(by_fips, STATES)
    assert _pairs(bijection) == {f"c{i}": s["id"] for i, s in enumerate(STATES)}
    assert bijection["mapping_type"].value == "one_to_one"


def test_the_guessed_type_follows_the_rows():
    def rows(*pairs, fraction=1.0):
        return [{"from_id": f, "to_id": t, "from_fraction": fraction} for f, t in pairs]

    to_ids = ["x", "y"]
    assert guess_mapping_type(rows(("a", "x"), ("b", "y")), to_ids).value == "one_to_one"
    # records dropped: not a bijection, though no to record is used twice
    dropped = guess_mapping_type(rows(("a", "x"), ("b", ""), ("c", "")), to_ids)
    assert dropped.value == "many_to_one_aggregation" and "2 from record(s)" in dropped.reason
    # a to record reached by none
    assert guess_mapping_type(rows(("a", "x")), to_ids).value == "many_to_one_aggregation"
    shared = guess_mapping_type(rows(("a", "x"), ("b", "x"), ("c", "y")), to_ids)
    assert shared.value == "many_to_one_aggregation"
    assert "3 from records to 2 to records" in shared.reason
    # the skeleton of the issue: one county matched by name, three dropped, was one_to_one
    odd = mapping_skeleton(
        [{"id": "1", "name": "District of Columbia"}, {"id": "2", "name": "Kent"}],
        [{"id": "DC", "name": "District of Columbia"}, {"id": "DE", "name": "Delaware"}],
    )
    assert _pairs(odd) == {"1": "DC", "2": ""}
    assert odd["dropped"] == ["2"]
    assert odd["mapping_type"].value != "one_to_one"


def test_rows_that_drop_records_are_counted_and_named():
    from_ids = [f"r{i}" for i in range(8)]
    rows = mapping_edit.mapping_rows(
        [
            {"from_id": f, "to_id": "" if i % 2 else "x", "from_fraction": 1}
            for i, f in enumerate(from_ids[:7])
        ]
    )
    expected_dropped = [f for i, f in enumerate(from_ids[:7]) if i % 2]
    lost = mapping_edit.dropped_records(rows, from_ids)
    assert lost == {"dropped": expected_dropped, "missing": ["r7"]}
    said = mapping_edit.drop_problem(lost["dropped"], "'F'")
    assert said.startswith(f"{len(expected_dropped)} record(s) of 'F' would be dropped")
    assert ", ".join(expected_dropped) in said
    assert f"tick 'I mean to drop these {len(expected_dropped)} records'" in said
    assert "tick 'I mean to drop this 1 record'" in mapping_edit.drop_problem(["r1"], "'F'")
    # past five ids, the rest are counted
    many = [f"d{i}" for i in range(12)]
    assert "d0, d1, d2, d3, d4 and 7 more" in mapping_edit.drop_problem(many, "'F'")
    # a from record split between a to record and nothing is not dropped
    split = mapping_edit.mapping_rows(
        [
            {"from_id": "a", "to_id": "x", "from_fraction": 0.5},
            {"from_id": "a", "to_id": "", "from_fraction": 0.5},
        ]
    )
    assert mapping_edit.dropped_records(split, ["a"]) == {"dropped": [], "missing": []}


def test_the_rows_summary_never_says_every_row_follows_the_rules_while_records_drop():
    source, target = {"name": "F"}, {"name": "T"}
    from_records = [{"id": i} for i in ("a", "b", "c", "d")]
    to_records = [{"id": "x"}]
    rows = mapping_edit.mapping_rows(
        [{"from_id": f, "to_id": t} for f, t in (("a", "x"), ("b", ""), ("c", ""))]
    )
    _, bad, summary, general = mapping_edit.checked_rows(
        rows, "many_to_one_aggregation", source, target, from_records, to_records
    )
    assert bad == 0
    assert "every row follows the rules" not in summary
    assert "2 drop their record (empty to_id): b, c" in summary
    assert "1 record(s) of 'F' have no row: d" in summary
    assert general and "d" in general[0]
    full = mapping_edit.mapping_rows([{"from_id": f, "to_id": "x"} for f in "abcd"])
    _, _, summary, general = mapping_edit.checked_rows(
        full, "many_to_one_aggregation", source, target, from_records, to_records
    )
    assert summary == "4 rows; every row follows the rules." and general == []


def test_the_demo_counties_map_to_the_states_their_records_name(demo_registry):
    registry_path, inputs = demo_registry
    with open(inputs / "dimensions" / "counties.csv", newline="") as handle:
        counties = list(csv.DictReader(handle))
    with open(inputs / "dimensions" / "supplemental" / "states.csv", newline="") as handle:
        states = {r["id"] for r in csv.DictReader(handle)}
    expected = {r["id"]: r["state"] for r in counties}
    assert set(expected.values()) <= states and len(set(expected.values())) < len(expected)
    with open_registry(registry_path, read_only=True) as registry:
        by_name = {d.name: d.id for d in registry.list("dimension")}
        skeleton = mapping_skeleton(
            registry.records(by_name["Demo Counties"]), registry.records(by_name["Demo States"])
        )
    assert _pairs(skeleton) == expected
    assert skeleton["dropped"] == []
    assert skeleton["column"] == "state"
    assert skeleton["summary"] == {"column state": len(counties)}
    assert skeleton["mapping_type"].value == "many_to_one_aggregation"
