"""The RegistryStore contract: the same tests on every store (see conftest.py), so the SQLite and
ArangoDB stores answer every question of the protocol alike. Then the Registry facade over each
store: dsgrid's test corpus registered, and its answers equal those of the SQLite registry."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from dsgrid_core.registry.store import ComponentSummary, Dependency, VersionRecord

_CLOCK = itertools.count()
_START = datetime(2024, 1, 1, tzinfo=UTC)


def tick() -> str:
    """A new, later timestamp on every call (as registrations have)."""
    return (_START + timedelta(seconds=next(_CLOCK))).isoformat(timespec="seconds")


def summary(kind, id, *, name=None, type=None, version="1.0.0", description="", at=None):
    at = at or tick()
    return ComponentSummary(
        kind=kind,
        id=id,
        name=name or id,
        type=type,
        version=version,
        description=description,
        registered_at=at,
        updated_at=at,
    )


def version(kind, id, number="1.0.0", *, at=None, config=None, log="registered", **kw):
    return VersionRecord(
        kind=kind,
        id=id,
        version=number,
        config=config if config is not None else {"id": id, "version": number},
        log_message=log,
        submitter="tester",
        registered_at=at or tick(),
        **kw,
    )


def add(s, kind, id, *numbers, name=None, type=None, description=""):
    """A component with its versions (the first number is the one the summary starts at)."""
    numbers = numbers or ("1.0.0",)
    s.add_component(
        summary(kind, id, name=name, type=type, version=numbers[0], description=description)
    )
    for number in numbers:
        s.add_version(version(kind, id, number))
    if len(numbers) > 1:
        s.set_latest(kind, id, numbers[-1], name or id, description, tick())


def everything(s) -> dict:
    """All a store holds, as its protocol answers it."""
    components = s.list_components()
    return {
        "components": [c.to_dict() for c in components],
        "versions": sorted((v.kind, v.id, v.version) for v in s.iter_versions()),
        "dependencies": sorted(
            (a.kind, a.id, a.version, b.kind, b.id, b.version) for a, b in s.all_dependencies()
        ),
        "records": {
            (c.id, v.version): s.dimension_records(c.id, v.version)
            for c in components
            if c.kind == "dimension"
            for v in s.history("dimension", c.id)
        },
        "mappings": {
            (c.id, v.version): s.mapping_records(c.id, v.version)
            for c in components
            if c.kind == "dimension_mapping"
            for v in s.history("dimension_mapping", c.id)
        },
        "state": s.state_token(),
    }


# --- components ------------------------------------------------------------------------------


def test_a_component_reads_back_as_added(store):
    s = store.store
    added = summary("dimension", "county", name="US Counties", type="geography", description="d")
    s.add_component(added)
    assert s.get_component("dimension", "county") == added
    assert s.get_component("dataset", "county") is None  # ids are unique within a kind


def test_an_unknown_component_is_none(store):
    assert store.store.get_component("project", "nothing") is None


def test_adding_a_component_twice_is_refused(store):
    s = store.store
    s.add_component(summary("project", "efs"))
    with pytest.raises(store.conflict):
        s.add_component(summary("project", "efs"))


def _catalogue(s) -> None:
    add(s, "dimension", "county", name="US Counties", type="geography", description="3,000")
    add(s, "dimension", "state", name="States", type="geography")
    add(s, "dimension", "sector", name="Commercial sectors", type="sector")
    add(s, "dataset", "comstock", name="ComStock", type="modeled", description="commercial stock")
    add(s, "project", "efs", name="EFS", description="electrification futures")


def ids(summaries) -> list[tuple[str, str]]:
    return [(c.kind, c.id) for c in summaries]


def test_list_components_is_ordered_by_kind_and_id(store):
    _catalogue(store.store)
    assert ids(store.store.list_components()) == [
        ("dataset", "comstock"),
        ("dimension", "county"),
        ("dimension", "sector"),
        ("dimension", "state"),
        ("project", "efs"),
    ]


def test_list_components_filters_by_kind_and_type(store):
    s = store.store
    _catalogue(s)
    assert ids(s.list_components("dimension")) == [
        ("dimension", "county"),
        ("dimension", "sector"),
        ("dimension", "state"),
    ]
    assert ids(s.list_components(type="geography")) == [
        ("dimension", "county"),
        ("dimension", "state"),
    ]
    assert ids(s.list_components("dataset", "geography")) == []


def test_list_components_filters_by_name_ignoring_case(store):
    s = store.store
    _catalogue(s)
    assert ids(s.list_components(name="count")) == [("dimension", "county")]
    assert ids(s.list_components(name="COUNT")) == [("dimension", "county")]
    # LIKE wildcards are plain characters
    assert ids(s.list_components(name="%")) == []
    assert ids(s.list_components(name="_")) == []


def test_list_components_filters_text_in_id_name_or_description(store):
    s = store.store
    _catalogue(s)
    assert ids(s.list_components(text="commercial")) == [
        ("dataset", "comstock"),  # description
        ("dimension", "sector"),  # name
    ]
    assert ids(s.list_components(text="STAT")) == [("dimension", "state")]  # id
    assert ids(s.list_components("dimension", text="s")) == [
        ("dimension", "county"),  # name "US Counties"
        ("dimension", "sector"),
        ("dimension", "state"),
    ]


def test_set_latest_changes_version_name_description_and_time(store):
    s = store.store
    s.add_component(summary("dimension", "county", name="Counties", type="geography"))
    s.add_version(version("dimension", "county", "1.0.0"))
    s.add_version(version("dimension", "county", "1.1.0"))
    stamp = tick()
    s.set_latest("dimension", "county", "1.1.0", "US Counties", "now with names", stamp)
    got = s.get_component("dimension", "county")
    assert (got.version, got.name, got.description, got.updated_at, got.type) == (
        "1.1.0",
        "US Counties",
        "now with names",
        stamp,
        "geography",
    )
    assert got.registered_at < stamp


def test_remove_component_takes_its_versions_records_and_dependencies(store):
    s = store.store
    add(s, "dimension", "county", "1.0.0", "1.1.0")
    add(s, "dimension", "state")
    s.put_dimension_records("county", "1.0.0", [{"id": "a"}])
    s.put_dimension_records("county", "1.1.0", [{"id": "a"}, {"id": "b"}])
    add(s, "dimension_mapping", "county_to_state")
    s.put_mapping_records("county_to_state", "1.0.0", [("a", "x", 1.0)])
    s.add_dependencies(
        "dimension_mapping",
        "county_to_state",
        "1.0.0",
        [Dependency("dimension", "county", "1.1.0"), Dependency("dimension", "state", "1.0.0")],
    )

    s.remove_component("dimension_mapping", "county_to_state")
    assert s.get_component("dimension_mapping", "county_to_state") is None
    assert s.get_version("dimension_mapping", "county_to_state", "1.0.0") is None
    assert s.history("dimension_mapping", "county_to_state") == []
    assert s.mapping_records("county_to_state", "1.0.0") == []
    assert s.dependents("dimension", "county") == []
    assert s.all_dependencies() == []
    assert [v.version for v in s.history("dimension", "county")] == ["1.0.0", "1.1.0"]

    s.remove_component("dimension", "county")
    assert s.get_component("dimension", "county") is None
    assert s.record_count("county", "1.1.0") == 0
    assert s.dimension_records("county", "1.0.0") == []
    assert ids(s.list_components()) == [("dimension", "state")]
    assert [(v.kind, v.id) for v in s.iter_versions()] == [("dimension", "state")]


# --- versions --------------------------------------------------------------------------------


def test_a_version_reads_back_as_added(store):
    s = store.store
    s.add_component(summary("dataset", "comstock", type="modeled"))
    config = {
        "dataset_id": "comstock",
        "zeta": 1,
        "alpha": 1.0,  # stays a float
        "nested": {"b": [1, 2.5, None, True], "a": "Zürich ✓"},
    }
    added = version(
        "dataset",
        "comstock",
        config=config,
        log="first: with 'quotes' and \"doubles\"",
        row_count=1200,
        data_path="comstock/1.0.0/table.parquet",
        size_bytes=4096,
        sha256="ab" * 32,
        extra={"hash": "x", "record_count": 3},
    )
    s.add_version(added)
    got = s.get_version("dataset", "comstock", "1.0.0")
    assert got == added
    assert list(got.config) == ["dataset_id", "zeta", "alpha", "nested"]  # key order kept
    assert isinstance(got.config["alpha"], float)
    assert list(got.config["nested"]) == ["b", "a"]


def test_a_version_without_dataset_fields_reads_back_with_none(store):
    s = store.store
    add(s, "dimension", "county")
    got = s.get_version("dimension", "county", "1.0.0")
    assert (got.row_count, got.data_path, got.size_bytes, got.sha256, got.extra) == (
        None,
        None,
        None,
        None,
        {},
    )


def test_an_unknown_version_is_none(store):
    s = store.store
    add(s, "dimension", "county")
    assert s.get_version("dimension", "county", "9.9.9") is None
    assert s.get_version("dimension", "nothing", "1.0.0") is None


def test_adding_a_version_twice_is_refused(store):
    s = store.store
    add(s, "dimension", "county")
    with pytest.raises(store.conflict):
        s.add_version(version("dimension", "county", "1.0.0"))


def test_history_is_in_semver_order_whatever_the_order_of_adding(store):
    s = store.store
    s.add_component(summary("project", "efs"))
    for number in ("1.0.0", "2.0.0", "1.10.0", "1.2.0", "1.2.1"):
        s.add_version(version("project", "efs", number, log=f"v{number}"))
    add(s, "project", "other", "1.0.0", "1.1.0")
    history = s.history("project", "efs")
    assert [v.version for v in history] == ["1.0.0", "1.2.0", "1.2.1", "1.10.0", "2.0.0"]
    assert [v.log_message for v in history] == ["v1.0.0", "v1.2.0", "v1.2.1", "v1.10.0", "v2.0.0"]
    assert all(isinstance(v, VersionRecord) for v in history)
    assert [v.version for v in s.history("project", "other")] == ["1.0.0", "1.1.0"]
    assert s.history("project", "nothing") == []


def test_iter_versions_yields_every_version_by_kind_and_id(store):
    s = store.store
    add(s, "project", "efs", "1.0.0", "1.1.0")
    add(s, "dimension", "state")
    add(s, "dimension", "county", "1.0.0", "2.0.0")
    found = list(s.iter_versions())
    assert sorted((v.kind, v.id, v.version) for v in found) == [
        ("dimension", "county", "1.0.0"),
        ("dimension", "county", "2.0.0"),
        ("dimension", "state", "1.0.0"),
        ("project", "efs", "1.0.0"),
        ("project", "efs", "1.1.0"),
    ]
    order = [(v.kind, v.id) for v in found]
    assert order == sorted(order)


# --- dependencies ----------------------------------------------------------------------------


def _project_with_dependencies(s) -> None:
    add(s, "dimension", "county", "1.0.0", "1.1.0")
    add(s, "dimension", "sector")
    add(s, "dataset", "comstock")
    add(s, "project", "efs", "1.0.0", "1.1.0")
    county_1, county_2 = (Dependency("dimension", "county", v) for v in ("1.0.0", "1.1.0"))
    sector = Dependency("dimension", "sector", "1.0.0")
    comstock = Dependency("dataset", "comstock", "1.0.0")
    s.add_dependencies("dataset", "comstock", "1.0.0", [sector, county_1])
    s.add_dependencies("project", "efs", "1.0.0", [sector, county_1])
    s.add_dependencies("project", "efs", "1.1.0", [sector, comstock, county_2])


def test_dependencies_are_what_a_version_uses_by_kind_and_id(store):
    s = store.store
    _project_with_dependencies(s)
    assert s.dependencies("project", "efs", "1.1.0") == [
        Dependency("dataset", "comstock", "1.0.0"),
        Dependency("dimension", "county", "1.1.0"),
        Dependency("dimension", "sector", "1.0.0"),
    ]
    assert s.dependencies("project", "efs", "1.0.0") == [
        Dependency("dimension", "county", "1.0.0"),
        Dependency("dimension", "sector", "1.0.0"),
    ]
    assert s.dependencies("dimension", "sector", "1.0.0") == []
    assert s.dependencies("project", "efs", "9.0.0") == []


def test_dependents_are_the_versions_using_any_version_of_a_component(store):
    s = store.store
    _project_with_dependencies(s)
    assert s.dependents("dimension", "county") == [
        (Dependency("dataset", "comstock", "1.0.0"), "1.0.0"),
        (Dependency("project", "efs", "1.0.0"), "1.0.0"),
        (Dependency("project", "efs", "1.1.0"), "1.1.0"),
    ]
    assert s.dependents("dataset", "comstock") == [(Dependency("project", "efs", "1.1.0"), "1.0.0")]
    assert s.dependents("project", "efs") == []


def test_all_dependencies_lists_every_pair(store):
    s = store.store
    _project_with_dependencies(s)
    pairs = {(a.id, a.version, b.id, b.version) for a, b in s.all_dependencies()}
    assert pairs == {
        ("comstock", "1.0.0", "sector", "1.0.0"),
        ("comstock", "1.0.0", "county", "1.0.0"),
        ("efs", "1.0.0", "sector", "1.0.0"),
        ("efs", "1.0.0", "county", "1.0.0"),
        ("efs", "1.1.0", "sector", "1.0.0"),
        ("efs", "1.1.0", "comstock", "1.0.0"),
        ("efs", "1.1.0", "county", "1.1.0"),
    }
    assert len(s.all_dependencies()) == 7
    assert all(isinstance(a, Dependency) for pair in s.all_dependencies() for a in pair)


def test_a_dependency_added_twice_is_kept_once(store):
    s = store.store
    add(s, "dimension", "county")
    add(s, "dataset", "comstock")
    used = [Dependency("dimension", "county", "1.0.0")]
    s.add_dependencies("dataset", "comstock", "1.0.0", used)
    s.add_dependencies("dataset", "comstock", "1.0.0", used)
    assert s.dependencies("dataset", "comstock", "1.0.0") == used
    assert len(s.all_dependencies()) == 1


# --- records ---------------------------------------------------------------------------------


RECORDS = [
    {"id": "z", "name": "Zeta", "fips": "06073"},
    {"id": "a", "name": "Ålesund", "weight": 1.0, "population": 7},
    {"id": "m", "name": None, "extra": {"nested": [1, 2]}},
]


def test_dimension_records_read_back_in_their_order_with_every_field(store):
    s = store.store
    add(s, "dimension", "county", "1.0.0", "1.1.0")
    s.put_dimension_records("county", "1.0.0", RECORDS)
    s.put_dimension_records("county", "1.1.0", RECORDS[:1])
    got = s.dimension_records("county", "1.0.0")
    assert got == RECORDS
    assert [list(r) for r in got] == [list(r) for r in RECORDS]
    assert isinstance(got[1]["weight"], float)
    assert s.dimension_records("county", "1.1.0") == RECORDS[:1]
    assert s.dimension_records("county", "2.0.0") == []


def test_record_count_counts_one_version(store):
    s = store.store
    add(s, "dimension", "county", "1.0.0", "1.1.0")
    s.put_dimension_records("county", "1.0.0", RECORDS)
    s.put_dimension_records("county", "1.1.0", RECORDS[:2])
    assert s.record_count("county", "1.0.0") == 3
    assert s.record_count("county", "1.1.0") == 2
    assert s.record_count("county", "9.0.0") == 0
    assert s.record_count("nothing", "1.0.0") == 0


def test_a_record_id_twice_in_one_version_is_refused(store):
    s = store.store
    add(s, "dimension", "county")
    with pytest.raises(store.conflict):
        with s.transaction():
            s.put_dimension_records("county", "1.0.0", [{"id": "a"}, {"id": "a"}])
    assert s.record_count("county", "1.0.0") == 0


def test_mapping_records_read_back_in_their_order(store):
    s = store.store
    add(s, "dimension_mapping", "county_to_state", "1.0.0", "1.1.0")
    rows = [("b", "x", 0.25), ("a", "y", 0.75), ("c", None, 1.0), ("a", "x", 1)]
    s.put_mapping_records("county_to_state", "1.0.0", rows)
    got = s.mapping_records("county_to_state", "1.0.0")
    assert got == [("b", "x", 0.25), ("a", "y", 0.75), ("c", None, 1.0), ("a", "x", 1.0)]
    assert all(isinstance(fraction, float) for _, _, fraction in got)
    assert all(isinstance(row, tuple) for row in got)
    assert s.mapping_records("county_to_state", "1.1.0") == []


# --- transactions ----------------------------------------------------------------------------


def _populated(s) -> None:
    add(s, "dimension", "county", name="Counties", type="geography")
    s.put_dimension_records("county", "1.0.0", RECORDS)
    add(s, "dimension", "state", type="geography")
    add(s, "dimension_mapping", "county_to_state")
    s.put_mapping_records("county_to_state", "1.0.0", [("a", "x", 1.0)])
    county = Dependency("dimension", "county", "1.0.0")
    s.add_dependencies("dimension_mapping", "county_to_state", "1.0.0", [county])


def _a_registration(s) -> None:
    """Every kind of write a registration makes."""
    add(s, "dataset", "comstock", type="modeled")
    s.add_dependencies("dataset", "comstock", "1.0.0", [Dependency("dimension", "county", "1.0.0")])
    s.add_version(version("dimension", "county", "1.1.0"))
    s.set_latest("dimension", "county", "1.1.0", "US Counties", "more", tick())
    s.put_dimension_records("county", "1.1.0", RECORDS[:2])
    s.add_version(version("dimension_mapping", "county_to_state", "1.1.0"))
    s.put_mapping_records("county_to_state", "1.1.0", [("a", "y", 1.0)])
    s.remove_component("dimension", "state")


def test_an_exception_inside_a_transaction_leaves_nothing_behind(store):
    s = store.store
    _populated(s)
    before = everything(s)
    with pytest.raises(RuntimeError, match="stop"):
        with s.transaction():
            _a_registration(s)
            raise RuntimeError("stop")
    assert everything(s) == before


def test_a_failing_write_inside_a_transaction_leaves_nothing_behind(store):
    s = store.store
    _populated(s)
    before = everything(s)
    with pytest.raises(store.conflict):
        with s.transaction():
            _a_registration(s)
            s.add_component(summary("dimension", "county"))  # already there
    assert everything(s) == before


def test_a_transaction_keeps_everything_when_it_ends_well(store):
    s = store.store
    _populated(s)
    with s.transaction():
        _a_registration(s)
    assert s.get_component("dataset", "comstock") is not None
    assert s.get_component("dimension", "state") is None
    assert s.get_component("dimension", "county").version == "1.1.0"
    assert s.record_count("county", "1.1.0") == 2
    assert s.mapping_records("county_to_state", "1.1.0") == [("a", "y", 1.0)]


def test_reads_inside_a_transaction_see_its_writes(store):
    s = store.store
    with s.transaction():
        add(s, "dimension", "county", "1.0.0", "1.1.0")
        s.put_dimension_records("county", "1.1.0", RECORDS)
        assert s.get_component("dimension", "county").version == "1.1.0"
        assert [v.version for v in s.history("dimension", "county")] == ["1.0.0", "1.1.0"]
        assert s.record_count("county", "1.1.0") == 3


def test_nested_transactions_join_the_outer_one(store):
    s = store.store
    before = everything(s)
    with pytest.raises(RuntimeError):
        with s.transaction():
            add(s, "dimension", "county")
            with s.transaction():
                add(s, "dimension", "state")
            # the inner block ended well, but nothing is committed before the outer one ends
            raise RuntimeError("outer fails")
    assert everything(s) == before

    with s.transaction():
        add(s, "dimension", "county")
        with s.transaction():
            add(s, "dimension", "state")
    assert ids(s.list_components()) == [("dimension", "county"), ("dimension", "state")]


def test_an_exception_in_a_nested_transaction_undoes_the_outer_one_too(store):
    s = store.store
    before = everything(s)
    with pytest.raises(RuntimeError):
        with s.transaction():
            add(s, "dimension", "county")
            with s.transaction():
                add(s, "dimension", "state")
                raise RuntimeError("inner fails")
    assert everything(s) == before


# --- questions about the whole store ---------------------------------------------------------


def test_state_token_changes_on_every_write(store):
    s = store.store
    tokens = [s.state_token()]
    s.add_component(summary("dimension", "county"))
    tokens.append(s.state_token())
    s.add_version(version("dimension", "county", "1.0.0"))
    tokens.append(s.state_token())
    s.add_version(version("dimension", "county", "1.1.0"))
    tokens.append(s.state_token())
    s.set_latest("dimension", "county", "1.1.0", "County", "", tick())
    tokens.append(s.state_token())
    s.remove_component("dimension", "county")
    tokens.append(s.state_token())
    # every write gives a new token (removing the last component returns the store, and its
    # token, to the empty one)
    assert all(a != b for a, b in itertools.pairwise(tokens))
    assert len(set(tokens[:-1])) == len(tokens) - 1
    assert s.state_token() == tokens[-1]  # and stays put without writes


def test_counts_by_kind_counts_components(store):
    s = store.store
    assert s.counts_by_kind() == {}
    _catalogue(s)
    add(s, "dimension", "county_more", "1.0.0", "1.1.0")  # versions are not counted
    assert s.counts_by_kind() == {"dataset": 1, "dimension": 4, "project": 1}


def test_latest_registrations_are_the_newest_versions_first(store):
    s = store.store
    s.add_component(summary("dimension", "county", name="US Counties"))
    s.add_component(summary("project", "efs", name="EFS"))
    s.add_version(version("dimension", "county", "1.0.0", at="2024-02-01T00:00:00+00:00"))
    s.add_version(version("project", "efs", "1.0.0", at="2024-02-02T00:00:00+00:00"))
    s.add_version(version("dimension", "county", "1.1.0", at="2024-02-03T00:00:00+00:00"))
    # three in the same second (their order among themselves is the store's)
    s.add_version(version("project", "efs", "1.1.0", at="2024-02-04T00:00:00+00:00"))
    s.add_version(version("project", "efs", "1.2.0", at="2024-02-04T00:00:00+00:00"))
    s.add_version(version("dimension", "county", "1.2.0", at="2024-02-04T00:00:00+00:00"))
    latest = s.latest_registrations(4)
    found = [(r["kind"], r["id"], r["version"]) for r in latest]
    assert set(found[:3]) == {
        ("dimension", "county", "1.2.0"),
        ("project", "efs", "1.2.0"),
        ("project", "efs", "1.1.0"),
    }
    assert found[3] == ("dimension", "county", "1.1.0")
    assert [(r["id"], r["version"]) for r in s.latest_registrations(6)[4:]] == [
        ("efs", "1.0.0"),
        ("county", "1.0.0"),
    ]
    assert list(latest[0]) == [
        "kind",
        "id",
        "version",
        "registered_at",
        "log_message",
        "submitter",
        "name",
    ]
    assert {r["id"]: r["name"] for r in latest} == {"county": "US Counties", "efs": "EFS"}
    assert latest[0]["registered_at"] == "2024-02-04T00:00:00+00:00"
    assert (latest[0]["log_message"], latest[0]["submitter"]) == ("registered", "tester")
    assert len(s.latest_registrations(100)) == 6


def test_search_finds_components_exact_matches_first(store):
    s = store.store
    add(s, "dimension", "county_subdivision", name="County subdivisions", type="geography")
    add(s, "dimension", "a_county", name="County", type="geography")
    add(s, "dataset", "comstock", description="one row per county", type="modeled")
    add(s, "project", "efs", name="EFS")
    components, _ = s.search("county", 10)
    assert [(c["kind"], c["id"]) for c in components] == [
        ("dimension", "a_county"),  # exact name
        ("dimension", "county_subdivision"),  # in id and name
        ("dataset", "comstock"),  # only in the description
    ]
    assert list(components[0]) == ["kind", "id", "name", "type", "version", "description"]
    assert components[0]["version"] == "1.0.0"
    upper, _ = s.search("COUNTY", 10)
    assert upper == components
    assert len(s.search("county", 2)[0]) == 2
    assert s.search("nothing at all", 10) == ([], [])


def test_search_finds_records_of_latest_versions_only(store):
    s = store.store
    add(s, "dimension", "state", "1.0.0", "1.1.0", name="States", type="geography")
    s.put_dimension_records("state", "1.0.0", [{"id": "cobalt", "name": "Old"}])
    s.put_dimension_records(
        "state",
        "1.1.0",
        [
            {"id": "colorado", "name": "Colorado"},
            {"id": "ca", "name": "California"},
            {"id": "co", "name": "CO"},
        ],
    )
    add(s, "dimension", "metro", name="Metros", type="geography")
    s.put_dimension_records("metro", "1.0.0", [{"id": "denver", "name": "Denver CO"}])
    _, records = s.search("co", 10)
    assert [(r["dimension_id"], r["record_id"]) for r in records] == [
        ("state", "co"),  # exact id and name
        ("metro", "denver"),
        ("state", "colorado"),
    ]
    assert records[0] == {
        "dimension_id": "state",
        "version": "1.1.0",
        "record_id": "co",
        "record_name": "CO",
        "dimension_name": "States",
        "type": "geography",
    }
    assert all(r["version"] != "1.0.0" or r["dimension_id"] == "metro" for r in records)
    assert s.search("cobalt", 10)[1] == []  # only in an old version


def test_integrity_problems_are_none_in_a_whole_store(store):
    s = store.store
    assert s.integrity_problems() == []
    _project_with_dependencies(s)
    s.put_dimension_records("county", "1.1.0", RECORDS)
    add(s, "dimension_mapping", "county_to_sector")
    s.put_mapping_records("county_to_sector", "1.0.0", [("a", "com", 1.0)])
    s.add_version(version("project", "efs", "1.0.1"))  # between two versions
    add(s, "dimension", "unused", "1.0.0", "1.1.0")
    s.put_dimension_records("unused", "1.1.0", RECORDS)
    s.remove_component("dimension", "unused")
    assert s.integrity_problems() == []


# --- the Registry facade over each store -----------------------------------------------------


def _answers(registry) -> dict:
    """What a registry says about every component: versions with their log messages, what each
    version uses, what uses it, and its records."""
    out = {}
    for c in registry.list():
        history = registry.history(c.kind, c.id)
        out[(c.kind, c.id)] = {
            "summary": (c.version, c.name, c.type, c.description),
            "history": [(v.version, v.log_message, v.submitter, v.row_count) for v in history],
            "configs": [v.config for v in history],
            "uses": {v.version: registry.dependencies(c.kind, c.id, v.version) for v in history},
            "used_by": registry.dependents(c.kind, c.id),
            "records": registry.records(c.id) if c.kind == "dimension" else None,
            "mapping": registry.mapping_records(c.id) if c.kind == "dimension_mapping" else None,
        }
    return out


def test_the_test_corpus_answers_alike_on_every_store(
    registry_location, efs_registry_template, test_data
):
    from dsgrid_core.registry.registry import Registry

    with Registry(registry_location) as registry:
        registry.bulk_register(test_data / "test_efs_registration.json5")
    with (
        Registry(registry_location, read_only=True) as registry,
        Registry(efs_registry_template, read_only=True) as reference,
    ):
        assert [v.version for v in registry.history("project", "test_efs")] == [
            v.version for v in reference.history("project", "test_efs")
        ]
        assert len(registry.history("project", "test_efs")) > 1  # submissions bumped it
        assert registry.dependencies("project", "test_efs") == reference.dependencies(
            "project", "test_efs"
        )
        assert registry.dependents("project", "test_efs") == reference.dependents(
            "project", "test_efs"
        )
        answers, expected = _answers(registry), _answers(reference)
        assert answers.keys() == expected.keys()
        for key in expected:
            assert answers[key] == expected[key], key
        report = registry.check()
        assert report.ok, [f.line() for f in report.findings]
        assert report.counted["versions"] == len(list(reference.store.iter_versions()))
