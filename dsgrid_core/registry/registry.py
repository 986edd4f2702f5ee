"""The Registry: register, update, remove, list, show, history, dependencies, dump.

A registry is a folder: ``registry.db`` (the SQLite store) and ``data/`` (Parquet tables); or
an ``arangodb://`` URL (the ArangoDB store) with a data folder and a local home folder (see
dsgrid_core.registry.location). Either may keep its data on an object store (an s3:// data
root). Every write runs in one store transaction; dataset files are staged, then published
(a rename, or an upload and copy) just before the transaction commits, and removed again if
the commit fails.
"""

from __future__ import annotations

import difflib
import getpass
import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dsgrid_core.config.source import ConfigSource
from dsgrid_core.data.base_store import STAGING
from dsgrid_core.data.s3 import is_s3_url
from dsgrid_core.data.storage import open_data_store
from dsgrid_core.errors import (
    AlreadyExistsError,
    InputError,
    InUseError,
    NotFoundError,
    StaleVersionError,
)
from dsgrid_core.registry import versions as semver
from dsgrid_core.registry.check import HomeArea, check_registry
from dsgrid_core.registry.dump import dump_component
from dsgrid_core.registry.location import (  # DB_FILE and DATA_DIR: still importable from here
    DATA_DIR,
    DB_FILE,
    create_arango,
    is_url,
    open_location,
    prepare_data_root,
)
from dsgrid_core.registry.recovery import recover_at_open
from dsgrid_core.registry.sqlite_store import SqliteStore
from dsgrid_core.registry.store import (
    KINDS,
    ComponentSummary,
    Dependency,
    RegistryStore,
    VersionRecord,
)

KIND_ALIASES = {
    "projects": "project",
    "project": "project",
    "datasets": "dataset",
    "dataset": "dataset",
    "dimensions": "dimension",
    "dimension": "dimension",
    "dimension-mappings": "dimension_mapping",
    "dimension_mappings": "dimension_mapping",
    "dimension_mapping": "dimension_mapping",
    "mappings": "dimension_mapping",
}

Progress = Callable[[str], None]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def normalize_kind(kind: str) -> str:
    try:
        return KIND_ALIASES[kind]
    except KeyError:
        raise InputError(
            f"unknown component kind '{kind}'; use one of {', '.join(KINDS)}."
        ) from None


