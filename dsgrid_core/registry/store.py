"""The RegistryStore protocol: what any metadata store (SQLite, ArangoDB) must provide.

Kinds are 'project', 'dataset', 'dimension', 'dimension_mapping'. A component has many
versions; a version holds its config (JSON), its log message, and for datasets the data
location, row count, size and hash. Dimension and mapping records are stored per version so
they can be paged and searched without loading the whole config.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

KINDS = ("project", "dataset", "dimension", "dimension_mapping")


@dataclass
class ComponentSummary:
    kind: str
    id: str
    name: str
    type: str | None
    version: str
    description: str
    registered_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class VersionRecord:
    kind: str
    id: str
    version: str
    config: dict[str, Any]
    log_message: str
    submitter: str
    registered_at: str
    row_count: int | None = None
    data_path: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Dependency:
    kind: str
    id: str
    version: str


# the keys of what RegistryStore.search answers, in the order a store's rows hold them
SEARCH_COMPONENT_KEYS = ("kind", "id", "name", "type", "version", "description")
SEARCH_RECORD_KEYS = (
    "dimension_id",
    "version",
    "record_id",
    "record_name",
    "dimension_name",
    "type",
)


class RegistryStore(Protocol):
    def transaction(self) -> AbstractContextManager[None]: ...

    # the registry's own facts: schema_version, data_root (where its Parquet data is)
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...

    # components and versions
    def add_component(self, summary: ComponentSummary) -> None: ...
    def set_latest(
        self, kind: str, id: str, version: str, name: str, description: str, updated_at: str
    ) -> None: ...
    def add_version(self, record: VersionRecord) -> None: ...
    def get_component(self, kind: str, id: str) -> ComponentSummary | None: ...
    def list_components(
        self,
        kind: str | None = None,
        type: str | None = None,
        name: str | None = None,
        text: str | None = None,
    ) -> list[ComponentSummary]: ...
    def get_version(self, kind: str, id: str, version: str) -> VersionRecord | None: ...
    def history(self, kind: str, id: str) -> list[VersionRecord]: ...
    def remove_component(self, kind: str, id: str) -> None: ...

    # dependencies
    def add_dependencies(
        self, kind: str, id: str, version: str, deps: list[Dependency]
    ) -> None: ...
    def dependencies(self, kind: str, id: str, version: str) -> list[Dependency]: ...
    def dependents(self, kind: str, id: str) -> list[tuple[Dependency, str]]: ...

    # records
    def put_dimension_records(
        self, id: str, version: str, records: list[dict[str, Any]]
    ) -> None: ...
    def dimension_records(self, id: str, version: str) -> list[dict[str, Any]]: ...
    def put_mapping_records(
        self, id: str, version: str, records: list[tuple[str, str | None, float]]
    ) -> None: ...
    def mapping_records(self, id: str, version: str) -> list[tuple[str, str | None, float]]: ...

    def iter_versions(self) -> Iterator[VersionRecord]: ...

    # questions the viewer and `registry check` ask of the whole store
    def state_token(self) -> str:
        """Changes whenever anything is registered, updated or removed."""
        ...

    def counts_by_kind(self) -> dict[str, int]: ...
    def latest_registrations(self, limit: int) -> list[dict[str, Any]]:
        """The newest versions: kind, id, version, registered_at, log_message, submitter,
        name; newest first."""
        ...

    def search(
        self, text: str, limit: int, needles: list[str] | None = None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(components, dimension records of latest versions) whose id or name (components:
        or description) contain, ignoring case, every one of ``needles`` (lowercase texts;
        by default ``text`` itself); at most ``limit`` of each, those whose whole id or name
        is ``text`` first, then (components) those holding every needle in the id or name,
        then by kind and id (records: by dimension and record order)."""
        ...

    def all_dependencies(self) -> list[tuple[Dependency, Dependency]]:
        """Every (user version, used version) pair."""
        ...

    def record_count(self, dimension_id: str, version: str) -> int: ...
    def integrity_problems(self) -> list[str]:
        """The store's own consistency checks (empty when whole)."""
        ...
