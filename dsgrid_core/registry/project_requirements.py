"""What a project requires of a dataset, read against its base dimensions: the base
dimension of a type (by name when the project has several), and required_dimensions expanded
to base record ids. Used at registration, at submission and by the coverage view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.errors import InputError

if TYPE_CHECKING:
    from dsgrid_core.registry.components import PreparedDimension


def bases_from_extra(extra: dict[str, Any]) -> list[dict[str, Any]]:
    """All base dimensions of a stored project version (older versions stored one per type)."""
    if "base_dimension_list" in extra:
        return list(extra["base_dimension_list"])
    return [{"type": t, **ref} for t, ref in extra["base_dimensions"].items()]


def base_for(bases: list[dict[str, Any]], type_: str, name: str | None, where: str) -> dict:
    """The base dimension of ``type_`` named ``name``; without a name, the only one of its type.
    Several of a type and no name is refused: picking one would be a guess."""
    of_type = [b for b in bases if b["type"] == type_]
    if name is not None:
        found = [b for b in of_type if b["name"] == name or b["id"] == name]
        if not found:
            known = ", ".join(repr(b["name"]) for b in of_type)
            raise InputError(
                f"{where}: the project has no base {type_} dimension named '{name}' "
                f"(its base {type_} dimensions: {known})."
            )
        return found[0]
    if len(of_type) > 1:
        known = ", ".join(repr(b["name"]) for b in of_type)
        raise InputError(
            f"{where}: the project has {len(of_type)} base {type_} dimensions ({known}); "
            "name the one meant."
        )
    return of_type[0]


def records_of(
    registry, plan_dims: dict[str, PreparedDimension], dim_id: str, version: str
) -> list[str]:
    if dim_id in plan_dims:
        return plan_dims[dim_id].record_ids
    return [r["id"] for r in registry.store.dimension_records(dim_id, version)]


def required_records(plan, registry, prepared, required, where: str) -> list[dict[str, list[str]]]:
    """Expand required_dimensions to groups of {type: [base ids]}; errors name bad ids.

    A type listed nowhere needs all records of its base dimension (the caller adds those).
    Records are named in one base dimension (``dimension_name`` when the type has several)
    plus subset selectors, whose records are base records."""
    groups: list[dict[str, list[str]]] = []
    entries = [required.single_dimensional] if required.single_dimensional else []
    entries += list(required.multi_dimensional)
    for entry in entries:
        group: dict[str, list[str]] = {}
        for dim_type, recs in entry.items():
            if not recs.defines_requirement():
                continue
            t = dim_type.value
            ids = _required_base_ids(plan, registry, prepared, t, recs, f"{where}.{t}")
            for sub in recs.subset:
                subset = plan.subsets.get(sub.name)
                if subset is None or subset["type"] != t:
                    raise InputError(f"{where}.{t}: no {t} subset dimension named '{sub.name}'.")
                for sel in sub.selectors:
                    if sel not in subset["selectors"]:
                        raise InputError(
                            f"{where}.{t}: subset '{sub.name}' has no selector "
                            f"'{sel}'; it has {', '.join(subset['selectors'])}."
                        )
                    ids += subset["selectors"][sel]
            group[t] = list(dict.fromkeys(ids))
        if group:
            groups.append(group)
    return groups


def _required_base_ids(plan, registry, prepared, t, recs, where) -> list[str]:
    spec = recs.base if recs.base.record_ids else recs.base_missing
    if not spec.record_ids:
        return []
    base = base_for(plan.bases, t, spec.dimension_name, f"{where} (dimension_name)")
    base_ids = records_of(registry, prepared, base["id"], base["version"])
    if spec.record_ids == ["__all__"]:
        return list(base_ids)
    unknown = [i for i in spec.record_ids if i not in set(base_ids)]
    if unknown:
        field_name = "base" if spec is recs.base else "base_missing"
        raise InputError(
            f"{where}.{field_name}: id(s) {', '.join(unknown[:5])} are not records of "
            f"the base dimension '{base['name']}'."
        )
    if spec is recs.base:
        return list(spec.record_ids)
    missing = set(spec.record_ids)
    return [i for i in base_ids if i not in missing]


def check_bases_named(plan, required, where: str) -> None:
    """A type no requirement names needs all records of its base dimension; with several base
    dimensions of the type that does not say which, so the dataset must name one (as dsgrid
    refuses too), e.g. ``metric: {base: {record_ids: ["__all__"], dimension_name: ...}}``."""
    entries = [required.single_dimensional, *required.multi_dimensional]
    covered = {t.value for e in entries for t, r in e.items() if r.defines_requirement()}
    for type_ in NON_TIME_TYPES:
        names = [b["name"] for b in plan.bases if b["type"] == type_]
        if len(names) > 1 and type_ not in covered:
            raise InputError(
                f"{where}: the project has {len(names)} base {type_} dimensions "
                f"({', '.join(repr(n) for n in names)}); say which records the dataset needs, "
                f'e.g. {type_}: {{base: {{record_ids: ["__all__"], dimension_name: '
                f'"{names[0]}"}}}}.'
            )


def required_base_names(required) -> dict[str, set[str]]:
    """The base dimension names that required_dimensions names, per type."""
    names: dict[str, set[str]] = {}
    for entry in [required.single_dimensional, *required.multi_dimensional]:
        for t, recs in entry.items():
            for spec in (recs.base, recs.base_missing):
                if spec.record_ids and spec.dimension_name:
                    names.setdefault(t.value, set()).add(spec.dimension_name)
    return names
