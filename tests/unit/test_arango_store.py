"""The ArangoDB store's translation, checked without a server: keys, documents, edges, and the
AQL it sends. ``RecordingDb`` only records what the store hands python-arango (queries with
their bind variables, collection and graph calls) and plays back canned rows: it runs no AQL and
stands in for no server; the store's behaviour against a real server is the contract suite's
job (tests/contract, with DSGRID_TEST_ARANGO_URL)."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import socket
import sys
import traceback
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsgrid_core.errors import InputError
from dsgrid_core.registry import arango_aql, arango_docs
from dsgrid_core.registry.arango_docs import (
    KEY_CHARACTERS,
    MAX_KEY_BYTES,
    component_doc,
    component_key,
    dependency_edge,
    escape_key_part,
    history_edge,
    neighbours,
    parse_key,
    record_from_doc,
    summary_from_doc,
    unescape_key_part,
    version_doc,
    version_key,
)
from dsgrid_core.registry.arango_store import ArangoStore, ensure_objects
from dsgrid_core.registry.arango_url import ArangoUrl
from dsgrid_core.registry.store import ComponentSummary, Dependency, VersionRecord

QUERIES = {v for k, v in vars(arango_aql).items() if k.startswith("Q_")}
PASSWORD = "s3cret-Pa55word-never-shown"  # noqa: S105 - a test value


class _Recorder:
    """The ``aql`` attribute of a database handle: records execute() calls."""

    def __init__(self, db: RecordingDb, handle: str):
        self.db, self.handle = db, handle

    def execute(self, query: str, bind_vars: dict | None = None, **options: Any):
        self.db.calls.append((self.handle, query, dict(bind_vars or {})))
        answer = self.db.answers.get(query, [])
        return iter(answer(bind_vars) if callable(answer) else list(answer))


class RecordingDb:
    """Records the store's calls to python-arango; plays back ``answers`` (query -> rows)."""

    def __init__(self, answers: dict | None = None, *, existing: set[str] | None = None):
        self.answers = answers or {}
        self.calls: list[tuple[str, str, dict]] = []  # (handle, query, bind_vars)
        self.events: list[tuple] = []  # transactions, collections, indexes, graphs
        self.existing = set(existing or ())
        self.aql = _Recorder(self, "db")
        self._transactions = 0

    def begin_transaction(self, **options):
        self._transactions += 1
        name = f"txn{self._transactions}"
        self.events.append(("begin", name, options))
        db = self

        class Txn:
            aql = _Recorder(db, name)

            def commit_transaction(self):
                db.events.append(("commit", name))

            def abort_transaction(self):
                db.events.append(("abort", name))

        return Txn()

    # collections, indexes and graphs (ensure_objects)
    def has_collection(self, name):
        return name in self.existing

    def create_collection(self, name, edge=False):
        self.events.append(("create_collection", name, edge))
        self.existing.add(name)

    def collection(self, name):
        return SimpleNamespace(add_index=lambda data: self.events.append(("index", name, data)))

    def has_graph(self, name):
        return f"graph:{name}" in self.existing

    def create_graph(self, name, edge_definitions):
        self.events.append(("create_graph", name, edge_definitions))
        self.existing.add(f"graph:{name}")

    def queries(self) -> list[str]:
        return [q for _, q, _ in self.calls]


def summary(kind="dimension", id="county", version="1.0.0", **kw) -> ComponentSummary:
    values = dict(
        name="Counties",
        type="geography",
        description="US counties",
        registered_at="2024-01-01T00:00:00+00:00",
        updated_at="2024-01-01T00:00:00+00:00",
    )
    values.update(kw)
    return ComponentSummary(kind=kind, id=id, version=version, **values)


def record(kind="dimension", id="county", version="1.0.0", **kw) -> VersionRecord:
    values = dict(
        config={"b": 1.0, "a": [1, {"z": None}]},
        log_message="first",
        submitter="me",
        registered_at="2024-01-01T00:00:00+00:00",
    )
    values.update(kw)
    return VersionRecord(kind=kind, id=id, version=version, **values)


