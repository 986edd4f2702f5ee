"""Is a registry whole? The database's own integrity, every component's versions and
dependencies, every dataset version's data file with its recorded size and hash (in a folder
or on an object store), records, and leftovers of work that never finished: the registry's
own (staged and unpublished data) and those of the other areas of its home folder it was
opened with (``HomeArea``: the result cache, the jobs table, kept by layers above this one).
Read-only: it reports; recovery (`recover`) runs when a registry is opened for writing, and
when it is opened with ``recover=True`` by a process that can write
(dsgrid_core.registry.recovery).

Leftovers and jobs of dead processes are not damage: readers never see them and recovery
removes them. A report tells them apart (``recoverable``) from what is really wrong
(``damage``), so that `registry check` by a user who cannot write still passes on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from dsgrid_core.data.base_store import Leftover
from dsgrid_core.data.summaries import recorded

RECOVERABLE_AREAS = ("leftovers", "jobs")
RECOVERABLE = "recoverable: removed by the next write or `dsgrid registry recover`"


@dataclass
class Finding:
    area: str  # database, versions, dependencies, data, records, leftovers, jobs
    what: str
    where: str = ""

    def line(self) -> str:
        return f"[{self.area}] {self.where + ': ' if self.where else ''}{self.what}"


class HomeArea(Protocol):
    """A part of a registry's home folder that another layer keeps (the query result cache,
    the jobs table): the registry checks and recovers it with its own leftovers."""

    name: str  # its count's key in what `recover` returns ("query_results", "jobs")

    def findings(self, home: Path) -> list[Finding]:
        """Its leftovers of killed work (area "leftovers" or "jobs"), without changing them."""

    def recover(self, home: Path) -> int:
        """Remove or settle those leftovers; how many."""


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Nothing found at all: whole, and no leftovers."""
        return not self.findings

    @property
    def recoverable(self) -> list[Finding]:
        """Leftovers of killed work: removed by the next write or `dsgrid registry recover`."""
        return [f for f in self.findings if f.area in RECOVERABLE_AREAS]

    @property
    def damage(self) -> list[Finding]:
        """What recovery cannot mend: the registry is not whole."""
        return [f for f in self.findings if f.area not in RECOVERABLE_AREAS]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.damage,
            "counted": self.counted,
            "findings": [f.__dict__ for f in self.findings],
            "recoverable": len(self.recoverable),
        }


def check_registry(registry, *, hashes: bool = True) -> CheckReport:
    report = CheckReport()
    store = registry.store
    add = report.findings.append
    for problem in store.integrity_problems():
        add(Finding("database", problem, "registry store"))

    components = store.list_components()
    versions = list(store.iter_versions())
    by_component: dict[tuple[str, str], set[str]] = {}
    for v in versions:
        by_component.setdefault((v.kind, v.id), set()).add(v.version)
    report.counted = {"components": len(components), "versions": len(versions)}
    for c in components:
        known = by_component.get((c.kind, c.id), set())
        if not known:
            add(Finding("versions", "has no version at all", f"{c.kind} {c.id}"))
        elif c.version not in known:
            add(
                Finding("versions", f"latest version {c.version} is not stored", f"{c.kind} {c.id}")
            )
    orphan_versions = set(by_component) - {(c.kind, c.id) for c in components}
    for kind, id_ in sorted(orphan_versions):
        add(Finding("versions", "versions without a component row", f"{kind} {id_}"))

    all_versions = {(v.kind, v.id, v.version) for v in versions}
    for user, used in store.all_dependencies():
        if (used.kind, used.id, used.version) not in all_versions:
            add(
                Finding(
                    "dependencies",
                    f"uses {used.kind} {used.id} {used.version}, which is not in the registry",
                    f"{user.kind} {user.id} {user.version}",
                )
            )

    checked_bytes = 0
    for v in versions:
        if v.kind != "dataset":
            continue
        data_path, size, sha256 = v.data_path, v.size_bytes, v.sha256
        where = f"dataset {v.id} {v.version}"
        if not data_path:
            add(Finding("data", "no data file is recorded", where))
            continue
        actual = registry.data.file_size(data_path)
        if actual is None:
            add(Finding("data", f"data file {data_path} is missing", where))
            continue
        if size is not None and actual != size:
            add(Finding("data", f"{data_path} has {actual:,} bytes; {size:,} were recorded", where))
            continue
        if hashes and sha256:
            _, digest = registry.data.digest(data_path)
            checked_bytes += actual
            if digest != sha256:
                add(Finding("data", f"{data_path} does not have its recorded SHA-256", where))
        checked_bytes += _check_summaries(registry, v, where, add, hashes)
    report.counted["data_bytes_hashed"] = checked_bytes

    for v in versions:
        expected = v.extra.get("record_count") if v.kind == "dimension" else None
        if expected is not None and store.record_count(v.id, v.version) != expected:
            add(
                Finding(
                    "records",
                    f"{store.record_count(v.id, v.version)} records stored; {expected} were "
                    "recorded",
                    f"dimension {v.id} {v.version}",
                )
            )

    for leftover in registry.data.unfinished(lambda: _known_datasets(registry)):
        what = (
            "staged files of a registration that never finished"
            if leftover.staged
            else "data no database row knows (a registration that never finished)"
        )
        add(Finding("leftovers", f"{what}; {RECOVERABLE}", _shown(leftover, registry)))
    for area in registry.home_areas:
        report.findings.extend(area.findings(registry.path))
    return report


def _check_summaries(registry, v, where: str, add, hashes: bool) -> int:
    """The version's summaries (``data.summaries``) are where its record says, with their
    recorded size and SHA-256; returns the bytes hashed."""
    hashed = 0
    for kind, entry in recorded(v.extra).items():
        path = registry.data.sibling(v.data_path, entry["file"])
        actual = registry.data.file_size(path)
        if actual is None:
            add(Finding("data", f"summary {kind} ({path}) is missing", where))
            continue
        if entry.get("size_bytes") is not None and actual != entry["size_bytes"]:
            add(
                Finding(
                    "data",
                    f"summary {path} has {actual:,} bytes; {entry['size_bytes']:,} were recorded",
                    where,
                )
            )
            continue
        if hashes and entry.get("sha256"):
            hashed += actual
            if registry.data.digest(path)[1] != entry["sha256"]:
                add(Finding("data", f"summary {path} does not have its recorded SHA-256", where))
    return hashed


def _known_datasets(registry) -> set[tuple[str, str]]:
    """The dataset versions the database knows (asked after the data store listed its files,
    so that a registration committing meanwhile is never taken for a leftover)."""
    return {(v.id, v.version) for v in registry.store.iter_versions() if v.kind == "dataset"}


def _shown(leftover: Leftover, registry) -> str:
    """A folder relative to the registry folder; in full when the data lives elsewhere (an
    ArangoDB registry's data folder, an s3:// prefix)."""
    if not isinstance(leftover.location, Path):
        return str(leftover.location)
    try:
        return str(leftover.location.relative_to(registry.path))
    except ValueError:
        return str(leftover.location)


def recover(registry) -> dict[str, int]:
    """Remove the leftovers of work that never finished, the registry's and its home areas'
    (run when a registry is opened for writing); returns how many of each."""
    removed = registry.data.clean_unfinished(lambda: _known_datasets(registry))
    done = {"data_folders": len(removed)}
    for area in registry.home_areas:
        done[area.name] = area.recover(registry.path)
    return done
