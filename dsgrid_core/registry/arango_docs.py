"""How the ArangoDB store lays out a registry: collections, the named graph, indexes, document
keys, and the translation of the store's records to documents and edges (no I/O here).

Keys are derived from kind, id and version so a component or version is found by its primary
index. Characters ArangoDB does not allow in a key (and the escape character ``=`` and the
separator ``:``) are written ``=XX`` per UTF-8 byte: reversible for any id. A key that would
pass ArangoDB's 254-byte limit is the SHA-256 of its parts instead (the document still holds
kind, id and version).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from dsgrid_core.registry.store import ComponentSummary, Dependency, VersionRecord

COMPONENTS = "components"
VERSIONS = "versions"
DIMENSION_RECORDS = "dimension_records"
MAPPING_RECORDS = "mapping_records"
META = "meta"
DEPENDS_ON = "depends_on"
NEXT_VERSION = "next_version"
GRAPH = "dsgrid_registry"

DOCUMENT_COLLECTIONS = (COMPONENTS, VERSIONS, DIMENSION_RECORDS, MAPPING_RECORDS, META)
EDGE_COLLECTIONS = (DEPENDS_ON, NEXT_VERSION)
EDGE_DEFINITIONS = [
    {
        "edge_collection": e,
        "from_vertex_collections": [VERSIONS],
        "to_vertex_collections": [VERSIONS],
    }
    for e in EDGE_COLLECTIONS
]
# (collection, fields, unique): one index per question the store asks.
INDEXES = (
    (COMPONENTS, ("kind", "type"), False),
    (COMPONENTS, ("updated_at",), False),
    (VERSIONS, ("kind", "id", "version"), True),
    (VERSIONS, ("registered_at",), False),
    (DIMENSION_RECORDS, ("dimension_id", "version", "record_id"), True),
    (DIMENSION_RECORDS, ("dimension_id", "version", "position"), False),
    (MAPPING_RECORDS, ("mapping_id", "version", "position"), False),
    (DEPENDS_ON, ("kind", "id", "version"), False),
    (DEPENDS_ON, ("dep_kind", "dep_id"), False),
    (NEXT_VERSION, ("kind", "id"), False),
)


# --- keys ---------------------------------------------------------------------------------

# Characters kept as they are in a key part; everything else (the escape character '=' and
# the separator ':' included) becomes '=XX' per UTF-8 byte, so escaping is reversible.
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")
_ESCAPED = re.compile(r"=([0-9A-F]{2})")
MAX_KEY_BYTES = 254
# An escaped part never holds '=H' (an escape is '=' and two hex digits), so a digest part
# cannot collide with an escaped one.
_DIGEST_PREFIX = "=H"
# Characters ArangoDB allows in a document key.
KEY_CHARACTERS = frozenset(_SAFE | set(":=@()+,;$!*'%"))


def escape_key_part(text: str) -> str:
    out = []
    for char in text:
        if char in _SAFE:
            out.append(char)
        else:
            out.extend(f"={b:02X}" for b in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def unescape_key_part(part: str) -> str:
    if part.startswith(_DIGEST_PREFIX):
        raise ValueError("a digest key part cannot be unescaped")
    raw = bytearray()
    pos = 0
    for match in _ESCAPED.finditer(part):
        raw += part[pos : match.start()].encode("ascii")
        raw.append(int(match.group(1), 16))
        pos = match.end()
    raw += part[pos:].encode("ascii")
    return raw.decode("utf-8", "surrogatepass")


def _key(kind: str, *parts: str) -> str:
    key = ":".join((kind, *(escape_key_part(p) for p in parts)))
    if len(key) <= MAX_KEY_BYTES:
        return key
    # Too long for ArangoDB: keyed by a digest; the document still holds kind, id, version.
    digest = hashlib.sha256(json.dumps(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{_DIGEST_PREFIX}{digest}"


def component_key(kind: str, id: str) -> str:
    return _key(kind, id)


def version_key(kind: str, id: str, version: str) -> str:
    return _key(kind, id, version)


def parse_key(key: str) -> tuple[str, ...]:
    """(kind, id) or (kind, id, version) back from a key (ValueError for digest keys)."""
    kind, *parts = key.split(":")
    return (kind, *(unescape_key_part(p) for p in parts))


def version_id(kind: str, id: str, version: str) -> str:
    """The document handle (``versions/<key>``) of a version: edge ends and record owners."""
    return f"{VERSIONS}/{version_key(kind, id, version)}"


def _edge_key(from_id: str, to_id: str) -> str:
    """One edge per (from, to) pair: inserting it twice is a no-op."""
    return hashlib.sha256(f"{from_id}\n{to_id}".encode()).hexdigest()


# --- documents ----------------------------------------------------------------------------


def component_doc(summary: ComponentSummary) -> dict[str, Any]:
    return {
        "_key": component_key(summary.kind, summary.id),
        "kind": summary.kind,
        "id": summary.id,
        "name": summary.name,
        "type": summary.type,
        "latest_version": summary.version,
        "description": summary.description,
        "registered_at": summary.registered_at,
        "updated_at": summary.updated_at,
    }


def summary_from_doc(doc: dict[str, Any]) -> ComponentSummary:
    return ComponentSummary(
        kind=doc["kind"],
        id=doc["id"],
        name=doc["name"],
        type=doc.get("type"),
        version=doc["latest_version"],
        description=doc.get("description") or "",
        registered_at=doc["registered_at"],
        updated_at=doc["updated_at"],
    )


def version_doc(record: VersionRecord) -> dict[str, Any]:
    return {
        "_key": version_key(record.kind, record.id, record.version),
        "kind": record.kind,
        "id": record.id,
        "version": record.version,
        "component": f"{COMPONENTS}/{component_key(record.kind, record.id)}",
        "config": record.config,
        "config_json": json.dumps(record.config),
        "log_message": record.log_message,
        "submitter": record.submitter,
        "registered_at": record.registered_at,
        "row_count": record.row_count,
        "data_path": record.data_path,
        "size_bytes": record.size_bytes,
        "sha256": record.sha256,
        "extra": record.extra,
        "extra_json": json.dumps(record.extra),
    }


def record_from_doc(doc: dict[str, Any]) -> VersionRecord:
    return VersionRecord(
        kind=doc["kind"],
        id=doc["id"],
        version=doc["version"],
        config=json.loads(doc["config_json"]),
        log_message=doc["log_message"],
        submitter=doc["submitter"],
        registered_at=doc["registered_at"],
        row_count=doc.get("row_count"),
        data_path=doc.get("data_path"),
        size_bytes=doc.get("size_bytes"),
        sha256=doc.get("sha256"),
        extra=json.loads(doc.get("extra_json") or "{}"),
    )


def dependency_edge(kind: str, id: str, version: str, dep: Dependency) -> dict[str, Any]:
    start, end = version_id(kind, id, version), version_id(dep.kind, dep.id, dep.version)
    return {
        "_key": _edge_key(start, end),
        "_from": start,
        "_to": end,
        "kind": kind,
        "id": id,
        "version": version,
        "dep_kind": dep.kind,
        "dep_id": dep.id,
        "dep_version": dep.version,
    }


def history_edge(kind: str, id: str, version: str, next_version: str) -> dict[str, Any]:
    start, end = version_id(kind, id, version), version_id(kind, id, next_version)
    return {
        "_key": _edge_key(start, end),
        "_from": start,
        "_to": end,
        "kind": kind,
        "id": id,
        "version": version,
        "next_version": next_version,
    }


def dimension_record_docs(
    id: str, version: str, records: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    owner = version_id("dimension", id, version)
    return [
        {
            "dimension_id": id,
            "version": version,
            "owner": owner,
            "position": i,
            "record_id": r["id"],
            "name": r.get("name"),
            "data": r,
            "data_json": json.dumps(r),
        }
        for i, r in enumerate(records)
    ]


def mapping_record_docs(
    id: str, version: str, records: list[tuple[str, str | None, float]]
) -> list[dict[str, Any]]:
    owner = version_id("dimension_mapping", id, version)
    return [
        {
            "mapping_id": id,
            "version": version,
            "owner": owner,
            "position": i,
            "from_id": f,
            "to_id": t,
            "from_fraction": x,
        }
        for i, (f, t, x) in enumerate(records)
    ]


def semver_key(version: str) -> tuple:
    """Sort key of versions: numeric parts when they are numbers, like SqliteStore.history."""
    try:
        return (0, tuple(int(p) for p in version.split(".")), "")
    except ValueError:
        return (1, (), version)


def neighbours(existing: list[str], new: str) -> tuple[str | None, str | None]:
    """The versions just before and just after ``new`` in semver order."""
    before = [v for v in existing if semver_key(v) < semver_key(new)]
    after = [v for v in existing if semver_key(v) > semver_key(new)]
    return (
        max(before, key=semver_key) if before else None,
        min(after, key=semver_key) if after else None,
    )
