"""ArangoDB store: the RegistryStore protocol on python-arango, for teams that share a registry
on a database server.

Shapes (one database per registry):

* ``components``        one document per component: key ``<kind>:<id>``
* ``versions``          one document per version: key ``<kind>:<id>:<version>``; the config
                        both as a document (for AQL users) and as its exact JSON text (what the
                        store returns: key order and 1.0 vs 1 survive)
* ``dimension_records`` one document per record, with its position, so records can be paged
                        (index on dimension_id, version, position) and searched
* ``mapping_records``   one document per mapping row, with its position
* ``depends_on``        edges version -> version it uses
* ``next_version``      edges version -> the next version of the same component (semver order)
* ``meta``              the registry's data folder and schema version
* the named graph ``dsgrid_registry`` over the two edge collections

Dependencies, dependents and history are answered by AQL traversals. Every AQL text is a
constant of ``arango_aql``: user values travel only as bind variables. Writes run in a stream
transaction (``transaction()``); a write method called outside one runs in its own.

python-arango is imported only when a connection is made, so the project works without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from dsgrid_core.errors import InputError
from dsgrid_core.registry import arango_aql as aql
from dsgrid_core.registry.arango_docs import (
    COMPONENTS,
    DOCUMENT_COLLECTIONS,
    EDGE_COLLECTIONS,
    EDGE_DEFINITIONS,
    GRAPH,
    INDEXES,
    component_doc,
    component_key,
    dependency_edge,
    dimension_record_docs,
    history_edge,
    mapping_record_docs,
    neighbours,
    record_from_doc,
    semver_key,
    summary_from_doc,
    version_doc,
    version_id,
    version_key,
)
from dsgrid_core.registry.arango_url import ArangoUrl, arango_password
from dsgrid_core.registry.store import (
    SEARCH_COMPONENT_KEYS,
    SEARCH_RECORD_KEYS,
    ComponentSummary,
    Dependency,
    VersionRecord,
)

SCHEMA_VERSION = 1
INSTALL_HINT = "pip install 'dsgrid-viewer[arango]'"

# A registration takes the components collection exclusively (like SQLite's BEGIN IMMEDIATE):
# writers queue instead of failing on write-write conflicts.
EXCLUSIVE_COLLECTIONS = [COMPONENTS]
WRITE_COLLECTIONS = [c for c in (*DOCUMENT_COLLECTIONS, *EDGE_COLLECTIONS) if c != COMPONENTS]
INSERT_CHUNK = 5000
COLLECTION_NOT_FOUND = 1203  # ArangoDB's "collection or view not found"


def _chunks(items: list, size: int = INSERT_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- connection ---------------------------------------------------------------------------


def _import_arango():
    try:
        import arango  # late: arango (optional, heavy)
        import arango.http  # late: arango (optional, heavy)
    except ImportError:
        raise InputError(
            f"an arangodb:// registry needs the python-arango package: {INSTALL_HINT}."
        ) from None
    return arango


def _client(arango, url: ArangoUrl):
    # Few, quick retries: an unreachable server is reported in about a second, not a minute.
    http = arango.http.DefaultHTTPClient(retry_attempts=2, backoff_factor=0.25)
    return arango.ArangoClient(hosts=url.http_url, http_client=http, resolver_max_tries=1)


def _codes(exc: BaseException) -> tuple[int | None, int | None]:
    return getattr(exc, "http_code", None), getattr(exc, "error_code", None)


def _missing_database(exc: BaseException) -> bool:
    http_code, error_code = _codes(exc)
    return error_code == 1228 or (http_code == 404 and error_code in (None, 404))


def _connection_error(url: ArangoUrl, exc: BaseException, *, creating: bool = False):
    """One readable paragraph naming the server and database; never the password, never the
    driver's text (which could quote a request)."""
    http_code, _ = _codes(exc)
    where = f"ArangoDB at {url.server}"
    if creating:
        code = f" (HTTP {http_code})" if http_code else ""
        return InputError(
            f"{where} could not create the database '{url.database}'{code}: ask "
            "an administrator to create it (or to let the user create databases), then run "
            "`dsgrid registry create` again."
        )
    if http_code in (401, 403):
        return InputError(
            f"{where} refused the user '{url.user}' for database '{url.database}': wrong user "
            "or password (DSGRID_ARANGO_PASSWORD or DSGRID_ARANGO_PASSWORD_FILE), or no access "
            "to that database."
        )
    if _missing_database(exc):
        return InputError(
            f"{where} has no database '{url.database}'. Create the registry with "
            f"`dsgrid registry create {url} --data-root PATH`."
        )
    return InputError(
        f"cannot reach {where} (database '{url.database}'): no answer from the server. Check "
        "the host and port, and that the server is running."
    )


