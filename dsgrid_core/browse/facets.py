"""The class and status of components, as list fields and facets: what each kind of component
can be filtered by besides its text, which values each facet takes, and how many components
each value would leave (one grouped count per facet).

From dsgrid's data model (the configs as registered):

- ``type``: a dimension's or a mapping's dimension type (a mapping joins two dimensions of one
  type); a dataset's ``dataset_type`` (modeled, historical, benchmark, unspecified). Projects
  have none.
- ``class``: a dimension's record class (its config's ``class``: County, EnergyEndUse, ...;
  dsgrid's default for the type when the config names none); a mapping's ``mapping_type``
  (one_to_one, many_to_one_aggregation, ...: how its records may combine, what someone
  choosing a mapping filters by). Datasets and projects have none.
- ``status``: a project's ``status`` (Initial Registration, In Progress, Complete, Published,
  Deprecated); a dataset's status in the projects that list it, from their latest versions:
  ``Registered`` when submitted to at least one, ``Unregistered`` when listed by some and
  submitted to none, ``Not in a project`` when no project lists it. Dimensions and mappings
  have none.
- ``project``: the components a project's latest version uses (every kind but projects).

Pure over a registry: no web, no I/O beyond the registry's reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, get_args

from dsgrid_core.browse.paging import AnyOf, Filter
from dsgrid_core.config.dataset import DatasetConfig
from dsgrid_core.config.dimension import DEFAULT_CLASS, DIMENSION_TYPES, RECORD_CLASSES
from dsgrid_core.config.mapping import MappingBase, MappingType
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.errors import InputError

REGISTERED, UNREGISTERED, NOT_IN_PROJECT = "Registered", "Unregistered", "Not in a project"
DATASET_TYPES: tuple[str, ...] = get_args(DatasetConfig.model_fields["dataset_type"].annotation)
DATASET_STATUSES = (REGISTERED, UNREGISTERED, NOT_IN_PROJECT)
PROJECT_STATUSES: tuple[str, ...] = get_args(ProjectConfig.model_fields["status"].annotation)
PROJECT_DEFAULT_STATUS: str = ProjectConfig.model_fields["status"].default
MAPPING_TYPES = tuple(t.value for t in MappingType)
MAPPING_DEFAULT_TYPE = MappingBase.model_fields["mapping_type"].default.value
RECORD_CLASS_NAMES = tuple(sorted(RECORD_CLASSES))

# the facets a list filters by, in the order pages show them
FACETS = ("type", "class", "status", "project")

# kind -> facet -> the values it takes (in the order they are shown)
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "project": {"status": PROJECT_STATUSES},
    "dataset": {"type": DATASET_TYPES, "status": DATASET_STATUSES},
    "dimension": {"type": DIMENSION_TYPES, "class": RECORD_CLASS_NAMES},
    "dimension_mapping": {"type": DIMENSION_TYPES, "class": MAPPING_TYPES},
}

# every value any kind takes, per facet (what the API's document lists)
ALL_TYPES = tuple(dict.fromkeys((*DIMENSION_TYPES, *DATASET_TYPES)))
ALL_CLASSES = tuple(dict.fromkeys((*RECORD_CLASS_NAMES, *MAPPING_TYPES)))
ALL_STATUSES = tuple(dict.fromkeys((*PROJECT_STATUSES, *DATASET_STATUSES)))


def _plural(kind: str) -> str:
    return kind.replace("_", " ") + "s"


def check_choices(kind: str | None, chosen: dict[str, str | None]) -> dict[str, str | None]:
    """``chosen`` (facet -> value or None), checked: an InputError naming the parameter and the
    values it takes when a value is not one of them (spelt as dsgrid does), or when the kind
    has no such facet."""
    out = dict(chosen)
    for name in ("type", "class", "status"):
        value = chosen.get(name)
        if not value or kind is None:
            continue
        allowed = CHOICES[kind].get(name)
        if allowed is None:
            has = [
                f for f in FACETS if f in CHOICES[kind] or (f == "project" and kind != "project")
            ]
            raise InputError(
                f"{name}: {_plural(kind)} have no {name}; filter them by {', '.join(has)}."
            )
        if value not in allowed:
            raise InputError(
                f"{name} '{value}' is not a {kind.replace('_', ' ')} {name}; use one of "
                f"{', '.join(allowed)}."
            )
    return out


def dimension_class(config: dict[str, Any], type: str | None) -> str | None:
    """The record class a dimension config names, or dsgrid's default for its type."""
    return config.get("class") or DEFAULT_CLASS.get(type or "")


