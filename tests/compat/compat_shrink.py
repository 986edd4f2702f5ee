"""A real project repository made small and current, so that both tools can register it whole
with data generated for its configs.

A real project (StandardScenarios: 3,108 counties, a year of hours) has no data in the corpus,
and its data at full size would take hours; and dsgrid 0.4 refuses it as shipped only because
its county records name time zones the old way. So, from a bulk-registration file:

* **current**: every ``time_zone`` column of a records CSV gets the IANA name of a legacy
  dsgrid zone name (the reading our notice names), and the bulk file loses ``dataset_path``
  (0.4 dropped it; the generated data sit where each config's ``data_layout`` says);
* **small**: the project's geography is cut to one group of records that the datasets'
  geography mappings tie together by shares (a state's counties when a dataset spreads a state
  over its counties by population), the smallest such group with at least two records; every
  records and mapping file follows. A dataset dimension with a mapping to the project keeps one
  record for each project record it maps to (a minimal cover), so the project's requirements
  still hold. Nothing else changes: time, the other project dimensions, the requirements.

Then compat_generate.py writes each dataset's data; a dataset that would still be larger than
``MAX_ROWS`` stacked rows is skipped with the reason (said in the plan)."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import json5
from compat_generate import (
    LEGACY_ZONES,
    NotGenerated,
    dim_type_of,
    dimensions_of,
    rows_of,
    write_data,
)

MAX_ROWS = 2_000_000


@dataclass
class SmallProject:
    """What small_project made: the project config, the datasets in registration order (each
    with its mappings file and autogen types) and the datasets left out, with why."""

    root: Path  # the repository copy (its configs share files across its folders)
    project: Path
    project_id: str
    datasets: list[dict] = field(default_factory=list)  # dataset_id, config, mappings, autogen
    skipped: dict[str, str] = field(default_factory=dict)
    geography: list[str] = field(default_factory=list)  # the project geography records kept


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


def _keep_rows(path: Path, keep) -> None:
    columns, rows = _read(path)
    _write(path, columns, [r for r in rows if keep(r)])


def _modern_time_zones(root: Path) -> None:
    for path in root.rglob("*.csv"):
        columns, rows = _read(path)
        if "time_zone" not in columns:
            continue
        if any(r["time_zone"] in LEGACY_ZONES for r in rows):
            for r in rows:
                r["time_zone"] = LEGACY_ZONES.get(r["time_zone"], r["time_zone"])
            _write(path, columns, rows)


def _current_dimensions(config_path: Path) -> None:
    """What older dataset configs write and our notices name the current form of, written in
    that form (the reference refuses the old one): a dimension without its type gets its
    record class's type; a time zone given by its legacy dsgrid name gets the IANA name."""
    from dsgrid_core.config.dimension import RECORD_CLASSES

    config = json5.loads(config_path.read_text(encoding="utf-8"))
    changed = False
    for dim in config.get("dimensions", []):
        record_class = RECORD_CLASSES.get(dim.get("class", ""))
        if not dim.get("type") and record_class is not None:
            dim["type"] = record_class.dimension_type
            changed = True
        if dim.get("timezone") in LEGACY_ZONES:
            dim["timezone"] = LEGACY_ZONES[dim["timezone"]]
            changed = True
    if changed:
        config_path.write_text(json.dumps(config, indent=1), encoding="utf-8")


def _repo_root(bulk_file: Path, bulk: dict) -> Path:
    """The folder the bulk file's config paths are relative to (the reference's CLI takes it
    as --repo-base-dir): the nearest ancestor where they exist."""
    first = bulk["projects"][0]["config_file"]
    for folder in [bulk_file.parent, *bulk_file.parents]:
        if (folder / first).exists():
            return folder
    raise NotGenerated(f"no folder above {bulk_file} holds {first}")


class _Groups:
    """Union-find over ("p", project id) and ("d", dataset, id) nodes."""

    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, node):
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, a, b) -> None:
        self.parent[self.find(a)] = self.find(b)


def _dataset_mappings(mapping_file: Path | None) -> dict[str, Path]:
    """Dimension type -> the mapping records file of a dataset's mappings file."""
    if mapping_file is None or not mapping_file.exists():
        return {}
    data = json5.loads(mapping_file.read_text(encoding="utf-8"))
    out = {}
    for m in data.get("mappings", []):
        file = m.get("file") or m.get("filename")
        if file:
            out[m["dimension_type"]] = (mapping_file.parent / file).resolve()
    return out


def _own_dimension(config: dict, folder: Path, dim_type: str) -> Path | None:
    for dim in config.get("dimensions", []):
        if dim_type_of(dim) == dim_type and dim.get("file"):
            return (folder / dim["file"]).resolve()
    return None


def _pick_geography(project_ids: list[str], entries: list[dict]) -> set[str]:
    groups = _Groups()
    for pid in project_ids:
        groups.find(("p", pid))
    for entry in entries:
        file = entry["maps"].get("geography")
        if file is None:
            continue
        for r in _read(file)[1]:
            # a share (from_fraction below 1) splits a record over several: keep them all;
            # a record applied whole to many (growth factors by region) ties nothing
            if r.get("to_id") and float(r.get("from_fraction") or 1) != 1:
                groups.join(("d", str(file), r["from_id"]), ("p", r["to_id"]))
    members: dict = {}
    for pid in project_ids:
        members.setdefault(groups.find(("p", pid)), []).append(pid)
    found = sorted(members.values(), key=lambda m: (len(m), min(m)))
    return set(found[0])


