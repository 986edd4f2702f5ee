"""A dataset query in dsgrid's form (``DatasetQueryModel``): the dataset mapped onto registered
dimensions, as dsgrid's ``make_mapped_dataframe`` does, resolved into a planner context.

Each ``to_dimension_references`` entry names a registered dimension; the dataset's dimension
of that type is mapped onto it through the registered dimension mapping from the one to the
other (its fractions applied, rows summed; for metrics, units converted to the target's as
dsgrid does when the dataset enables unit conversion). In the context the target dimension
plays the part of that type's base dimension; the other types keep the dataset's own
dimensions, and the dataset's time is kept as it is stored (dsgrid maps time only when a
reference names another time dimension: refused here).

Refused with a message naming the field: a reference to no registered dimension, two of one
type, one that no registered mapping (or more than one) leads to from the dataset's
dimension, another time dimension; a ``mapping_plan`` whose steps are not exactly the
mappings the references use. dsgrid would follow a chain of mappings through intermediate
dimensions; here only a direct mapping is used (the message says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from dsgrid_core.config.dataset_query import DatasetQueryConfig
from dsgrid_core.config.mapping_plan import DatasetMappingPlan
from dsgrid_core.errors import InputError
from dsgrid_core.query.context import load_dataset_context, unit_factor
from dsgrid_core.query.context_types import DimensionInfo, ProjectContext


@dataclass
class DatasetQueryContext(ProjectContext):
    """A dataset's context whose cache key also names the mappings it applies."""

    mapping_versions: dict[str, str] = field(default_factory=dict)

    def versions_read(self) -> dict[str, Any]:
        versions = super().versions_read()
        versions["dimension_mappings"] = {
            **versions["dimension_mappings"],
            **self.mapping_versions,
        }
        return versions


@dataclass
class _Mapped:
    """One dimension type mapped: the registered mapping and the dimension it maps onto."""

    type: str
    where: str  # the reference's field, for messages
    mapping: Any  # VersionRecord of the dimension mapping
    target: Any  # VersionRecord of the target dimension

    @property
    def target_name(self) -> str:
        return self.target.config.get("name", self.target.id)


def load_dataset_query_context(registry, query: DatasetQueryConfig) -> ProjectContext:
    """The planner's context for a dataset query (either form)."""
    base_context = load_dataset_context(registry, query.dataset_id, query.dataset_version)
    context = DatasetQueryContext(
        **{f.name: getattr(base_context, f.name) for f in fields(base_context)}
    )
    source = context.datasets[0]
    mapped: dict[str, _Mapped] = {}
    seen: set[str] = set()
    for i, ref in enumerate(query.to_dimension_references or []):
        where = f"to_dimension_references[{i}]"
        type_ = ref.type.value
        target = _target_dimension(registry, ref, where)
        if type_ in seen:
            raise InputError(
                f"{where}: a second {type_} dimension; a dataset query maps each dimension type "
                "once (as in dsgrid). Keep one reference per type."
            )
        seen.add(type_)
        own = source.dimensions[type_]
        if target.id == own["id"]:
            if target.version != own["version"]:
                raise InputError(
                    f"{where}: names the dataset's own {type_} dimension '{own['name']}' at "
                    f"version {target.version}, but the dataset uses version {own['version']}; "
                    f"give version {own['version']} (nothing is mapped) or leave it out."
                )
            continue  # the dataset's own dimension: nothing to map (as in dsgrid)
        if type_ == "time":
            raise InputError(
                f"{where}: mapping the dataset's time onto another time dimension "
                f"('{target.config.get('name', target.id)}') is not supported in a dataset "
                f"query; leave the reference out to keep the dataset's own time "
                f"('{own['name']}'), or query the dataset through a project that has that "
                "time dimension."
            )
        mapping = _mapping_between(registry, type_, own, target, where)
        mapped[type_] = _Mapped(type_, where, mapping, target)
    if query.mapping_plan is not None:
        _check_plan(query.mapping_plan, mapped)
    record = registry.show("dataset", source.dataset_id, source.version)
    for type_, m in mapped.items():
        info = DimensionInfo(
            type=type_,
            id=m.target.id,
            version=m.target.version,
            name=m.target_name,
            records=registry.records(m.target.id, m.target.version),
        )
        rows = [
            (f, to, x)
            for f, to, x in registry.mapping_records(m.mapping.id, m.mapping.version)
            if to is not None
        ]
        if type_ == "metric" and record.config.get("enable_unit_conversion", True):
            # dsgrid converts the mapped values to the target records' units
            from_units = {r["id"]: r.get("unit") for r in context.base["metric"].records}
            to_units = {r["id"]: r.get("unit") for r in info.records}
            rows = [
                (f, to, x * unit_factor(from_units.get(f), to_units.get(to))) for f, to, x in rows
            ]
        source.mappings[type_] = rows
        context.base[type_] = info
        context.mapping_versions[m.mapping.id] = m.mapping.version
    return context