class ArangoStore:
    """Metadata in an ArangoDB database. ``db`` is a python-arango database handle."""

    def __init__(
        self,
        db: Any,
        *,
        url: ArangoUrl | None = None,
        read_only: bool = False,
        client: Any = None,
    ):
        self.url = url
        self.read_only = read_only
        self._base = db
        self._db = db  # the transaction's handle while one is open
        self._client = client
        self._depth = 0

    def __repr__(self) -> str:
        return f"ArangoStore({self.url if self.url else 'database handle'})"

    __str__ = __repr__

    # --- connection and database objects ------------------------------------------------

    @classmethod
    def connect(cls, url: ArangoUrl | str, *, read_only: bool = False) -> ArangoStore:
        url = ArangoUrl.parse(url) if isinstance(url, str) else url
        arango = _import_arango()
        client = _client(arango, url)
        try:
            db = client.db(url.database, username=url.user, password=arango_password(), verify=True)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one readable message
            client.close()
            raise _connection_error(url, exc) from None
        return cls(db, url=url, read_only=read_only, client=client)

    @classmethod
    def create(cls, url: ArangoUrl | str) -> ArangoStore:
        """Connect, creating the database when it is missing (needs the right to), then make
        the collections, indexes and graph; safe to run again."""
        url = ArangoUrl.parse(url) if isinstance(url, str) else url
        arango = _import_arango()
        client = _client(arango, url)
        password = arango_password()
        try:
            try:
                db = client.db(url.database, username=url.user, password=password, verify=True)
            except Exception as exc:  # noqa: BLE001
                if not _missing_database(exc):
                    raise _connection_error(url, exc) from None
                try:
                    system = client.db("_system", username=url.user, password=password)
                    system.create_database(url.database)
                    db = client.db(url.database, username=url.user, password=password, verify=True)
                except Exception as exc2:  # noqa: BLE001
                    raise _connection_error(url, exc2, creating=True) from None
        except BaseException:
            client.close()
            raise
        store = cls(db, url=url, client=client)
        try:
            ensure_objects(db)
            store.set_meta("schema_version", str(SCHEMA_VERSION))
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def drop_database(cls, url: ArangoUrl | str) -> None:
        """Delete the registry's whole database (the contract tests' throwaway databases)."""
        url = ArangoUrl.parse(url) if isinstance(url, str) else url
        arango = _import_arango()
        client = _client(arango, url)
        try:
            system = client.db("_system", username=url.user, password=arango_password())
            system.delete_database(url.database, ignore_missing=True)
        finally:
            client.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # --- plumbing -----------------------------------------------------------------------

    def _run(self, query: str, **bind_vars: Any) -> list[Any]:
        return list(self._db.aql.execute(query, bind_vars=bind_vars))

    def _check_writable(self) -> None:
        if self.read_only:
            raise InputError("this registry is open read-only.")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One stream transaction; nested calls join it; an exception aborts it, so nothing
        of a failed registration stays behind."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._check_writable()
        # Every collection is declared for writing (which includes reading) up front.
        txn = self._base.begin_transaction(
            write=WRITE_COLLECTIONS,
            exclusive=EXCLUSIVE_COLLECTIONS,
            allow_implicit=True,
        )
        self._db, self._depth = txn, 1
        try:
            yield
        except BaseException:
            self._db, self._depth = self._base, 0
            # The server drops an unfinished transaction anyway; the original error matters.
            with suppress(Exception):
                txn.abort_transaction()
            raise
        self._db, self._depth = self._base, 0
        txn.commit_transaction()

    # --- meta ---------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        try:
            rows = self._run(aql.Q_GET_META, key=key)
        except Exception as exc:
            if _codes(exc)[1] == COLLECTION_NOT_FOUND:  # a database that is no registry
                return None
            raise
        return rows[0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._run(aql.Q_SET_META, key=key, value=value)

    # --- components ---------------------------------------------------------------------

    def add_component(self, summary: ComponentSummary) -> None:
        with self.transaction():
            self._run(aql.Q_INSERT_COMPONENT, doc=component_doc(summary))

    def set_latest(self, kind, id, version, name, description, updated_at) -> None:
        with self.transaction():
            self._run(
                aql.Q_SET_LATEST,
                key=component_key(kind, id),
                version=version,
                name=name,
                description=description,
                updated_at=updated_at,
            )

    def get_component(self, kind: str, id: str) -> ComponentSummary | None:
        rows = self._run(aql.Q_GET_COMPONENT, key=component_key(kind, id))
        return summary_from_doc(rows[0]) if rows else None

    def list_components(self, kind=None, type=None, name=None, text=None):
        rows = self._run(
            aql.Q_LIST_COMPONENTS,
            kind=kind or None,
            type=type or None,
            name=name.lower() if name else None,
            text=text.lower() if text else None,
        )
        # Code-point order, as SQLite sorts (AQL sorts strings by a locale).
        return sorted((summary_from_doc(r) for r in rows), key=lambda s: (s.kind, s.id))

    def remove_component(self, kind: str, id: str) -> None:
        with self.transaction():
            self._run(aql.Q_REMOVE_DEPENDENCY_EDGES, kind=kind, id=id)
            self._run(aql.Q_REMOVE_HISTORY_EDGES, kind=kind, id=id)
            if kind == "dimension":
                self._run(aql.Q_REMOVE_DIMENSION_RECORDS, id=id)
            if kind == "dimension_mapping":
                self._run(aql.Q_REMOVE_MAPPING_RECORDS, id=id)
            self._run(aql.Q_REMOVE_VERSIONS, kind=kind, id=id)
            self._run(aql.Q_REMOVE_COMPONENT, key=component_key(kind, id))

    # --- versions -----------------------------------------------------------------------

    def add_version(self, record: VersionRecord) -> None:
        """The version, linked into its component's next_version chain at its semver place."""
        kind, id, version = record.kind, record.id, record.version
        with self.transaction():
            existing = self._run(aql.Q_VERSIONS_OF, kind=kind, id=id)
            self._run(aql.Q_INSERT_VERSION, doc=version_doc(record))
            before, after = neighbours(existing, version)
            if before is not None and after is not None:
                self._run(
                    aql.Q_UNLINK_HISTORY,
                    start=version_id(kind, id, before),
                    end=version_id(kind, id, after),
                )
            edges = []
            if before is not None:
                edges.append(history_edge(kind, id, before, version))
            if after is not None:
                edges.append(history_edge(kind, id, version, after))
            if edges:
                self._run(aql.Q_LINK_HISTORY, edges=edges)

    def get_version(self, kind: str, id: str, version: str) -> VersionRecord | None:
        rows = self._run(aql.Q_GET_VERSION, key=version_key(kind, id, version))
        return record_from_doc(rows[0]) if rows else None

    def history(self, kind: str, id: str) -> list[VersionRecord]:
        rows = self._run(aql.Q_HISTORY, kind=kind, id=id)
        if not rows:
            return []
        chain, docs = rows[0]["chain"], rows[0]["docs"]
        by_key = {d["_key"]: d for d in docs}
        if sorted(chain) == sorted(by_key):
            ordered = [by_key[k] for k in chain]
        else:  # a broken chain (integrity_problems reports it): semver order from the docs
            ordered = sorted(docs, key=lambda d: semver_key(d["version"]))
        return [record_from_doc(d) for d in ordered]

    def iter_versions(self) -> Iterator[VersionRecord]:
        for doc in self._db.aql.execute(aql.Q_ITER_VERSIONS, bind_vars={}, batch_size=500):
            yield record_from_doc(doc)

    # --- dependencies -------------------------------------------------------------------

    def add_dependencies(self, kind, id, version, deps: list[Dependency]) -> None:
        if not deps:
            return
        with self.transaction():
            edges = [dependency_edge(kind, id, version, d) for d in deps]
            for chunk in _chunks(edges):
                self._run(aql.Q_ADD_DEPENDENCIES, edges=chunk)

    def dependencies(self, kind, id, version) -> list[Dependency]:
        rows = self._run(aql.Q_DEPENDENCIES, key=version_key(kind, id, version))
        return sorted((Dependency(*r) for r in rows), key=lambda d: (d.kind, d.id, d.version))

    def dependents(self, kind, id) -> list[tuple[Dependency, str]]:
        """Every (component version that uses it, which of its versions it uses)."""
        rows = self._run(aql.Q_DEPENDENTS, kind=kind, id=id)
        return sorted(
            ((Dependency(r[0], r[1], r[2]), r[3]) for r in rows),
            key=lambda pair: (pair[0].kind, pair[0].id, pair[0].version),
        )

    def all_dependencies(self) -> list[tuple[Dependency, Dependency]]:
        return [
            (Dependency(r[0], r[1], r[2]), Dependency(r[3], r[4], r[5]))
            for r in self._run(aql.Q_ALL_DEPENDENCIES)
        ]

    # --- records ------------------------------------------------------------------------

    def put_dimension_records(self, id, version, records) -> None:
        with self.transaction():
            for chunk in _chunks(dimension_record_docs(id, version, records)):
                self._run(aql.Q_INSERT_DIMENSION_RECORDS, docs=chunk)

    def dimension_records(self, id, version) -> list[dict[str, Any]]:
        return [
            json.loads(text) for text in self._run(aql.Q_DIMENSION_RECORDS, id=id, version=version)
        ]

    def put_mapping_records(self, id, version, records) -> None:
        with self.transaction():
            for chunk in _chunks(mapping_record_docs(id, version, records)):
                self._run(aql.Q_INSERT_MAPPING_RECORDS, docs=chunk)

    def mapping_records(self, id, version):
        rows = self._run(aql.Q_MAPPING_RECORDS, id=id, version=version)
        return [(r[0], r[1], float(r[2])) for r in rows]

    def record_count(self, dimension_id: str, version: str) -> int:
        return int(self._run(aql.Q_RECORD_COUNT, id=dimension_id, version=version)[0])

    # --- questions about the whole store ------------------------------------------------

    def state_token(self) -> str:
        versions, last_version, components, last_update = self._run(aql.Q_STATE)[0]
        return f"{versions}:{last_version or ''}:{components}:{last_update or ''}"

    def counts_by_kind(self) -> dict[str, int]:
        return {kind: n for kind, n in self._run(aql.Q_COUNTS_BY_KIND)}

    def latest_registrations(self, limit: int) -> list[dict[str, Any]]:
        keys = ("kind", "id", "version", "registered_at", "log_message", "submitter", "name")
        rows = self._run(aql.Q_LATEST_REGISTRATIONS, limit=int(limit))
        # newest first, then kind, id, version descending, in code-point order (stable sorts)
        rows.sort(key=lambda r: r[2], reverse=True)
        rows.sort(key=lambda r: (r[0], r[1]))
        rows.sort(key=lambda r: r[3], reverse=True)
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def search(self, text: str, limit: int, needles: list[str] | None = None):
        needle = text.lower()
        needles = [str(n) for n in needles] if needles is not None else [needle]
        found = {"needle": needle, "needles": needles, "limit": int(limit)}
        components = self._run(aql.Q_SEARCH_COMPONENTS, **found)
        records = self._run(aql.Q_SEARCH_RECORDS, **found)
        # AQL sorts strings by a locale; the page is put in code-point order, as SQLite's.
        components.sort(key=lambda r: (not r[0], not r[1], r[2], r[3]))
        records.sort(key=lambda r: (not r[0], r[2], r[1]))
        return (
            [dict(zip(SEARCH_COMPONENT_KEYS, r[2:], strict=True)) for r in components],
            [dict(zip(SEARCH_RECORD_KEYS, r[2:], strict=True)) for r in records],
        )

    def integrity_problems(self) -> list[str]:
        found = self._run(aql.Q_INTEGRITY)[0]
        problems = []
        for name, message in aql.INTEGRITY_MESSAGES.items():
            problems += [message.format(item) for item in found.get(name) or []]
        return problems[:20]


def ensure_objects(db: Any) -> None:
    """Collections, indexes and the named graph of a registry database, made idempotently."""
    for name in (*DOCUMENT_COLLECTIONS, *EDGE_COLLECTIONS):
        if not db.has_collection(name):
            try:
                db.create_collection(name, edge=name in EDGE_COLLECTIONS)
            except Exception:
                if not db.has_collection(name):  # not made by a concurrent creator either
                    raise
    for collection, fields, unique in INDEXES:
        db.collection(collection).add_index(
            {
                "type": "persistent",
                "fields": list(fields),
                "unique": unique,
                "name": f"{collection}_{'_'.join(fields)}",
            }
        )
    if not db.has_graph(GRAPH):
        try:
            db.create_graph(GRAPH, edge_definitions=EDGE_DEFINITIONS)
        except Exception:
            if not db.has_graph(GRAPH):
                raise