# --- keys ------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_key_escaping_is_reversible_and_uses_only_key_characters(text):
    escaped = escape_key_part(text)
    assert unescape_key_part(escaped) == text
    assert set(escaped) <= KEY_CHARACTERS
    assert ":" not in escaped  # the separator of key parts


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["project", "dataset", "dimension", "dimension_mapping"]), st.text())
def test_component_and_version_keys_are_valid_and_read_back(kind, id):
    for key in (component_key(kind, id), version_key(kind, id, "1.10.0")):
        assert 1 <= len(key.encode()) <= MAX_KEY_BYTES
        assert set(key) <= KEY_CHARACTERS
    if len(escape_key_part(id)) < MAX_KEY_BYTES // 2:  # not a digest key
        assert parse_key(component_key(kind, id)) == (kind, id)
        assert parse_key(version_key(kind, id, "1.10.0")) == (kind, id, "1.10.0")


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.text(max_size=12), st.text(max_size=12))
def test_different_ids_and_versions_get_different_keys(id1, id2, v1, v2):
    if (id1, v1) != (id2, v2):
        assert version_key("dimension", id1, v1) != version_key("dimension", id2, v2)
    if id1 != id2:
        assert component_key("dimension", id1) != component_key("dimension", id2)


def test_keys_escape_what_arangodb_does_not_allow():
    assert component_key("dimension", "county") == "dimension:county"
    assert version_key("dataset", "com_stock-2.1", "1.0.0") == "dataset:com_stock-2.1:1.0.0"
    assert component_key("project", "a/b c:d=e") == "project:a=2Fb=20c=3Ad=3De"
    assert component_key("project", "Zürich") == "project:Z=C3=BCrich"
    assert parse_key("project:a=2Fb=20c=3Ad=3De") == ("project", "a/b c:d=e")


def test_a_key_too_long_for_arangodb_is_a_digest_and_ids_stay_apart():
    long_a, long_b = "x" * 300, "x" * 299 + "y"
    key_a, key_b = (
        version_key("dimension", long_a, "1.0.0"),
        version_key("dimension", long_b, "1.0.0"),
    )
    assert key_a != key_b
    assert len(key_a) <= MAX_KEY_BYTES and key_a.startswith("dimension:=H")
    assert key_a != version_key("dimension", long_a, "1.0.1")
    with pytest.raises(ValueError):
        parse_key(key_a)


# --- documents and edges ---------------------------------------------------------------------


def test_component_documents_read_back_as_summaries():
    s = summary(id="a/b", type=None)
    doc = component_doc(s)
    assert doc["_key"] == component_key("dimension", "a/b")
    assert doc["latest_version"] == "1.0.0"
    assert summary_from_doc(doc) == s


def test_version_documents_keep_the_exact_config_and_are_queryable():
    r = record(row_count=3, data_path="x/1.0.0/table.parquet", extra={"record_count": 2})
    doc = version_doc(r)
    assert doc["_key"] == "dimension:county:1.0.0"
    assert doc["component"] == "components/dimension:county"
    assert doc["config"] == r.config  # a document, for AQL users
    assert doc["config_json"] == json.dumps(r.config)  # the exact text the store returns
    back = record_from_doc(json.loads(json.dumps(doc)))
    assert back == r
    assert isinstance(back.config["b"], float)


def test_dependency_edges_go_from_the_user_version_to_the_used_one():
    edge = dependency_edge("project", "efs", "1.1.0", Dependency("dimension", "a b", "1.0.0"))
    assert edge["_from"] == "versions/project:efs:1.1.0"
    assert edge["_to"] == "versions/dimension:a=20b:1.0.0"
    assert (edge["kind"], edge["id"], edge["version"]) == ("project", "efs", "1.1.0")
    assert (edge["dep_kind"], edge["dep_id"], edge["dep_version"]) == ("dimension", "a b", "1.0.0")
    again = dependency_edge("project", "efs", "1.1.0", Dependency("dimension", "a b", "1.0.0"))
    assert again["_key"] == edge["_key"]  # one edge per pair: adding it twice is a no-op
    assert set(edge["_key"]) <= KEY_CHARACTERS


def test_history_edges_go_to_the_next_version():
    edge = history_edge("project", "efs", "1.0.0", "1.1.0")
    assert (edge["_from"], edge["_to"]) == (
        "versions/project:efs:1.0.0",
        "versions/project:efs:1.1.0",
    )


def test_a_new_version_goes_between_its_semver_neighbours():
    existing = ["1.0.0", "2.0.0", "1.10.0"]
    assert neighbours(existing, "1.2.0") == ("1.0.0", "1.10.0")
    assert neighbours(existing, "3.0.0") == ("2.0.0", None)
    assert neighbours(existing, "0.9.0") == (None, "1.0.0")
    assert neighbours([], "1.0.0") == (None, None)