def mapping_class(config: dict[str, Any]) -> str:
    return config.get("mapping_type") or MAPPING_DEFAULT_TYPE


def dataset_statuses(registry) -> dict[str, str]:
    """dataset id -> Registered or Unregistered, over the latest versions of every project
    that lists it (Registered wins); datasets no project lists are absent."""
    out: dict[str, str] = {}
    for summary in registry.list("project"):
        record = registry.show("project", summary.id)
        submitted = record.extra.get("datasets", {})
        for entry in record.config.get("datasets", []):
            dataset_id = entry.get("dataset_id")
            status = submitted.get(dataset_id, {}).get("status", UNREGISTERED)
            if out.get(dataset_id) != REGISTERED:
                out[dataset_id] = REGISTERED if status == REGISTERED else UNREGISTERED
    return out


def annotate(registry, kind: str | None, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (component summaries as dicts, latest versions) with their ``class`` and
    ``status`` (None where the kind has none)."""
    statuses = dataset_statuses(registry) if any(r["kind"] == "dataset" for r in rows) else {}
    out = []
    for row in rows:
        klass = status = None
        if row["kind"] == "dataset":
            status = statuses.get(row["id"], NOT_IN_PROJECT)
        elif row["kind"] in ("project", "dimension", "dimension_mapping"):
            config = registry.show(row["kind"], row["id"], row["version"]).config
            if row["kind"] == "project":
                status = config.get("status") or PROJECT_DEFAULT_STATUS
            elif row["kind"] == "dimension":
                klass = dimension_class(config, row.get("type"))
            else:
                klass = mapping_class(config)
        out.append({**row, "class": klass, "status": status})
    return out


def used_by(registry, project: str) -> set[tuple[str, str]]:
    """(kind, id) of the components the project's latest version uses, and the project."""
    used = {(d.kind, d.id) for d in registry.dependencies("project", project)}
    used.add(("project", project))
    return used


def keep(
    rows: Iterable[dict[str, Any]],
    chosen: dict[str, str | None],
    used: set[tuple[str, str]] | None,
    filters: Iterable[Filter | AnyOf] = (),
) -> list[dict[str, Any]]:
    """The rows matching the chosen facet values (``used``: what the chosen project uses) and
    every one of ``filters``."""
    filters = list(filters)
    out = []
    for row in rows:
        if any(chosen.get(f) and row.get(f) != chosen[f] for f in ("type", "class", "status")):
            continue
        if used is not None and (row["kind"], row["id"]) not in used:
            continue
        if all(f.matches(row) for f in filters):
            out.append(row)
    return out


def facet_counts(
    registry,
    kind: str,
    rows: list[dict[str, Any]],
    chosen: dict[str, str | None],
    filters: Iterable[Filter | AnyOf] = (),
) -> dict[str, dict[str, int]]:
    """For each facet of ``kind``: how many of ``rows`` (annotated) each value would leave,
    under every other choice and the filters (a facet's own choice set aside), values in the
    facet's order, those with none left out. ``project``: per project, by id."""
    filters = list(filters)
    projects = [s.id for s in registry.list("project")] if kind != "project" else []
    uses = {p: used_by(registry, p) for p in projects}
    project = chosen.get("project")
    chosen_used = used_by(registry, project) if project else None  # as the list does
    out: dict[str, dict[str, int]] = {}
    for name, allowed in CHOICES[kind].items():
        others = {**chosen, name: None}
        counted = Counter(r.get(name) for r in keep(rows, others, chosen_used, filters))
        out[name] = {v: counted[v] for v in allowed if counted[v]}
    if projects:
        matching = keep(rows, chosen, None, filters)
        counts = {p: sum((r["kind"], r["id"]) in uses[p] for r in matching) for p in projects}
        out["project"] = {p: n for p, n in counts.items() if n}
    return out
