"""Changing a registered project the way dsgrid-toolkit 0.4's project commands do: add subset
dimensions or supplemental dimensions from their own files, replace datasets' dimension
requirements, and register a dataset and submit it in one step.

Why: users' dsgrid scripts call these commands; they run here with only the registry location
changed. Each change is made as a project update: the current version is written out as a
config we read back (`dump`), the additions are merged into it, and the result goes through
the same planning and checks as `dsgrid registry projects update`, in one transaction. A
refused change leaves the registry exactly as it was.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dsgrid_core.config.files import load_json5
from dsgrid_core.config.source import ConfigSource
from dsgrid_core.errors import InputError
from dsgrid_core.registry import versions as semver
from dsgrid_core.registry.dump import dump_component
from dsgrid_core.registry.store import Dependency

UPDATE_TYPES = ("major", "minor", "patch")


def _absolute(value: str | None, folder: Path) -> str | None:
    if value is None or Path(value).is_absolute():
        return value
    return str((folder / value).resolve())


def _listed(data: dict[str, Any], key: str, file: Path) -> list[dict[str, Any]]:
    items = data.get(key)
    unknown = sorted(set(data) - {key})
    if not isinstance(items, list) or not items or unknown:
        extra = f"; unknown key(s) {', '.join(unknown)}" if unknown else ""
        raise InputError(f"{file}: expected {{{key}: [...]}} with at least one entry{extra}.")
    return items


def _subsets(file: Path) -> list[dict[str, Any]]:
    items = _listed(load_json5(file), "subset_dimensions", file)
    for item in items:
        for key in ("filename", "file"):
            if key in item:
                item[key] = _absolute(item[key], file.parent)
    return items


def _supplementals(file: Path) -> list[dict[str, Any]]:
    items = _listed(load_json5(file), "supplemental_dimensions", file)
    for item in items:
        item["file"] = _absolute(item.get("file"), file.parent)
        mapping = item.get("mapping")
        if isinstance(mapping, dict):
            mapping["file"] = _absolute(mapping.get("file"), file.parent)
    return items


def _requirements(file: Path) -> list[dict[str, Any]]:
    items = _listed(load_json5(file), "dataset_dimension_requirements", file)
    for i, item in enumerate(items):
        if set(item) != {"dataset_id", "required_dimensions"}:
            raise InputError(
                f"{file}: dataset_dimension_requirements[{i}] needs exactly dataset_id and "
                f"required_dimensions (it has {', '.join(sorted(item))})."
            )
    return items


def _datasets(file: Path) -> list[dict[str, Any]]:
    items = _listed(load_json5(file), "datasets", file)
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("dataset_id"):
            raise InputError(f"{file}: datasets[{i}] needs a dataset_id.")
        if item.get("status", "Unregistered") != "Unregistered":
            raise InputError(
                f"{file}: datasets[{i}] ('{item['dataset_id']}'): a dataset added to a project "
                f"starts unregistered, not '{item['status']}'."
            )
    return items


def _merge(config: dict[str, Any], action: str, items: list[dict[str, Any]], file: Path) -> None:
    dims = config.setdefault("dimensions", {})
    if action == "subset":
        names = {s["name"] for s in dims.get("subset_dimensions", [])}
        taken = sorted(names & {s.get("name") for s in items})
        if taken:
            raise InputError(
                f"{file}: the project already has subset dimension(s) {', '.join(taken)}."
            )
        dims.setdefault("subset_dimensions", []).extend(items)
    elif action == "supplemental":
        dims.setdefault("supplemental_dimensions", []).extend(items)
    elif action == "datasets":
        present = {d["dataset_id"] for d in config.get("datasets", [])}
        listed = [i["dataset_id"] for i in items]
        again = sorted({d for d in listed if d in present or listed.count(d) > 1})
        if again:
            raise InputError(
                f"{file}: dataset(s) {', '.join(again)} are already in the project (or listed "
                "twice). Nothing was changed."
            )
        config.setdefault("datasets", []).extend(items)
    else:
        by_id = {d["dataset_id"]: d for d in config.get("datasets", [])}
        for item in items:
            entry = by_id.get(item["dataset_id"])
            if entry is None:
                raise InputError(
                    f"{file}: dataset '{item['dataset_id']}' is not in the project (it "
                    f"expects {', '.join(by_id) or 'none'}). Nothing was changed."
                )
            entry["required_dimensions"] = item["required_dimensions"]


def change_project(
    registry,
    project_id: str,
    file: Path,
    action: str,
    log_message: str,
    update_type: str,
) -> dict[str, Any]:
    """Apply ``action`` ('subset', 'supplemental', 'requirements' or 'datasets') from
    ``file`` to the project's current version; returns the new version.

    Datasets whose requirements are replaced and that were submitted go back to unregistered:
    they must be submitted again against the new requirements (as the reference does)."""
    if update_type not in UPDATE_TYPES:
        raise InputError(f"--update-type must be one of {', '.join(UPDATE_TYPES)}.")
    file = Path(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file.")
    readers = {
        "subset": _subsets,
        "supplemental": _supplementals,
        "requirements": _requirements,
        "datasets": _datasets,
    }
    items = readers[action](file)
    current = registry.get("project", project_id)
    with tempfile.TemporaryDirectory(prefix="dsgrid-project-") as tmp:
        folder = dump_component(registry, "project", project_id, Path(tmp), None)
        config_file = folder / "project.json5"
        config = json.loads(config_file.read_text(encoding="utf-8"))
        _merge(config, action, items, file)
        config_file.write_text(json.dumps(config, indent=2), encoding="utf-8")
        unregister = {i["dataset_id"] for i in items} if action == "requirements" else set()
        version = _store_update(
            registry,
            project_id,
            config_file,
            current.version,
            update_type,
            log_message,
            data_roots=[file.parent.resolve()],
            unregister=unregister,
        )
    return {"project_id": project_id, "version": version, "previous": current.version}


def _store_update(
    registry,
    project_id: str,
    config_file: Path,
    expected: str,
    update_type: str,
    log_message: str,
    *,
    data_roots,
    unregister: set[str],
) -> str:
    """A new project version from ``config_file``, planned and checked as `projects update`
    does. Submitted datasets stay submitted, except those in ``unregister`` (their
    requirements changed: they are submitted again against the new ones)."""
    from dsgrid_core.registry.register_project import (  # late: pydantic
        plan_project,
        store_project_version,
    )

    if not log_message:
        raise InputError("give a --log-message saying what changed.")
    plan = plan_project(registry, ConfigSource.from_file(config_file), data_roots=data_roots)
    current = registry.show("project", project_id, expected)
    status = {
        k: v
        for k, v in current.extra.get("datasets", {}).items()
        if plan.config.dataset(k) is not None and k not in unregister
    }
    deps = []
    for ds_id, info in status.items():
        entry = plan.config.dataset(ds_id)
        entry.status, entry.version = "Registered", info["version"]
        entry.mapping_references = info.get("mappings", [])
        deps.append(Dependency("dataset", ds_id, info["version"]))
        deps += [
            Dependency("dimension_mapping", m["mapping_id"], m["version"])
            for m in info.get("mappings", [])
        ]
    for ds_id in unregister:
        entry = plan.config.dataset(ds_id)
        entry.status, entry.version, entry.mapping_references = "Unregistered", None, []
    new_version = semver.bump(expected, update_type)
    with registry._transaction():
        registry._check_current("project", project_id, expected)
        store_project_version(
            registry, plan, new_version, log_message, new=False, status=status, extra_deps=deps
        )
    return new_version


def register_and_submit(
    registry,
    config_file: Path,
    project_id: str,
    log_message: str,
    *,
    mapping_file: Path | None = None,
    references_file: Path | None = None,
    data_base_dir: Path | None = None,
    associations_base_dir: Path | None = None,
    data_roots=(),
    progress=None,
    autogen_reverse: Sequence[str] = (),
) -> dict[str, Any]:
    """Register the dataset of ``config_file`` and submit it to ``project_id``. If the
    submission is refused, the dataset and the dimensions registered with it are removed
    again: the registry is left as it was."""
    config_file = Path(config_file)
    if data_base_dir is not None or associations_base_dir is not None:
        return _with_base_dirs(
            registry,
            config_file,
            project_id,
            log_message,
            mapping_file=mapping_file,
            references_file=references_file,
            data_base_dir=data_base_dir,
            associations_base_dir=associations_base_dir,
            data_roots=data_roots,
            progress=progress,
            autogen_reverse=autogen_reverse,
        )
    plan = registry.register_dataset(
        config_file, log_message, data_roots=data_roots, progress=progress
    )
    dataset_id = plan.config.dataset_id
    try:
        result = registry.submit_dataset(
            project_id,
            dataset_id,
            mapping_file,
            log_message,
            data_roots=data_roots,
            references_file=references_file,
            progress=progress,
            autogen_reverse=autogen_reverse,
        )
    except BaseException:
        registry.remove("dataset", dataset_id)
        for prep in plan.new_dimensions:
            if not prep.reused and registry.store.get_component("dimension", prep.id):
                registry.remove("dimension", prep.id)
        raise
    return {"dataset_id": dataset_id, "dataset_version": "1.0.0", **result}


def _with_base_dirs(
    registry, config_file: Path, project_id: str, log_message: str, **kw
) -> dict[str, Any]:
    """dsgrid's -D/-A: relative data (and association) paths are taken from those folders.
    The config is copied beside the original with the paths made absolute (its dimension
    files stay relative to its folder), registered, and the copy removed."""
    data_dir, assoc_dir = kw.pop("data_base_dir"), kw.pop("associations_base_dir")
    data = load_json5(config_file)
    layout = data.get("data_layout")
    if not isinstance(layout, dict):
        raise InputError(f"{config_file}: --data-base-dir needs a data_layout in the config.")
    if data_dir is not None:
        for key in ("data_file", "lookup_data_file"):
            entry = layout.get(key)
            if isinstance(entry, dict) and entry.get("path"):
                entry["path"] = _absolute(entry["path"], Path(data_dir))
    if assoc_dir is not None:
        for key in ("missing_associations", "expected_associations"):
            layout[key] = [_absolute(p, Path(assoc_dir)) for p in layout.get(key) or []]
    roots = [*kw.pop("data_roots"), *(Path(d).resolve() for d in (data_dir, assoc_dir) if d)]
    copy = config_file.with_name(f".{config_file.stem}.dsgrid-base-dirs.json5")
    copy.write_text(json.dumps(data, indent=2), encoding="utf-8")
    try:
        return register_and_submit(registry, copy, project_id, log_message, data_roots=roots, **kw)
    finally:
        copy.unlink(missing_ok=True)