# --- AQL: constant texts, values only as bind variables --------------------------------------

EVIL = 'x\' RETURN 1 // @key {"a"} FOR v IN versions REMOVE v IN versions'


def _every_method(store: ArangoStore) -> None:
    """Call every method of the protocol with user values that are easy to spot."""
    s = summary(id="ID-" + EVIL, name="NAME-" + EVIL, description="DESC-" + EVIL)
    store.add_component(s)
    store.set_latest("dimension", "ID-" + EVIL, "1.1.0", "NAME2-" + EVIL, "DESC2-" + EVIL, "T2")
    store.get_component("dimension", "ID-" + EVIL)
    store.list_components("dimension", "TYPE-" + EVIL, "NAME-" + EVIL, "TEXT-" + EVIL)
    store.add_version(record(id="ID-" + EVIL, version="1.1.0", log_message="LOG-" + EVIL))
    store.get_version("dimension", "ID-" + EVIL, "1.1.0")
    store.history("dimension", "ID-" + EVIL)
    list(store.iter_versions())
    store.add_dependencies(
        "project", "P-" + EVIL, "1.0.0", [Dependency("dimension", "ID-" + EVIL, "1.1.0")]
    )
    store.dependencies("project", "P-" + EVIL, "1.0.0")
    store.dependents("dimension", "ID-" + EVIL)
    store.all_dependencies()
    store.put_dimension_records("ID-" + EVIL, "1.1.0", [{"id": "R-" + EVIL, "name": "RN"}])
    store.dimension_records("ID-" + EVIL, "1.1.0")
    store.put_mapping_records("M-" + EVIL, "1.0.0", [("F-" + EVIL, "T-" + EVIL, 0.5)])
    store.mapping_records("M-" + EVIL, "1.0.0")
    store.record_count("ID-" + EVIL, "1.1.0")
    store.state_token()
    store.counts_by_kind()
    store.latest_registrations(5)
    store.search("SEARCH-" + EVIL, 5)
    store.integrity_problems()
    store.get_meta("data_root")
    store.set_meta("data_root", "/DATA-" + EVIL)
    with store.transaction():
        store.remove_component("dimension", "ID-" + EVIL)


READ_ANSWERS = {
    arango_aql.Q_STATE: [[0, None, 0, None]],
    arango_aql.Q_RECORD_COUNT: [0],
    arango_aql.Q_INTEGRITY: [{}],
}


def _values(obj) -> list[str]:
    if isinstance(obj, dict):
        return [v for item in obj.values() for v in _values(item)]
    if isinstance(obj, list | tuple):
        return [v for item in obj for v in _values(item)]
    return [obj] if isinstance(obj, str) else []


def test_every_query_is_a_constant_text_with_the_values_in_bind_variables():
    db = RecordingDb(READ_ANSWERS)
    _every_method(ArangoStore(db))
    sent = db.queries()
    assert set(sent) <= QUERIES  # nothing assembled at run time
    assert len(set(sent)) >= 30  # every kind of question and write was asked
    for _, query, bind_vars in db.calls:
        assert EVIL not in query and "ID-" not in query and "SEARCH-" not in query
        # every @name in the text is bound, and nothing else is
        assert set(re.findall(r"(?<!@)@(\w+)", query)) == set(bind_vars), query
    bound = [v for _, _, b in db.calls for v in _values(b)]
    for marker in ("ID-", "NAME-", "DESC-", "TYPE-", "LOG-", "P-", "R-", "F-", "/DATA-"):
        assert any(v.startswith(marker) and EVIL in v for v in bound), marker
    assert any(v == ("search-" + EVIL).lower() for v in bound)  # the lowered needle


def test_the_query_texts_hold_no_formatting_leftovers():
    for query in QUERIES:
        assert "{}" not in query and "%s" not in query
        assert query == query.strip()


def test_writes_run_in_a_stream_transaction_that_commits():
    db = RecordingDb()
    store = ArangoStore(db)
    store.add_component(summary())
    begin, commit = db.events
    assert begin[0] == "begin" and commit == ("commit", begin[1])
    assert begin[2]["exclusive"] == ["components"]
    assert set(begin[2]["write"]) == {
        "versions",
        "dimension_records",
        "mapping_records",
        "meta",
        "depends_on",
        "next_version",
    }
    assert [handle for handle, _, _ in db.calls] == [begin[1]]  # written through the txn handle