def _target_dimension(registry, ref, where: str):
    """The registered dimension a reference names (by dimension_id, else by name)."""
    type_ = ref.type.value
    try:
        record = registry.find_dimension(type_, ref.name, ref.version, ref.dimension_id)
    except InputError as exc:
        raise type(exc)(
            f"{where}: {exc.message} A to_dimension_references entry names a registered "
            "dimension by its type, name (or dimension_id) and version; see `dsgrid registry "
            f"dimensions list`."
        ) from None
    name = record.config.get("name")
    if ref.dimension_id and ref.name and ref.name != name:
        raise InputError(
            f"{where}: dimension_id '{ref.dimension_id}' is named '{name}', not "
            f"'{ref.name}'; give one of them."
        )
    return record


def _mapping_between(registry, type_: str, own: dict[str, Any], target, where: str):
    """The one registered mapping (latest version) from the dataset's dimension to
    ``target`` (dsgrid compares dimension ids; the versions must also agree here)."""
    target_name = target.config.get("name", target.id)
    found = []
    elsewhere = []  # dimensions a registered mapping takes the dataset's dimension to
    for c in registry.list("dimension_mapping"):
        record = registry.show("dimension_mapping", c.id)
        src, dst = record.config["from_dimension"], record.config["to_dimension"]
        if src["dimension_id"] != own["id"]:
            continue
        if dst["dimension_id"] == target.id:
            found.append(record)
        else:
            elsewhere.append(dst.get("name", dst["dimension_id"]))
    what = (
        f"{where} ({type_} '{target_name}', version {target.version}): no registered dimension "
        f"mapping from the dataset's {type_} dimension '{own['name']}' ({own['id']})"
    )
    if not found:
        hint = (
            f" Registered mappings from it lead to: {', '.join(sorted(set(elsewhere)))}."
            if elsewhere
            else ""
        )
        raise InputError(
            f"{what} to '{target_name}' ({target.id}). Register one (`dsgrid registry "
            "dimension-mappings register`) or name a dimension a registered mapping leads to; "
            f"a chain of mappings through other dimensions is not followed.{hint}"
        )
    if len(found) > 1:
        ids = ", ".join(sorted(r.id for r in found))
        raise InputError(
            f"{where}: {len(found)} registered dimension mappings go from '{own['name']}' to "
            f"'{target_name}' ({ids}); the query cannot say which to use. Remove all but one "
            "from the registry, or query through a project that names one."
        )
    mapping = found[0]
    src, dst = mapping.config["from_dimension"], mapping.config["to_dimension"]
    if src.get("version", own["version"]) != own["version"] or dst.get(
        "version", target.version
    ) != (target.version):
        raise InputError(
            f"{what} at the versions in use: mapping '{mapping.id}' (version "
            f"{mapping.version}) goes from version {src.get('version')} to version "
            f"{dst.get('version')}, the dataset uses version {own['version']} and the "
            f"reference names version {target.version}. Name the version the mapping "
            "maps to, or register a mapping between these versions."
        )
    return mapping


def _check_plan(plan: DatasetMappingPlan, to_map: dict[str, _Mapped]) -> None:
    """A plan is honoured when its steps are exactly the mappings the references use (the
    order of the steps does not change the answer)."""
    used = ", ".join(f"'{m.target_name}' ({m.mapping.id})" for m in to_map.values()) or "none"
    matched: dict[str, int] = {}
    for i, op in enumerate(plan.mappings):
        where = f"mapping_plan.mappings[{i}] ('{op.name}')"
        ref = op.mapping_reference
        if ref is None:
            types = [t for t, m in to_map.items() if m.target_name == op.name]
        else:
            types = [t for t, m in to_map.items() if _reference_names(ref, m.mapping)]
        if not types:
            named = (
                f"mapping_reference {ref.mapping_id or ref.mapping_names} (version {ref.version})"
                if ref is not None
                else "a dimension that no reference maps to"
            )
            raise InputError(
                f"{where}: names {named}; the plan's steps must be the mappings "
                f"to_dimension_references uses: {used} (by mapping_reference, or by the name "
                "of the dimension mapped to)."
            )
        if types[0] in matched:
            raise InputError(
                f"{where}: maps {types[0]} again (mappings[{matched[types[0]]}] already does); "
                "list each mapping once."
            )
        matched[types[0]] = i
    left_out = [m for t, m in to_map.items() if t not in matched]
    if left_out:
        names = ", ".join(f"'{m.target_name}' ({m.mapping.id})" for m in left_out)
        raise InputError(
            f"mapping_plan.mappings: leaves out the mapping to {names}, which "
            f"{', '.join(m.where for m in left_out)} asks for; list every mapping the "
            "references use (dsgrid would leave the dimension unmapped), or leave "
            "mapping_plan out."
        )


def _reference_names(ref, mapping) -> bool:
    """Whether a plan's mapping_reference names this registered mapping."""
    config = mapping.config
    if ref.version != mapping.version:
        return False
    if (
        ref.from_dimension_type.value != config["from_dimension"]["type"]
        or ref.to_dimension_type.value != config["to_dimension"]["type"]
    ):
        return False
    if ref.mapping_id is not None:
        return ref.mapping_id == mapping.id
    names = ref.mapping_names
    return (
        names.from_ == config["from_dimension"]["name"]
        and names.to == config["to_dimension"]["name"]
    )