class Registry:
    """Facade over a RegistryStore and a data folder.

    ``path`` is the registry's local home folder (jobs table, result cache): the registry
    folder itself, or for an ArangoDB registry its home folder; ``location`` is what users
    name the registry by (the folder or the URL)."""

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        recover: bool | None = None,
        home_areas: Sequence[HomeArea] = (),
    ):
        """``recover``: remove the leftovers of killed work first (see
        dsgrid_core.registry.recovery). Always when opened for writing; when opened read-only,
        only if asked (`registry check` asks) and this process can write there.
        ``home_areas``: the other parts of the home folder checked and recovered with it (the
        application opens registries with the result cache and the jobs table:
        dsgrid_core.service.open_registry)."""
        opened = open_location(path, read_only=read_only)
        self.path = opened.home
        self.location = opened.location
        self.store: RegistryStore = opened.store
        try:
            self.data = open_data_store(opened.data_root, opened.home)
        except BaseException:
            self.store.close()
            raise
        self.read_only = read_only
        self.home_areas = tuple(home_areas)
        self.submitter = _user()
        self.recovered: dict[str, int] = {}
        if recover or not read_only:
            # Work that a killed process left unfinished goes before anything new starts.
            try:
                self.recovered = recover_at_open(self, required=not read_only)
            except BaseException:
                self.store.close()
                raise

    @classmethod
    def create(cls, path: str | Path, *, data_root: str | Path | None = None) -> Registry:
        """A new, empty registry: in a new or empty folder, or (for an ``arangodb://`` URL) in
        the database, with its Parquet data in ``data_root``. A folder registry keeps its data
        in ``<folder>/data`` unless ``data_root`` is an s3://bucket/prefix."""
        if is_url(path):
            return cls(create_arango(str(path), data_root))
        if data_root is not None and not is_s3_url(data_root):
            raise InputError(
                "--data-root is for arangodb:// registries, or an s3://bucket/prefix (data on "
                "an object store); a folder registry keeps local data in <folder>/data."
            )
        path = Path(path)
        if (path / DB_FILE).exists():
            raise AlreadyExistsError(f"{path} already holds a registry.")
        if path.exists() and any(path.iterdir()):
            raise InputError(f"{path} exists and is not empty; choose a new or empty folder.")

        # Checked before the folder is made: a refused data root leaves nothing behind.
        root = prepare_data_root(data_root) if data_root is not None else None
        if root is None:
            (path / DATA_DIR / STAGING).mkdir(parents=True, exist_ok=True)
        else:
            path.mkdir(parents=True, exist_ok=True)
        store = SqliteStore.create(path / DB_FILE)
        try:
            if root is not None:
                store.set_meta("data_root", root)
        finally:
            store.close()
        return cls(path)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reading --------------------------------------------------------------------------

    def list(
        self,
        kind: str | None = None,
        *,
        type: str | None = None,
        name: str | None = None,
        text: str | None = None,
    ) -> list[ComponentSummary]:
        return self.store.list_components(normalize_kind(kind) if kind else None, type, name, text)

    def get(self, kind: str, id: str) -> ComponentSummary:
        kind = normalize_kind(kind)
        summary = self.store.get_component(kind, id)
        if summary is None:
            raise NotFoundError(self._not_found_message(kind, id))
        return summary

    def _not_found_message(self, kind: str, id: str) -> str:
        ids = [c.id for c in self.store.list_components(kind)]
        close = difflib.get_close_matches(id, ids, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        return f"no {kind.replace('_', ' ')} '{id}' in the registry.{hint}"

    def show(self, kind: str, id: str, version: str | None = None) -> VersionRecord:
        kind = normalize_kind(kind)
        summary = self.get(kind, id)
        version = version or summary.version
        record = self.store.get_version(kind, id, version)
        if record is None:
            known = ", ".join(r.version for r in self.store.history(kind, id))
            raise NotFoundError(
                f"{kind.replace('_', ' ')} '{id}' has no version {version}; "
                f"its versions are {known}."
            )
        return record

    def history(self, kind: str, id: str) -> list[VersionRecord]:
        kind = normalize_kind(kind)
        self.get(kind, id)
        return self.store.history(kind, id)

    def records(self, dimension_id: str, version: str | None = None) -> list[dict[str, Any]]:
        """The records of a dimension version (the latest without one)."""
        if version is not None and (rows := self.store.dimension_records(dimension_id, version)):
            return rows  # found at once: no need to look the version up first
        record = self.show("dimension", dimension_id, version)
        return self.store.dimension_records(dimension_id, record.version)

    def mapping_records(self, mapping_id: str, version: str | None = None):
        """The (from_id, to_id, fraction) rows of a mapping version (the latest without one)."""
        if version is not None and (rows := self.store.mapping_records(mapping_id, version)):
            return rows
        record = self.show("dimension_mapping", mapping_id, version)
        return self.store.mapping_records(mapping_id, record.version)

    def lookup(self, kind: str, id: str) -> ComponentSummary | None:
        """A component's summary, or None when the registry has no such component."""
        return self.store.get_component(normalize_kind(kind), id)

    def has_version(self, kind: str, id: str, version: str) -> bool:
        return self.store.get_version(normalize_kind(kind), id, version) is not None

    def search(self, text: str, limit: int, needles: list[str] | None = None):
        """(components, records) whose id, name or description holds, ignoring case, every
        one of ``needles`` (lowercase; by default ``text``): candidates for a word search
        (dsgrid_core.browse.text_match ranks them), at most ``limit`` of each."""
        return self.store.search(text, limit, needles)

    def counts_by_kind(self) -> dict[str, int]:
        return self.store.counts_by_kind()

    def latest_registrations(self, limit: int):
        return self.store.latest_registrations(limit)

    def state_token(self) -> str:
        """Changes whenever anything is registered, updated or removed (for read caches)."""
        return self.store.state_token()

    def find(self, id: str, kind: str | None = None) -> ComponentSummary:
        """A component by id, whatever its kind (ids are unique within a kind)."""
        kinds = [normalize_kind(kind)] if kind else list(KINDS)
        found = [s for k in kinds if (s := self.store.get_component(k, id)) is not None]
        if not found:
            raise NotFoundError(f"no component '{id}' in the registry.")
        if len(found) > 1:
            raise InputError(
                f"'{id}' names a {' and a '.join(f.kind for f in found)}; say which with --kind."
            )
        return found[0]

    def dependencies(self, kind: str, id: str, version: str | None = None) -> list[Dependency]:
        kind = normalize_kind(kind)
        if version is not None and (found := self.store.dependencies(kind, id, version)):
            return found
        record = self.show(kind, id, version)
        return self.store.dependencies(record.kind, id, record.version)

    def dependents(self, kind: str, id: str) -> list[tuple[Dependency, str]]:
        kind = normalize_kind(kind)
        self.get(kind, id)
        return self.store.dependents(kind, id)

    def dataset_table_path(self, dataset_id: str, version: str | None = None) -> Path | str:
        """The stored table: a local path, or an s3:// URL (read it with
        dsgrid_core.data.scan.table_expression)."""
        record = self.show("dataset", dataset_id, version)
        return self.data.locate(record.data_path)

    def find_dimension(
        self,
        type_: str,
        name: str | None = None,
        version: str = "1.0.0",
        dimension_id: str | None = None,
    ) -> VersionRecord:
        """A registered dimension by type + name (+ version), as dataset configs name them."""
        if dimension_id:
            record = self.show("dimension", dimension_id, version)
        else:
            matches = [c for c in self.store.list_components("dimension", type_) if c.name == name]
            if not matches:
                names = [c.name for c in self.store.list_components("dimension", type_)]
                close = difflib.get_close_matches(name or "", names, n=3)
                hint = (
                    f" Close matches: {'; '.join(close)}."
                    if close
                    else " Register it first (or give its records inline in 'dimensions')."
                )
                raise NotFoundError(f"no registered {type_} dimension named '{name}'.{hint}")
            if len(matches) > 1:
                ids = ", ".join(sorted(c.id for c in matches))
                raise InputError(
                    f"{len(matches)} registered {type_} dimensions are named '{name}' ({ids}): "
                    "the name does not say which. Give its dimension_id instead of the name."
                )
            record = self.show("dimension", matches[0].id, version)
        if record.config.get("type") != type_:
            raise InputError(
                f"dimension '{record.id}' is a {record.config.get('type')} dimension, not {type_}."
            )
        return record

    # --- writing helpers ------------------------------------------------------------------

    def _require_writable(self) -> None:
        if self.read_only:
            raise InputError("this registry is open read-only.")

    @contextmanager
    def _transaction(self):
        """One store transaction. Every writer re-checks what it depends on inside it; should a
        write still break a uniqueness rule (a concurrent writer got there first), the user
        gets a message and exit code 2, never the database's traceback. (The stores themselves
        raise their own errors: see tests/contract.)"""
        self._require_writable()
        try:
            with self.store.transaction():
                yield
        except Exception as exc:
            if not _is_unique_violation(exc):
                raise
            raise StaleVersionError(
                f"the registry changed while this change was being written ({exc}); nothing "
                "was changed. Run the command again to see the current state."
            ) from exc

    def _add_component_version(
        self,
        kind: str,
        id: str,
        name: str,
        type_: str | None,
        description: str,
        record: VersionRecord,
        deps: list[Dependency],
        *,
        new: bool,
    ) -> None:
        # Looked up again here, under the write lock: what the caller checked before taking
        # it may have been registered by another process since (never a unique-key traceback).
        shown = kind.replace("_", " ")
        if new and self.store.get_component(kind, id) is not None:
            raise AlreadyExistsError(
                f"{shown} '{id}' was registered by another process while this registration was "
                f"being prepared; nothing was changed. See `dsgrid registry "
                f"{kind.replace('_', '-')}s show {id}`."
            )
        if self.store.get_version(kind, id, record.version) is not None:
            raise StaleVersionError(
                f"{shown} '{id}' version {record.version} was made by another process while "
                f"this change was being prepared; nothing was changed. Review `dsgrid registry "
                f"{kind.replace('_', '-')}s history {id}` and try again."
            )
        stamp = record.registered_at
        if new:
            self.store.add_component(
                ComponentSummary(
                    kind=kind,
                    id=id,
                    name=name,
                    type=type_,
                    version=record.version,
                    description=description,
                    registered_at=stamp,
                    updated_at=stamp,
                )
            )
        else:
            self.store.set_latest(kind, id, record.version, name, description, stamp)
        self.store.add_version(record)
        self.store.add_dependencies(kind, id, record.version, deps)

    def _check_current(self, kind: str, id: str, version: str | None) -> ComponentSummary:
        summary = self.get(kind, id)
        if version is None:
            raise InputError(
                f"name the version you are updating with --version "
                f"(the current version of '{id}' is {summary.version})."
            )
        semver.parse(version)
        if version != summary.version:
            raise StaleVersionError(
                f"'{id}' is at version {summary.version}, not {version}: someone updated it "
                f"since you read it. Review `dsgrid registry {kind.replace('_', '-')}s history "
                f"{id}`, then update with --version {summary.version}."
            )
        return summary

    def version_record(
        self, kind: str, id: str, version: str, config: dict[str, Any], log_message: str, **kwargs
    ) -> VersionRecord:
        return VersionRecord(
            kind=kind,
            id=id,
            version=version,
            config=config,
            log_message=log_message,
            submitter=self.submitter,
            registered_at=now(),
            **kwargs,
        )

    # --- remove ---------------------------------------------------------------------------

    def remove(self, kind: str, id: str) -> None:
        kind = normalize_kind(kind)
        self.get(kind, id)
        users = sorted({(d.kind, d.id) for d, _ in self.store.dependents(kind, id)})
        if users:
            names = ", ".join(f"{k.replace('_', ' ')} {i}" for k, i in users[:10])
            raise InUseError(
                f"cannot remove {kind.replace('_', ' ')} '{id}': it is used by "
                f"{names}. Remove those first."
            )
        with self._transaction():
            self.store.remove_component(kind, id)
        if kind == "dataset":
            self.data.remove_dataset(id)

    # --- registration: delegated to modules with one job each -----------------------------

    # A config is a file path (read here) or a ConfigSource (a config given as data, e.g. by
    # a web form: registered without being written to a file).

    def register_dimension(self, config: ConfigSource | str | Path, log_message: str, **kw):
        from dsgrid_core.registry.register_dimensions import (  # late: pydantic
            register_dimensions_file,
        )

        return register_dimensions_file(self, ConfigSource.of(config), log_message, **kw)

    def register_mapping(self, config: ConfigSource | str | Path, log_message: str, **kw):
        from dsgrid_core.registry.register_mappings import register_mappings_file  # late: pydantic

        return register_mappings_file(self, ConfigSource.of(config), log_message, **kw)

    def register_project(self, config: ConfigSource | str | Path, log_message: str, **kw):
        from dsgrid_core.registry.register_project import register_project  # late: pydantic

        return register_project(self, ConfigSource.of(config), log_message, **kw)

    def register_dataset(self, config: ConfigSource | str | Path, log_message: str, **kw):
        from dsgrid_core.registry.register_dataset import (  # late: pydantic, sqlglot
            register_dataset,
        )

        return register_dataset(self, ConfigSource.of(config), log_message, **kw)

    def submit_dataset(
        self,
        project_id: str,
        dataset_id: str,
        mappings: ConfigSource | str | Path | None,
        log_message: str,
        *,
        references_file: ConfigSource | str | Path | None = None,
        **kw,
    ):
        """``mappings``: the dataset's dimension mappings config (None: none needed);
        ``references_file``: a second one, of references to registered mappings."""
        from dsgrid_core.registry.submit import submit_dataset  # late: pydantic

        return submit_dataset(
            self,
            project_id,
            dataset_id,
            ConfigSource.of(mappings) if mappings else None,
            log_message,
            references=ConfigSource.of(references_file) if references_file else None,
            **kw,
        )

    def bulk_register(self, bulk_file: Path, **kw):
        from dsgrid_core.registry.bulk import bulk_register  # late: pydantic

        return bulk_register(self, Path(bulk_file), **kw)

    def update(
        self,
        kind: str,
        id: str,
        config_file: Path,
        *,
        update_type: str,
        log_message: str,
        version: str | None,
        **kw,
    ) -> VersionRecord:
        from dsgrid_core.registry.update import update_component  # late: pydantic

        kind = normalize_kind(kind)
        current = self._check_current(kind, id, version)
        new_version = semver.bump(current.version, update_type)
        return update_component(
            self,
            kind,
            id,
            Path(config_file),
            new_version,
            log_message,
            expected_current=current.version,
            **kw,
        )

    def dump(self, kind: str, id: str, out_dir: Path, version: str | None = None) -> Path:
        return dump_component(self, normalize_kind(kind), id, Path(out_dir), version)

    def check(self, *, hashes: bool = True):
        """Verify the registry (see dsgrid_core.registry.check); returns a CheckReport."""
        return check_registry(self, hashes=hashes)

    def summary(self) -> dict[str, Any]:
        counts = {k: 0 for k in KINDS}
        for c in self.store.list_components():
            counts[c.kind] += 1
        return {"path": str(self.path), "counts": counts}


def _is_unique_violation(exc: BaseException) -> bool:
    """A store's uniqueness error: SQLite's IntegrityError, ArangoDB's error 1210."""
    return isinstance(exc, sqlite3.IntegrityError) or getattr(exc, "error_code", None) == 1210


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=str)
