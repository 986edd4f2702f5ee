"""Checking a whole bulk registration file before anything is written.

Each registration in a bulk file commits on its own; a file refused half-way would leave the
registry with some of its entries and break the promise of exit code 2 ("nothing changed").
So every entry is looked at first, without writing: its config exists, loads and registers
the id the entry names, nothing is registered twice, referenced dimensions, projects and
datasets exist (in the registry or earlier in the file), data and mapping files are there.
Every problem found is reported at once. What cannot be known without doing the work (a data
check) is left to the registration itself (see dsgrid_core.registry.bulk)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from dsgrid_core.config.base import LegacyKeyWarning, slugify
from dsgrid_core.config.bulk import BulkRegistration
from dsgrid_core.config.dataset import DatasetConfig
from dsgrid_core.config.files import PathResolver
from dsgrid_core.config.load import load_config
from dsgrid_core.config.mapping import DatasetMappingsFile
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.config.source import ConfigSource
from dsgrid_core.errors import InputError, NotFoundError
from dsgrid_core.registry.components import prepare_dimension
from dsgrid_core.registry.register_dimensions import resolve_prepared
from dsgrid_core.registry.register_project import plan_project


@dataclass
class BulkStep:
    """One registration of the file, with its files resolved."""

    kind: str  # project, dataset, submission
    id: str  # as shown: the component id, or "dataset -> project"
    where: str  # the entry in the bulk file, e.g. "datasets[1]"
    config_file: Path | None = None
    data_path: Path | None = None
    mapping_files: list[Path] = field(default_factory=list)  # new mappings, then references
    project_id: str = ""
    dataset_id: str = ""
    log_message: str | None = None  # the entry's own, if it gives one
    has_mapping_file: bool = False  # mapping_files[0] is the dimension_mapping_file
    autogen_reverse: list[str] = field(default_factory=list)  # submission: dimension types

    def shown(self) -> str:
        return f"{self.kind} {self.id} ({self.where})"


@dataclass
class _Declared:
    """What the file itself will register, for references to it from later entries."""

    projects: dict[str, ProjectConfig] = field(default_factory=dict)
    datasets: set[str] = field(default_factory=set)
    dimensions: set[tuple[str, str]] = field(default_factory=set)  # (type, name)

    def add_dimensions(self, configs) -> None:
        self.dimensions |= {(c.type.value, c.name) for c in configs}

    def has_dimension(self, ref) -> bool:
        if ref.name is not None:
            return (ref.type.value, ref.name) in self.dimensions
        # by id: registered ids are the name's slug, possibly with the type appended
        slugs = {slugify(n) for t, n in self.dimensions if t == ref.type.value}
        return any(str(ref.dimension_id).startswith(s) for s in slugs)


def check_bulk(registry, bulk_file: Path, roots: list[Path]) -> list[BulkStep]:
    """The file's registrations in the order they run; raises one InputError listing every
    problem found (exit code 2: nothing was written).

    Legacy-key notices of the configs are held back unless the check refuses the file: the
    registrations load the same configs again and show them then."""
    refused: InputError | None = None
    steps: list[BulkStep] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LegacyKeyWarning)
        try:
            steps = _check_bulk(registry, bulk_file, roots)
        except InputError as exc:
            refused = exc
    shown = dict.fromkeys(
        (str(w.message), w.category)
        for w in caught
        if refused is not None or not issubclass(w.category, LegacyKeyWarning)
    )
    for message, category in shown:
        warnings.warn(message, category, stacklevel=2)
    if refused is not None:
        raise refused
    return steps


def _check_bulk(registry, bulk_file: Path, roots: list[Path]) -> list[BulkStep]:
    bulk, _ = load_config(BulkRegistration, bulk_file)
    resolver = PathResolver(bulk_file.parent.resolve(), roots)
    declared = _Declared()
    problems: list[str] = []
    steps: list[BulkStep] = []

    def resolve(value: str, where: str, name: str) -> Path | None:
        try:
            return resolver.resolve(value, field=f"{where}.{name}", config_file=bulk_file)
        except InputError as exc:
            problems.append(_strip(exc.message, bulk_file))
            return None

    for i, entry in enumerate(bulk.projects):
        where = f"projects[{i}]"
        path = resolve(entry.config_file, where, "config_file")
        step = BulkStep(
            "project", entry.project_id, where, config_file=path, log_message=entry.log_message
        )
        steps.append(step)
        if path is not None:
            problems += _check_project(registry, entry, where, path, roots, declared, i)
    for i, entry in enumerate(bulk.datasets):
        where = f"datasets[{i}]"
        path = resolve(entry.config_file, where, "config_file")
        data_path = (
            resolve(entry.dataset_path, where, "dataset_path") if entry.dataset_path else None
        )
        steps.append(
            BulkStep(
                "dataset",
                entry.dataset_id,
                where,
                config_file=path,
                data_path=data_path,
                log_message=entry.log_message,
            )
        )
        if path is not None:
            problems += _check_dataset(registry, entry, where, path, data_path, roots, declared)
    for i, entry in enumerate(bulk.dataset_submissions):
        where = f"dataset_submissions[{i}]"
        files = [
            resolve(value, where, name)
            for name, value in (
                ("dimension_mapping_file", entry.dimension_mapping_file),
                ("dimension_mapping_references_file", entry.dimension_mapping_references_file),
            )
            if value
        ]
        step = BulkStep(
            "submission",
            f"{entry.dataset_id} -> {entry.project_id}",
            where,
            mapping_files=[f for f in files if f is not None],
            project_id=entry.project_id,
            dataset_id=entry.dataset_id,
            log_message=entry.log_message,
            autogen_reverse=[t.value for t in entry.autogen_reverse_supplemental_mappings],
            has_mapping_file=entry.dimension_mapping_file is not None,
        )
        steps.append(step)
        problems += _check_submission(registry, step, declared)
    if problems:
        raise InputError(
            f"{bulk_file}: {len(problems)} problem(s) found before registering anything; "
            "nothing was registered. Fix them and run the command again.",
            details=problems,
        )
    return steps


def _strip(message: str, bulk_file: Path) -> str:
    return message.removeprefix(f"{bulk_file}: ")


def _check_project(registry, entry, where, path, roots, declared, index) -> list[str]:
    try:
        config, _ = load_config(ProjectConfig, path)
    except InputError as exc:
        return [f"{where}: {exc}"]
    problems = []
    if config.project_id != entry.project_id:
        problems.append(
            f"{where}: project_id is '{entry.project_id}' but {path} registers project "
            f"'{config.project_id}'; make them the same."
        )
    if registry.store.get_component("project", config.project_id) is not None:
        problems.append(
            f"{where}: project '{config.project_id}' is already registered; remove the entry "
            "(or update the project with `dsgrid registry projects update`)."
        )
    try:
        # reads only: files, records, references
        plan_project(registry, ConfigSource.from_file(path), data_roots=roots)
    except NotFoundError as exc:
        if index == 0:  # a later project may use what an earlier one registers
            problems.append(f"{where}: {exc}")
    except InputError as exc:
        problems.append(f"{where}: {exc}")
    declared.projects[config.project_id] = config
    dims = config.dimensions
    declared.add_dimensions([*dims.base_dimensions, *dims.supplemental_dimensions])
    for subset in dims.subset_dimensions:
        declared.dimensions.add((subset.type.value, subset.name))
        declared.dimensions |= {(subset.type.value, s.name) for s in subset.selectors}
    return problems


def _check_dataset(registry, entry, where, path, data_path, roots, declared) -> list[str]:
    try:
        config, _ = load_config(DatasetConfig, path)
    except InputError as exc:
        return [f"{where}: {exc}"]
    problems = []
    if config.dataset_id != entry.dataset_id:
        problems.append(
            f"{where}: dataset_id is '{entry.dataset_id}' but {path} registers dataset "
            f"'{config.dataset_id}'; make them the same."
        )
    if registry.store.get_component("dataset", config.dataset_id) is not None:
        problems.append(
            f"{where}: dataset '{config.dataset_id}' is already registered; remove the entry "
            "(or update the dataset with `dsgrid registry datasets update`)."
        )
    resolver = PathResolver(path.parent, roots)
    try:
        _resolve_data_files(config, path, resolver, data_path)
        for j, dim in enumerate(config.dimensions):
            prep = prepare_dimension(dim, resolver, path, f"dimensions[{j}]")
            resolve_prepared(registry, prep, allow_reuse=True)  # refuses conflicting content
    except InputError as exc:
        problems.append(f"{where}: {exc}")
    for ref in config.dimension_references:
        if declared.has_dimension(ref):
            continue
        try:
            registry.find_dimension(ref.type.value, ref.name, ref.version, ref.dimension_id)
        except InputError as exc:
            problems.append(f"{where}: {path}: {exc}")
    declared.datasets.add(config.dataset_id)
    declared.add_dimensions(config.dimensions)
    return problems


def _resolve_data_files(config: DatasetConfig, path, resolver, data_path) -> None:
    """The files plan_dataset will read, found now (each raises InputError when absent)."""
    from dsgrid_core.registry.register_dataset import _find_table  # late: sqlglot

    layout = config.data_layout
    if layout.data_file is not None:
        resolver.resolve(
            layout.data_file.path, field="data_layout.data_file.path", config_file=path
        )
        if layout.lookup_data_file is not None:
            resolver.resolve(
                layout.lookup_data_file.path,
                field="data_layout.lookup_data_file.path",
                config_file=path,
            )
    elif data_path is not None:
        _find_table(data_path, "load_data", path)
        if layout.table_format == "two_table":
            _find_table(data_path, "load_data_lookup", path)
    else:
        raise InputError(
            f"{path}: no data_layout.data_file; give the folder holding load_data (and "
            "load_data_lookup) as the entry's dataset_path."
        )
    for name in ("missing_associations", "expected_associations"):
        for p in getattr(layout, name):
            resolver.resolve(p, field=f"data_layout.{name}", config_file=path)


def _check_submission(registry, step: BulkStep, declared: _Declared) -> list[str]:
    where, project_id, dataset_id = step.where, step.project_id, step.dataset_id
    problems = []
    for path in step.mapping_files:
        try:
            load_config(DatasetMappingsFile, path)
        except InputError as exc:
            problems.append(f"{where}: {exc}")
    if dataset_id not in declared.datasets and not registry.store.get_component(
        "dataset", dataset_id
    ):
        problems.append(
            f"{where}: dataset '{dataset_id}' is neither registered nor listed in datasets."
        )
    config = declared.projects.get(project_id)
    if config is None:
        summary = registry.store.get_component("project", project_id)
        if summary is None:
            return [
                *problems,
                f"{where}: project '{project_id}' is neither registered nor listed in projects.",
            ]
        record = registry.store.get_version("project", project_id, summary.version)
        config = ProjectConfig.model_validate(record.config)
        status = record.extra.get("datasets", {}).get(dataset_id, {})
        if status.get("status") == "Registered":
            problems.append(
                f"{where}: dataset '{dataset_id}' is already submitted to project "
                f"'{project_id}' (project version {summary.version}); remove the entry."
            )
    if config.dataset(dataset_id) is None:
        listed = ", ".join(d.dataset_id for d in config.datasets) or "none"
        problems.append(
            f"{where}: project '{project_id}' does not expect dataset '{dataset_id}' (it "
            f"expects: {listed})."
        )
    return problems