def test_an_exception_aborts_the_transaction_and_nested_calls_join_it():
    db = RecordingDb()
    store = ArangoStore(db)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_component(summary())
            with store.transaction():
                store.add_version(record())
                store.get_component("dimension", "county")  # reads see the transaction
            raise RuntimeError("registration failed")
    assert [e[0] for e in db.events] == ["begin", "abort"]
    assert {handle for handle, _, _ in db.calls} == {"txn1"}
    store.get_component("dimension", "county")
    assert db.calls[-1][0] == "db"  # after it, back to the database handle


def test_a_read_only_store_refuses_writes_before_reaching_the_server():
    db = RecordingDb()
    store = ArangoStore(db, read_only=True)
    with pytest.raises(InputError, match="read-only"):
        store.add_component(summary())
    assert db.events == [] and db.calls == []


def test_adding_a_version_links_it_between_its_neighbours():
    db = RecordingDb({arango_aql.Q_VERSIONS_OF: ["1.0.0", "2.0.0"]})
    ArangoStore(db).add_version(record(version="1.1.0"))
    queries = db.queries()
    assert queries == [
        arango_aql.Q_VERSIONS_OF,
        arango_aql.Q_INSERT_VERSION,
        arango_aql.Q_UNLINK_HISTORY,
        arango_aql.Q_LINK_HISTORY,
    ]
    unlink, link = db.calls[2][2], db.calls[3][2]
    assert unlink == {
        "start": "versions/dimension:county:1.0.0",
        "end": "versions/dimension:county:2.0.0",
    }
    assert [(e["version"], e["next_version"]) for e in link["edges"]] == [
        ("1.0.0", "1.1.0"),
        ("1.1.0", "2.0.0"),
    ]


def test_history_follows_the_chain_and_survives_a_broken_one():
    docs = [version_doc(record(version=v, log_message=v)) for v in ("1.10.0", "1.0.0", "1.2.0")]
    chain = ["dimension:county:1.0.0", "dimension:county:1.2.0", "dimension:county:1.10.0"]
    db = RecordingDb({arango_aql.Q_HISTORY: [{"chain": chain, "docs": docs}]})
    assert [r.version for r in ArangoStore(db).history("dimension", "county")] == [
        "1.0.0",
        "1.2.0",
        "1.10.0",
    ]
    broken = RecordingDb({arango_aql.Q_HISTORY: [{"chain": chain[:1], "docs": docs}]})
    assert [r.version for r in ArangoStore(broken).history("dimension", "county")] == [
        "1.0.0",
        "1.2.0",
        "1.10.0",
    ]


def test_dimension_records_are_one_document_each_with_their_position():
    db = RecordingDb()
    rows = [{"id": "b", "name": "B", "x": 1.0}, {"id": "a"}]
    ArangoStore(db).put_dimension_records("county", "1.0.0", rows)
    (docs,) = [b["docs"] for _, q, b in db.calls if q == arango_aql.Q_INSERT_DIMENSION_RECORDS]
    assert [(d["position"], d["record_id"], d["name"]) for d in docs] == [
        (0, "b", "B"),
        (1, "a", None),
    ]
    assert docs[0]["owner"] == "versions/dimension:county:1.0.0"
    assert json.loads(docs[0]["data_json"]) == rows[0]


def test_large_inserts_go_in_chunks():
    db = RecordingDb()
    rows = [(str(i), "x", 1.0) for i in range(12001)]
    ArangoStore(db).put_mapping_records("m", "1.0.0", rows)
    sizes = [len(b["docs"]) for _, q, b in db.calls if q == arango_aql.Q_INSERT_MAPPING_RECORDS]
    assert sizes == [5000, 5000, 2001]
    assert [e[0] for e in db.events] == ["begin", "commit"]  # all of them in one transaction


