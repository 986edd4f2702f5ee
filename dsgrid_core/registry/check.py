"""Is a registry whole? The database's own integrity, every component's versions and
dependencies, every dataset version's data file with its recorded size and hash, records, and
leftovers of work that never finished. Read-only: it reports; recovery (`recover`) runs when
a registry is opened for writing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsgrid_core.data.storage import STAGING, file_digest


@dataclass
class Finding:
    area: str  # database, versions, dependencies, data, records, leftovers, jobs
    what: str
    where: str = ""

    def line(self) -> str:
        return f"[{self.area}] {self.where + ': ' if self.where else ''}{self.what}"


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counted": self.counted,
            "findings": [f.__dict__ for f in self.findings],
        }


def check_registry(registry, *, hashes: bool = True) -> CheckReport:
    report = CheckReport()
    con = registry.store.con
    add = report.findings.append

    integrity = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        for line in integrity[:20]:
            add(Finding("database", line, "registry.db"))
    for row in con.execute("PRAGMA foreign_key_check").fetchall()[:20]:
        add(Finding("database", f"row {row[1]} of {row[0]} points to a missing {row[2]}"))

    components = con.execute("SELECT kind, id, latest_version FROM components").fetchall()
    versions = con.execute(
        "SELECT kind, id, version, data_path, size_bytes, sha256, row_count FROM versions"
    ).fetchall()
    by_component: dict[tuple[str, str], set[str]] = {}
    for kind, id_, version, *_ in versions:
        by_component.setdefault((kind, id_), set()).add(version)
    report.counted = {"components": len(components), "versions": len(versions)}
    for kind, id_, latest in components:
        known = by_component.get((kind, id_), set())
        if not known:
            add(Finding("versions", "has no version at all", f"{kind} {id_}"))
        elif latest not in known:
            add(Finding("versions", f"latest version {latest} is not stored", f"{kind} {id_}"))
    orphan_versions = set(by_component) - {(k, i) for k, i, _ in components}
    for kind, id_ in sorted(orphan_versions):
        add(Finding("versions", "versions without a component row", f"{kind} {id_}"))

    all_versions = {(k, i, v) for k, i, v, *_ in versions}
    for kind, id_, version, dep_kind, dep_id, dep_version in con.execute(
        "SELECT kind, id, version, dep_kind, dep_id, dep_version FROM dependencies"
    ).fetchall():
        if (dep_kind, dep_id, dep_version) not in all_versions:
            add(
                Finding(
                    "dependencies",
                    f"uses {dep_kind} {dep_id} {dep_version}, which is not in the registry",
                    f"{kind} {id_} {version}",
                )
            )

    data_root = registry.path / "data"
    checked_bytes = 0
    for kind, id_, version, data_path, size, sha256, _rows in versions:
        if kind != "dataset":
            continue
        where = f"dataset {id_} {version}"
        if not data_path:
            add(Finding("data", "no data file is recorded", where))
            continue
        path = data_root / data_path
        if not path.is_file():
            add(Finding("data", f"data file {data_path} is missing", where))
            continue
        actual = path.stat().st_size
        if size is not None and actual != size:
            add(Finding("data", f"{data_path} has {actual:,} bytes; {size:,} were recorded", where))
            continue
        if hashes and sha256:
            _, digest = file_digest(path)
            checked_bytes += actual
            if digest != sha256:
                add(Finding("data", f"{data_path} does not have its recorded SHA-256", where))
    report.counted["data_bytes_hashed"] = checked_bytes

    for dim_id, version, expected in _record_counts(con):
        stored = con.execute(
            "SELECT count(*) FROM dimension_records WHERE dimension_id = ? AND version = ?",
            (dim_id, version),
        ).fetchone()[0]
        if expected is not None and stored != expected:
            add(
                Finding(
                    "records",
                    f"{stored} records stored; {expected} were recorded",
                    f"dimension {dim_id} {version}",
                )
            )

    known = {(i, v) for k, i, v, *_ in versions if k == "dataset"}
    for folder in registry.data.unfinished(known):
        relative = folder.relative_to(registry.path)
        what = (
            "staged files of a registration that never finished"
            if folder.parent.name == STAGING
            else "a data folder no database row knows (a registration that never finished)"
        )
        add(Finding("leftovers", f"{what}; removed at the next write", str(relative)))
    from dsgrid_core.query.cache import ResultCache

    for folder in ResultCache(registry.path).unfinished():
        add(
            Finding(
                "leftovers",
                "a query result that was never finished; removed at the next write",
                str(folder.relative_to(registry.path)),
            )
        )
    add_job_findings(registry.path, add)
    return report


def _record_counts(con):
    import json

    for dim_id, version, extra in con.execute(
        "SELECT id, version, extra FROM versions WHERE kind = 'dimension'"
    ).fetchall():
        yield dim_id, version, json.loads(extra or "{}").get("record_count")


def add_job_findings(registry_path: Path, add) -> None:
    import sqlite3

    db = Path(registry_path) / "registry.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT id, pid FROM jobs WHERE status IN ('queued', 'running')"
        ).fetchall()
    except sqlite3.OperationalError:  # no jobs table yet
        rows = []
    finally:
        con.close()
    from dsgrid_core.jobs.store import _alive

    for job_id, pid in rows:
        if pid is not None and not _alive(pid):
            add(Finding("jobs", "marked running, but its process is gone", f"job {job_id}"))


def recover(registry) -> dict[str, int]:
    """Remove the leftovers of work that never finished and mark interrupted jobs failed (run
    when a registry is opened for writing); returns what was done."""
    import shutil

    from dsgrid_core.query.cache import ResultCache

    con = registry.store.con
    known = {
        (r[0], r[1]) for r in con.execute("SELECT id, version FROM versions WHERE kind = 'dataset'")
    }
    removed = registry.data.clean_unfinished(known)
    results = ResultCache(registry.path).unfinished()
    for folder in results:
        shutil.rmtree(folder, ignore_errors=True)
    marked = 0
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'jobs'").fetchone():
        from dsgrid_core.jobs.store import JobStore

        store = JobStore(registry.path)
        try:
            marked = store.mark_interrupted()
        finally:
            store.close()
    return {"data_folders": len(removed), "query_results": len(results), "jobs": marked}
