"""Where a registry is: a folder (the SQLite store) or an ``arangodb://`` URL (the ArangoDB
store). One place parses a location, opens its store and says where the registry's two local
folders are:

* home: the jobs table and the result cache. For a folder registry it is the folder itself.
  For an ArangoDB registry it is DSGRID_REGISTRY_HOME (default: a folder under
  ``~/.cache/dsgrid/`` named after the host, port and database); it holds ``location.json``
  naming the URL, so that anything handed the home folder (a job's worker process) can open
  the same registry again.
* data: the Parquet tables. ``<folder>/data`` for a folder registry; for an ArangoDB registry
  the ``data_root`` stored in the database when the registry was created. Either store may keep
  its data on an object store instead: an ``s3://bucket/prefix`` data root, kept in the
  database's meta table (a folder registry without one keeps ``<folder>/data``). Credentials
  for the bucket come from the environment only (dsgrid_core.data.s3), never from the registry.

Which store a location names comes from ``STORE_KINDS``, one entry per kind: the URL schemes
naming one (none for the folder store) and how to open one; another store is one more entry.
An ArangoDB URL is parsed by dsgrid_core.registry.arango_url. Nothing here ever holds or shows
the ArangoDB password: it is read from the environment only when a connection is made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsgrid_core import settings
from dsgrid_core.data.base_store import STAGING
from dsgrid_core.data.object_store import ObjectDataStore
from dsgrid_core.data.s3 import S3Url, is_s3_url
from dsgrid_core.errors import AlreadyExistsError, InputError
from dsgrid_core.registry.arango_store import ArangoStore
from dsgrid_core.registry.arango_url import SCHEMES, ArangoUrl
from dsgrid_core.registry.sqlite_store import SqliteStore

DB_FILE = "registry.db"
DATA_DIR = "data"
# In the home folder of a registry that is not SQLite: {"location": "arangodb://..."}.
HOME_MARKER = "location.json"


def is_url(location: str | Path) -> bool:
    return url_store_kind(location) is not None


def default_home(url: ArangoUrl) -> Path:
    configured = settings.get("DSGRID_REGISTRY_HOME")
    if configured:
        return Path(configured).expanduser()
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{url.host}-{url.port}-{url.database}")
    return Path("~/.cache/dsgrid").expanduser() / f"arangodb-{name}"


@dataclass
class Opened:
    store: Any  # a RegistryStore
    home: Path
    data_root: Path | str  # a folder, or an s3:// URL
    location: str  # as shown to users: the folder or the URL (never a password)


def as_data_root(value: str | Path) -> Path | str:
    """A stored data root: an s3:// URL stays text, anything else is a folder."""
    return str(value) if is_s3_url(value) else Path(value)


def prepare_data_root(data_root: str | Path) -> str:
    """Check a new registry's data root and make it ready; returns it as stored. A folder must
    be new or empty (its staging folder is made); an s3:// prefix must be empty and its
    bucket reachable with the environment's credentials."""
    if is_s3_url(data_root):
        url = str(S3Url.parse(str(data_root)))
        ObjectDataStore(url, staging_root=Path()).check_new_root()  # stages nothing
        return url
    root = Path(data_root).expanduser().resolve()
    if root.exists() and any(p.name != STAGING for p in root.iterdir()):
        raise InputError(f"{root} exists and is not empty; choose a new or empty folder.")
    (root / STAGING).mkdir(parents=True, exist_ok=True)
    return str(root)


def open_location(location: str | Path, *, read_only: bool = False) -> Opened:
    """Open the store of a folder or URL registry."""
    kind = url_store_kind(location)
    if kind is not None:
        return kind.open(str(location), None, read_only)
    folder = Path(location)
    if (folder / DB_FILE).exists():
        return FOLDER_STORE.open(folder, folder, read_only)
    marker = folder / HOME_MARKER
    if marker.is_file():
        # the home folder of a URL registry; a URL of no known kind is refused by the parser
        # of the first kind's URLs, which says what one looks like
        named = _marker_location(marker)
        kind = url_store_kind(named) or URL_STORES[0]
        return kind.open(named, folder, read_only)
    raise InputError(
        f"{folder} is not a registry (no {DB_FILE}). Create one with "
        f"`dsgrid registry create {folder}`."
    )