def test_database_objects_are_made_once():
    db = RecordingDb()
    ensure_objects(db)
    made = [e for e in db.events if e[0] == "create_collection"]
    assert {(name, edge) for _, name, edge in made} == {
        ("components", False),
        ("versions", False),
        ("dimension_records", False),
        ("mapping_records", False),
        ("meta", False),
        ("depends_on", True),
        ("next_version", True),
    }
    (graph,) = [e for e in db.events if e[0] == "create_graph"]
    assert graph[1] == "dsgrid_registry"
    assert {d["edge_collection"] for d in graph[2]} == {"depends_on", "next_version"}
    assert all(d["from_vertex_collections"] == ["versions"] for d in graph[2])
    indexes = [e[2] for e in db.events if e[0] == "index"]
    assert {"type": "persistent", "fields": ["kind", "id", "version"], "unique": True} in [
        {k: v for k, v in i.items() if k != "name"} for i in indexes
    ]
    db.events.clear()
    ensure_objects(db)  # again: only the (idempotent) index calls
    assert {e[0] for e in db.events} == {"index"}


def test_the_translation_module_has_no_io():
    from pathlib import Path

    source = Path(arango_docs.__file__).read_text()
    assert "import arango" not in source and "aql.execute" not in source


# --- URLs, password, connection errors -------------------------------------------------------


def test_registry_urls_parse_with_defaults():
    url = ArangoUrl.parse("arangodb://db.example.org/dsgrid")
    assert (url.user, url.host, url.port, url.database) == (
        "root",
        "db.example.org",
        8529,
        "dsgrid",
    )
    assert url.http_url == "http://db.example.org:8529"
    secure = ArangoUrl.parse("arangodbs://alice@[::1]:8530/reg-1")
    assert secure.http_url == "https://[::1]:8530"
    assert str(secure) == "arangodbs://alice@[::1]:8530/reg-1"


@pytest.mark.parametrize(
    "text",
    [
        "arangodb://host:8529",
        "arangodb://host:8529/1db",
        "arangodb://host:8529/a/b",
        "arangodb://host:notaport/db",
        "arangodb:///db",
        "arangodb://host/db?x=1",
    ],
)
def test_bad_registry_urls_are_refused(text):
    with pytest.raises(InputError):
        ArangoUrl.parse(text)


def test_a_password_in_the_url_is_refused_without_repeating_it():
    with pytest.raises(InputError) as caught:
        ArangoUrl.parse(f"arangodb://root:{PASSWORD}@host:8529/db")
    assert PASSWORD not in str(caught.value)
    assert "DSGRID_ARANGO_PASSWORD" in str(caught.value)


def test_the_password_comes_from_the_setting_or_its_file(tmp_path, monkeypatch):
    from dsgrid_core.registry.arango_url import arango_password

    monkeypatch.delenv("DSGRID_ARANGO_PASSWORD", raising=False)
    monkeypatch.delenv("DSGRID_ARANGO_PASSWORD_FILE", raising=False)
    assert arango_password() == ""
    secret = tmp_path / "secret"
    secret.write_text(PASSWORD + "\n")
    monkeypatch.setenv("DSGRID_ARANGO_PASSWORD_FILE", str(secret))
    assert arango_password() == PASSWORD
    monkeypatch.setenv("DSGRID_ARANGO_PASSWORD", "direct")
    assert arango_password() == "direct"
    monkeypatch.delenv("DSGRID_ARANGO_PASSWORD")
    monkeypatch.setenv("DSGRID_ARANGO_PASSWORD_FILE", str(tmp_path / "missing"))
    with pytest.raises(InputError, match="missing"):
        arango_password()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_an_unreachable_server_is_one_clear_error_without_the_password(monkeypatch):
    pytest.importorskip("arango")
    monkeypatch.setenv("DSGRID_ARANGO_PASSWORD", PASSWORD)
    port = _closed_port()
    capture, root = _Capture(), logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        with pytest.raises(InputError) as caught:
            ArangoStore.connect(f"arangodb://alice@127.0.0.1:{port}/registry_db")
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "registry_db" in message
    shown = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    assert PASSWORD not in shown and PASSWORD not in "\n".join(capture.lines)
    assert caught.value.__suppress_context__


def test_the_store_never_shows_the_password(monkeypatch):
    monkeypatch.setenv("DSGRID_ARANGO_PASSWORD", PASSWORD)
    url = ArangoUrl.parse("arangodb://alice@db.example.org:8529/reg")
    store = ArangoStore(RecordingDb(), url=url)
    assert PASSWORD not in repr(store) and PASSWORD not in str(store)
    assert repr(store) == "ArangoStore(arangodb://alice@db.example.org:8529/reg)"
    assert PASSWORD not in repr(vars(store))