def _shrink_project(project: dict, folder: Path, keep: set[str]) -> set[Path]:
    """Cut the project's geography records and its geography supplementals; return the files
    changed."""
    dims = project["dimensions"]
    changed: set[Path] = set()
    for dim in dims.get("base_dimensions", []):
        if dim["type"] == "geography":
            _keep_rows(folder / dim["file"], lambda r: r["id"] in keep)
            changed.add((folder / dim["file"]).resolve())
    for dim in dims.get("supplemental_dimensions", []):
        mapping = dim.get("mapping") or {}
        if dim["type"] != "geography" or not mapping.get("file"):
            continue
        mapping_file = folder / mapping["file"]
        _keep_rows(mapping_file, lambda r: r["from_id"] in keep)
        reached = {r["to_id"] for r in _read(mapping_file)[1]}
        _keep_rows(folder / dim["file"], lambda r, reached=reached: r["id"] in reached)
        changed |= {mapping_file.resolve(), (folder / dim["file"]).resolve()}
    return changed


def _shrink_dataset(entry: dict, keep: set[str], done: set[Path]) -> None:
    config_path: Path = entry["config"]
    config = json5.loads(config_path.read_text(encoding="utf-8"))
    for dim_type, file in entry["maps"].items():
        records = _own_dimension(config, config_path.parent, dim_type)
        rows = _read(file)[1]
        if dim_type == "geography":
            used = {r["from_id"] for r in rows if r.get("to_id") in keep}
        else:  # one record for each project record it reaches: the smallest id
            first: dict[str, str] = {}
            for r in rows:
                if r.get("to_id"):
                    first[r["to_id"]] = min(first.get(r["to_id"], r["from_id"]), r["from_id"])
            used = set(first.values())
        if file not in done:
            if dim_type == "geography":  # the cut project: rows to kept records only
                _keep_rows(file, lambda r: r.get("to_id") in keep)
            else:
                _keep_rows(file, lambda r, used=used: r["from_id"] in used)
            done.add(file)
        if records is not None and records not in done:
            _keep_rows(records, lambda r, used=used: r["id"] in used)
            done.add(records)
    geography = _own_dimension(config, config_path.parent, "geography")
    if "geography" not in entry["maps"] and geography is not None and geography not in done:
        # records of the project's own geography (no mapping needed): the same cut; records
        # of another level (a supplemental dimension's file) are left to the project's cut
        ids = {r["id"] for r in _read(geography)[1]}
        if ids & keep:
            _keep_rows(geography, lambda r: r["id"] in keep)
            done.add(geography)


def small_project(bulk_file: Path, out: Path) -> SmallProject:
    """Copy the repository of ``bulk_file`` to ``out`` made small and current (module doc),
    write data for every dataset it registers, and return the plan."""
    bulk = json5.loads(bulk_file.read_text(encoding="utf-8"))
    root = _repo_root(bulk_file, bulk)
    shutil.copytree(root, out, ignore=shutil.ignore_patterns(".git", "*.parquet"))
    _modern_time_zones(out)
    project_path = out / bulk["projects"][0]["config_file"]
    project = json5.loads(project_path.read_text(encoding="utf-8"))
    submissions = {s["dataset_id"]: s for s in bulk.get("dataset_submissions", [])}
    entries = []
    for ds in bulk.get("datasets", []):
        sub = submissions.get(ds["dataset_id"], {})
        mapping_file = (
            out / sub["dimension_mapping_file"] if sub.get("dimension_mapping_file") else None
        )
        entries.append(
            {
                "dataset_id": ds["dataset_id"],
                "config": (out / ds["config_file"]).resolve(),
                "mappings": mapping_file,
                "maps": _dataset_mappings(mapping_file),
                "autogen": list(sub.get("autogen_reverse_supplemental_mappings", [])),
                "submitted": ds["dataset_id"] in submissions,
            }
        )
    geography = next(
        d for d in project["dimensions"]["base_dimensions"] if d["type"] == "geography"
    )
    project_ids = [r["id"] for r in _read(project_path.parent / geography["file"])[1]]
    keep = _pick_geography(project_ids, entries)
    done = _shrink_project(project, project_path.parent, keep)
    for entry in entries:
        _current_dimensions(entry["config"])
        _shrink_dataset(entry, keep, done)
    plan = SmallProject(out, project_path, project["project_id"], geography=sorted(keep))
    for entry in entries:
        config = json5.loads(entry["config"].read_text(encoding="utf-8"))
        try:
            dims = dimensions_of(config, entry["config"].parent, project, project_path.parent)
            rows = rows_of(config, dims)
            if rows > MAX_ROWS:
                raise NotGenerated(f"{rows:,} stacked rows even when small (over {MAX_ROWS:,})")
            write_data(entry["config"], project_path)
        except NotGenerated as exc:
            plan.skipped[entry["dataset_id"]] = str(exc)
            continue
        if entry["submitted"]:
            plan.datasets.append(
                {
                    "dataset_id": entry["dataset_id"],
                    "config": str(entry["config"]),
                    "mappings": str(entry["mappings"]) if entry["mappings"] else None,
                    "autogen": entry["autogen"],
                }
            )
    (out / "small_project_plan.json").write_text(
        json.dumps({"datasets": plan.datasets, "skipped": plan.skipped}, indent=1),
        encoding="utf-8",
    )
    return plan