def _marker_location(marker: Path) -> str:
    try:
        return str(json.loads(marker.read_text())["location"])
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(
            f"{marker} does not name a registry; remove it, or write "
            '{"location": "arangodb://user@host:port/database"} into it.'
        ) from None


def _claim_home(home: Path, url: ArangoUrl) -> None:
    """The home folder serves one registry: mark it, and refuse a folder that serves another
    (their jobs and cached results must not mix)."""
    if (home / DB_FILE).exists():
        raise InputError(
            f"{home} is a folder registry; choose another home folder for {url} "
            "(DSGRID_REGISTRY_HOME)."
        )
    marker = home / HOME_MARKER
    if marker.is_file():
        known = _marker_location(marker)
        if known != str(url):
            raise InputError(
                f"the home folder {home} belongs to the registry {known}, not {url}; set "
                "DSGRID_REGISTRY_HOME to another folder."
            )
        return
    home.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"location": str(url)}) + "\n")


def _open_sqlite(folder: str | Path, home: Path | None, read_only: bool) -> Opened:
    """The SQLite store of a folder registry (the folder is its home)."""
    folder = Path(folder)
    store = SqliteStore(folder / DB_FILE, read_only=read_only)
    try:
        stored = store.get_meta("data_root")
    except BaseException:
        store.close()
        raise
    data_root = as_data_root(stored) if stored else folder / DATA_DIR
    return Opened(store, folder, data_root, str(folder))


def _open_arango_url(location: str | Path, home: Path | None, read_only: bool) -> Opened:
    """The ArangoDB store an ``arangodb://`` URL names; its home folder the one given, else
    ``default_home``."""
    url = ArangoUrl.parse(str(location))
    return _open_arango(url, home or default_home(url), read_only=read_only)


def _open_arango(url: ArangoUrl, home: Path, *, read_only: bool) -> Opened:
    store = ArangoStore.connect(url, read_only=read_only)
    try:
        data_root = store.get_meta("data_root")
        if not data_root:
            raise InputError(
                f"{url} holds no dsgrid registry. Create one with "
                f"`dsgrid registry create {url} --data-root PATH`."
            )
        _claim_home(home, url)
    except BaseException:
        store.close()
        raise
    return Opened(store, home, as_data_root(data_root), str(url))


@dataclass(frozen=True)
class StoreKind:
    """A kind of registry store. ``schemes``: the URL schemes naming a registry of this kind
    (none: it lives in a folder, found by its database file DB_FILE). ``open(location, home,
    read_only)`` opens one; ``home`` is the folder for jobs and cached results, None for the
    kind's default."""

    name: str
    schemes: tuple[str, ...]
    open: Callable[[str | Path, Path | None, bool], Opened]


STORE_KINDS: tuple[StoreKind, ...] = (
    StoreKind("sqlite", (), _open_sqlite),
    StoreKind("arangodb", SCHEMES, _open_arango_url),
)
FOLDER_STORE = next(kind for kind in STORE_KINDS if not kind.schemes)
URL_STORES = tuple(kind for kind in STORE_KINDS if kind.schemes)


def url_store_kind(location: str | Path) -> StoreKind | None:
    """The kind of store a URL names, by its scheme; None for a folder (or a Path)."""
    if not isinstance(location, str):
        return None
    text = location.strip().lower()
    for kind in URL_STORES:
        if text.startswith(tuple(f"{s}://" for s in kind.schemes)):
            return kind
    return None


def create_arango(location: str, data_root: str | Path | None) -> str:
    """Make the database objects of an ArangoDB registry and record its data folder (or s3://
    prefix); returns the URL as shown to users."""
    url = ArangoUrl.parse(location)
    if data_root is None:
        raise InputError(
            "an ArangoDB registry keeps its metadata in the database and its Parquet data in a "
            f"folder (or an s3://bucket/prefix): name it with `dsgrid registry create {url} "
            "--data-root PATH`."
        )
    store = ArangoStore.create(url)
    try:
        existing = store.get_meta("data_root")
        if existing or store.counts_by_kind():
            where = f" (data in {existing})" if existing else ""
            raise AlreadyExistsError(f"{url} already holds a registry{where}.")
        store.set_meta("data_root", prepare_data_root(data_root))
    finally:
        store.close()
    return str(url)