def test_without_python_arango_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "arango", None)  # as if it were not installed
    with pytest.raises(InputError, match=r"pip install 'dsgrid-viewer\[arango\]'"):
        ArangoStore.connect("arangodb://host:8529/db")
    from dsgrid_core.registry.registry import Registry

    with pytest.raises(InputError, match=r"dsgrid-viewer\[arango\]"):
        Registry("arangodb://host:8529/db")


# --- selecting the store ---------------------------------------------------------------------


def test_home_folder_defaults_under_the_cache_and_follows_the_setting(tmp_path, monkeypatch):
    from dsgrid_core.registry.location import default_home

    url = ArangoUrl.parse("arangodb://alice@db.example.org:8530/reg")
    monkeypatch.delenv("DSGRID_REGISTRY_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_home(url) == tmp_path / ".cache/dsgrid/arangodb-db.example.org-8530-reg"
    monkeypatch.setenv("DSGRID_REGISTRY_HOME", str(tmp_path / "home"))
    assert default_home(url) == tmp_path / "home"


def test_a_folder_is_still_a_sqlite_registry_and_a_url_is_not_a_folder(tmp_path):
    from dsgrid_core.registry.location import is_url, open_location

    assert is_url("arangodb://h:1/db") and is_url("ARANGODBS://h:1/db")
    assert not is_url(tmp_path) and not is_url(str(tmp_path))
    with pytest.raises(InputError, match=r"is not a registry \(no registry.db\)"):
        open_location(tmp_path)


def test_jobs_of_a_home_folder_go_to_jobs_db(tmp_path):
    from dsgrid_core.jobs.store import JobStore, has_jobs, jobs_db
    from dsgrid_core.registry.location import HOME_MARKER

    sqlite_registry = tmp_path / "folder"
    sqlite_registry.mkdir()
    (sqlite_registry / "registry.db").touch()
    assert jobs_db(sqlite_registry) == sqlite_registry / "registry.db"
    home = tmp_path / "home"
    home.mkdir()
    (home / HOME_MARKER).write_text('{"location": "arangodb://root@h:8529/db"}')
    assert jobs_db(home) == home / "jobs.db"
    assert not has_jobs(home)
    store = JobStore(home)
    store.create("query", {}, stages_total=1)
    store.close()
    assert has_jobs(home) and not (home / "registry.db").exists()


def test_a_home_folder_serves_one_registry(tmp_path):
    from dsgrid_core.registry.location import HOME_MARKER, _claim_home

    url = ArangoUrl.parse("arangodb://root@h:8529/one")
    _claim_home(tmp_path / "home", url)
    assert json.loads((tmp_path / "home" / HOME_MARKER).read_text()) == {"location": str(url)}
    _claim_home(tmp_path / "home", url)  # again: fine
    with pytest.raises(InputError, match="belongs to the registry"):
        _claim_home(tmp_path / "home", ArangoUrl.parse("arangodb://root@h:8529/two"))


def test_data_root_is_refused_for_a_folder_registry(tmp_path):
    from dsgrid_core.registry.registry import Registry

    with pytest.raises(InputError, match="--data-root is for arangodb://"):
        Registry.create(tmp_path / "reg", data_root=tmp_path / "data")
    assert not (tmp_path / "reg").exists()


def test_registry_create_for_a_url_needs_a_data_root(monkeypatch):
    from dsgrid_core.registry.registry import Registry

    with pytest.raises(InputError, match="--data-root PATH"):
        Registry.create("arangodb://root@h:8529/db")


def test_the_cli_names_an_arangodb_registry_by_url(dsgrid, tmp_path, monkeypatch):
    monkeypatch.setenv("DSGRID_ARANGO_PASSWORD", PASSWORD)
    no_root = dsgrid("registry", "create", "arangodb://root@127.0.0.1:1/reg")
    assert no_root.exit_code == 2 and "--data-root PATH" in no_root.stderr
    folder = dsgrid("registry", "create", tmp_path / "reg", "--data-root", tmp_path / "data")
    assert folder.exit_code == 2 and "--data-root is for arangodb://" in folder.stderr
    if importlib.util.find_spec("arango") is None:
        return
    port = _closed_port()
    listed = dsgrid(
        "registry", "projects", "list", registry=f"arangodb://alice@127.0.0.1:{port}/reg"
    )
    assert listed.exit_code == 2
    assert f"cannot reach ArangoDB at 127.0.0.1:{port} (database 'reg')" in listed.stderr
    assert PASSWORD not in listed.stderr + listed.stdout
